/**
 * From UTC timelines to Agent Status Details rows, the way the real API renders them: cut at the
 * API's "now", kept when they overlap the requested local window, times as zone-less local
 * wall-clock text in the requested `timeZoneOffSet`. Shared by the simulator and by tests that
 * want fixture rows without a server.
 */

export interface SimSegment {
  primaryStatus: string;
  secondaryStatus: string;
  /** UTC ms. */
  startMs: number;
  /** UTC ms; null = still open at the end of the day. */
  endMs: number | null;
}

export interface SimAgent {
  userId: string;
  firstName: string;
  lastName: string;
  email: string;
  customId?: string;
  /** null => the row has no `status` key at all. */
  segments: SimSegment[] | null;
}

export interface ApiSegment {
  primaryStatus: string;
  secondaryStatus: string;
  startTime: string;
  endTime: string;
  duration: string;
}

export interface ApiRow {
  userId: string;
  firstName: string;
  lastName: string;
  email: string;
  customId?: string;
  status?: ApiSegment[];
}

/** The requested local window as UTC instants: [startDate 00:00, endDate + 1 day 00:00) local. */
export interface UtcWindow {
  startMs: number;
  endMs: number;
  timeZoneOffSet: number;
}

const DAY_MS = 86_400_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** UTC midnight of a `yyyy-mm-dd` date (no validation: callers check the text first). */
export function dateToUtcMidnight(date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  return Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1);
}

/**
 * The window the API reads for that request. `timeZoneOffSet` is minutes to add to local time to
 * get UTC (India -330), so local midnight is UTC midnight of that date plus the offset.
 */
export function utcWindow(startDate: string, endDate: string, timeZoneOffSet: number): UtcWindow {
  const shift = timeZoneOffSet * 60_000;
  return {
    startMs: dateToUtcMidnight(startDate) + shift,
    endMs: dateToUtcMidnight(endDate) + DAY_MS + shift,
    timeZoneOffSet,
  };
}

/** Zone-less local wall-clock text in that offset, to the second: `2023-03-10T21:37:42`. */
export function formatLocal(utcMs: number, timeZoneOffSet: number): string {
  const wall = new Date(Math.floor(utcMs / 1000) * 1000 - timeZoneOffSet * 60_000);
  return (
    `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}` +
    `T${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`
  );
}

/** `HH:mm:ss`; hours grow past 24 rather than wrapping (a segment can be longer than a day). */
export function formatHms(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

/** A small stable hash (FNV-1a), so the same segment gets the same skew on every page and request. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * The API's `duration` for a closed segment. The real field is unreliable (seen off by a second),
 * so about 1 in 10 segments is deliberately a second off: clients must compute from the times.
 */
export function skewedDuration(userId: string, startMs: number, endMs: number): string {
  const seconds = Math.floor(endMs / 1000) - Math.floor(startMs / 1000);
  const h = hash(`${userId}@${startMs}`);
  if (h % 10 !== 0) return formatHms(seconds);
  const skew = (h >>> 8) % 2 === 0 ? 1 : -1;
  return formatHms(seconds + skew < 0 ? seconds + 1 : seconds + skew);
}

/**
 * The segments the API would return for one agent as of `nowMs`: what started after now is not
 * known yet; the segment that holds now (or an unfinished one) is open; a closed segment is kept
 * when it overlaps the window, an open one whenever it started before the window's end.
 */
export function renderSegments(
  userId: string,
  segments: readonly SimSegment[],
  window: UtcWindow,
  nowMs: number,
): ApiSegment[] {
  const out: ApiSegment[] = [];
  for (const s of segments) {
    if (s.startMs > nowMs) continue;
    const open = s.endMs === null || s.endMs > nowMs;
    if (open) {
      if (s.startMs >= window.endMs) continue;
      out.push({
        primaryStatus: s.primaryStatus,
        secondaryStatus: s.secondaryStatus,
        startTime: formatLocal(s.startMs, window.timeZoneOffSet),
        endTime: "-",
        duration: "-",
      });
      continue;
    }
    const endMs = s.endMs as number;
    if (s.startMs >= window.endMs || endMs <= window.startMs) continue;
    out.push({
      primaryStatus: s.primaryStatus,
      secondaryStatus: s.secondaryStatus,
      startTime: formatLocal(s.startMs, window.timeZoneOffSet),
      endTime: formatLocal(endMs, window.timeZoneOffSet),
      duration: skewedDuration(userId, s.startMs, endMs),
    });
  }
  return out;
}

/** One row of `data`: identity, then `status` unless the agent has none at all. */
export function renderRow(agent: SimAgent, window: UtcWindow, nowMs: number): ApiRow {
  const row: ApiRow = {
    userId: agent.userId,
    firstName: agent.firstName,
    lastName: agent.lastName,
    email: agent.email,
  };
  if (agent.customId !== undefined) row.customId = agent.customId;
  if (agent.segments !== null) row.status = renderSegments(agent.userId, agent.segments, window, nowMs);
  return row;
}
