/**
 * The driving side of Slack's interactivity URL, shared by the `interactions` Lambda (Function URL) and
 * `cli serve`: a request is checked before it is read — size (413), then Slack's signature and
 * timestamp (401) — then its form body parsed (400, or a 200 for a payload type we do not handle), and
 * only then handed to the use case as a `Click` (the domain's terms, never Slack's raw JSON).
 *
 * `verifySlackRequest` is the check alone, for any signed Slack request body (a slash command's too).
 */
import type { Click } from "../../domain/actions.js";
import type { ClickResponder, EphemeralTarget } from "../../ports.js";
import { clickFrom, MAX_INTERACTION_BODY_BYTES, parseInteractionBody } from "./interaction-payload.js";
import { answerByResponseUrl } from "./response-url.js";
import { header, SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySlackSignature } from "./signature.js";

/** The path of Slack's Request URL, in the Function URL and in `cli serve` alike. */
export const INTERACTIONS_PATH = "/slack/interactions";

/** A signed Slack request as received. */
export interface SlackRequest {
  /** The body exactly as Slack sent it (the signature is over these bytes). */
  rawBody: string;
  /** Byte length of the body as received, when known (a decoded Function URL body). */
  bodyBytes?: number;
  headers: Record<string, string | string[] | undefined>;
}

export interface HttpAnswer {
  status: number;
  body: string;
  /** Default text/plain; a slash command's answer is JSON. */
  contentType?: string;
}

export type SlackRequestCheck =
  | { ok: true }
  | { ok: false; rejected: "size"; status: 413; body: string; bytes: number }
  | { ok: false; rejected: "signature"; status: 401; body: string; reason: string };

export interface VerifyOptions {
  signingSecret: string;
  /** The real clock (the 5-minute window is about real time). */
  nowMs: number;
  /** Larger bodies are refused before anything else; default 64 KB. */
  maxBytes?: number;
}

/**
 * Whether Slack sent this request, recently: a body over `maxBytes` is a 413, a missing header, a
 * timestamp more than 5 minutes from now or a wrong signature a 401. The reason names what is wrong,
 * never the secret or the expected signature.
 */
export function verifySlackRequest(request: SlackRequest, options: VerifyOptions): SlackRequestCheck {
  const bytes = request.bodyBytes ?? Buffer.byteLength(request.rawBody, "utf8");
  if (bytes > (options.maxBytes ?? MAX_INTERACTION_BODY_BYTES)) {
    return { ok: false, rejected: "size", status: 413, body: "payload too large", bytes };
  }
  const verified = verifySlackSignature({
    signingSecret: options.signingSecret,
    timestamp: header(request.headers, TIMESTAMP_HEADER),
    signature: header(request.headers, SIGNATURE_HEADER),
    rawBody: request.rawBody,
    nowMs: options.nowMs,
  });
  if (!verified.ok)
    return {
      ok: false,
      rejected: "signature",
      status: 401,
      body: "invalid signature",
      reason: verified.reason,
    };
  return { ok: true };
}

/** What the endpoint counts before the use case sees a click; the Lambda logs them on its `interaction` line. */
export type InteractionRequestMetric =
  | "InteractionRejectedSignature"
  | "InteractionRejectedSize"
  | "InteractionRejectedPayload"
  | "InteractionIgnored";

export interface AnswerInteractionOptions {
  signingSecret: string;
  /**
   * On a signature mismatch, a fresher signing secret to check once more (it may have been rotated
   * since it was read), or undefined to refuse at once.
   */
  refreshSigningSecret?: () => Promise<string | undefined>;
  nowMs: number;
  log: { warn(message: string, extra?: Record<string, unknown>): void };
  count?: (metric: InteractionRequestMetric) => void;
}

/**
 * One request to the interactivity URL, answered: verified, parsed, handed to `handle` (the use case,
 * bound to its ports), then 200. Every action's outcome is the use case's; the HTTP answer only says
 * the request was taken.
 */
export async function answerInteraction(
  request: SlackRequest,
  options: AnswerInteractionOptions,
  handle: (click: Click) => Promise<void>,
): Promise<HttpAnswer> {
  const count = options.count ?? (() => {});
  let check = verifySlackRequest(request, options);
  if (!check.ok && check.rejected === "signature" && options.refreshSigningSecret) {
    const fresher = await options.refreshSigningSecret();
    if (fresher !== undefined) check = verifySlackRequest(request, { ...options, signingSecret: fresher });
  }
  if (!check.ok) {
    if (check.rejected === "size") {
      count("InteractionRejectedSize");
      options.log.warn("interaction refused: body too large", { bytes: check.bytes });
    } else {
      count("InteractionRejectedSignature");
      options.log.warn("interaction refused: not signed by Slack", { reason: check.reason });
    }
    return { status: check.status, body: check.body };
  }
  const parsed = parseInteractionBody(request.rawBody);
  if (parsed.kind === "invalid") {
    count("InteractionRejectedPayload");
    options.log.warn("interaction refused: malformed payload", { reason: parsed.reason });
    return { status: 400, body: "malformed payload" };
  }
  if (parsed.kind === "ignored") {
    count("InteractionIgnored");
    return { status: 200, body: "" };
  }
  await handle(clickFrom(parsed.payload));
  return { status: 200, body: "" };
}

/** Ephemeral answers through the click's response_url alone: what `serve` has without a bot token. */
export function responseUrlResponder(timeoutMs: number): ClickResponder {
  return {
    async ephemeral(target: EphemeralTarget, text: string): Promise<boolean> {
      if (target.responseUrl === undefined) return false;
      return (await answerByResponseUrl(target.responseUrl, text, timeoutMs)).ok;
    },
  };
}
