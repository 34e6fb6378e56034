/**
 * A run's budget is one schedule interval, in the Lambda and the CLI alike: a run must end before the
 * next tick (and a storm never turns into runs piling up on each other). The budget is split into
 * deadlines, each phase stopping in time for the ones after it: paging first (the longest phase on a
 * large center), then Slack delivery, then the state writes that record it.
 */

/** Time kept back from paging for Slack, state and events once the pages are read. */
export function reserveMs(budgetMs: number): number {
  return Math.min(30_000, Math.max(5_000, budgetMs * 0.2));
}

/**
 * The instant (real clock, UTC ms) after which no page request may start: `startedMs` plus the
 * budget (one interval, or less when the caller has less, e.g. a Lambda's remaining time) minus the
 * reserve. Independent of the run's evaluation instant (`--now`), which may be any time.
 */
export function pagingDeadline(startedMs: number, everySeconds: number, remainingMs?: number): number {
  const budgetMs = Math.min(remainingMs ?? everySeconds * 1000, everySeconds * 1000);
  return startedMs + budgetMs - reserveMs(budgetMs);
}

/**
 * Requests the pacer admits before the paging deadline of one run: it lets `perMinute` go at once,
 * then the sliding 60 s window frees the next burst a minute later (bursts at 0 s, 60 s, ...).
 */
export function requestsPerRun(perMinute: number, everySeconds: number): number {
  const pagingMs = everySeconds * 1000 - reserveMs(everySeconds * 1000);
  return perMinute * Math.ceil(pagingMs / 60_000);
}

/** The shortest schedule interval (seconds, whole minutes) in which one run can make `requests`. */
export function intervalFor(requests: number, perMinute: number): number {
  let minutes = 1;
  while (requestsPerRun(perMinute, minutes * 60) < requests && minutes < 24 * 60) minutes++;
  return minutes * 60;
}

/** The pace (requests per minute) at which one run of this interval can make `requests`. */
export function paceFor(requests: number, everySeconds: number): number {
  return Math.ceil(requests / requestsPerRun(1, everySeconds));
}

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

/** Time kept back from Slack for the writes that record its outcome, and for the events. */
export function deliveryReserveMs(budgetMs: number): number {
  return Math.min(10_000, Math.max(2_000, budgetMs * 0.05));
}

/**
 * The run's deadlines from `startedMs` (real clock): one interval, or less when the caller has less
 * (a Lambda's remaining time). Independent of the run's evaluation instant (`--now`).
 */
export function runBudget(startedMs: number, everySeconds: number, remainingMs?: number): RunBudget {
  const budgetMs = Math.min(remainingMs ?? everySeconds * 1000, everySeconds * 1000);
  const endMs = startedMs + budgetMs;
  return {
    startedMs,
    budgetMs,
    endMs,
    pagingDeadlineMs: pagingDeadline(startedMs, everySeconds, remainingMs),
    deliveryDeadlineMs: endMs - deliveryReserveMs(budgetMs),
    writesDeadlineMs: endMs - Math.min(3_000, Math.max(500, budgetMs * 0.01)),
  };
}
