/**
 * The use case: one check run. Reads every page (evaluating each as it arrives), decides the
 * lifecycle, claims state before any Slack post, delivers, publishes events, and summarises.
 * The same code runs in the Lambda and the CLI; adapters come in through the ports.
 */

import { randomUUID } from "node:crypto";
import { parseAgentRow } from "../domain/agent.js";
import {
  type AlertRecord,
  anyActive,
  idsOf,
  type RunSummary,
  type SkippedInput,
  toFiring,
} from "../domain/alert.js";
import type { AppConfig } from "../domain/config.js";
import { afterTick, coverageAfter, cycleRuns } from "../domain/coverage.js";
import { decideWithDue } from "../domain/decide.js";
import { type DueCheck, dueInstantIso, groupDue, RESOLVE_WATCH_MS, sortDue } from "../domain/due.js";
import { leasedByOther } from "../domain/lease.js";
import type { AlertWrite } from "../domain/lifecycle.js";
import { queryWindow } from "../domain/time.js";
import type {
  AgentPage,
  AgentStatusSource,
  AlertNotifier,
  AlertStore,
  BoardPublisher,
  BoardStore,
  DueQueue,
  EventPublisher,
  FetchReport,
  HistoryStore,
} from "../ports.js";
import { STATE_WRITE_CONCURRENCY } from "./apply-decisions.js";
import { BoardCollector, updateBoards } from "./board.js";
import { fetchWarnings } from "./fetch-warnings.js";
import type { Log } from "./logger.js";
import { readAgents } from "./read-agents.js";
import type { RunBudget } from "./run-budget.js";
import { loadForRun } from "./run-records.js";
import { RunSettlement } from "./run-settlement.js";

export { STATE_WRITE_CONCURRENCY } from "./apply-decisions.js";

export interface CheckDeps {
  source: AgentStatusSource;
  store: AlertStore;
  /** Absent: alerts are tracked but nothing is posted (dry run, or no Slack token). */
  notifier?: AlertNotifier;
  events?: EventPublisher;
  /** Where due re-checks go (SQS, in-process timers); absent: they are listed, not run. */
  dueQueue?: DueQueue;
  /** Where ended episodes are kept for the digest; absent: none kept. */
  history?: HistoryStore;
  /** Where each channel's board state is kept (`slack.board`); absent: the boards keep no state. */
  boards?: BoardStore;
  log: Log;
}

export interface CheckOptions {
  nowMs: number;
  /** Post nothing, write nothing: report what the run would do. */
  dryRun?: boolean;
  /** Stop paging when the next request could not start before this instant (real clock). */
  deadlineMs?: number;
  /**
   * The run's budget (run-budget.ts): paging, state writes and Slack each stop at their deadline,
   * and what is left is pending for the next run. `deadlineMs`, when given too, bounds paging.
   */
  budget?: RunBudget;
  /**
   * `once` (default): one whole run, every page it can read in its budget (`check`). `tick`: the
   * 1-minute tick's share of the roster, the open alerts re-read, due re-checks queued (the deployed
   * function and `watch`). `due`: only `dueEmails`, read by e-mail at their due instant.
   */
  mode?: "once" | "tick" | "due";
  /** For `due`: the agents to read again. */
  dueEmails?: string[];
  /**
   * For `due`: those agents' live records when the re-check was scheduled, read by id instead of
   * every live record (unless one is in a roll-up, whose members and Acknowledge all are read whole).
   */
  dueRecordIds?: string[];
  /** Who this run is in the leases it takes (default: a fresh random id). */
  runId?: string;
  /** The real clock, for leases (default Date.now): `nowMs` may be another instant. */
  wallMs?: () => number;
  /**
   * Leave the summary's `firing` and `due` lists empty (the due re-checks are still queued). A
   * replay's ten thousand runs a day are counted from their transitions alone: listing every open
   * alert and every due instant on each would cost more than the runs themselves.
   */
  lean?: boolean;
}

/** What a run left for the next one because its budget ran out. */
export interface BudgetReport {
  /** The budget the run had (ms), if it had one. */
  budgetMs: number | null;
  /** True when some phase stopped at its deadline. */
  exhausted: boolean;
  /** Decided writes not made (the next run decides them again). */
  writesLeft: number;
  /** Alerts whose Slack delivery did not start in time (pending: the next run sends them first). */
  deliveriesLeft: number;
}

export interface CheckResult {
  summary: RunSummary;
  /** The rotation and the re-read of open alerts together (requests, failures, retries, latency). */
  fetch: FetchReport;
  /** Agents asked for by e-mail because they had an open alert (0 when the roster fits one run). */
  rereadAgents: number;
  /** Runs for every agent to be read once at this run's pace; null while the roster's size is unknown. */
  cycleRuns: number | null;
  slack: {
    delivered: number;
    failed: number;
    pending: number;
    /** Nudges skipped because the agent has no Slack account (found by e-mail). */
    nudgesSkipped: number;
  };
  events: { published: number; failed: number };
  budget: BudgetReport;
  /** Due re-checks this run queued (a tick or a re-check), left too far ahead, or failed to queue. */
  due: { scheduled: number; left: number; failed: number };
  /** Things an operator should hear about (partial reads, a centre too large for the schedule). */
  warnings: string[];
}

export async function runCheck(
  config: AppConfig,
  deps: CheckDeps,
  options: CheckOptions,
): Promise<CheckResult> {
  const { nowMs, budget } = options;
  const mode = options.mode ?? "once";
  const runId = options.runId ?? randomUUID();
  const wallMs = options.wallMs ?? Date.now;
  const { log } = deps;
  const pagingDeadline = options.deadlineMs ?? budget?.pagingDeadlineMs;
  const writesDeadline = budget?.writesDeadlineMs;
  const mayWrite = () => writesDeadline === undefined || Date.now() < writesDeadline;
  // What an Acknowledge all left owed is written first: the run decides its members acknowledged.
  const [held0, cursor] = await Promise.all([
    loadForRun(deps.store, mode, options, {
      dryRun: options.dryRun ?? false,
      concurrency: STATE_WRITE_CONCURRENCY,
      mayStart: mayWrite,
    }),
    deps.store.loadCursor(),
  ]);
  const live = held0.live;
  let leftToLease = 0;
  const window = queryWindow(
    config.timezone,
    nowMs,
    config.largestThresholdSeconds,
    config.schedule.everySeconds,
  );
  log.debug("query window", { ...window });

  const seen = new Set<string>();
  let unidentified = 0;
  const skipped: SkippedInput[] = [];
  const writes: AlertWrite[] = [];
  const dues: DueCheck[] = [];
  // The board (slack.board) on a tick or a one-off run: counts per channel as the pages arrive.
  const collector = config.slack.board && mode !== "due" ? new BoardCollector(config) : undefined;
  // The summary lists the open alerts and the due re-checks unless the run is lean; the board shows
  // what is coming up either way.
  const listFiring = options.lean !== true;
  const listDue = listFiring || collector !== undefined;
  // One handler for both reads: an agent seen twice (by e-mail, then in the rotation) is decided once.
  const onPage = (page: AgentPage) => {
    // Read once per page: pages of several shapes reach here, and a load per row was a slow one.
    const { rows, timeZoneOffSet } = page;
    for (const row of rows) {
      const parsed = parseAgentRow(row, timeZoneOffSet);
      if (collector && parsed.agent) collector.count(page, parsed.agent);
      const userId = parsed.agent?.userId ?? parsed.skipped[0]?.userId ?? null;
      if (userId === null) unidentified++;
      else {
        // One hash look-up, not has-then-add: the set grows only for an agent not seen before.
        const before = seen.size;
        if (seen.add(userId).size === before) continue; // paging over a changing list can repeat an agent
      }
      // Indexed loops over what a parse or a store hands out: it may be frozen, and V8's for-of, some
      // and map walk a frozen array many times slower.
      const skippedHere = parsed.skipped;
      for (let i = 0; i < skippedHere.length; i++) skipped.push(skippedHere[i] as SkippedInput);
      if (!parsed.agent) continue;
      const records = live.forUser(userId ?? "");
      // The decision, and the agent's next moment from its records as this run leaves them.
      const { writes: decided, after, next } = decideWithDue(parsed.agent, records, config, nowMs);
      for (let i = 0; i < decided.length; i++) {
        const write = decided[i] as AlertWrite;
        // Another run is sending what this record owes: leave it alone; the next run decides it again.
        const stored = write.expectedVersion === null ? undefined : live.get(write.record.id);
        if (stored && leasedByOther(stored, runId, wallMs())) leftToLease++;
        else writes.push(write);
      }
      if (next && withinHorizon(next.atMs, after)) {
        // A resolve watch is only listed (every tick re-reads the open alerts): kept when listed.
        if (listDue || next.kind !== "resolve-watch") dues.push({ ...next, recordIds: idsOf(after) });
        if (collector && next.kind === "fire") collector.comingUp(parsed.agent);
      }
    }
  };
  // An agent is re-checked at its instant when that comes before its next read: within the interval
  // for the rotation; on the tick, within the minute for agents every tick re-reads (open, nudged).
  const everyMs = config.schedule.everySeconds * 1000;
  const horizonMs = (records: readonly AlertRecord[]) =>
    mode !== "once" && anyActive(records) ? RESOLVE_WATCH_MS : everyMs;
  // The records are looked at only when the two horizons disagree about the instant.
  const nearMs = Math.min(RESOLVE_WATCH_MS, everyMs);
  const farMs = Math.max(RESOLVE_WATCH_MS, everyMs);
  const withinHorizon = (atMs: number, records: readonly AlertRecord[]) => {
    const aheadMs = atMs - nowMs;
    if (aheadMs <= nearMs) return true;
    return aheadMs <= farMs && aheadMs <= horizonMs(records);
  };
  const deadline = pagingDeadline === undefined ? {} : { deadlineMs: pagingDeadline };

  // Claim before acting: a write that another run made first means that run posts, not us.
  const settlement = new RunSettlement({
    config,
    deps,
    live,
    settled: held0.settled,
    hold: { firing: listFiring, board: collector !== undefined },
    runId,
    wallMs,
    budget,
    dryRun: options.dryRun ?? false,
    mayWrite,
  });
  // On the tick, the open alerts' decisions are written and sent while the rotation is read.
  const afterOpenAlerts = () => settlement.startEarly(writes.splice(0));

  const read = await readAgents(config, deps.source, window, onPage, {
    mode,
    cursor,
    active: () => live.active(),
    nowMs,
    seen,
    deadline,
    dueEmails: options.dueEmails ?? [],
    ...(mode === "tick" ? { afterOpenAlerts } : {}),
  }).catch(async (error: unknown) => {
    // The rotation failed the run: what was sent early is recorded before the run ends.
    await settlement.settleEarly();
    throw error;
  });
  const { fetch, rotation, openEmails, reread } = read;
  const { coverage, cursor: coverageCursor } = coverageAfter(
    { ...rotation, failedPages: fetch.failedPages.length },
    cursor,
    nowMs,
  );
  // A tick keeps what it still owes of the rotation; a due re-check leaves the rotation as it was.
  const nextCursor =
    mode === "tick"
      ? afterTick(coverageCursor, read.owed, rotation.pages, nowMs)
      : mode === "due"
        ? undefined
        : coverageCursor;
  const cycle = coverage.complete ? 1 : cycleRuns(coverage.rosterPages, rotation.pages);

  const warnings = fetchWarnings(config, fetch, {
    coverage,
    cycle,
    rotationPages: rotation.pages,
    rereadRequests: reread?.requests ?? 0,
  });
  for (const warning of warnings) log.warn(warning);

  // The open alerts' writes and sends (the tick's, under way since the re-read), then the rest: the
  // rotation's agents are ones the re-read did not bring, and what was sent early is not planned again.
  const { held, transitions, writesLeft } = await settlement.apply(writes);

  // A dry run keeps no state, the cursor included: the next real run starts where the last real one stopped.
  if (!options.dryRun && nextCursor) await deps.store.saveCursor(nextCursor);

  if (writesLeft > 0)
    log.warn("the run's budget ran out before every state write; the next run decides the rest again", {
      writesLeft,
    });

  const delivery = await settlement.deliver();
  const { left: deliveriesLeft, leasedElsewhere, ...slack } = delivery;
  if (leftToLease + leasedElsewhere > 0)
    log.info("records another run is sending were left to it", {
      decisions: leftToLease,
      deliveries: leasedElsewhere,
    });
  if (deliveriesLeft > 0)
    log.warn("the run's budget ran out before every Slack delivery; the next run sends them first", {
      deliveriesLeft,
    });

  const events = { published: 0, failed: 0 };
  if (deps.events && transitions.length > 0 && !options.dryRun) {
    const { failed } = await deps.events.publish(transitions);
    events.failed = failed;
    events.published = transitions.length - failed;
    if (failed > 0) log.warn("some alert events could not be put on the event bus", { failed });
  }

  // Due re-checks: listed unless lean; queued by a tick or a re-check (a one-off run queues none). The
  // resolve watch needs no message of its own: every tick re-reads the open alerts. Sorted for the
  // list (groupDue sorts what it groups itself: the same groups either way).
  const due = listDue ? sortDue(dues) : dues;
  const dueReport = { scheduled: 0, left: 0, failed: 0 };
  if (deps.dueQueue && mode !== "once" && !options.dryRun) {
    const groups = groupDue(
      due.filter((d) => d.kind !== "resolve-watch"),
      config.schedule.precisionSeconds * 1000,
    );
    if (groups.length > 0) Object.assign(dueReport, await deps.dueQueue.schedule(groups, wallMs()));
    if (dueReport.failed > 0)
      log.warn("some due re-checks could not be queued; the next tick reads those agents", dueReport);
  }

  // The board shows what is coming up even when the summary does not list it.
  const dueEntries = (listDue ? due : []).map((d) => ({
    userId: d.userId,
    email: d.email,
    at: dueInstantIso(d.atMs),
    kind: d.kind,
  }));
  // Last: the board shows the run as it ends (its alerts posted, its due list made).
  const boards =
    collector && mode !== "due"
      ? await updateBoards(
          config,
          collector,
          {
            nowMs,
            runId,
            wallMs,
            mode,
            records: held.all(),
            due: dueEntries,
            coverage,
            dryRun: options.dryRun ?? false,
          },
          {
            ...(deps.boards ? { store: deps.boards } : {}),
            ...(deps.notifier?.publishBoard ? { publisher: deps.notifier as BoardPublisher } : {}),
            log,
          },
        )
      : undefined;

  const firing = listFiring
    ? held
        .active()
        .filter((r) => r.state === "open")
        .sort((a, b) => a.sinceMs - b.sinceMs || a.userId.localeCompare(b.userId))
        .map((r) => toFiring(r, nowMs))
    : [];

  return {
    summary: {
      checkedAgents: seen.size + unidentified,
      pages: fetch.pages,
      firing,
      transitions,
      skipped,
      coverage,
      due: dueEntries,
      ...(boards ? { boards } : {}),
    },
    due: dueReport,
    fetch,
    rereadAgents: openEmails.length,
    cycleRuns: cycle,
    slack,
    events,
    budget: {
      budgetMs: budget?.budgetMs ?? null,
      exhausted: fetch.truncated || writesLeft > 0 || deliveriesLeft > 0,
      writesLeft,
      deliveriesLeft,
    },
    warnings,
  };
}
