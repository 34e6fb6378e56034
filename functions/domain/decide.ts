/**
 * What a run does with each agent it reads: the lifecycle's decision (lifecycle.ts), then the agent's
 * next due instant from its records as that decision leaves them (due.ts). The same code for every
 * run; the one thing added is a memo for a parsed agent that carries a slot (memo.ts: a frozen row
 * from a replay's capture, parsed once) and is quiet.
 *
 * Quiet: none of the agent's records is open or nudged. Then the decision is nothing at all until the
 * agent's episode (if any) reaches its nudge or its alert, and the next due instant stays what it is
 * until that instant — both known in advance. So for the same parse, the same records (the same frozen
 * array: a store that hands out one per agent until it writes to it) and the same config, the answer
 * worked out at one instant holds until `quietUntil`, and a replay that reads an unchanged agent every
 * few minutes all day works it out once. A live page's rows carry no slot: decided afresh every time.
 * An agent with an open or nudged record is always decided afresh (reminders, escalations, snoozes,
 * the resolve watch move with the clock).
 */
import type { Agent } from "./agent.js";
import { type AlertRecord, alertId } from "./alert.js";
import type { AppConfig } from "./config.js";
import { ceilSecond, type DueCheck, episodeRecord, nextDue } from "./due.js";
import { currentEpisode } from "./episodes.js";
import { type AlertWrite, applyWrites, decideAgent } from "./lifecycle.js";
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
 * in one object handed out as the outcome itself (one object to reach on a read, not two).
 */
interface QuietOutcome extends AgentOutcome {
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
    if (kept.config === config && nowMs >= kept.fromMs && nowMs < kept.untilMs) return kept;
  }
  const writes = decideAgent(agent, records, config, nowMs).writes;
  const after = writes.length === 0 ? records : applyWrites(records, writes);
  const next = nextDue(agent, after, config, nowMs);
  if (memo === undefined || writes.length > 0) return { writes, after, next };
  const untilMs = quietUntil(agent, records, config, nowMs);
  if (untilMs <= nowMs || !unchanging(records)) return { writes, after, next };
  const kept: QuietOutcome = Object.freeze({
    writes: NO_WRITES,
    after,
    next: next && Object.freeze(next),
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
 * records and config, decideAgent still writes nothing and nextDue gives what it gives at `nowMs`;
 * `nowMs` (nothing holds) when a record is open or nudged. Pure; exported for tests.
 *
 * With no record open or nudged, decideAgent's loop over the records does nothing, and what is left
 * depends on the clock only through the episode's elapsed whole seconds:
 * - it writes (a nudge or an alert) from the first instant the episode is `min(nudge, threshold)`
 *   seconds old (`elapsedSeconds` ≥ k exactly from start + ⌈k⌉ s), unless a record has the
 *   episode's id (then never);
 * - nextDue finds nothing ahead when a record stands for the episode (an averted or resolved one has
 *   no moments left); otherwise it gives the nudge while the nudge is ahead, and from then the alert
 *   (rounded up to the second) while that is ahead, nothing after.
 */
export function quietUntil(
  agent: Agent,
  records: readonly AlertRecord[],
  config: AppConfig,
  nowMs: number,
): number {
  // Indexed loops: the list may be frozen, which V8's for-of, some and find walk many times slower.
  for (let i = 0; i < records.length; i++) {
    const state = records[i]?.state;
    if (state === "open" || state === "nudged") return nowMs;
  }
  const episode = currentEpisode(agent.segments, rulesFor(config, teamFor(config, agent.email)));
  if (!episode) return Number.POSITIVE_INFINITY;
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
  if (episodeRecord(records, episode) === undefined) {
    const nudgeAt = rule.nudgeSeconds === undefined ? undefined : startMs + rule.nudgeSeconds * 1000;
    if (nudgeAt !== undefined && nudgeAt > nowMs) untilMs = Math.min(untilMs, nudgeAt);
    else {
      const fireAt = ceilSecond(startMs + rule.thresholdSeconds * 1000);
      if (fireAt > nowMs) untilMs = Math.min(untilMs, fireAt);
    }
  }
  return untilMs;
}
