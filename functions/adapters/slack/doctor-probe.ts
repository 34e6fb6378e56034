/**
 * The doctor's Slack calls (ports.ts SlackProbe) with the real @slack/web-api WebClient: `auth.test`
 * (and its `x-oauth-scopes` header, which the client puts in `response_metadata.scopes`),
 * `conversations.info`, `users.info`, `usergroups.list`, and the `--send-test` message. One request
 * each, no retries, bounded by `timeoutMs`; never throws, never lets the token into a result.
 */
import { LogLevel, type Logger as SlackLogger, WebClient } from "@slack/web-api";
import type {
  SlackChannelInfo,
  SlackGroupInfo,
  SlackIdentity,
  SlackProbe,
  SlackProbeResult,
  SlackUserInfo,
} from "../../ports.js";
import { normalizeApiUrl } from "./slack-notifier.js";

export interface SlackDoctorProbeOptions {
  /** Bot token; never logged, never in a result. */
  token: string;
  /** SLACK_API_URL (a local fake); Slack's own by default. */
  apiUrl?: string | undefined;
  /** Bound on each call. */
  timeoutMs: number;
}

type Answer = Record<string, unknown>;

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

/** Whatever WebClient threw, as Slack's error code or a short cause (`timeout`, `http_500`). */
function failure(error: unknown): { ok: false; error: string; needed?: string } {
  const code = field(error, "code");
  if (code === "slack_webapi_platform_error") {
    const data = field(error, "data");
    const slackError = String(field(data, "error") ?? "unknown_error").slice(0, 100);
    const needed = field(data, "needed");
    return { ok: false, error: slackError, ...(typeof needed === "string" ? { needed } : {}) };
  }
  if (code === "slack_webapi_rate_limited_error") return { ok: false, error: "ratelimited" };
  if (code === "slack_webapi_http_error")
    return { ok: false, error: `http_${Number(field(error, "statusCode"))}` };
  if (code === "slack_webapi_request_error") {
    const original = field(error, "original");
    const name = String(field(original, "name") ?? "");
    if (name === "TimeoutError" || name === "AbortError") return { ok: false, error: "timeout" };
    const cause = field(field(original, "cause"), "code");
    return { ok: false, error: `request_failed${typeof cause === "string" ? `: ${cause}` : ""}` };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/rate limit|retry header/i.test(message)) return { ok: false, error: "ratelimited" };
  return { ok: false, error: message.slice(0, 100) || "unknown_error" };
}

/** The client's own log lines say nothing here: the doctor reports every outcome itself. */
const silent: SlackLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => LogLevel.ERROR,
  setName() {},
};

export class SlackDoctorProbe implements SlackProbe {
  readonly #client: WebClient;
  readonly #token: string;

  constructor(options: SlackDoctorProbeOptions) {
    this.#token = options.token;
    this.#client = new WebClient(options.token, {
      slackApiUrl: normalizeApiUrl(options.apiUrl),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: Math.max(1, options.timeoutMs),
      logger: silent,
    });
  }

  async #call<T>(
    method: string,
    args: Record<string, unknown>,
    read: (answer: Answer) => T,
  ): Promise<SlackProbeResult<T>> {
    try {
      const answer = (await this.#client.apiCall(method, args)) as unknown as Answer;
      return { ok: true, value: read(answer) };
    } catch (error) {
      const failed = failure(error);
      // Slack never echoes the token, but a proxy's error page might: never pass it on.
      return { ...failed, error: failed.error.split(this.#token).join("[token]") };
    }
  }

  identity(): Promise<SlackProbeResult<SlackIdentity>> {
    return this.#call("auth.test", {}, (a) => {
      const scopes = field(a.response_metadata, "scopes");
      const identity: SlackIdentity = {
        team: text(a.team),
        teamId: text(a.team_id),
        url: text(a.url),
        user: text(a.user),
        userId: text(a.user_id),
      };
      if (typeof a.bot_id === "string" && a.bot_id !== "") identity.botId = a.bot_id;
      if (Array.isArray(scopes))
        identity.scopes = scopes.filter((s): s is string => typeof s === "string" && s !== "");
      return identity;
    });
  }

  channel(id: string): Promise<SlackProbeResult<SlackChannelInfo>> {
    return this.#call("conversations.info", { channel: id }, (a) => {
      const c = a.channel;
      return {
        id: text(field(c, "id")) || id,
        name: text(field(c, "name")) || id,
        isMember: field(c, "is_member") === true,
        isPrivate: field(c, "is_private") === true,
        isArchived: field(c, "is_archived") === true,
      };
    });
  }

  user(id: string): Promise<SlackProbeResult<SlackUserInfo>> {
    return this.#call("users.info", { user: id }, (a) => ({
      id,
      name: text(field(a.user, "name")) || id,
      deleted: field(a.user, "deleted") === true,
    }));
  }

  groups(): Promise<SlackProbeResult<SlackGroupInfo[]>> {
    return this.#call("usergroups.list", { include_disabled: true, include_count: true }, (a) => {
      const groups = Array.isArray(a.usergroups) ? a.usergroups : [];
      return groups.map((g): SlackGroupInfo => {
        const count = field(g, "user_count");
        const group: SlackGroupInfo = {
          id: text(field(g, "id")),
          handle: text(field(g, "handle")) || text(field(g, "id")),
          enabled: !(Number(field(g, "date_delete")) > 0),
        };
        if (typeof count === "number") group.members = count;
        return group;
      });
    });
  }

  postTest(channel: string, message: string): Promise<SlackProbeResult<{ channel: string; ts: string }>> {
    return this.#call("chat.postMessage", { channel, text: message, unfurl_links: false }, (a) => ({
      channel: text(a.channel) || channel,
      ts: text(a.ts),
    }));
  }
}
