/**
 * What a run does with each agent it reads: the lifecycle's decision (lifecycle.ts), then the agent's
 * next due instant from its records as that decision leaves them (due.ts). The same code for every
 * run; the one thing added is a memo for a parsed agent that carries a slot (memo.ts: a frozen row
 * from a replay's capture, parsed once) while its decision writes nothing.
 *
 * A decision that writes nothing depends on the clock only through instants known in advance: the
 * episode's nudge and alert, a nudged record's threshold, an open record's escalation, its next
 * reminder, the end of its snooze and the day its expiry is refreshed. The next due instant stays
 * what it is until its moment comes; only an open record's resolve watch moves with the clock, and it
 * is put back at each read (withWatch). So for the same parse, the same records (the same frozen
 * array: a store that hands out one per agent until it writes to it) and the same config, the answer
 * worked out at one instant holds until `quietUntil`, and a replay that reads an unchanged agent
 * every few minutes all day — or an open alert's agent every minute — works it out once. A live
 * page's rows carry no slot: decided afresh every time.
 */
import { disposition, reminderBaseMs } from "./actions.js";
import type { Agent } from "./agent.js";
import { type AlertRecord, alertId, isActive } from "./alert.js";
import type { AppConfig } from "./config.js";
import { type DueCheck, type MomentAhead, momentAhead, withWatch } from "./due.js";
import { currentEpisode, type Episode } from "./episodes.js";
import {
  type AlertWrite,
  applyWrites,
  continues,
  decideAgent,
  OPEN_RECORD_TTL_SECONDS,
  REMINDER_TOLERANCE_MS,
} from "./lifecycle.js";
import { agentMemo } from "./memo.js";
import { rulesFor, teamFor } from "./rules.js";

export interface AgentOutcome {
  /** The records to write (decideAgent). */
  writes: readonly AlertWrite[];
  /** The agent's records as this run leaves them (`records` when nothing is written). */
  after: readonly AlertRecord[];
  /** The agent's next due instant after the run's instant (nextDue over `after`). */
  next: DueCheck | undefined;
}

/**
 * What an agent's slot keeps: the outcome, for these records and this config, over [fromMs, untilMs),
 * in one object handed out as the outcome itself when no watch moves it (one object to reach on a
 * read, not two).
 */
interface QuietOutcome extends AgentOutcome {
  readonly ahead: MomentAhead;
  /** `ahead.watched`, beside the rest: a read that finds no watch touches this object alone. */
  readonly watched: boolean;
  readonly config: AppConfig;
  readonly fromMs: number;
  readonly untilMs: number;
}

const NO_WRITES: readonly AlertWrite[] = Object.freeze([]);

/** decideAgent, then nextDue over the records it leaves; remembered while quiet (see above). */
export function decideWithDue(
  agent: Agent,
  records: readonly AlertRecord[],
  config: AppConfig,
  nowMs: number,
): AgentOutcome {
  const memo = agentMemo(agent);
  if (memo !== undefined && memo.key === records) {
    const kept = memo.value as QuietOutcome;
    if (kept.config === config && nowMs >= kept.fromMs && nowMs < kept.untilMs) {
      if (!kept.watched) return kept;
      const next = withWatch(kept.ahead, agent, nowMs);
      return next === kept.next ? kept : { writes: NO_WRITES, after: records, next };
    }
  }
  const writes = decideAgent(agent, records, config, nowMs).writes;
  const after = writes.length === 0 ? records : applyWrites(records, writes);
  const ahead = momentAhead(agent, after, config, nowMs);
  const next = withWatch(ahead, agent, nowMs);
  if (memo === undefined || writes.length > 0) return { writes, after, next };
  const untilMs = Math.min(
    quietUntil(agent, records, config, nowMs),
    ahead.moment?.atMs ?? Number.POSITIVE_INFINITY,
  );
  if (untilMs <= nowMs || !unchanging(records)) return { writes, after, next };
  const kept: QuietOutcome = Object.freeze({
    writes: NO_WRITES,
    after,
    next: next && Object.freeze(next),
    ahead: Object.freeze({ ...ahead, moment: ahead.moment && Object.freeze(ahead.moment) }),
    watched: ahead.watched,
    config,
    fromMs: nowMs,
    untilMs,
  });
  memo.key = records;
  memo.value = kept;
  return kept;
}

/** Records that cannot change behind the memo: a frozen list of frozen records. */
function unchanging(records: readonly AlertRecord[]): boolean {
  if (!Object.isFrozen(records)) return false;
  for (let i = 0; i < records.length; i++) if (!Object.isFrozen(records[i])) return false;
  return true;
}

/**
 * For an agent whose decision at `nowMs` writes nothing: the instant before which, for the same agent,
 * records and config, decideAgent still writes nothing and the moments nextDue offers stay the same
 * (decideWithDue adds the first of those moments itself). Pure; exported for tests.
 *
 * Each is an instant from which a condition of the lifecycle holds for good (elapsed whole seconds,
 * a reminder slot, a snooze over, the day an expiry is refreshed); one that already holds at `nowMs`
 * and wrote nothing (a reminder while acknowledged) changes nothing later. Per record:
 * - nudged, its episode going on: it fires once `threshold` whole seconds old;
 * - open, its episode going on: it escalates once `critical` whole seconds old, reminds from its next
 *   slot (`REMINDER_TOLERANCE_MS` early), unless excused or acknowledged (reminders) or snoozed (both
 *   wait for the snooze's end, which also moves the next due instant from the snooze's end to the
 *   escalation), and refreshes its expiry once a day;
 * - records whose episode is over write at once (resolved, averted) or never (a partial timeline).
 * An episode with no record standing for it nudges or fires from its first due second, as its nudge
 * gives way to its alert in nextDue.
 */
export function quietUntil(
  agent: Agent,
  records: readonly AlertRecord[],
  config: AppConfig,
  nowMs: number,
): number {
  const episode = currentEpisode(agent.segments, rulesFor(config, teamFor(config, agent.email)));
  let untilMs = Number.POSITIVE_INFINITY;
  const from = (atMs: number) => {
    if (atMs > nowMs && atMs < untilMs) untilMs = atMs;
  };
  let episodeHasAlert = false;
  // Indexed loops: the list may be frozen, which V8's for-of, some and find walk many times slower.
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as AlertRecord;
    if (!isActive(r)) continue;
    if (!episode || !continues(r, episode)) continue;
    episodeHasAlert = true;
    if (r.state === "nudged") from(r.sinceMs + Math.ceil(r.thresholdSeconds) * 1000);
    else openRecordMoments(r, nowMs, from);
  }
  if (!episode || episodeHasAlert) return untilMs;
  return Math.min(untilMs, newEpisodeMoment(agent, records, episode, nowMs));
}

/** An open record's instants (quietUntil), offered to `from`. */
function openRecordMoments(r: AlertRecord, nowMs: number, from: (atMs: number) => void): void {
  // The expiry is refreshed once it would move a day or more.
  from((r.expiresAt + 24 * 3600 - OPEN_RECORD_TTL_SECONDS) * 1000);
  const said = disposition(r, nowMs);
  if (said.kind === "excused") return;
  if (said.kind === "snoozed" && said.active) {
    from(said.untilMs);
    return;
  }
  if (r.severity === "warning" && r.criticalSeconds !== undefined)
    from(r.sinceMs + Math.ceil(r.criticalSeconds) * 1000);
  if (r.repeatSeconds !== undefined && said.kind !== "acknowledged") {
    const slot = (r.remindedSlots ?? 0) + 1;
    from(reminderBaseMs(r, nowMs) - REMINDER_TOLERANCE_MS + slot * r.repeatSeconds * 1000);
  }
}

/**
 * An episode no record goes on with: it writes from its first due second unless a record already has
 * its id; its nudge moment gives way to its alert in nextDue at the nudge's instant.
 */
function newEpisodeMoment(
  agent: Agent,
  records: readonly AlertRecord[],
  episode: Episode,
  nowMs: number,
): number {
  const { rule, startMs } = episode;
  let untilMs = Number.POSITIVE_INFINITY;
  const id = alertId(agent.userId, rule.key, startMs);
  let known = false;
  for (let i = 0; i < records.length && !known; i++) known = records[i]?.id === id;
  if (!known) {
    const { nudgeSeconds, thresholdSeconds } = rule;
    const dueSeconds =
      nudgeSeconds === undefined ? thresholdSeconds : Math.min(nudgeSeconds, thresholdSeconds);
    untilMs = Math.min(untilMs, startMs + Math.ceil(dueSeconds) * 1000);
  }
  const nudgeAt = rule.nudgeSeconds === undefined ? undefined : startMs + rule.nudgeSeconds * 1000;
  if (nudgeAt !== undefined && nudgeAt > nowMs) untilMs = Math.min(untilMs, nudgeAt);
  return untilMs;
}
