/**
 * The alert lifecycle as a pure function: (open alerts, this run's agents, now, config) →
 * transitions and the records to write. An episode fires once, escalates once, reminds every
 * `repeat` while it lasts, and resolves when the agent's current state no longer matches it.
 */

import { disposition, reminderBaseMs } from "./actions.js";
import type { Agent } from "./agent.js";
import {
  type AlertRecord,
  alertId,
  elapsedSeconds,
  type Severity,
  type Transition,
  toTransition,
} from "./alert.js";
import type { AppConfig, ResolvedRule } from "./config.js";
import { currentEpisode, EPISODE_GAP_MS, type Episode, episodeEnd } from "./episodes.js";
import { rulesFor, teamFor } from "./rules.js";

/** How long an open record lives without a run refreshing it. */
export const OPEN_RECORD_TTL_SECONDS = 7 * 24 * 3600;
/** How long a resolved record is kept, so the same episode seen again does not fire twice. */
export const RESOLVED_RECORD_TTL_SECONDS = 2 * 24 * 3600;
/**
 * Runs start a few seconds late or early; a reminder due within this much is sent now rather than
 * one whole schedule interval later.
 */
export const REMINDER_TOLERANCE_MS = 15_000;

export interface AgentDecision {
  /** Records created or changed by this run (version already bumped), each with its transition. */
  writes: AlertWrite[];
}

export interface AlertWrite {
  record: AlertRecord;
  /** The version the store must still hold for the write to apply; null for a new record. */
  expectedVersion: number | null;
  /** The transition this write makes, if any: it only happens if the write applies. */
  transition?: Transition;
}

function ttl(nowMs: number, seconds: number): number {
  return Math.floor(nowMs / 1000) + seconds;
}

function severityAt(rule: { criticalSeconds?: number }, elapsed: number): Severity {
  return rule.criticalSeconds !== undefined && elapsed >= rule.criticalSeconds ? "critical" : "warning";
}

/**
 * How many whole `repeat` intervals have passed since the alert fired, or since the end of the snooze
 * that is its latest action (0 without `repeat`).
 */
function reminderSlot(alert: AlertRecord, nowMs: number): number {
  if (alert.repeatSeconds === undefined) return 0;
  const base = reminderBaseMs(alert, nowMs);
  return Math.max(0, Math.floor((nowMs - base + REMINDER_TOLERANCE_MS) / (alert.repeatSeconds * 1000)));
}

/** Does the agent's current episode carry on the episode this alert is about? */
export function continues(alert: AlertRecord, episode: Episode | undefined): boolean {
  if (!episode || episode.rule.key !== alert.ruleKey) return false;
  if (episode.startMs <= alert.sinceMs + EPISODE_GAP_MS) return true;
  // The timeline starts later than the alert's episode (the query window moved on): same episode.
  return !episode.startIsKnown;
}

function fire(agent: Agent, episode: Episode, config: AppConfig, nowMs: number): AlertRecord {
  const { rule } = episode;
  const team = teamFor(config, agent.email);
  const elapsed = elapsedSeconds(episode.startMs, nowMs);
  const record: AlertRecord = {
    id: alertId(agent.userId, rule.key, episode.startMs),
    userId: agent.userId,
    email: agent.email,
    name: agent.name,
    ruleKey: rule.key,
    ruleName: rule.name,
    primaryStatus: episode.primaryStatus,
    secondaryStatus: episode.secondaryStatus,
    sinceMs: episode.startMs,
    thresholdSeconds: rule.thresholdSeconds,
    severity: severityAt(rule, elapsed),
    state: "open",
    firedMs: nowMs,
    lastNotifiedMs: nowMs,
    version: 1,
    expiresAt: ttl(nowMs, OPEN_RECORD_TTL_SECONDS),
  };
  if (rule.criticalSeconds !== undefined) record.criticalSeconds = rule.criticalSeconds;
  if (rule.repeatSeconds !== undefined) record.repeatSeconds = rule.repeatSeconds;
  const channel = team?.channel ?? config.slack.channel;
  if (channel !== undefined) record.channel = channel;
  const mention = team?.mention ?? config.slack.escalationMention;
  if (mention !== undefined) record.escalationMention = mention;
  return record;
}

/**
 * Decides one received agent: `alerts` are the stored records for this agent (open, or resolved and
 * kept so that an episode never fires twice).
 */
export function decideAgent(
  agent: Agent,
  alerts: readonly AlertRecord[],
  config: AppConfig,
  nowMs: number,
): AgentDecision {
  const team = teamFor(config, agent.email);
  const rules = rulesFor(config, team);
  const episode = currentEpisode(agent.segments, rules);
  const writes: AlertWrite[] = [];
  let episodeHasAlert = false;

  // Indexed loops over the records, here and below: a store may hand out a frozen list, and V8 walks
  // a frozen array with for-of, some or find many times slower (an iterator allocated per step).
  for (let i = 0; i < alerts.length; i++) {
    const alert = alerts[i] as AlertRecord;
    if (alert.state === "nudged") {
      const write = decideNudged(agent, alert, episode, config, nowMs);
      if (continues(alert, episode)) episodeHasAlert = true;
      if (write) writes.push(write);
      continue;
    }
    if (alert.state !== "open") continue;
    if (continues(alert, episode) && episode) {
      episodeHasAlert = true;
      const write = decideOpen(agent, alert, episode, nowMs);
      if (write) writes.push(write);
      continue;
    }
    // The agent no longer shows this episode. With part of its timeline dropped as malformed and no
    // current episode visible, the open segment itself may be what was dropped: keep the alert.
    if (!agent.complete && !episode) continue;
    const rule: ResolvedRule | undefined = rules.find((r) => r.key === alert.ruleKey);
    const ended = rule ? episodeEnd(agent.segments, rule, rules, alert.sinceMs) : undefined;
    const resolved: AlertRecord = {
      ...alert,
      state: "resolved",
      endedMs: Math.max(alert.sinceMs, Math.min(ended ?? nowMs, nowMs)),
      version: alert.version + 1,
      expiresAt: ttl(nowMs, RESOLVED_RECORD_TTL_SECONDS),
    };
    const transition = toTransition("resolved", resolved, nowMs);
    writes.push({ record: resolved, expectedVersion: alert.version, transition });
  }

  if (episode && !episodeHasAlert) {
    const elapsed = elapsedSeconds(episode.startMs, nowMs);
    const { rule } = episode;
    // The id (an ISO date format) only once the episode is due: most agents' episodes are not.
    const due = elapsed >= rule.thresholdSeconds;
    const nudgeDue = !due && rule.nudgeSeconds !== undefined && elapsed >= rule.nudgeSeconds;
    const id = due || nudgeDue ? alertId(agent.userId, rule.key, episode.startMs) : "";
    let known = false;
    if (id !== "") for (let i = 0; i < alerts.length && !known; i++) known = alerts[i]?.id === id;
    if (due && !known) {
      const record = fire(agent, episode, config, nowMs);
      const transition = toTransition("fired", record, nowMs);
      writes.push({ record, expectedVersion: null, transition });
    } else if (nudgeDue && !known) {
      const record: AlertRecord = {
        ...fire(agent, episode, config, nowMs),
        state: "nudged",
        nudgedMs: nowMs,
      };
      writes.push({ record, expectedVersion: null, transition: toTransition("nudged", record, nowMs) });
    }
  }
  return { writes };
}

/**
 * An open alert whose episode goes on: escalated, reminded, or refreshed (statuses, name, the expiry
 * once a day); undefined when nothing changes. The new record is built only then: a tick looks at
 * every open alert every minute, and most of those looks change nothing.
 */
function decideOpen(
  agent: Agent,
  alert: AlertRecord,
  episode: Episode,
  nowMs: number,
): AlertWrite | undefined {
  const email = agent.email || alert.email;
  const expiresAt = ttl(nowMs, OPEN_RECORD_TTL_SECONDS);
  const elapsed = elapsedSeconds(alert.sinceMs, nowMs);
  // Reminders fall every `repeat` after the alert fired; a run that finds one or more due sends one.
  // What people said in Slack: acknowledged → no reminders; snoozed → nothing until it ends;
  // excused → nothing at all.
  const said = disposition(alert, nowMs);
  const quiet = said.kind === "excused" || (said.kind === "snoozed" && said.active);
  const slot = reminderSlot(alert, nowMs);
  const reminderDue = !quiet && said.kind !== "acknowledged" && slot > (alert.remindedSlots ?? 0);
  let type: Transition["type"] | undefined;
  if (!quiet && alert.severity === "warning" && severityAt(alert, elapsed) === "critical") type = "escalated";
  else if (reminderDue) type = "reminded";
  const changed =
    type !== undefined ||
    episode.primaryStatus !== alert.primaryStatus ||
    episode.secondaryStatus !== alert.secondaryStatus ||
    agent.name !== alert.name ||
    // Refresh the expiry once a day, not on every run.
    expiresAt - alert.expiresAt >= 24 * 3600;
  if (!changed) return undefined;
  const next: AlertRecord = {
    ...alert,
    email,
    name: agent.name,
    primaryStatus: episode.primaryStatus,
    secondaryStatus: episode.secondaryStatus,
    version: alert.version + 1,
    expiresAt,
  };
  if (type === "escalated") next.severity = "critical";
  if (type === undefined) return { record: next, expectedVersion: alert.version };
  next.lastNotifiedMs = nowMs;
  // An escalation also stands for a reminder due in the same run: one message, not two.
  if (reminderDue) next.remindedSlots = slot;
  return { record: next, expectedVersion: alert.version, transition: toTransition(type, next, nowMs) };
}

/**
 * A nudged episode: fires when it reaches its threshold (the record becomes the alert), is kept as
 * `averted` when it ended before (the nudge did its job: no alert, no transition).
 */
function decideNudged(
  agent: Agent,
  nudged: AlertRecord,
  episode: Episode | undefined,
  config: AppConfig,
  nowMs: number,
): AlertWrite | undefined {
  if (continues(nudged, episode) && episode) {
    if (elapsedSeconds(nudged.sinceMs, nowMs) < nudged.thresholdSeconds) return undefined;
    const fired: AlertRecord = {
      ...fire(agent, { ...episode, startMs: nudged.sinceMs }, config, nowMs),
      version: nudged.version + 1,
    };
    if (nudged.nudgedMs !== undefined) fired.nudgedMs = nudged.nudgedMs;
    if (nudged.nudgeNotified !== undefined) fired.nudgeNotified = nudged.nudgeNotified;
    return {
      record: fired,
      expectedVersion: nudged.version,
      transition: toTransition("fired", fired, nowMs),
    };
  }
  if (!agent.complete && !episode) return undefined;
  const averted: AlertRecord = {
    ...nudged,
    state: "averted",
    endedMs: nowMs,
    version: nudged.version + 1,
    expiresAt: ttl(nowMs, RESOLVED_RECORD_TTL_SECONDS),
  };
  return { record: averted, expectedVersion: nudged.version };
}

/** The transitions that a list of writes makes, in order. */
export function transitionsOf(writes: AlertWrite[]): Transition[] {
  return writes.flatMap((w) => (w.transition ? [w.transition] : []));
}

/**
 * The whole run at once, for callers that hold every agent (tests, small centres): agents not
 * received keep their alerts untouched.
 */
export function decideRun(
  records: AlertRecord[],
  agents: Agent[],
  config: AppConfig,
  nowMs: number,
): { transitions: Transition[]; writes: AlertWrite[]; records: AlertRecord[] } {
  const byUser = groupByUser(records);
  const writes: AlertWrite[] = [];
  for (const agent of agents)
    writes.push(...decideAgent(agent, byUser.get(agent.userId) ?? [], config, nowMs).writes);
  return { transitions: transitionsOf(writes), writes, records: applyWrites(records, writes) };
}

export function groupByUser(records: AlertRecord[]): Map<string, AlertRecord[]> {
  const byUser = new Map<string, AlertRecord[]>();
  for (const r of records) {
    const list = byUser.get(r.userId);
    if (list) list.push(r);
    else byUser.set(r.userId, [r]);
  }
  return byUser;
}

/** The records after `writes`, keyed by id. */
export function applyWrites(records: readonly AlertRecord[], writes: readonly AlertWrite[]): AlertRecord[] {
  const byId = new Map(records.map((r) => [r.id, r]));
  for (const w of writes) byId.set(w.record.id, w.record);
  return [...byId.values()];
}
