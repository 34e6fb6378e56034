/**
 * The ports between the use case (functions/app) and the adapters (functions/adapters).
 * Adapters implement these; the use case knows nothing of HTTP, Slack or AWS.
 */
import type { AlertRecord, Transition } from "./domain/alert.js";
import type { BoardModel, BoardState } from "./domain/board.js";
import type { Cursor } from "./domain/coverage.js";
import type { SlackAction } from "./domain/delivery.js";
import type { ChannelDigest, DayReport } from "./domain/digest.js";
import type { HourlySeries } from "./domain/digest-exports.js";
import type { DueGroup } from "./domain/due.js";
import type { HistoryEntry } from "./domain/history.js";
import type { LiveRecords } from "./domain/live-records.js";
import type { RollupOutcome, RollupWork } from "./domain/rollup.js";
import type { QueryWindow } from "./domain/time.js";

// ---- Credentials: Secrets Manager in AWS, the environment locally ----

export interface AppSecrets {
  clientId: string;
  clientSecret: string;
  slackBotToken: string;
  /**
   * The Slack app's signing secret, for the interactivity endpoint. Optional: the check function never
   * needs it, so a secret set up before the endpoint existed keeps working.
   */
  slackSigningSecret?: string;
}

export interface SecretsProvider {
  get(): Promise<AppSecrets>;
  /** Reads the secret again (it may have been rotated since this container read it). */
  refresh(): Promise<AppSecrets>;
}

// ---- SmartAssist ----

/**
 * Why a read of the source failed, as a run acts on it whatever the adapter: the credentials were
 * refused (a rotated secret: read it again, once), the request itself was rejected (the config is
 * wrong), or nothing answered. An adapter's error says which in `sourceFailure`, with the HTTP
 * `status` when it has one.
 */
export type SourceFailure = "credentials-refused" | "request-rejected" | "unavailable";

export function sourceFailureOf(error: unknown): { kind: SourceFailure; status?: number } | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const { sourceFailure: kind, status } = error as { sourceFailure?: unknown; status?: unknown };
  if (kind !== "credentials-refused" && kind !== "request-rejected" && kind !== "unavailable")
    return undefined;
  return typeof status === "number" ? { kind, status } : { kind };
}

/** One page of the Agent Status Details API: raw rows, validated by the domain. */
export interface AgentPage {
  offset: number;
  rows: unknown[];
  /** The `timeZoneOffSet` the page was requested with (times in the rows are in it). */
  timeZoneOffSet: number;
  /** Set on pages read by e-mail (open alerts, due re-checks), not in the roster's rotation. */
  byEmail?: true;
}

/** What one read (the rotation, or the re-read of open alerts by e-mail) did. */
export interface ReadReport {
  pages: number;
  requests: number;
  /** Pages that failed after every retry: their agents were not seen this run. */
  failedPages: Array<{ offset: number; error: string; byEmail?: true }>;
  /** Responses that were rate-limit refusals (429 or a 4xx naming a rate limit). */
  rateLimited: number;
  retries: number;
  /** True when paging stopped at the run's deadline, so some pages of it were not read. */
  truncated: boolean;
  latencyMs: { count: number; total: number; max: number };
}

/** A read that met no failure: `requests` requests, a page each (none by default). */
export function readReport(requests = 0): ReadReport {
  return {
    pages: requests,
    requests,
    failedPages: [],
    rateLimited: 0,
    retries: 0,
    truncated: false,
    latencyMs: { count: 0, total: 0, max: 0 },
  };
}

/** A read of the roster in rotation: where it started, where the next run should start. */
export interface FetchReport extends ReadReport {
  /** The offset this run's rotation started at (the cursor). */
  startOffset: number;
  /** Where the next run starts: the first page this run could not start before its deadline; 0 once every page was read. */
  nextOffset: number;
  /** The roster's size in pages when this run saw its end (a page with hasMore false, or empty). */
  rosterPages?: number;
}

export interface FetchOptions {
  /** Stop paging when the next request could not start before this instant (real clock). */
  deadlineMs?: number;
  /** Where the rotation starts (the cursor kept by the previous run); 0 by default. */
  startOffset?: number;
  /** The roster's size in pages as a previous run saw it: no speculative requests past it, every slot busy at once. */
  knownPages?: number | null;
  /** Read at most this many pages (a tick's share of the roster), wrapping at its end; all by default. */
  maxPages?: number;
  /**
   * With a shared rate limiter: request slots the rotation leaves free in any 60 s window for the
   * priority requests the caller knows are coming (re-reads of open alerts, due re-checks).
   */
  headroom?: number;
  /**
   * The longest a request waits for room in the rate window; past it the read stops at that page and
   * the rest is left to the next run (a tick pays for its time, so it does not sleep on the limiter).
   */
  maxWaitMs?: number;
}

export interface AgentStatusSource {
  /**
   * Reads the roster from `startOffset` to its end, then from 0 back to `startOffset`, handing each
   * page to `onPage` as it arrives (in any order), until every page is read or the deadline comes.
   * Throws CredentialsRefusedError on 401/403 and SourceUnavailableError when nothing could be read.
   */
  fetchAll(
    window: QueryWindow,
    onPage: (page: AgentPage) => void,
    options?: FetchOptions,
  ): Promise<FetchReport>;
  /** Reads only these agents, by e-mail (`filter.agents`, a page's worth per request). */
  fetchAgents(
    window: QueryWindow,
    emails: string[],
    onPage: (page: AgentPage) => void,
    options?: { deadlineMs?: number },
  ): Promise<ReadReport>;
}

export type RequestClass = "priority" | "rotation";

/**
 * One SmartAssist rate budget for every invocation at once (scheduled runs, due re-checks, an
 * overlapping duplicate): no sliding 60 s window holds more than `perMinute` request starts.
 * `priority` (re-reads of open alerts, due re-checks) may use the whole `perMinute`; `rotation` (the
 * roster's pages) only `perMinute − headroom` in any window that holds its slot.
 */
export interface SharedRateLimiter {
  /** Reserves up to `count` request start instants (real-clock UTC ms) in [now, notAfterMs), shared by every invocation. */
  reserve(request: {
    count: number;
    perMinute: number;
    notAfterMs: number;
    class: RequestClass;
    headroom?: number;
    /** Requests that go `perRound` at a time, a round trip apart: slots spaced to match. */
    spacing?: { perRound: number; roundMs: number };
  }): Promise<number[]>;
}

export interface AlertStore {
  /**
   * Every live record: open and nudged ones, and ended ones kept for a while. A store may leave out an
   * ended one that owes nothing more (endedAndSettled): its id still refuses a second claim in put().
   */
  load(): Promise<AlertRecord[]>;
  /**
   * Optional: the live records already indexed, for a store that keeps them so (replay's, whose
   * thousands of runs a day would each index every record again). A run reads the index only until
   * its first write. Without it, a run indexes what `load()` returns (the same lists, the same order).
   */
  loadIndexed?(): Promise<LiveRecords>;
  /** One live record by id (a Slack action names its alert), or undefined. */
  get(id: string): Promise<AlertRecord | undefined>;
  /**
   * Writes `record` only if the store still holds `expectedVersion` of it (null: only if absent).
   * Returns false when another run got there first: that run owns the record's next step.
   */
  put(record: AlertRecord, expectedVersion: number | null): Promise<boolean>;
  /**
   * The live records among `ids` (missing or expired ones left out), read consistently: a due
   * re-check reads its agents' records this way instead of every live record. Optional: a store
   * without it is read with load().
   */
  loadSome?(ids: readonly string[]): Promise<AlertRecord[]>;
  /** Where the roster rotation stands (absent before the first run that kept one). */
  loadCursor(): Promise<Cursor | undefined>;
  /**
   * Keeps the rotation's cursor. Last writer wins: two overlapping runs started from the same cursor
   * and end near the same offset; either one's is right to continue from.
   */
  saveCursor(cursor: Cursor): Promise<void>;
}

/**
 * Ended episodes, kept for `history.retention` beside the alert state (same file, same table), apart
 * from the open alerts a check run loads.
 */
export interface HistoryStore {
  /** Keeps an ended episode; the same id again replaces it (a retried run writes it twice). */
  record(entry: HistoryEntry): Promise<void>;
  /** The ended episodes that started on local date `date` (YYYY-MM-DD); none for older data. */
  historyOn(date: string): Promise<HistoryEntry[]>;
}

export interface DeliveryResult {
  ok: boolean;
  /** The top message's ts and channel (for `post`, the new ones). */
  ts?: string;
  channel?: string;
  error?: string;
  /** The failure was Slack being unreachable, overloaded or rate limited, not this alert's fault. */
  transient?: boolean;
  /** For a nudge: sent, or skipped because the agent has no Slack account. */
  nudge?: "sent" | "not-in-slack";
}

export interface AlertNotifier extends Partial<BoardPublisher> {
  deliver(action: SlackAction): Promise<DeliveryResult>;
  /** A roll-up's work for this run (rollup.ts); a notifier without it gets no roll-ups. */
  deliverRollup?(work: RollupWork): Promise<RollupOutcome>;
}

/** What a board publish did: the board's ts (a new one when it was posted anew), or the failure. */
export type BoardPublishResult =
  | { ok: true; ts: string; reposted: boolean; pinned?: boolean }
  | { ok: false; error: string; transient?: boolean };

/** The board's Slack side (board-delivery.ts): one call per channel per run, at most. */
export interface BoardPublisher {
  /**
   * Draws `model` in `channel`: `chat.update` of `ts` when given, posted anew when there is none or
   * Slack says it is gone (`message_not_found`, `cant_update_message`); pinned on a post when `pin`.
   */
  publishBoard(
    channel: string,
    model: BoardModel,
    ts: string | undefined,
    pin: boolean,
  ): Promise<BoardPublishResult>;
}

/** The board's state per channel (its ts, what it last drew, the last snapshot): `#board#<channel>`. */
export interface BoardStore {
  /** These channels' board states (a channel without a board yet is left out). */
  loadBoards(channels: readonly string[]): Promise<BoardState[]>;
  /** Keeps one channel's board state (last writer wins: the latest run's board is the right one). */
  saveBoard(state: BoardState): Promise<void>;
  /**
   * Claims the first post of a channel's board for run `by` until `untilMs` (real clock): true only if
   * the board has no message yet and no other live claim, so two overlapping runs never both post it.
   * The claim ends with the `saveBoard` that records the post (or lapses, if the post failed).
   */
  claimBoardPost(channel: string, by: string, untilMs: number, wallMs: number): Promise<boolean>;
}

export interface EventPublisher {
  /** Puts every transition on the bus; returns how many could not be put after retries. */
  publish(transitions: Transition[]): Promise<{ failed: number }>;
}

/** Where an ephemeral answer to a Slack click goes: its response_url, else the channel, to that user only. */
export interface EphemeralTarget {
  user: string;
  responseUrl?: string;
  channel?: string;
}

/**
 * Answers only the clicking user; what the interactions endpoint has without a bot token (the click's
 * response_url needs none). False when the answer could not be sent.
 */
export interface ClickResponder {
  ephemeral(target: EphemeralTarget, text: string): Promise<boolean>;
}

/** What the interactions endpoint needs of Slack besides delivering the action's message update. */
export interface InteractionNotifier extends AlertNotifier {
  /** Tells only the clicking user something (a refusal, "already over"); false when it could not. */
  ephemeral(target: EphemeralTarget, text: string): Promise<boolean>;
  /** The members of a Slack user group (`S…`), cached; undefined when Slack would not say. */
  groupMembers(groupId: string): Promise<string[] | undefined>;
  /**
   * After `Acknowledge all`: the roll-up message redrawn from its members as they now stand, and a
   * reply in its thread naming who acknowledged how many.
   */
  rollupAcknowledged(
    rollup: { id: string; channel: string; ts: string; members: AlertRecord[] },
    by: string,
    count: number,
  ): Promise<DeliveryResult>;
}

/** The digest's chart as the use case hands it over: minutes past threshold per local hour. */
export interface DigestChart {
  date: string;
  timezone: string;
  series: HourlySeries;
  /** A second line under the title (totals, the channel). */
  subtitle?: string;
}

/** Draws a digest chart as PNG bytes. */
export type DigestChartRenderer = (chart: DigestChart) => Promise<Uint8Array>;

/** Posts a digest message and uploads a chart: the Slack side of the shift digest. */
export interface DigestPublisher {
  /** Posts the day's summary; returns the message ts. Throws when Slack refuses it. */
  postSummary(channel: string, digest: ChannelDigest, report: DayReport): Promise<{ ts: string }>;
  /** Uploads the chart PNG into the channel (files.uploadV2). Throws when the upload fails. */
  uploadChart(channel: string, png: Uint8Array, name: { filename: string; title: string }): Promise<void>;
}

/**
 * Where due re-checks wait for their instant: an SQS queue with per-message delays in AWS, timers in
 * `watch`. A group is never run before its instant; one delivered twice changes nothing twice.
 */
export interface DueQueue {
  /**
   * Queues each group for its instant (`nowMs`: the real clock). `left`: groups too far ahead for the
   * queue (the next tick schedules them again); `failed`: groups it could not queue.
   */
  schedule(groups: DueGroup[], nowMs: number): Promise<{ scheduled: number; left: number; failed: number }>;
}

// ---- The doctor (app/doctor.ts): probes that say whether the wiring works, without a run ----

/** What one probe request of the Agent Status Details API came back with. */
export type SourceProbeResult =
  /** A page: how many rows it held (at most the probe's limit) and whether more follow. */
  | { kind: "page"; status: number; rows: number; hasMore: boolean; ms: number }
  /** Any other HTTP answer: the status and the server's message (never a credential). */
  | { kind: "http"; status: number; detail: string; retryAfterMs?: number; ms: number }
  /** 2xx, but not an Agent Status Details page. */
  | { kind: "invalid"; status: number; detail: string; ms: number }
  /** No answer within the probe's time. */
  | { kind: "timeout"; ms: number }
  /** No HTTP exchange: DNS, refused connection, reset (`code` as the socket gave it). */
  | { kind: "network"; code: string; ms: number }
  /** The client's own pace (requestsPerMinute) allowed no request before `notAfterMs`. */
  | { kind: "paced"; ms: number };

export interface SourceProbe {
  /**
   * One request for `window` at `offset` (`limit`, default 1), paced like a run's, never retried,
   * answered within `timeoutMs`; `notAfterMs` (epoch ms): do not wait for the pacer past it.
   */
  probe(
    window: QueryWindow,
    offset: number,
    options: { timeoutMs: number; limit?: number; notAfterMs?: number },
  ): Promise<SourceProbeResult>;
}

/** A Slack Web API answer to a probe: the value, or Slack's error code (`channel_not_found`, `timeout`). */
export type SlackProbeResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      error: string;
      /** With `missing_scope`: the scope Slack says the method needs. */
      needed?: string;
    };

export interface SlackIdentity {
  team: string;
  teamId: string;
  url: string;
  /** The bot user's name (`/invite @<user>`) and id. */
  user: string;
  userId: string;
  /** Absent for a token that is not a bot token. */
  botId?: string;
  /** The token's scopes, from the `x-oauth-scopes` response header; undefined when Slack sent none. */
  scopes?: string[];
}

export interface SlackChannelInfo {
  id: string;
  name: string;
  isMember: boolean;
  isPrivate: boolean;
  isArchived: boolean;
}

export interface SlackUserInfo {
  id: string;
  name: string;
  deleted: boolean;
}

export interface SlackGroupInfo {
  id: string;
  handle: string;
  /** False for a disabled group. */
  enabled: boolean;
  members?: number;
}

/** The Slack calls the doctor makes; each is one request, bounded in time, never retried. */
export interface SlackProbe {
  /** `auth.test`: the workspace, the bot user and the token's scopes. */
  identity(): Promise<SlackProbeResult<SlackIdentity>>;
  /** `conversations.info`. */
  channel(id: string): Promise<SlackProbeResult<SlackChannelInfo>>;
  /** `users.info`. */
  user(id: string): Promise<SlackProbeResult<SlackUserInfo>>;
  /** `usergroups.list`, disabled groups included. */
  groups(): Promise<SlackProbeResult<SlackGroupInfo[]>>;
  /** `chat.postMessage` of a plain text (the `--send-test` message). */
  postTest(channel: string, text: string): Promise<SlackProbeResult<{ channel: string; ts: string }>>;
}
