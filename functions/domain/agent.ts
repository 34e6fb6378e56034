/**
 * One agent's status timeline as the API sends it, validated into instants.
 * A malformed segment is dropped and reported; the rest of the agent still counts.
 */
import { z } from "zod";
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

const agentIdentity = z.object({
  userId: z.union([z.string().min(1), z.number()]).transform(String),
  firstName: text,
  lastName: text,
  email: text,
  customId: z.unknown().optional(),
  status: z.array(z.unknown()).nullish(),
});

function isOpenMarker(value: unknown): boolean {
  return value === "-" || value === null || value === "";
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return "missing";
  return `unparseable`;
}

export interface ParsedRow {
  agent?: Agent;
  skipped: Skipped[];
}

/** Validates one row of `data`; `offSet` is the `timeZoneOffSet` the request was made with. */
export function parseAgentRow(row: unknown, offSet: number): ParsedRow {
  if (row === null || typeof row !== "object" || Array.isArray(row)) {
    return { skipped: [{ userId: null, reason: "row is not an object" }] };
  }
  const identity = agentIdentity.safeParse(row);
  if (!identity.success) {
    const raw = row as Record<string, unknown>;
    const userId = typeof raw.userId === "string" && raw.userId !== "" ? raw.userId : null;
    const issue = identity.error.issues[0];
    const field = issue?.path.join(".") || "row";
    const what = issue && raw[String(issue.path[0])] === undefined ? "missing" : "invalid";
    return { skipped: [{ userId, reason: `${what} ${field}` }] };
  }
  const { userId, firstName, lastName, email, status } = identity.data;
  const name = [firstName, lastName].filter((p) => p && p.trim() !== "").join(" ") || (email ?? userId);
  const skipped: Skipped[] = [];
  const segments: Segment[] = [];
  const emailText = email ?? "";
  const skip = (reason: string) => {
    const entry: Skipped = { userId, reason };
    if (emailText) entry.email = emailText;
    skipped.push(entry);
  };

  let sorted = true;
  for (const item of status ?? []) {
    if (item === null || typeof item !== "object") {
      skip("status segment is not an object");
      continue;
    }
    const seg = item as Record<string, unknown>;
    const primary = str(seg.primaryStatus);
    if (!primary) {
      skip(`${describe(seg.primaryStatus)} primaryStatus`);
      continue;
    }
    const startMs = typeof seg.startTime === "string" ? parseLocalTime(seg.startTime, offSet) : undefined;
    if (startMs === undefined) {
      skip(`${describe(seg.startTime)} startTime`);
      continue;
    }
    let endMs: number | null = null;
    if (!isOpenMarker(seg.endTime)) {
      const parsed = typeof seg.endTime === "string" ? parseLocalTime(seg.endTime, offSet) : undefined;
      if (parsed === undefined) {
        skip(`${describe(seg.endTime)} endTime`);
        continue;
      }
      if (parsed < startMs) {
        skip("endTime before startTime");
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
