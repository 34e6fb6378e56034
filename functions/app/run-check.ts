/**
 * The use case: one check run. Reads every page (evaluating each as it arrives), decides the
 * lifecycle, claims state before any Slack post, delivers, publishes events, and summarises.
 * The same code runs in the Lambda and the CLI; adapters come in through the ports.
 */
import { parseAgentRow } from "../domain/agent.js";
import {
  type AlertRecord,
  type RunSummary,
  type SkippedInput,
  type Transition,
  toFiring,
} from "../domain/alert.js";
import type { AppConfig } from "../domain/config.js";
import { afterDelivery, type SlackAction, slackActionFor } from "../domain/delivery.js";
import { type AlertWrite, decideAgent, groupByUser } from "../domain/lifecycle.js";
import { queryWindow } from "../domain/time.js";
import type { AgentStatusSource, AlertNotifier, AlertStore, EventPublisher, FetchReport } from "../ports.js";
import type { Log } from "./logger.js";

export interface CheckDeps {
  source: AgentStatusSource;
  store: AlertStore;
  /** Absent: alerts are tracked but nothing is posted (dry run, or no Slack token). */
  notifier?: AlertNotifier;
  events?: EventPublisher;
  log: Log;
}

export interface CheckOptions {
  nowMs: number;
  /** Post nothing, write nothing: report what the run would do. */
  dryRun?: boolean;
  /** Stop paging when the next request could not start before this instant (real clock). */
  deadlineMs?: number;
}

export interface CheckResult {
  summary: RunSummary;
  fetch: FetchReport;
  slack: {
    delivered: number;
    failed: number;
    pending: number;
    /** Nudges skipped because the agent has no Slack account (found by e-mail). */
    nudgesSkipped: number;
  };
  events: { published: number; failed: number };
  /** Things an operator should hear about (partial reads, a centre too large for the schedule). */
  warnings: string[];
}

export async function runCheck(
  config: AppConfig,
  deps: CheckDeps,
  options: CheckOptions,
): Promise<CheckResult> {
  const { nowMs } = options;
  const { log } = deps;
  const stored = await deps.store.load();
  const byUser = groupByUser(stored);
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

  const fetch = await deps.source.fetchAll(
    window,
    (page) => {
      for (const row of page.rows) {
        const parsed = parseAgentRow(row, page.timeZoneOffSet);
        const userId = parsed.agent?.userId ?? parsed.skipped[0]?.userId ?? null;
        if (userId === null) unidentified++;
        else if (seen.has(userId))
          continue; // paging over a changing list can repeat an agent
        else seen.add(userId);
        skipped.push(...parsed.skipped);
        if (parsed.agent)
          writes.push(...decideAgent(parsed.agent, byUser.get(userId ?? "") ?? [], config, nowMs).writes);
      }
    },
    options.deadlineMs === undefined ? {} : { deadlineMs: options.deadlineMs },
  );

  const warnings = fetchWarnings(config, fetch);
  for (const warning of warnings) log.warn(warning);

  // Claim before acting: a write that another run made first means that run posts, not us.
  const current = new Map(stored.map((r) => [r.id, r]));
  const transitions: Transition[] = [];
  const owned = new Set<string>();
  const reminded = new Set<string>();
  for (const write of writes) {
    const applied = options.dryRun ? true : await deps.store.put(write.record, write.expectedVersion);
    if (!applied) {
      log.info("another run already holds this alert", { alert: write.record.id });
      continue;
    }
    current.set(write.record.id, write.record);
    owned.add(write.record.id);
    if (write.transition) transitions.push(write.transition);
    if (write.transition?.type === "reminded") reminded.add(write.record.id);
  }

  const slack = options.dryRun
    ? { delivered: 0, failed: 0, pending: 0, nudgesSkipped: 0 }
    : await deliver([...current.values()], owned, reminded, deps);

  const events = { published: 0, failed: 0 };
  if (deps.events && transitions.length > 0 && !options.dryRun) {
    const { failed } = await deps.events.publish(transitions);
    events.failed = failed;
    events.published = transitions.length - failed;
    if (failed > 0) log.warn("some alert events could not be put on the event bus", { failed });
  }

  const firing = [...current.values()]
    .filter((r) => r.state === "open")
    .sort((a, b) => a.sinceMs - b.sinceMs || a.userId.localeCompare(b.userId))
    .map((r) => toFiring(r, nowMs));

  return {
    summary: { checkedAgents: seen.size + unidentified, pages: fetch.pages, firing, transitions, skipped },
    fetch,
    slack,
    events,
    warnings,
  };
}

function fetchWarnings(config: AppConfig, fetch: FetchReport): string[] {
  const warnings: string[] = [];
  if (fetch.failedPages.length > 0) {
    const offsets = fetch.failedPages.map((p) => p.offset).join(", ");
    warnings.push(
      `${fetch.failedPages.length} page(s) could not be read (offsets ${offsets}); their agents keep their alerts until a run sees them: ${fetch.failedPages[0]?.error}`,
    );
  }
  const capacity = Math.floor((config.smartassist.requestsPerMinute * config.schedule.everySeconds) / 60);
  if (fetch.truncated) {
    warnings.push(
      `the run stopped paging at its deadline after ${fetch.pages} page(s): this center needs more than one ${config.schedule.everySeconds / 60}-minute interval at ${config.smartassist.requestsPerMinute} requests/min (about ${capacity} requests per run); agents on later pages were not checked`,
    );
  } else if (fetch.requests > capacity) {
    warnings.push(
      `this run needed ${fetch.requests} requests, more than the ${capacity} that ${config.smartassist.requestsPerMinute} requests/min allow in one ${config.schedule.everySeconds / 60}-minute interval: runs will lag behind the schedule`,
    );
  }
  return warnings;
}

/**
 * Sends what Slack still lacks. Records this run wrote are already ours; for any other pending
 * record (a post that failed last time) we claim it first with a conditional write.
 */
async function deliver(
  records: AlertRecord[],
  owned: Set<string>,
  reminded: Set<string>,
  deps: CheckDeps,
): Promise<CheckResult["slack"]> {
  const result = { delivered: 0, failed: 0, pending: 0, nudgesSkipped: 0 };
  const actions = records
    .map((r) => slackActionFor(r, reminded.has(r.id)))
    .filter((a): a is SlackAction => a !== undefined);
  if (!deps.notifier) {
    result.pending = actions.filter((a) => a.kind !== "remind").length;
    return result;
  }
  for (const [index, original] of actions.entries()) {
    let action = original;
    let record = action.record;
    if (!owned.has(record.id)) {
      const claimed: AlertRecord = { ...record, version: record.version + 1 };
      if (!(await deps.store.put(claimed, record.version))) continue;
      record = claimed;
      action = { kind: action.kind, record };
    }
    const outcome = await deps.notifier.deliver(action);
    if (!outcome.ok) {
      result.failed++;
      deps.log.warn("Slack delivery failed; it will be retried on the next run", {
        alert: record.id,
        action: action.kind,
        error: outcome.error,
      });
      if (outcome.transient) {
        // Slack itself is down or throttling us past the bound: the rest waits for the next run
        // instead of each alert spending its own retry budget here.
        result.pending += actions.slice(index + 1).filter((a) => a.kind !== "remind").length;
        deps.log.warn("Slack is unavailable; remaining deliveries wait for the next run", {
          remaining: actions.length - index - 1,
        });
        break;
      }
      continue;
    }
    const next = afterDelivery(
      action,
      outcome.ts ?? record.slackTs ?? "",
      outcome.channel ?? record.channel ?? "",
      outcome.nudge,
    );
    if (outcome.nudge === "not-in-slack") {
      result.nudgesSkipped++;
      deps.log.info("agent not found in Slack; nudge skipped", { alert: record.id });
    }
    if (await deps.store.put(next, record.version)) result.delivered++;
  }
  return result;
}
