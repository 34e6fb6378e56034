/** Open alerts as the state keeps them, the transitions a run makes, and the run summary. */
import type { Coverage } from "./coverage.js";
import type { DueKind } from "./due.js";
import type { RollupAck } from "./rollup-ack.js";

export type Severity = "warning" | "critical";
/** What the lifecycle does on its own. */
export type LifecycleTransitionType = "nudged" | "fired" | "reminded" | "escalated" | "resolved";
/** What people do from Slack. */
export type ActionTransitionType = "acknowledged" | "snoozed" | "excused";
export type TransitionType = LifecycleTransitionType | ActionTransitionType;

export type AlertState = "nudged" | "open" | "resolved" | "averted";

/** One snooze, kept for the alert's history. */
export interface Snooze {
  /** Slack user id. */
  by: string;
  atMs: number;
  untilMs: number;
}

export interface Lease {
  /** The run (or click) that holds it. */
  by: string;
  /** Real-clock UTC ms after which the lease has lapsed. */
  untilMs: number;
}

export interface AlertRecord {
  /** `userId#ruleKey#since`: one record per episode, so an episode alerts once. */
  id: string;
  userId: string;
  email: string;
  name: string;
  ruleKey: string;
  ruleName: string;
  primaryStatus: string;
  secondaryStatus: string;
  /** The episode's first start (UTC ms). */
  sinceMs: number;
  thresholdSeconds: number;
  criticalSeconds?: number;
  repeatSeconds?: number;
  severity: Severity;
  /**
   * `nudged`: the agent was sent a direct message, the episode is not yet past its threshold (no alert);
   * `open`: firing; `resolved`: the episode ended after firing; `averted`: it ended after the nudge,
   * before the threshold (kept, like a resolved record, so the episode is never nudged twice).
   */
  state: AlertState;
  /** When the alert fired (for a `nudged` record: when the nudge was decided, replaced when it fires). */
  firedMs: number;
  /** When the lifecycle last fired, reminded or escalated. */
  lastNotifiedMs: number;
  /** Reminder intervals since `firedMs` already covered by a reminder (or an escalation in their run). */
  remindedSlots?: number;
  /** For a resolved alert: when the episode ended, as the timeline shows it (else the resolving run). */
  endedMs?: number;
  /** Slack channel the alert belongs in (team channel or the default); none means not posted. */
  channel?: string;
  /** Who to mention on escalation (a Slack user group or user mention). */
  escalationMention?: string;
  /** Slack delivery: the top message's ts once posted. */
  slackTs?: string;
  /** The severity the top message shows. */
  notifiedSeverity?: Severity;
  /** True once the top message shows the resolve. */
  resolveNotified?: boolean;
  /** Slack user id of whoever acknowledged the alert, and when (UTC ms). */
  acknowledgedBy?: string;
  acknowledgedMs?: number;
  /** The current snooze: by whom and until when (UTC ms). */
  snoozedBy?: string;
  snoozedUntilMs?: number;
  /** Every snooze so far, for history. */
  snoozes?: Snooze[];
  /** An excused episode stays quiet and resolves quietly. */
  excusedBy?: string;
  excusedMs?: number;
  /** A Slack action whose message update and thread reply Slack has not shown yet (the next run does). */
  actionPending?: ActionTransitionType;
  /** When the agent was sent the nudge (a direct message) for this episode. */
  nudgedMs?: number;
  /** The nudge's delivery: sent, or skipped because the agent has no Slack account. */
  nudgeNotified?: "sent" | "not-in-slack";
  /** The roll-up this alert lives in, when it arrived in a storm. */
  rollupId?: string;
  /** The roll-up message's ts (in `channel`): the alert's thread is the roll-up's. */
  rollupTs?: string;
  /** True once the roll-up's thread lists this alert in its complete list. */
  rollupListed?: boolean;
  /**
   * Who is sending what this record owes Slack right now, and until when (real clock, UTC ms): taken
   * with a conditional write before a send, ended by the write that records it. Another run (or a
   * click) leaves a record with a live lease alone; a lapsed one (its run died) may be taken again.
   */
  lease?: Lease;
  /** Slack action keys (`user:action_ts`) already applied, newest last: a replayed click changes nothing. */
  appliedActions?: string[];
  /**
   * On one member of a roll-up: its Acknowledge all, owed to the members the click did not write in
   * time (rollup-ack.ts). Readers apply it; the next run writes it onto each of them.
   */
  rollupAck?: RollupAck;
  /** Bumped on every write: stores use it for conditional (optimistic) writes. */
  version: number;
  /** Epoch seconds after which the record may be deleted (DynamoDB TTL). */
  expiresAt: number;
}

export interface FiringAlert {
  userId: string;
  email: string;
  name: string;
  rule: string;
  primaryStatus: string;
  secondaryStatus: string;
  since: string;
  elapsedSeconds: number;
  thresholdSeconds: number;
  severity: Severity;
  acknowledgedBy?: string;
  /** UTC ISO-8601. */
  snoozedUntil?: string;
  excusedBy?: string;
}

/** What a run changed about one alert: the alert as it then stood, and when. */
export interface Transition extends FiringAlert {
  type: TransitionType;
  /** UTC ISO instant of the run (or the Slack action) that made the transition. */
  at: string;
  /** Slack user id of whoever acted (acknowledged, snoozed, excused). */
  by?: string;
  /** For a snooze: until when (UTC ISO-8601). */
  until?: string;
}

export interface SkippedInput {
  userId: string | null;
  email?: string;
  reason: string;
}

export interface RunSummary {
  checkedAgents: number;
  pages: number;
  firing: FiringAlert[];
  transitions: Transition[];
  skipped: SkippedInput[];
  /** Which part of the roster this run read, and where the next run starts (see coverage.ts). */
  coverage: Coverage;
  /** The re-checks this run scheduled (a one-off run: would schedule), by instant (see due.ts). */
  due: DueEntry[];
  /** Each channel's board after the run, with `slack.board` (see board.ts); absent without it. */
  boards?: BoardEntry[];
}

/** One channel's board in the summary: its ts (null if it could not be posted) and its counts. */
export interface BoardEntry {
  channel: string;
  ts: string | null;
  stuck: number;
  comingUp: number;
}

/** One agent's due re-check as the summary shows it: `at` in UTC ISO to the second. */
export interface DueEntry {
  userId: string;
  email: string;
  at: string;
  kind: DueKind;
}

export function alertId(userId: string, ruleKey: string, sinceMs: number): string {
  return `${userId}#${ruleKey}#${new Date(sinceMs).toISOString()}`;
}

export function elapsedSeconds(sinceMs: number, nowMs: number): number {
  // A start in the future (clock skew) counts as zero, never negative.
  return Math.max(0, Math.floor((nowMs - sinceMs) / 1000));
}

export function toFiring(record: AlertRecord, nowMs: number): FiringAlert {
  const firing: FiringAlert = {
    userId: record.userId,
    email: record.email,
    name: record.name,
    rule: record.ruleName,
    primaryStatus: record.primaryStatus,
    secondaryStatus: record.secondaryStatus,
    since: new Date(record.sinceMs).toISOString(),
    elapsedSeconds: elapsedSeconds(record.sinceMs, nowMs),
    thresholdSeconds: record.thresholdSeconds,
    severity: record.severity,
  };
  if (record.acknowledgedBy !== undefined) firing.acknowledgedBy = record.acknowledgedBy;
  if (record.snoozedUntilMs !== undefined && record.snoozedUntilMs > nowMs)
    firing.snoozedUntil = new Date(record.snoozedUntilMs).toISOString();
  if (record.excusedBy !== undefined) firing.excusedBy = record.excusedBy;
  return firing;
}

export function toTransition(type: TransitionType, record: AlertRecord, nowMs: number): Transition {
  // A resolved episode's length runs to its end, not to the run that noticed it.
  const end = type === "resolved" ? (record.endedMs ?? nowMs) : nowMs;
  return { type, ...toFiring(record, end), at: new Date(nowMs).toISOString() };
}

/** Alerts still under way: fired and not over, or nudged and not yet due. */
export function isActive(record: AlertRecord): boolean {
  return record.state === "open" || record.state === "nudged";
}

/**
 * Open or nudged among them. Indexed loops: a run walks these lists for every agent it reads, and
 * they may be frozen (replay), where V8's for-of and some are many times slower.
 */
export function anyActive(records: readonly AlertRecord[]): boolean {
  for (let i = 0; i < records.length; i++) if (isActive(records[i] as AlertRecord)) return true;
  return false;
}

/** The records' ids (an indexed loop, as above). */
export function idsOf(records: readonly AlertRecord[]): string[] {
  const ids: string[] = [];
  for (let i = 0; i < records.length; i++) ids.push((records[i] as AlertRecord).id);
  return ids;
}
