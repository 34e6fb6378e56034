/**
 * A captured day of Agent Status Details rows (`replay --save`, `--from`), and the API as an
 * in-memory adapter over it: at each virtual instant it answers what the real API would have answered
 * then. Segments that start later are dropped; the one running across the instant is open
 * (`endTime "-"`, `duration "-"`); segments already over are served exactly as received.
 *
 * Rows are served as received otherwise (their times are local wall-clock text in the capture's
 * `timeZoneOffSet`, and every page says so), so the run parses them with the same code as live pages.
 * Every row served is frozen, the capture's own rows included (a capture is never changed once
 * read), and carries a memo slot, as does every segment received (memo.ts): the run then parses an
 * agent's row once for as long as its answer holds, and each segment once for the day (agent.ts).
 */
import { isOpenMarker } from "../../domain/agent.js";
import { parseLocalDate } from "../../domain/local-date.js";
import { withMemo } from "../../domain/memo.js";
import { parseLocalTime, type QueryWindow } from "../../domain/time.js";
import {
  type AgentPage,
  type AgentStatusSource,
  type FetchOptions,
  type FetchReport,
  type ReadReport,
  readReport,
} from "../../ports.js";

export const CAPTURE_VERSION = 1;

/** What `--save` writes: the API rows as received, with the local date, the zone and the offset they are in. */
export interface Capture {
  version: typeof CAPTURE_VERSION;
  date: string;
  timezone: string;
  timeZoneOffSet: number;
  rows: unknown[];
  /**
   * When the rows were read (UTC ISO-8601). A capture of a day not over yet holds the day up to
   * then: a segment still open was open at that instant, and what came after is not in it. Optional:
   * older captures, and captures made by hand, have none.
   */
  readAt?: string;
}

/** A capture file that is not one (bad JSON, another version, a missing field). */
export class CaptureError extends Error {
  override name = "CaptureError";
}

/** Validates a parsed capture file (`source` names it in the message). */
export function parseCapture(value: unknown, source: string): Capture {
  if (value === null || typeof value !== "object" || Array.isArray(value))
    throw new CaptureError(`${source}: not a replay capture (expected a JSON object)`);
  const v = value as Record<string, unknown>;
  if (v.version !== CAPTURE_VERSION)
    throw new CaptureError(
      `${source}: capture version ${JSON.stringify(v.version)} is not supported (expected ${CAPTURE_VERSION})`,
    );
  if (typeof v.date !== "string" || parseLocalDate(v.date) === undefined)
    throw new CaptureError(`${source}: the capture has no valid "date" (YYYY-MM-DD)`);
  if (typeof v.timezone !== "string" || v.timezone === "")
    throw new CaptureError(`${source}: the capture has no "timezone"`);
  if (typeof v.timeZoneOffSet !== "number" || !Number.isInteger(v.timeZoneOffSet))
    throw new CaptureError(`${source}: the capture has no whole-minute "timeZoneOffSet"`);
  if (!Array.isArray(v.rows)) throw new CaptureError(`${source}: the capture has no "rows" array`);
  if (v.readAt !== undefined && (typeof v.readAt !== "string" || !Number.isFinite(Date.parse(v.readAt))))
    throw new CaptureError(`${source}: the capture's "readAt" is not an ISO-8601 instant`);
  return {
    version: CAPTURE_VERSION,
    date: v.date,
    timezone: v.timezone,
    timeZoneOffSet: v.timeZoneOffSet,
    rows: v.rows,
    ...(typeof v.readAt === "string" ? { readAt: v.readAt } : {}),
  };
}

/**
 * The latest instant any segment of the capture names (a start or an end; UTC ms), or −∞ for none.
 * A capture read from the API names none after its `readAt`.
 */
export function latestInstant(capture: Capture): number {
  let latest = Number.NEGATIVE_INFINITY;
  for (const row of capture.rows) {
    const status = row !== null && typeof row === "object" ? (row as { status?: unknown }).status : undefined;
    if (!Array.isArray(status)) continue;
    for (const raw of status) {
      const { startMs, endMs } = timed(raw, capture.timeZoneOffSet);
      if (startMs !== undefined && startMs > latest) latest = startMs;
      if (typeof endMs === "number" && endMs > latest) latest = endMs;
    }
  }
  return latest;
}

const OPEN = "-";

/** One received segment with its instants (undefined: the text did not parse; served as received). */
interface TimedSegment {
  raw: unknown;
  startMs: number | undefined;
  /** null: open in the capture. */
  endMs: number | null | undefined;
}

/**
 * One agent's row, its segments timed once, and the last cut served, valid from `cutFromMs` until the
 * next boundary (kept on the agent itself: one object to reach per agent read).
 */
interface CaptureAgent {
  row: unknown;
  email: string | undefined;
  segments: TimedSegment[] | undefined;
  cut: unknown;
  cutFromMs: number;
  cutUntilMs: number;
}

function timed(raw: unknown, offSet: number): TimedSegment {
  if (raw === null || typeof raw !== "object") return { raw, startMs: undefined, endMs: undefined };
  const seg = raw as Record<string, unknown>;
  const startMs = typeof seg.startTime === "string" ? parseLocalTime(seg.startTime, offSet) : undefined;
  const endMs = isOpenMarker(seg.endTime)
    ? null
    : typeof seg.endTime === "string"
      ? parseLocalTime(seg.endTime, offSet)
      : undefined;
  return { raw, startMs, endMs };
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return value;
  for (const inner of Object.values(value)) deepFreeze(inner);
  return Object.freeze(value);
}

function agentOf(row: unknown, offSet: number): CaptureAgent {
  const none = { cut: undefined, cutFromMs: 0, cutUntilMs: 0 };
  if (row === null || typeof row !== "object" || Array.isArray(row)) {
    deepFreeze(row);
    return { row, email: undefined, segments: undefined, ...none };
  }
  const r = row as Record<string, unknown>;
  if (Array.isArray(r.status))
    for (const s of r.status) if (typeof s === "object" && s !== null && !Object.isFrozen(s)) withMemo(s);
  deepFreeze(row);
  const email = typeof r.email === "string" ? r.email.toLowerCase() : undefined;
  const segments = Array.isArray(r.status) ? r.status.map((s) => timed(s, offSet)) : undefined;
  return { row, email, segments, ...none };
}

/**
 * The row as the API would have answered at `nowMs`, and until when that answer holds (the next
 * segment start or end after `nowMs`). Pure; exported for tests.
 */
export function cutRow(
  row: unknown,
  segments: readonly TimedSegment[] | undefined,
  nowMs: number,
): { row: unknown; untilMs: number } {
  if (!segments) return { row, untilMs: Number.POSITIVE_INFINITY };
  let untilMs = Number.POSITIVE_INFINITY;
  const status: unknown[] = [];
  for (const s of segments) {
    // A segment whose start did not parse is passed on as received: the run skips it and says why.
    if (s.startMs === undefined) {
      status.push(s.raw);
      continue;
    }
    if (s.startMs > nowMs) {
      untilMs = Math.min(untilMs, s.startMs);
      continue;
    }
    if (s.endMs === null || (s.endMs !== undefined && s.endMs > nowMs)) {
      if (s.endMs !== null) untilMs = Math.min(untilMs, s.endMs);
      status.push(Object.freeze({ ...(s.raw as Record<string, unknown>), endTime: OPEN, duration: OPEN }));
      continue;
    }
    status.push(s.raw);
  }
  const cut = withMemo({ ...(row as Record<string, unknown>), status: Object.freeze(status) });
  return { row: Object.freeze(cut), untilMs };
}

/**
 * The AgentStatusSource port over a capture, on a clock the caller drives (`clock()`: the virtual
 * instant). Pages of `pageSize` rows, the rotation wrapping at the roster's end as the API's paging
 * does; by e-mail, a page's worth per request. Requests are counted, never made.
 *
 * `agents` is the config's `smartassist.agents`: as the API answers a request that names them
 * (`filter.agents`, e-mails compared trimmed and in lower case), the roster the rotation pages
 * through is only those agents, in the capture's order; a capture of the whole floor can so be
 * replayed under a config that watches part of it.
 */
export class CaptureSource implements AgentStatusSource {
  requests = 0;
  readonly #agents: CaptureAgent[];
  /** What the rotation pages through: every row, or those `agents` names. */
  readonly #roster: CaptureAgent[];
  readonly #byEmail = new Map<string, CaptureAgent>();
  readonly #offSet: number;

  constructor(
    capture: Capture,
    private readonly clock: () => number,
    private readonly pageSize = 50,
    agents: readonly string[] = [],
  ) {
    this.#offSet = capture.timeZoneOffSet;
    this.#agents = capture.rows.map((row) => agentOf(row, capture.timeZoneOffSet));
    for (const a of this.#agents)
      if (a.email !== undefined && !this.#byEmail.has(a.email)) this.#byEmail.set(a.email, a);
    const wanted = new Set(agents.map((e) => e.trim().toLowerCase()).filter((e) => e !== ""));
    this.#roster =
      wanted.size === 0
        ? this.#agents
        : this.#agents.filter((a) => a.email !== undefined && wanted.has(a.email.trim()));
  }

  get agents(): number {
    return this.#agents.length;
  }

  #rowAt(agent: CaptureAgent, nowMs: number): unknown {
    if (agent.cut !== undefined && nowMs >= agent.cutFromMs && nowMs < agent.cutUntilMs) return agent.cut;
    const { row, untilMs } = cutRow(agent.row, agent.segments, nowMs);
    agent.cut = row;
    agent.cutFromMs = nowMs;
    agent.cutUntilMs = untilMs;
    return row;
  }

  #page(list: CaptureAgent[], offset: number): AgentPage {
    const now = this.clock();
    return { offset, rows: list.map((a) => this.#rowAt(a, now)), timeZoneOffSet: this.#offSet };
  }

  async fetchAll(
    _window: QueryWindow,
    onPage: (page: AgentPage) => void,
    options: FetchOptions = {},
  ): Promise<FetchReport> {
    const size = this.pageSize;
    const roster = this.#roster;
    const pages = Math.max(1, Math.ceil(roster.length / size));
    const start = Math.floor((options.startOffset ?? 0) / size) % pages;
    const count = Math.min(pages, options.maxPages ?? pages);
    for (let i = 0; i < count; i++) {
      const page = (start + i) % pages;
      this.requests++;
      onPage(this.#page(roster.slice(page * size, (page + 1) * size), page * size));
    }
    return {
      ...readReport(count),
      startOffset: start * size,
      nextOffset: count === pages ? 0 : ((start + count) % pages) * size,
      rosterPages: pages,
    };
  }

  async fetchAgents(
    _window: QueryWindow,
    emails: string[],
    onPage: (page: AgentPage) => void,
  ): Promise<ReadReport> {
    let requests = 0;
    for (let i = 0; i < emails.length; i += this.pageSize) {
      requests++;
      this.requests++;
      const list: CaptureAgent[] = [];
      const end = Math.min(emails.length, i + this.pageSize);
      for (let k = i; k < end; k++) {
        const e = emails[k] as string;
        // Keys are lower-cased: an address already in lower case needs no new string to look up.
        const agent = this.#byEmail.get(e) ?? this.#byEmail.get(e.toLowerCase());
        if (agent !== undefined) list.push(agent);
      }
      onPage(this.#page(list, 0));
    }
    return readReport(requests);
  }
}
