/**
 * Coverage of a roster too large for one run: the cursor a run keeps, what the summary says about
 * it, and how many runs a full cycle takes. Pure: the client reports what it read, this decides.
 */

/** The deployed function (and `watch`) ticks every minute; each tick's budget is that minute. */
export const TICK_SECONDS = 60;

/** Where the roster rotation stands, kept in state between runs. */
export interface Cursor {
  /** The offset the next run starts reading the roster at. */
  nextOffset: number;
  /** The roster's size in pages when a run last saw its end; null while no run has. */
  rosterPages: number | null;
  /** Whether the run that kept it read the whole roster (then open alerts need no re-read by e-mail). */
  complete: boolean;
  /** Rotation pages the run that kept it read (one run's capacity when it was cut short). */
  pagesRead: number;
  /** When it was kept (UTC ms). */
  updatedMs: number;
  /**
   * On the 1-minute tick: rotation pages owed and not yet read (a fraction carries over, so a one-page
   * center reads its page once per `schedule.every`, not every minute).
   */
  credit?: number;
  /** On the tick: the instant of the tick that kept it (UTC ms). */
  tickMs?: number;
}

/** The run summary's `coverage`, exactly as DESIGN.md spells it. */
export interface Coverage {
  complete: boolean;
  startOffset: number;
  nextOffset: number;
  rosterPages: number | null;
}

/** What the client says about one rotation read (a subset of FetchReport, so the domain needs no port). */
export interface RotationRead {
  startOffset: number;
  nextOffset: number;
  rosterPages?: number;
  truncated: boolean;
  failedPages: number;
  /** Rotation pages read (not the re-read of open alerts). */
  pages: number;
}

/** The offset a run starts at: the cursor's, on a page boundary of today's page size. */
export function startOffset(cursor: Cursor | undefined, pageSize: number): number {
  const offset = cursor?.nextOffset ?? 0;
  if (!Number.isInteger(offset) || offset <= 0) return 0;
  // The page size may have changed since the cursor was kept: stay on a page boundary.
  return offset - (offset % pageSize);
}

/**
 * Open alerts are re-read by e-mail first unless the last run is known to have read the whole
 * roster: then this one very likely will too, and the rotation sees them anyway.
 */
export function rereadOpenAlerts(cursor: Cursor | undefined): boolean {
  return cursor?.complete !== true;
}

/** The summary's coverage and the cursor to keep, from what this run read. */
export function coverageAfter(
  read: RotationRead,
  previous: Cursor | undefined,
  nowMs: number,
): { coverage: Coverage; cursor: Cursor } {
  const complete = !read.truncated && read.failedPages === 0;
  // What a run learnt of the roster's size is kept until a later run sees its end again.
  const rosterPages = read.rosterPages ?? previous?.rosterPages ?? null;
  // Where the read stopped: its deadline, or the end of a tick's share (0 once it went all the way round).
  const nextOffset = read.nextOffset;
  return {
    coverage: { complete, startOffset: read.startOffset, nextOffset, rosterPages },
    cursor: { nextOffset, rosterPages, complete, pagesRead: read.pages, updatedMs: nowMs },
  };
}

/**
 * Runs for every page of the roster to be read once: ⌈roster pages ÷ pages per run⌉; null while the
 * roster's size is unknown. A run that read nothing (all its budget on retries) counts as one page.
 */
export function cycleRuns(rosterPages: number | null, pagesPerRun: number): number | null {
  if (rosterPages === null) return null;
  return Math.max(1, Math.ceil(rosterPages / Math.max(1, pagesPerRun)));
}

/**
 * The 1-minute tick's share of the rotation: the roster's pages spread over `schedule.every`, so each
 * agent is still read once per interval. Pages accrue with the time since the last tick (at most one
 * whole roster: after a pause the rotation catches up once, not many times); undefined reads the whole
 * roster (the first run, before the roster's size is known).
 */
export function tickPages(
  cursor: Cursor | undefined,
  nowMs: number,
  everySeconds: number,
): { pages: number | undefined; credit: number } {
  if (!cursor || cursor.rosterPages === null || cursor.tickMs === undefined)
    return { pages: undefined, credit: 0 };
  const roster = cursor.rosterPages;
  const elapsedMs = Math.min(Math.max(0, nowMs - cursor.tickMs), everySeconds * 1000);
  const credit = Math.min(roster, (cursor.credit ?? 0) + (roster * elapsedMs) / (everySeconds * 1000));
  // A hair under a whole page counts as one: floating sums of fifths must not lose a page.
  return { pages: Math.min(roster, Math.floor(credit + 1e-9)), credit };
}

/** The cursor a tick keeps: what it owed less what it read, and when. */
export function afterTick(cursor: Cursor, owed: number, pagesRead: number, nowMs: number): Cursor {
  return { ...cursor, credit: Math.max(0, owed - pagesRead), tickMs: nowMs };
}
