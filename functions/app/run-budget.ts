/**
 * A run's budget: one schedule interval, in the Lambda and the CLI alike, so a run ends before the
 * next one starts (and a storm never turns into runs piling up on each other). The budget is split
 * into deadlines, each phase stopping in time for the ones after it: paging first (the longest
 * phase on a large center), then Slack delivery, then the state writes that record it.
 */
export interface RunBudget {
  /** When the run started (real clock, epoch ms). */
  startedMs: number;
  budgetMs: number;
  /** The run must be over by then. */
  endMs: number;
  /** No page request starts after this. */
  pagingDeadlineMs: number;
  /** No Slack call starts, and no wait for one runs, after this. */
  deliveryDeadlineMs: number;
  /** No state write starts after this (what is not written is decided again by the next run). */
  writesDeadlineMs: number;
}

/** Time kept back from paging for state, Slack and events once the pages are read. */
export function pagingReserveMs(budgetMs: number): number {
  return Math.min(30_000, Math.max(5_000, budgetMs * 0.2));
}

/** Time kept back from Slack for the writes that record its outcome, and for the events. */
export function deliveryReserveMs(budgetMs: number): number {
  return Math.min(10_000, Math.max(2_000, budgetMs * 0.05));
}

/** `budgetMs` from `startedMs`: the schedule interval, or less when the platform gives less (Lambda). */
export function runBudget(startedMs: number, budgetMs: number): RunBudget {
  const endMs = startedMs + budgetMs;
  return {
    startedMs,
    budgetMs,
    endMs,
    pagingDeadlineMs: endMs - pagingReserveMs(budgetMs),
    deliveryDeadlineMs: endMs - deliveryReserveMs(budgetMs),
    writesDeadlineMs: endMs - Math.min(3_000, Math.max(500, budgetMs * 0.01)),
  };
}
