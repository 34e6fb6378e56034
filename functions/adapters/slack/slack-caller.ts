/**
 * The one Slack Web API client every Slack concern (alerts, roll-ups, nudges, ephemerals) calls
 * through: the real @slack/web-api WebClient, with our own retries, pacing and deadlines, and a
 * plain-text fallback for a message Slack refuses as built. It never throws and never lets the
 * token into a log line or an error string.
 *
 * Retries are ours, not the client's. The client's default policy retries for about 30 minutes and
 * sleeps out any Retry-After inside the request, however long; a run comes every few minutes, so
 * each delivery gets one deadline shared by all of its calls, and a failure past it is a failure:
 * the record stays pending and the next run delivers it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { LogLevel, type Logger as SlackLogger, WebClient } from "@slack/web-api";
import { PAYLOAD_REFUSALS } from "./bounds.js";
import { ChannelPacer } from "./channel-pacer.js";
import { plainTextArgs } from "./message-payload.js";

export const SLACK_API_URL = "https://slack.com/api/";
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_RETRY_TIME_MS = 20_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 4_000;
/** Slack platform errors that its docs call transient; everything else ok:false is final for this run. */
const TRANSIENT_ERRORS = new Set(["ratelimited", "service_unavailable", "internal_error"]);

/**
 * WebClient appends the method to the base URL as is (`${slackApiUrl}${method}`, adding only a
 * trailing slash), so `http://host:port` would call `/chat.postMessage`. Accept the base with or
 * without `/api` and with or without the trailing slash.
 */
export function normalizeApiUrl(apiUrl: string | undefined): string {
  if (apiUrl === undefined || apiUrl.trim() === "") return SLACK_API_URL;
  const base = apiUrl.trim().replace(/\/+$/, "");
  return base.endsWith("/api") ? `${base}/` : `${base}/api/`;
}

export interface Warner {
  warn(msg: string, extra?: Record<string, unknown>): void;
}

export interface SlackCallerOptions {
  /** Bot token; never logged, never in an error message. */
  token: string;
  /** Base URL of the Web API (SLACK_API_URL, e.g. a local fake); `/api/` is added when missing. */
  apiUrl?: string;
  logger?: Warner;
  /** Retries of a transient failure (5xx, network, timeout) per call; default 2. 429s are waited out instead. */
  retries?: number;
  /** Bound on one delivery, every call, wait and retry included; default 20 s. */
  maxRetryTimeMs?: number;
  /** Timeout of one HTTP request; default 10 s (never more than maxRetryTimeMs). */
  requestTimeoutMs?: number;
  /** The run's delivery deadline (epoch ms): no call starts, and no wait runs, past it. */
  deadlineMs?: number;
  /** Paces posts per channel; one per caller by default (one per run). */
  pacer?: ChannelPacer;
}

/** One failed Web API call, reduced to what the retry loop and the caller need. */
export interface CallFailure {
  /** Slack's error code (`channel_not_found`) or a short cause (`http_500`, `timeout`, `ratelimited`). */
  error: string;
  transient: boolean;
  /** Set for a 429: how long Slack asked us to wait. */
  retryAfterMs?: number;
}

export interface CallPolicy {
  retries: number;
  /** False: a 429 fails the call at once (for calls that must not hold up an alert). */
  waitOutRateLimits: boolean;
}

export type CallOutcome = { ok: true; result: Record<string, unknown> } | { ok: false; failure: CallFailure };

/** What a warning is about (`{kind, alertId}` of an alert's delivery), for the log line. */
export type CallContext = Record<string, string> | undefined;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

export function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** Maps whatever WebClient threw (matched by its `code`, not instanceof, to survive duplicate installs). */
export function classify(error: unknown): CallFailure {
  const code = field(error, "code");
  if (code === "slack_webapi_platform_error") {
    // A non-JSON answer (an HTML error page) arrives here as its whole body: keep the start only.
    const slackError = String(field(field(error, "data"), "error") ?? "unknown_error").slice(0, 200);
    return { error: slackError, transient: TRANSIENT_ERRORS.has(slackError) };
  }
  if (code === "slack_webapi_rate_limited_error") {
    const seconds = Number(field(error, "retryAfter"));
    // At least 1 s: a 429 with Retry-After 0 must not become a tight loop.
    return { error: "ratelimited", transient: true, retryAfterMs: Math.max(1, seconds || 0) * 1000 };
  }
  if (code === "slack_webapi_http_error") {
    const status = Number(field(error, "statusCode"));
    return { error: `http_${status}`, transient: status >= 500 || status === 408 };
  }
  if (code === "slack_webapi_request_error") {
    const original = field(error, "original");
    const name = String(field(original, "name") ?? "");
    if (name === "TimeoutError" || name === "AbortError") return { error: "timeout", transient: true };
    const cause = field(field(original, "cause"), "code");
    return { error: `request_failed${typeof cause === "string" ? `: ${cause}` : ""}`, transient: true };
  }
  const message = error instanceof Error ? error.message : String(error);
  // WebClient aborts a 429 without a usable Retry-After with a plain Error: still a rate limit.
  if (/rate limit|retry header/i.test(message)) return { error: "ratelimited", transient: true };
  return { error: message.slice(0, 200) || "unknown_error", transient: false };
}

export class SlackCaller {
  readonly #client: WebClient;
  readonly #token: string;
  readonly #logger: Warner | undefined;
  readonly #retries: number;
  readonly #maxRetryTimeMs: number;
  readonly #runDeadline: number;
  readonly #pacer: ChannelPacer;
  /** Per-delivery deadline, read by the fetch wrapper so an in-flight request is aborted at the bound. */
  readonly #deadline = new AsyncLocalStorage<number>();
  /** Method → epoch ms until which Slack asked us to hold off (Retry-After), shared by every delivery. */
  readonly #rateLimitedUntil = new Map<string, number>();

  constructor(options: SlackCallerOptions) {
    this.#token = options.token;
    this.#logger = options.logger;
    this.#retries = Math.max(0, options.retries ?? DEFAULT_RETRIES);
    this.#maxRetryTimeMs = Math.max(1, options.maxRetryTimeMs ?? DEFAULT_MAX_RETRY_TIME_MS);
    this.#runDeadline = options.deadlineMs ?? Number.POSITIVE_INFINITY;
    this.#pacer = options.pacer ?? new ChannelPacer();
    const requestTimeoutMs = Math.min(
      options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      this.#maxRetryTimeMs,
    );
    this.#client = new WebClient(options.token, {
      slackApiUrl: normalizeApiUrl(options.apiUrl),
      // No client-side retries: its p-retry cannot share one deadline across the calls of a delivery.
      retryConfig: { retries: 0 },
      // Surface 429s (with Retry-After) instead of sleeping inside the request, so the wait is bounded.
      rejectRateLimitedCalls: true,
      timeout: requestTimeoutMs,
      logger: this.#clientLogger(),
      fetch: (url, init) => {
        // Abort the request itself at the delivery's deadline, not only the wait for it.
        const deadline = this.#deadline.getStore();
        if (deadline === undefined) return fetch(url, init);
        const bound = AbortSignal.timeout(Math.max(1, deadline - Date.now()));
        const signal = init?.signal ? AbortSignal.any([init.signal, bound]) : bound;
        return fetch(url, { ...init, signal });
      },
    });
  }

  /** The bound on one delivery, every call, wait and retry included (ms). */
  get maxRetryTimeMs(): number {
    return this.#maxRetryTimeMs;
  }

  /** A delivery starting now ends at its bound, or at the run's deadline when that comes first. */
  deadlineFromNow(): number {
    return Math.min(Date.now() + this.#maxRetryTimeMs, this.#runDeadline);
  }

  /** Runs `work` with `deadline` as the bound every request inside it is aborted at. */
  within<T>(deadline: number, work: () => Promise<T>): Promise<T> {
    return this.#deadline.run(deadline, work);
  }

  /**
   * A message (chat.postMessage or chat.update). When Slack refuses it as built, with an error no
   * retry can fix (`invalid_blocks`, `msg_blocks_too_long`, ...), the same message goes again at once
   * as plain text (its `text` only): an alert Slack will not take as blocks is still seen, and the
   * refused payload is not sent again on every run.
   */
  async sendMessage(
    method: "chat.postMessage" | "chat.update",
    args: Record<string, unknown>,
    deadline: number,
    context: CallContext,
  ): Promise<CallOutcome> {
    const outcome = await this.call(method, args, deadline, context);
    if (outcome.ok || !PAYLOAD_REFUSALS.has(outcome.failure.error)) return outcome;
    const plain = plainTextArgs(method, args);
    if (plain === undefined) return outcome;
    this.warn("slack refused the message as built; sending it as plain text", context, {
      method,
      error: outcome.failure.error,
    });
    return this.call(method, plain, deadline, context);
  }

  /**
   * One Web API call under the delivery's deadline: waits out a Retry-After that fits in it, retries a
   * transient failure with backoff up to `retries` times, and gives up early when the next wait would
   * cross the deadline anyway.
   */
  async call(
    method: string,
    args: Record<string, unknown>,
    deadline: number,
    context: CallContext,
    policy: CallPolicy = { retries: this.#retries, waitOutRateLimits: true },
  ): Promise<CallOutcome> {
    let retried = 0;
    for (;;) {
      const held = (this.#rateLimitedUntil.get(method) ?? 0) - Date.now();
      if (held > 0) {
        if (!policy.waitOutRateLimits || Date.now() + held >= deadline)
          return { ok: false, failure: { error: "ratelimited", transient: true } };
        await sleep(held);
      }
      if (Date.now() >= deadline) return { ok: false, failure: { error: "timeout", transient: true } };
      // Posts into one channel take turns (about one a second, as Slack allows); a turn that would
      // come after the deadline is not waited for.
      const channel =
        method === "chat.postMessage" && typeof args.channel === "string" ? args.channel : undefined;
      const slot = channel === undefined ? undefined : await this.#pacer.acquire(channel, deadline);
      if (slot === false) {
        // Past the run's deadline the rest waits for the next run; past this delivery's own bound it
        // is the delivery timing out, as any other wait would.
        const error = deadline >= this.#runDeadline ? "paced_past_deadline" : "timeout";
        return { ok: false, failure: { error, transient: true } };
      }

      let failure: CallFailure;
      try {
        const result = await this.#client.apiCall(method, args);
        return { ok: true, result: result as unknown as Record<string, unknown> };
      } catch (error) {
        failure = classify(error);
        // A post Slack did not take (unreachable, 5xx) used no turn in the channel: a retry need not wait.
        if (channel !== undefined && typeof slot === "number" && failure.retryAfterMs === undefined)
          this.#pacer.giveBack(channel, slot);
      }

      if (failure.retryAfterMs !== undefined) {
        const until = Date.now() + failure.retryAfterMs;
        this.#rateLimitedUntil.set(method, Math.max(this.#rateLimitedUntil.get(method) ?? 0, until));
        if (method === "chat.postMessage" && channel !== undefined) this.#pacer.holdUntil(channel, until);
        if (!policy.waitOutRateLimits) return { ok: false, failure };
        if (until >= deadline) {
          this.warn("slack rate limit outlasts the delivery bound", context, {
            method,
            retryAfterSeconds: failure.retryAfterMs / 1000,
          });
          return { ok: false, failure };
        }
        // A Retry-After is Slack telling us when, not a failure: it does not use up a retry.
        this.warn("slack rate limited; waiting", context, {
          method,
          retryAfterSeconds: failure.retryAfterMs / 1000,
        });
        continue;
      }
      if (!failure.transient || retried >= policy.retries) return { ok: false, failure };
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** retried) * (0.75 + Math.random() * 0.5);
      if (Date.now() + delay >= deadline) return { ok: false, failure };
      retried += 1;
      this.warn("slack call failed; retrying", context, { method, error: failure.error, attempt: retried });
      await sleep(delay);
    }
  }

  /** A failed call as the ports report it: Slack's error code, redacted, and whether it was transient. */
  failed(failure: CallFailure): { ok: false; error: string; transient: boolean } {
    return { ok: false, error: this.redact(failure.error), transient: failure.transient };
  }

  /** A warning with its context; every string in it redacted. */
  warn(message: string, context: CallContext, extra: Record<string, unknown> = {}): void {
    if (!this.#logger) return;
    const safe: Record<string, unknown> = { ...context };
    for (const [key, value] of Object.entries(extra))
      safe[key] = typeof value === "string" ? this.redact(value) : value;
    this.#logger.warn(message, safe);
  }

  /** Belt and braces: no error string leaves this adapter with the token (or any Slack token) in it. */
  redact(text: string): string {
    let out = this.#token ? text.replaceAll(this.#token, "[redacted]") : text;
    out = out.replace(/xox[a-z]-[A-Za-z0-9-]+/g, "[redacted]");
    return out;
  }

  /** WebClient's own log lines, kept quiet (we report outcomes ourselves) and redacted. */
  #clientLogger(): SlackLogger {
    let level = LogLevel.WARN;
    const forward = (...msg: unknown[]) => {
      const text = msg.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
      // Request failures come back to call(), which reports them with context; don't say it twice.
      if (text.startsWith("http request failed")) return;
      this.#logger?.warn(`slack client: ${this.redact(text)}`);
    };
    return {
      debug: () => {},
      info: () => {},
      warn: forward,
      error: forward,
      setLevel: (l) => {
        level = l;
      },
      getLevel: () => level,
      setName: () => {},
    };
  }
}
