/**
 * One agent's status timeline as the API sends it, validated into instants.
 * A malformed segment is dropped and reported; the rest of the agent still counts.
 */
import * as z from "zod";
import { rowMemo, segmentMemo, withMemo } from "./memo.js";
import { parseLocalTime } from "./time.js";

export interface Segment {
  primaryStatus: string;
  secondaryStatus: string;
  startMs: number;
  /** null while the segment is still open (`endTime: "-"`). */
  endMs: number | null;
}

export interface Agent {
  userId: string;
  email: string;
  name: string;
  /** Valid segments in start order. */
  segments: Segment[];
  /** False when some of the agent's segments were malformed and dropped: its data is partial. */
  complete: boolean;
}

export interface Skipped {
  userId: string | null;
  email?: string;
  reason: string;
}

const text = z.string().nullish();

/** A row's identity as the API documents it; well-formed rows take a faster path that must agree with it. */
export const agentIdentity = z.object({
  userId: z.union([z.string().min(1), z.number()]).transform(String),
  firstName: text,
  lastName: text,
  email: text,
  customId: z.unknown().optional(),
  status: z.array(z.unknown()).nullish(),
});

export function isOpenMarker(value: unknown): boolean {
  return value === "-" || value === null || value === "";
}

function str(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed !== "" ? trimmed : undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  return `unparseable`;
}

export interface ParsedRow {
  agent?: Agent;
  skipped: Skipped[];
}

interface Identity {
  userId: string;
  firstName?: string | null | undefined;
  lastName?: string | null | undefined;
  email?: string | null | undefined;
  status?: unknown[] | null | undefined;
}

function isText(value: unknown): value is string | null | undefined {
  return value === undefined || value === null || typeof value === "string";
}

/**
 * The identity of a well-formed row without going through the schema (the common case, once per
 * agent per run); undefined when anything is unusual, and the schema then decides and explains.
 * Accepts only what agentIdentity accepts, with the same result.
 */
function plainIdentity(raw: Record<string, unknown>): Identity | undefined {
  const { userId, firstName, lastName, email, status } = raw;
  let id: string;
  if (typeof userId === "string" && userId.length > 0) id = userId;
  else if (typeof userId === "number" && Number.isFinite(userId)) id = String(userId);
  else return undefined;
  if (!isText(firstName) || !isText(lastName) || !isText(email)) return undefined;
  if (!(status === undefined || status === null || Array.isArray(status))) return undefined;
  return { userId: id, firstName, lastName, email, status };
}

function skipSegment(skipped: Skipped[], userId: string, email: string, reason: string): void {
  const entry: Skipped = { userId, reason };
  if (email) entry.email = email;
  skipped.push(entry);
}

/** The row's `status` list and every segment in it frozen (the row itself is). */
function frozenInside(row: object): boolean {
  const status = (row as Record<string, unknown>).status;
  if (!Array.isArray(status)) return true;
  if (!Object.isFrozen(status)) return false;
  for (let i = 0; i < status.length; i++) {
    const item: unknown = status[i];
    if (typeof item === "object" && item !== null && !Object.isFrozen(item)) return false;
  }
  return true;
}

/** One frozen empty list for every remembered parse that skipped nothing. */
const NOTHING_SKIPPED: Skipped[] = Object.freeze([]) as unknown as Skipped[];

/** A parse handed out more than once is frozen, so no caller can change it under another. */
function frozenParse(parsed: ParsedRow): ParsedRow {
  // The shared list when empty: a run reads every parse's list, and one it reads each time stays in
  // cache, where each parse's own empty list would be one more object to fetch from memory.
  if (parsed.skipped.length === 0) parsed.skipped = NOTHING_SKIPPED;
  for (const s of parsed.skipped) Object.freeze(s);
  Object.freeze(parsed.skipped);
  if (parsed.agent) {
    for (const s of parsed.agent.segments) Object.freeze(s);
    // The timeline's own slot: its current episode (episodes.ts); the agent's: its quiet decision
    // (decide.ts).
    Object.freeze(withMemo(parsed.agent.segments));
    Object.freeze(withMemo(parsed.agent));
  }
  return Object.freeze(parsed);
}

/**
 * Validates one row of `data`; `offSet` is the `timeZoneOffSet` the request was made with. A frozen
 * row with a memo slot (memo.ts) is parsed once per offset: the same parse, frozen, every time after.
 */
export function parseAgentRow(row: unknown, offSet: number): ParsedRow {
  const memo = typeof row === "object" && row !== null ? rowMemo(row) : undefined;
  if (!memo) return parseRow(row, offSet);
  if (memo.value !== undefined && memo.key === offSet) return memo.value as ParsedRow;
  const parsed = parseRow(row, offSet);
  if (!frozenInside(row as object)) return parsed;
  memo.key = offSet;
  memo.value = frozenParse(parsed);
  return memo.value as ParsedRow;
}

/** One segment, or why it is skipped. */
function parseSegment(item: unknown, offSet: number): Segment | string {
  if (item === null || typeof item !== "object") return "status segment is not an object";
  const seg = item as Record<string, unknown>;
  const primary = str(seg.primaryStatus);
  if (!primary) return `${describe(seg.primaryStatus)} primaryStatus`;
  const startMs = typeof seg.startTime === "string" ? parseLocalTime(seg.startTime, offSet) : undefined;
  if (startMs === undefined) return `${describe(seg.startTime)} startTime`;
  let endMs: number | null = null;
  if (!isOpenMarker(seg.endTime)) {
    const parsed = typeof seg.endTime === "string" ? parseLocalTime(seg.endTime, offSet) : undefined;
    if (parsed === undefined) return `${describe(seg.endTime)} endTime`;
    if (parsed < startMs) return "endTime before startTime";
    endMs = parsed;
  }
  const secondary = str(seg.secondaryStatus) ?? primary;
  return { primaryStatus: primary, secondaryStatus: secondary, startMs, endMs };
}

/**
 * A segment with a memo slot is parsed once per offset (a capture's closed segment is in every row
 * served after it ended); the Segment is then frozen and shared.
 */
function segmentOf(item: unknown, offSet: number): Segment | string {
  const memo = typeof item === "object" && item !== null ? segmentMemo(item) : undefined;
  if (!memo) return parseSegment(item, offSet);
  if (memo.value !== undefined && memo.key === offSet) return memo.value as Segment | string;
  const parsed = parseSegment(item, offSet);
  memo.key = offSet;
  memo.value = typeof parsed === "string" ? parsed : Object.freeze(parsed);
  return memo.value as Segment | string;
}

function parseRow(row: unknown, offSet: number): ParsedRow {
  if (row === null || typeof row !== "object" || Array.isArray(row)) {
    return { skipped: [{ userId: null, reason: "row is not an object" }] };
  }
  const raw = row as Record<string, unknown>;
  let identity = plainIdentity(raw);
  if (!identity) {
    const checked = agentIdentity.safeParse(row);
    if (!checked.success) {
      const userId = typeof raw.userId === "string" && raw.userId !== "" ? raw.userId : null;
      const issue = checked.error.issues[0];
      const field = issue?.path.join(".") || "row";
      const what = issue && raw[String(issue.path[0])] === undefined ? "missing" : "invalid";
      return { skipped: [{ userId, reason: `${what} ${field}` }] };
    }
    identity = checked.data;
  }
  const { userId, firstName, lastName, email, status } = identity;
  const name = [firstName, lastName].filter((p) => p && p.trim() !== "").join(" ") || (email ?? userId);
  const skipped: Skipped[] = [];
  const segments: Segment[] = [];
  const emailText = email ?? "";

  let sorted = true;
  // Indexed: a served row's list is frozen, and V8's for-of over a frozen array allocates per step.
  const items = status ?? [];
  for (let i = 0; i < items.length; i++) {
    const segment = segmentOf(items[i], offSet);
    if (typeof segment === "string") {
      skipSegment(skipped, userId, emailText, segment);
      continue;
    }
    const last = segments[segments.length - 1];
    if (last && last.startMs > segment.startMs) sorted = false;
    segments.push(segment);
  }
  if (!sorted) segments.sort((a, b) => a.startMs - b.startMs);

  return {
    agent: { userId, email: emailText, name, segments, complete: skipped.length === 0 },
    skipped,
  };
}
