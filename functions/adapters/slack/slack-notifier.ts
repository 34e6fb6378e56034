/**
 * The Slack adapter: delivers one SlackAction (post / escalate / remind / resolve) with the real
 * @slack/web-api WebClient, and reports the outcome as a DeliveryResult. It never throws and never
 * lets the token into a log line or an error string.
 *
 * Retries are ours, not the client's. The client's default policy retries for about 30 minutes and
 * sleeps out any Retry-After inside the request, however long; this function runs every few minutes,
 * so each deliver() gets one deadline (maxRetryTimeMs) shared by all of its calls, and a failure past
 * it is ok:false: the record stays pending and the next run delivers it.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { LogLevel, type Logger as SlackLogger, WebClient } from "@slack/web-api";
import type { AlertRecord } from "../../domain/alert.js";
import type { AppConfig } from "../../domain/config.js";
import type { SlackAction } from "../../domain/delivery.js";
import type { RollupOutcome, RollupWork } from "../../domain/rollup.js";
import type { DeliveryResult, EphemeralTarget, InteractionNotifier } from "../../ports.js";
import { ChannelPacer } from "./channel-pacer.js";
import { type RenderOptions, renderSlackAction, type SlackMessage } from "./messages.js";
import { answerByResponseUrl } from "./response-url.js";
import { deliverRollup, type RollupSender, type SendResult } from "./rollup-delivery.js";
import { type RollupMessage, renderRollupAcknowledged, renderRollupTop } from "./rollup-messages.js";

export interface SlackNotifierOptions {
  /** Bot token; never logged, never in an error message. */
  token: string;
  /** Base URL of the Web API (SLACK_API_URL, e.g. a local fake); `/api/` is added when missing. */
  apiUrl?: string;
  /** IANA zone of the contact center, for local start times. */
  timezone: string;
  /** @mention the agent, found with users.lookupByEmail (cached per notifier, "not found" included). */
  mentionAgents?: boolean;
  /** Acknowledge / Snooze / Excuse on each live alert (`slack.interactive`); default true. */
  interactive?: boolean;
  logger?: { warn(msg: string, extra?: Record<string, unknown>): void };
  /** Retries of a transient failure (5xx, network, timeout) per call; default 2. 429s are waited out instead. */
  retries?: number;
  /** Bound on one deliver(), every call, wait and retry included; default 20 s. */
  maxRetryTimeMs?: number;
  /** Timeout of one HTTP request; default 10 s (never more than maxRetryTimeMs). */
  requestTimeoutMs?: number;
  /**
   * The instant live alerts measure elapsed time to. Default: the record's `lastNotifiedMs`, the
   * run's own "now" (so `--now` replays and re-delivered posts read as the engine decided them).
   */
  now?: () => number;
  /**
   * The run's delivery deadline (epoch ms): no call starts, and no wait (pacing, Retry-After) runs,
   * past it, so a run ends inside its budget; what is left stays pending for the next run.
   */
  deadlineMs?: number;
  /** Paces posts per channel; one per notifier by default (one per run). */
  pacer?: ChannelPacer;
}

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

/** One failed Web API call, reduced to what the retry loop and the caller need. */
interface CallFailure {
  /** Slack's error code (`channel_not_found`) or a short cause (`http_500`, `timeout`, `ratelimited`). */
  error: string;
  transient: boolean;
  /** Set for a 429: how long Slack asked us to wait. */
  retryAfterMs?: number;
}

interface CallPolicy {
  retries: number;
  /** False: a 429 fails the call at once (for calls that must not hold up an alert). */
  waitOutRateLimits: boolean;
}

type CallOutcome = { ok: true; result: Record<string, unknown> } | { ok: false; failure: CallFailure };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** Maps whatever WebClient threw (matched by its `code`, not instanceof, to survive duplicate installs). */
function classify(error: unknown): CallFailure {
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

/** How long a user group's membership is trusted before it is asked again. */
const GROUP_CACHE_MS = 10 * 60_000;

export class SlackNotifier implements InteractionNotifier, RollupSender {
  readonly #client: WebClient;
  readonly #token: string;
  readonly #timezone: string;
  readonly #mentionAgents: boolean;
  readonly #interactive: boolean;
  readonly #logger: SlackNotifierOptions["logger"];
  readonly #retries: number;
  readonly #maxRetryTimeMs: number;
  readonly #now: (() => number) | undefined;
  readonly #runDeadline: number;
  readonly #pacer: ChannelPacer;
  /** Per-delivery deadline, read by the fetch wrapper so an in-flight request is aborted at the bound. */
  readonly #deadline = new AsyncLocalStorage<number>();
  /** email → user id, or null when Slack said there is none: one lookup per agent per notifier. */
  readonly #userIds = new Map<string, Promise<string | null>>();
  /** User group id → its members and when they were read (per container, like the e-mail lookups). */
  readonly #groups = new Map<string, { members: string[]; atMs: number }>();
  /** Method → epoch ms until which Slack asked us to hold off (Retry-After), shared by every delivery. */
  readonly #rateLimitedUntil = new Map<string, number>();

  constructor(options: SlackNotifierOptions) {
    this.#token = options.token;
    this.#timezone = options.timezone;
    this.#mentionAgents = options.mentionAgents ?? false;
    this.#interactive = options.interactive ?? true;
    this.#logger = options.logger;
    this.#retries = Math.max(0, options.retries ?? DEFAULT_RETRIES);
    this.#maxRetryTimeMs = Math.max(1, options.maxRetryTimeMs ?? DEFAULT_MAX_RETRY_TIME_MS);
    this.#now = options.now;
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

  async deliver(action: SlackAction): Promise<DeliveryResult> {
    const deadline = this.#deadlineFromNow();
    try {
      return await this.#deadline.run(deadline, () => this.#deliver(action, deadline));
    } catch (error) {
      // Not expected (every call is caught below); a bug here must still not lose the alert or leak the token.
      const failure = classify(error);
      this.#warn("slack delivery failed unexpectedly", action, { error: failure.error });
      return { ok: false, error: this.#redact(failure.error) };
    }
  }

  async #deliver(action: SlackAction, deadline: number): Promise<DeliveryResult> {
    const { kind, record } = action;
    const options: RenderOptions = {
      timezone: this.#timezone,
      nowMs: this.#now?.() ?? record.lastNotifiedMs,
      interactive: this.#interactive,
    };
    if (kind === "nudge") return this.#nudge(action, options, deadline);
    const channel = record.channel;
    if (channel === undefined) return { ok: false, error: "no_channel" };

    // The agent mention lives in the live top message, so it is needed whenever that is (re)written.
    if (this.#mentionAgents && record.state === "open" && kind !== "remind") {
      const userId = await this.#lookupUser(record.email, deadline);
      if (userId) options.agentMention = `<@${userId}>`;
    }
    const rendered = renderSlackAction(kind, record, options);

    if (kind === "post") {
      if (!rendered.top) return { ok: false, error: "nothing_to_send" };
      const posted = await this.#call(
        "chat.postMessage",
        this.#postArgs(channel, rendered.top),
        deadline,
        action,
      );
      if (!posted.ok) return this.#failed(posted.failure);
      const ts = posted.result.ts;
      if (typeof ts !== "string") return { ok: false, error: "no_ts_in_response" };
      const postedChannel = posted.result.channel;
      return { ok: true, ts, channel: typeof postedChannel === "string" ? postedChannel : channel };
    }

    const ts = record.slackTs;
    if (ts === undefined) return { ok: false, error: "not_posted" };
    const done: DeliveryResult = { ok: true, ts, channel };

    // Update first, reply second: if the reply then fails, the next run repeats an idempotent update
    // and the reply, so nothing is lost and nothing is posted twice.
    if (rendered.top) {
      const updated = await this.#call(
        "chat.update",
        this.#updateArgs(channel, ts, rendered.top),
        deadline,
        action,
      );
      if (!updated.ok) {
        if (kind === "resolve" && updated.failure.error === "message_not_found") {
          // Someone deleted the alert: there is nothing left to update or reply to; retrying forever helps no one.
          this.#warn("slack alert message is gone; resolve not shown", action, {
            error: "message_not_found",
          });
          return done;
        }
        return this.#failed(updated.failure);
      }
    }
    if (rendered.reply) {
      const replied = await this.#call(
        "chat.postMessage",
        this.#postArgs(channel, rendered.reply, ts),
        deadline,
        action,
      );
      if (!replied.ok) return this.#failed(replied.failure);
    }
    return done;
  }

  /** A roll-up's Slack work (rollup-delivery.ts), paced and bounded like every other post. */
  deliverRollup(work: RollupWork): Promise<RollupOutcome> {
    return deliverRollup(work, this, {
      timezone: this.#timezone,
      // Without the run's instant, as of the members' last run (as a per-episode message reads).
      nowMs: this.#now?.() ?? Math.max(0, ...work.members.map((m) => m.lastNotifiedMs)),
      interactive: this.#interactive,
    });
  }

  async rollupAcknowledged(
    rollup: { id: string; channel: string; ts: string; members: AlertRecord[] },
    by: string,
    count: number,
  ): Promise<DeliveryResult> {
    const options = {
      timezone: this.#timezone,
      nowMs: this.#now?.() ?? Math.max(0, ...rollup.members.map((m) => m.lastNotifiedMs)),
      interactive: this.#interactive,
    };
    const updated = await this.update(
      rollup.channel,
      rollup.ts,
      renderRollupTop(rollup.id, rollup.members, options),
    );
    if (!updated.ok)
      return { ok: false, error: updated.error, ...(updated.transient ? { transient: true } : {}) };
    const replied = await this.post(rollup.channel, renderRollupAcknowledged(by, count), rollup.ts);
    if (!replied.ok)
      return { ok: false, error: replied.error, ...(replied.transient ? { transient: true } : {}) };
    return { ok: true, ts: rollup.ts, channel: rollup.channel };
  }

  /** One post (a thread reply with `threadTs`), under the per-delivery bound and the run's deadline. */
  post(channel: string, message: RollupMessage, threadTs?: string): Promise<SendResult> {
    return this.#send("chat.postMessage", this.#postArgs(channel, message, threadTs), channel);
  }

  /** One chat.update of a message, under the same bounds. */
  update(channel: string, ts: string, message: RollupMessage): Promise<SendResult> {
    return this.#send("chat.update", this.#updateArgs(channel, ts, message), channel);
  }

  async #send(method: string, args: Record<string, unknown>, channel: string): Promise<SendResult> {
    const deadline = this.#deadlineFromNow();
    const outcome = await this.#deadline.run(deadline, () => this.#call(method, args, deadline, undefined));
    if (!outcome.ok)
      return { ok: false, error: this.#redact(outcome.failure.error), transient: outcome.failure.transient };
    const ts = outcome.result.ts;
    const answered = outcome.result.channel;
    return {
      ok: true,
      ts: typeof ts === "string" ? ts : ((args.ts as string | undefined) ?? ""),
      channel: typeof answered === "string" ? answered : channel,
    };
  }

  #deadlineFromNow(): number {
    return Math.min(Date.now() + this.#maxRetryTimeMs, this.#runDeadline);
  }

  async ephemeral(target: EphemeralTarget, text: string): Promise<boolean> {
    const deadline = Date.now() + this.#maxRetryTimeMs;
    if (target.responseUrl !== undefined) {
      // A response_url is Slack's own reply channel for this click: it needs no token and no scope.
      const answered = await answerByResponseUrl(target.responseUrl, text, deadline - Date.now());
      if (answered.ok) return true;
      this.#logger?.warn("slack response_url did not take the answer", { error: answered.error });
    }
    if (target.channel === undefined) return false;
    const posted = await this.#deadline.run(deadline, () =>
      this.#call(
        "chat.postEphemeral",
        { channel: target.channel, user: target.user, text },
        deadline,
        undefined,
      ),
    );
    return posted.ok;
  }

  async groupMembers(groupId: string): Promise<string[] | undefined> {
    const cached = this.#groups.get(groupId);
    if (cached && Date.now() - cached.atMs < GROUP_CACHE_MS) return cached.members;
    const deadline = Date.now() + Math.min(this.#maxRetryTimeMs, 2_000);
    const outcome = await this.#deadline.run(deadline, () =>
      this.#call("usergroups.users.list", { usergroup: groupId }, deadline, undefined, {
        retries: 0,
        waitOutRateLimits: false,
      }),
    );
    if (!outcome.ok) {
      this.#logger?.warn("slack user group lookup failed", {
        group: groupId,
        error: this.#redact(outcome.failure.error),
      });
      // Better a membership a little out of date than refusing every responder while Slack hiccups.
      return cached?.members;
    }
    const users = outcome.result.users;
    const members = Array.isArray(users) ? users.filter((u): u is string => typeof u === "string") : [];
    this.#groups.set(groupId, { members, atMs: Date.now() });
    return members;
  }

  /**
   * The agent's nudge: a direct message from the bot (users.lookupByEmail, conversations.open,
   * chat.postMessage). An agent without a Slack account is skipped, and that is an answer, not a failure.
   */
  async #nudge(action: SlackAction, options: RenderOptions, deadline: number): Promise<DeliveryResult> {
    const { record } = action;
    const userId = await this.#lookupUser(record.email, deadline);
    if (userId === null) {
      // A transient lookup failure is not cached: try again next run rather than skip the agent.
      if (!this.#userIds.has(record.email.trim().toLowerCase()))
        return { ok: false, error: "lookup_failed", transient: true };
      return { ok: true, nudge: "not-in-slack" };
    }
    const opened = await this.#call("conversations.open", { users: userId }, deadline, action);
    if (!opened.ok) return this.#failed(opened.failure);
    const dm = field(opened.result.channel, "id");
    if (typeof dm !== "string") return { ok: false, error: "no_channel_in_response" };
    const message = renderSlackAction("nudge", record, options).reply;
    if (!message) return { ok: false, error: "nothing_to_send" };
    const posted = await this.#call("chat.postMessage", this.#postArgs(dm, message), deadline, action);
    if (!posted.ok) return this.#failed(posted.failure);
    return { ok: true, nudge: "sent" };
  }

  #postArgs(
    channel: string,
    message: SlackMessage | RollupMessage,
    threadTs?: string,
  ): Record<string, unknown> {
    return {
      channel,
      text: message.text,
      ...this.#body(message),
      // E-mail addresses in the text must not grow link previews in an operations channel.
      unfurl_links: false,
      unfurl_media: false,
      ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
    };
  }

  #updateArgs(channel: string, ts: string, message: SlackMessage | RollupMessage): Record<string, unknown> {
    // An update without attachments would keep the old ones beside new blocks: always send both keys.
    return message.color === undefined
      ? { channel, ts, text: message.text, blocks: message.blocks, attachments: [] }
      : { channel, ts, text: message.text, blocks: [], ...this.#body(message) };
  }

  /** Blocks at the top level, or inside an attachment whose colour bar shows the alert's state. */
  #body(message: SlackMessage | RollupMessage): Record<string, unknown> {
    if (message.color === undefined) return { blocks: message.blocks };
    return { attachments: [{ color: message.color, fallback: message.text, blocks: message.blocks }] };
  }

  #failed(failure: CallFailure): DeliveryResult {
    return { ok: false, error: this.#redact(failure.error), transient: failure.transient };
  }

  /**
   * One Web API call under the delivery's deadline: waits out a Retry-After that fits in it, retries a
   * transient failure with backoff up to `retries` times, and gives up early when the next wait would
   * cross the deadline anyway.
   */
  async #call(
    method: string,
    args: Record<string, unknown>,
    deadline: number,
    action: SlackAction | undefined,
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
          this.#warn("slack rate limit outlasts the delivery bound", action, {
            method,
            retryAfterSeconds: failure.retryAfterMs / 1000,
          });
          return { ok: false, failure };
        }
        // A Retry-After is Slack telling us when, not a failure: it does not use up a retry.
        this.#warn("slack rate limited; waiting", action, {
          method,
          retryAfterSeconds: failure.retryAfterMs / 1000,
        });
        continue;
      }
      if (!failure.transient || retried >= policy.retries) return { ok: false, failure };
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** retried) * (0.75 + Math.random() * 0.5);
      if (Date.now() + delay >= deadline) return { ok: false, failure };
      retried += 1;
      this.#warn("slack call failed; retrying", action, { method, error: failure.error, attempt: retried });
      await sleep(delay);
    }
  }

  /**
   * The agent's Slack user id, or null. One lookup per e-mail per notifier (concurrent deliveries share
   * it); a definitive answer is cached, "not found" included, a transient failure is not. A lookup never
   * holds up the alert for long: one attempt, no waiting out rate limits, a quarter of the delivery's
   * bound at most; without an id the alert still names the agent.
   */
  async #lookupUser(email: string, deadline: number): Promise<string | null> {
    const key = email.trim().toLowerCase();
    const cached = this.#userIds.get(key);
    if (cached) return cached;
    const lookupDeadline = Math.min(deadline, Date.now() + Math.max(1_000, this.#maxRetryTimeMs / 4));
    const pending = this.#deadline
      .run(lookupDeadline, () =>
        this.#call("users.lookupByEmail", { email: key }, lookupDeadline, undefined, {
          retries: 0,
          waitOutRateLimits: false,
        }),
      )
      .then((outcome): string | null => {
        if (outcome.ok) {
          const id = field(outcome.result.user, "id");
          return typeof id === "string" ? id : null;
        }
        const { failure } = outcome;
        if (failure.transient) {
          // Asked again by the next alert; runs in a .then, so always after the set below.
          this.#userIds.delete(key);
        } else if (failure.error !== "users_not_found") {
          // e.g. missing_scope (users:read.email): cached too, so it is said once, not on every alert.
          this.#logger?.warn("slack user lookup refused; agents are not mentioned", {
            error: this.#redact(failure.error),
          });
        }
        return null;
      });
    this.#userIds.set(key, pending);
    return pending;
  }

  #warn(message: string, action: SlackAction | undefined, extra: Record<string, unknown>): void {
    if (!this.#logger) return;
    const context = action ? { kind: action.kind, alertId: action.record.id } : {};
    const safe: Record<string, unknown> = { ...context };
    for (const [key, value] of Object.entries(extra))
      safe[key] = typeof value === "string" ? this.#redact(value) : value;
    this.#logger.warn(message, safe);
  }

  /** Belt and braces: no error string leaves this adapter with the token (or any Slack token) in it. */
  #redact(text: string): string {
    let out = this.#token ? text.replaceAll(this.#token, "[redacted]") : text;
    out = out.replace(/xox[a-z]-[A-Za-z0-9-]+/g, "[redacted]");
    return out;
  }

  /** WebClient's own log lines, kept quiet (we report outcomes ourselves) and redacted. */
  #clientLogger(): SlackLogger {
    let level = LogLevel.WARN;
    const forward = (...msg: unknown[]) => {
      const text = msg.map((m) => (typeof m === "string" ? m : JSON.stringify(m))).join(" ");
      // Request failures come back to #call, which reports them with context; don't say it twice.
      if (text.startsWith("http request failed")) return;
      this.#logger?.warn(`slack client: ${this.#redact(text)}`);
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

/** The notifier for one run, set up from the config as the Lambda and the CLI both need it. */
export function slackNotifierFor(
  config: Pick<AppConfig, "timezone" | "slack">,
  run: {
    token: string;
    apiUrl?: string | undefined;
    /**
     * The run's instant. Without it a message reads as of the record's last run (the interactions
     * endpoint redraws a message without re-measuring what only a run can see).
     */
    nowMs?: number;
    logger?: SlackNotifierOptions["logger"];
    maxRetryTimeMs?: number;
    /** The run's delivery deadline (run-budget.ts). */
    deadlineMs?: number;
    /**
     * "clicks": one reply per person's click, at human pace, must not queue behind a one-a-second
     * schedule inside Slack's 3 s; a 429's Retry-After still holds the channel. Default "run".
     */
    pace?: "run" | "clicks";
  },
): SlackNotifier {
  const { nowMs } = run;
  return new SlackNotifier({
    token: run.token,
    ...(run.apiUrl ? { apiUrl: run.apiUrl } : {}),
    timezone: config.timezone,
    mentionAgents: config.slack.mentionAgents,
    interactive: config.slack.interactive,
    ...(run.logger ? { logger: run.logger } : {}),
    ...(run.maxRetryTimeMs === undefined ? {} : { maxRetryTimeMs: run.maxRetryTimeMs }),
    // Messages read as of the run's instant, also for a post delivered a run late.
    ...(nowMs === undefined ? {} : { now: () => nowMs }),
    ...(run.deadlineMs === undefined ? {} : { deadlineMs: run.deadlineMs }),
    ...(run.pace === "clicks" ? { pacer: new ChannelPacer({ intervalMs: 0 }) } : {}),
  });
}
