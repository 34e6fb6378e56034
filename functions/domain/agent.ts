/**
 * One agent's status timeline as the API sends it, validated into instants.
 * A malformed segment is dropped and reported; the rest of the agent still counts.
 */
import * as z from "zod";
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

/**
 * Rows that cannot change, parsed once per offset. A replay's capture serves each agent the same
 * frozen row at every instant until its timeline next changes, and reads it hundreds of times a day;
 * a live page's rows are never frozen, so they are parsed as received. Weak: a row no one holds any
 * more takes its parse with it.
 */
const parsedFrozen = new WeakMap<object, { offSet: number; parsed: ParsedRow }>();

/** The row, its `status` list and every segment in it frozen: nothing in it can change. */
function frozenRow(row: object): boolean {
  if (!Object.isFrozen(row)) return false;
  const status = (row as Record<string, unknown>).status;
  if (!Array.isArray(status)) return true;
  if (!Object.isFrozen(status)) return false;
  for (const item of status) if (typeof item === "object" && item !== null && !Object.isFrozen(item)) return false;
  return true;
}

/** A parse handed out more than once is frozen, so no caller can change it under another. */
function frozenParse(parsed: ParsedRow): ParsedRow {
  for (const s of parsed.skipped) Object.freeze(s);
  Object.freeze(parsed.skipped);
  if (parsed.agent) {
    for (const s of parsed.agent.segments) Object.freeze(s);
    Object.freeze(parsed.agent.segments);
    Object.freeze(parsed.agent);
  }
  return Object.freeze(parsed);
}

/** Validates one row of `data`; `offSet` is the `timeZoneOffSet` the request was made with. */
export function parseAgentRow(row: unknown, offSet: number): ParsedRow {
  if (typeof row !== "object" || row === null) return parseRow(row, offSet);
  // A row is kept only once found frozen, and stays frozen: a hit needs no second look.
  const known = parsedFrozen.get(row);
  if (known && known.offSet === offSet) return known.parsed;
  if (!frozenRow(row)) return parseRow(row, offSet);
  const parsed = frozenParse(parseRow(row, offSet));
  parsedFrozen.set(row, { offSet, parsed });
  return parsed;
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
  for (const item of status ?? []) {
    if (item === null || typeof item !== "object") {
      skipSegment(skipped, userId, emailText, "status segment is not an object");
      continue;
    }
    const seg = item as Record<string, unknown>;
    const primary = str(seg.primaryStatus);
    if (!primary) {
      skipSegment(skipped, userId, emailText, `${describe(seg.primaryStatus)} primaryStatus`);
      continue;
    }
    const startMs = typeof seg.startTime === "string" ? parseLocalTime(seg.startTime, offSet) : undefined;
    if (startMs === undefined) {
      skipSegment(skipped, userId, emailText, `${describe(seg.startTime)} startTime`);
      continue;
    }
    let endMs: number | null = null;
    if (!isOpenMarker(seg.endTime)) {
      const parsed = typeof seg.endTime === "string" ? parseLocalTime(seg.endTime, offSet) : undefined;
      if (parsed === undefined) {
        skipSegment(skipped, userId, emailText, `${describe(seg.endTime)} endTime`);
        continue;
      }
      if (parsed < startMs) {
        skipSegment(skipped, userId, emailText, "endTime before startTime");
        continue;
      }
      endMs = parsed;
    }
    const secondary = str(seg.secondaryStatus) ?? primary;
    const last = segments[segments.length - 1];
    if (last && last.startMs > startMs) sorted = false;
    segments.push({ primaryStatus: primary, secondaryStatus: secondary, startMs, endMs });
  }
  if (!sorted) segments.sort((a, b) => a.startMs - b.startMs);

  return {
    agent: { userId, email: emailText, name, segments, complete: skipped.length === 0 },
    skipped,
  };
}
