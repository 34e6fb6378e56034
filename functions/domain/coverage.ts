/**
 * Coverage of a roster too large for one run: the cursor a run keeps, what the summary says about
 * it, and how many runs a full cycle takes. Pure: the client reports what it read, this decides.
 */

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
  const nextOffset = read.truncated ? read.nextOffset : 0;
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
