/**
 * What the Lambda says about a run: the closing `run summary` log line and the invocation's result,
 * both bounded (bounded-summary.ts). The counts that used to be custom metrics (agents, pages, alerts
 * firing, transitions by type, failed pages, rate limiting, coverage, re-reads, Slack and event
 * failures, SmartAssist latency) are fields of this line instead: CloudWatch Logs Insights reads them
 * (README, "Cost"), and each metric would cost $0.30 a month. Pure.
 */
import type { RunSummary, TransitionType } from "../domain/alert.js";
import {
  type Bounded,
  boundLists,
  LOG_LINE_BUDGET_BYTES,
  RESULT_BUDGET_BYTES,
  summaryListPaths,
} from "./bounded-summary.js";
import type { CheckResult } from "./run-check.js";

/** Transition types counted on every line (zeros included), so a query never meets a missing field. */
const COUNTED_TRANSITIONS = ["nudged", "fired", "reminded", "escalated", "resolved"] as const;

/** The log line's fields (the logger adds level, message, timestamp and service). */
export interface RunLogFields {
  summary: RunSummary | Bounded<RunSummary>;
  /** Always complete, even when the summary's lists are summarized. */
  counts: {
    firing: number;
    skipped: number;
    transitions: Record<(typeof COUNTED_TRANSITIONS)[number], number> &
      Partial<Record<TransitionType, number>>;
    /** Pages that failed after every retry (their agents were not seen this run). */
    failedPages: number;
  };
  requests: number;
  retries: number;
  rateLimited: number;
  /** True when paging stopped at the run's deadline (the roster is read in rotation). */
  truncated: boolean;
  /** SmartAssist response times of this run's requests. */
  latencyMs: { count: number; mean: number; max: number };
  rereadAgents: number;
  cycleRuns: number | null;
  slack: CheckResult["slack"];
  budget: CheckResult["budget"];
  events: CheckResult["events"];
  /** Due re-checks this run queued, left too far ahead, or failed to queue (the list is `summary.due`). */
  due: CheckResult["due"];
  warnings: string[] | Bounded<{ warnings: string[] }>["warnings"];
}

export function runLogFields(result: CheckResult, maxBytes = LOG_LINE_BUDGET_BYTES): RunLogFields {
  const { summary, fetch } = result;
  const transitions: RunLogFields["counts"]["transitions"] = {
    nudged: 0,
    fired: 0,
    reminded: 0,
    escalated: 0,
    resolved: 0,
  };
  for (const t of summary.transitions) transitions[t.type] = (transitions[t.type] ?? 0) + 1;
  const { count, total, max } = fetch.latencyMs;
  const fields: RunLogFields = {
    summary,
    counts: {
      firing: summary.firing.length,
      skipped: summary.skipped.length,
      transitions,
      failedPages: fetch.failedPages.length,
    },
    requests: fetch.requests,
    retries: fetch.retries,
    rateLimited: fetch.rateLimited,
    truncated: fetch.truncated,
    latencyMs: { count, mean: count > 0 ? Math.round(total / count) : 0, max: Math.round(max) },
    rereadAgents: result.rereadAgents,
    cycleRuns: result.cycleRuns,
    slack: result.slack,
    budget: result.budget,
    events: result.events,
    due: result.due,
    warnings: result.warnings,
  };
  return boundLists(fields, [...summaryListPaths("summary"), ["warnings"]], maxBytes) as RunLogFields;
}

/** The invocation's result: the run summary, summarized the same way past 1 MB. */
export function runResult(
  summary: RunSummary,
  maxBytes = RESULT_BUDGET_BYTES,
): RunSummary | Bounded<RunSummary> {
  return boundLists(summary, summaryListPaths(), maxBytes);
}
