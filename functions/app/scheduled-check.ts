/**
 * The Lambda's run, as a factory so tests can hand in their own clients: secrets → engine →
 * Slack, state, events → the run summary, returned and logged as one structured line (run-log.ts:
 * both bounded in size, the counts an operator reads as fields of the line rather than metrics).
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { RunSummary } from "../domain/alert.js";
import type { AppConfig } from "../domain/config.js";
import { TICK_SECONDS } from "../domain/coverage.js";
import { type DueGroup, dueEmails } from "../domain/due.js";
import {
  type AgentStatusSource,
  type AlertNotifier,
  type AlertStore,
  type AppSecrets,
  type BoardStore,
  type DueQueue,
  type EventPublisher,
  type HistoryStore,
  type SecretsProvider,
  sourceFailureOf,
} from "../ports.js";
import type { Bounded } from "./bounded-summary.js";
import { fromPowertools } from "./logger.js";
import { DUE_CHECKS_METRIC, DUE_LATENESS_METRIC } from "./metric-names.js";
import { type RunBudget, runBudget } from "./run-budget.js";
import { type CheckResult, runCheck } from "./run-check.js";
import { runLogFields, runResult } from "./run-log.js";

export interface ScheduledCheckDeps {
  config: AppConfig;
  secrets: SecretsProvider;
  /** The state store for a run at `nowMs` (stores compare expiry with the run's instant); it keeps history too. */
  storeFor: (nowMs: number) => AlertStore & HistoryStore & BoardStore;
  events: EventPublisher;
  /**
   * The SmartAssist source for these credentials. The entry keeps one per container while the
   * credentials stay the same, so the pacer's memory of recent requests spans warm invocations.
   */
  sourceFor: (secrets: AppSecrets) => AgentStatusSource;
  /**
   * The Slack notifier for one run at `nowMs` (messages read as of the run's instant); it must not
   * start a call or a wait after `deadlineMs`, the run's delivery deadline.
   */
  notifierFor: (secrets: AppSecrets, nowMs: number, deadlineMs?: number) => AlertNotifier;
  /** Where due re-checks are queued (SQS); absent: listed in the summary, not queued. */
  dueQueue?: DueQueue;
  /**
   * The due re-checks an invocation carries (an SQS event's messages), or undefined for a schedule
   * event: the entry knows the event shapes, this module only runs them.
   */
  dueGroupsOf?: (event: unknown) => DueGroup[] | undefined;
  logger: Logger;
  /**
   * Custom metrics the run emits: only `DueChecks` and `DueLatenessSeconds`, for a due re-check run
   * (every other count is a field of the log line); published when any.
   */
  metrics: Metrics;
}

/** What started the invocation: the 1-minute schedule, or due re-checks arriving from the queue. */
export type Trigger = "schedule" | "due";

export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export function createScheduledCheck(deps: ScheduledCheckDeps) {
  const { config, logger, metrics } = deps;
  const log = fromPowertools(logger);

  const runWith = (
    secrets: AppSecrets,
    nowMs: number,
    budget: RunBudget,
    due: DueGroup[] | undefined,
  ): Promise<CheckResult> => {
    const store = deps.storeFor(nowMs);
    return runCheck(
      config,
      {
        source: deps.sourceFor(secrets),
        store,
        history: store,
        boards: store,
        notifier: deps.notifierFor(secrets, nowMs, budget.deliveryDeadlineMs),
        events: deps.events,
        ...(deps.dueQueue ? { dueQueue: deps.dueQueue } : {}),
        log,
      },
      due === undefined
        ? { nowMs, budget, mode: "tick" }
        : { nowMs, budget, mode: "due", dueEmails: dueEmails(due), ...dueRecords(due) },
    );
  };

  return async (event: unknown, context?: InvocationContext): Promise<RunSummary | Bounded<RunSummary>> => {
    const nowMs = Date.now();
    const due = deps.dueGroupsOf?.(event);
    const trigger: Trigger = due === undefined ? "schedule" : "due";
    if (due !== undefined) {
      metrics.addMetric(DUE_CHECKS_METRIC, MetricUnit.Count, due.length);
      // How late the queue handed each group over (SQS delays are whole seconds, never early).
      for (const group of due)
        metrics.addMetric(DUE_LATENESS_METRIC, MetricUnit.Seconds, Math.max(0, (nowMs - group.atMs) / 1000));
    }
    // A run ends within its minute, before the next tick: paging stops early enough to leave time for
    // Slack and state, and no request waits on the rate limit past it.
    const budget = runBudget(nowMs, TICK_SECONDS, context?.getRemainingTimeInMillis());
    try {
      let secrets = await deps.secrets.get();
      let result: CheckResult;
      try {
        result = await runWith(secrets, nowMs, budget, due);
      } catch (error) {
        const failure = sourceFailureOf(error);
        if (failure?.kind !== "credentials-refused") throw error;
        // The secret may have been rotated since this container read it: read it again, once.
        logger.warn("SmartAssist refused the credentials; re-reading the secret once", {
          status: failure.status,
        });
        secrets = await deps.secrets.refresh();
        result = await runWith(secrets, nowMs, budget, due);
      }
      logger.info("run summary", { trigger, ...runLogFields(result) });
      return runResult(result.summary);
    } catch (error) {
      const reachingSmartAssist = sourceFailureOf(error) !== undefined;
      // The function fails, so the Errors alarm and the failure queue see it; `cause` says which story.
      logger.error("run failed", {
        error: error instanceof Error ? error.message : String(error),
        cause: reachingSmartAssist ? "smartassist" : "internal",
      });
      throw error;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}

/** The due groups' record ids, when every agent in them names its own (older messages do not). */
function dueRecords(groups: readonly DueGroup[]): { dueRecordIds?: string[] } {
  const agents = groups.flatMap((g) => g.agents);
  if (agents.some((a) => a.recordIds === undefined)) return {};
  return { dueRecordIds: [...new Set(agents.flatMap((a) => a.recordIds ?? []))] };
}
