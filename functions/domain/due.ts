/**
 * Due instants: when an agent's episode next needs a decision. Each episode's next moments are known
 * from the timeline already read — its nudge at start + `nudge`, its alert at start + `threshold`,
 * its escalation at start + `critical`, a reminder at its next `repeat`, the end of a snooze — so a
 * run can ask for just that agent again at that instant instead of waiting for the next read.
 * Pure: the lifecycle's own rules (lifecycle.ts, actions.ts) decide what happens at the instant.
 */
import { disposition, reminderBaseMs } from "./actions.js";
import type { Agent } from "./agent.js";
import type { AlertRecord } from "./alert.js";
import type { AppConfig } from "./config.js";
import { currentEpisode, EPISODE_GAP_MS, type Episode } from "./episodes.js";
import { rulesFor, teamFor } from "./rules.js";

export type DueKind = "nudge" | "fire" | "escalate" | "remind" | "snooze-end" | "resolve-watch";

export interface DueCheck {
  userId: string;
  email: string;
  /** The agent's own instant (UTC ms, on a whole second, never before the moment it stands for). */
  atMs: number;
  kind: DueKind;
  /**
   * The agent's live records when the re-check was scheduled: the due run reads just those (by id),
   * not every live record. Absent (an older message): the due run loads every live record.
   */
  recordIds?: string[];
}

/** An open alert is looked at again within this long, so its resolve is never later than that. */
export const RESOLVE_WATCH_MS = 60_000;
/** Agents a re-check reads by e-mail in one request (the API's page size cap). */
export const DUE_AGENTS_PER_REQUEST = 50;

/** Rounded up to the whole second: a re-check is never early. */
export const ceilSecond = (ms: number) => Math.ceil(ms / 1000) * 1000;

/** The summary's `at`: UTC ISO to the second, as `2023-03-10T16:22:42Z`. */
export function dueInstantIso(atMs: number): string {
  return new Date(atMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Does `record` stand for `episode` (the same rule, the same start)? */
export function sameEpisode(record: AlertRecord, episode: Episode): boolean {
  return (
    record.ruleKey === episode.rule.key &&
    (Math.abs(episode.startMs - record.sinceMs) <= EPISODE_GAP_MS || !episode.startIsKnown)
  );
}

/**
 * The agent's next due instant after `nowMs`, from its timeline and its records as they stand after
 * this run's decisions; undefined when nothing is ahead (not in a matching episode, excused, ...).
 */
export function nextDue(
  agent: Agent,
  records: readonly AlertRecord[],
  config: AppConfig,
  nowMs: number,
): DueCheck | undefined {
  return withWatch(momentAhead(agent, records, config, nowMs), agent, nowMs);
}

/**
 * What lies ahead of an agent, the resolve watch apart: its next moment that does something, and
 * whether it is watched (its episode's record is open). The moment stays what it is until it comes
 * or the records change; the watch moves with the clock (withWatch puts the two together).
 */
export interface MomentAhead {
  moment: DueCheck | undefined;
  watched: boolean;
}

const NOTHING_AHEAD: MomentAhead = Object.freeze({ moment: undefined, watched: false });

export function momentAhead(
  agent: Agent,
  records: readonly AlertRecord[],
  config: AppConfig,
  nowMs: number,
): MomentAhead {
  const episode = currentEpisode(agent.segments, rulesFor(config, teamFor(config, agent.email)));
  if (!episode) return NOTHING_AHEAD;
  const record = episodeRecord(records, episode);
  // The candidates are offered one by one, in order, to one best-so-far (no list of them: an open
  // alert is looked at every minute).
  const best: Best = { atMs: 0, kind: undefined, nowMs };
  if (record) recordCandidates(record, nowMs, best);
  else episodeCandidates(episode, nowMs, best);
  const moment =
    best.kind === undefined
      ? undefined
      : { userId: agent.userId, email: agent.email, atMs: best.atMs, kind: best.kind };
  return { moment, watched: record?.state === "open" };
}

/**
 * The next due instant at `nowMs`: a watched agent's resolve watch a minute ahead, unless its moment
 * comes first or at the same second (the moment that does something beats the watch).
 */
export function withWatch(ahead: MomentAhead, agent: Agent, nowMs: number): DueCheck | undefined {
  const { moment } = ahead;
  if (!ahead.watched) return moment;
  const watchAt = ceilSecond(nowMs + RESOLVE_WATCH_MS);
  if (moment !== undefined && moment.atMs <= watchAt) return moment;
  return { userId: agent.userId, email: agent.email, atMs: watchAt, kind: "resolve-watch" };
}

/** The earliest candidate so far (`kind` undefined: none yet). */
interface Best {
  atMs: number;
  kind: DueKind | undefined;
  nowMs: number;
}

function offer(best: Best, candidateMs: number, kind: DueKind): void {
  const atMs = ceilSecond(candidateMs);
  if (atMs <= best.nowMs) return;
  // Earliest first (the first offered at the same instant).
  if (best.kind === undefined || atMs < best.atMs) {
    best.atMs = atMs;
    best.kind = kind;
  }
}

/**
 * The record that stands for the episode, if any (an indexed loop: a store may hand out a frozen
 * list, which V8's find walks many times slower).
 */
export function episodeRecord(records: readonly AlertRecord[], episode: Episode): AlertRecord | undefined {
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as AlertRecord;
    if (
      (r.state === "open" || r.state === "nudged" || r.state === "averted" || r.state === "resolved") &&
      sameEpisode(r, episode)
    )
      return r;
  }
  return undefined;
}

/** An episode with no record yet: its nudge, else its alert. */
function episodeCandidates(episode: Episode, nowMs: number, best: Best): void {
  const { rule, startMs } = episode;
  const nudgeAt = rule.nudgeSeconds === undefined ? undefined : startMs + rule.nudgeSeconds * 1000;
  if (nudgeAt !== undefined && nudgeAt > nowMs) offer(best, nudgeAt, "nudge");
  else offer(best, startMs + rule.thresholdSeconds * 1000, "fire");
}

function recordCandidates(record: AlertRecord, nowMs: number, best: Best): void {
  if (record.state === "nudged") {
    offer(best, record.sinceMs + record.thresholdSeconds * 1000, "fire");
    return;
  }
  // An open record is also watched (momentAhead, withWatch).
  if (record.state !== "open") return;
  const said = disposition(record, nowMs);
  if (said.kind === "excused") return;
  const snoozedUntil = said.kind === "snoozed" && said.active ? said.untilMs : undefined;
  if (record.severity === "warning" && record.criticalSeconds !== undefined) {
    const escalateAt = record.sinceMs + record.criticalSeconds * 1000;
    // Not before a snooze ends: the first run at or after its end makes an escalation that fell due.
    if (snoozedUntil !== undefined && snoozedUntil > escalateAt) offer(best, snoozedUntil, "snooze-end");
    else offer(best, escalateAt, "escalate");
  }
  if (record.repeatSeconds !== undefined && said.kind !== "acknowledged") {
    // The lifecycle's own count: the next reminder slot after those already covered.
    const base = reminderBaseMs(record, nowMs);
    const slot = (record.remindedSlots ?? 0) + 1;
    offer(best, base + slot * record.repeatSeconds * 1000, "remind");
  }
}

/** Re-checks that share one request: due within `precision` of the group's first, 50 agents at most. */
export interface DueGroup {
  /** When the group's request goes: its last agent's instant, so no agent is read before its own. */
  atMs: number;
  agents: DueCheck[];
}

/** Sorted by instant (then user id), grouped by `precisionMs` and `perRequest` agents. */
export function groupDue(
  dues: readonly DueCheck[],
  precisionMs: number,
  perRequest = DUE_AGENTS_PER_REQUEST,
): DueGroup[] {
  const sorted = sortDue(dues);
  const groups: DueGroup[] = [];
  let current: DueGroup | undefined;
  let startMs = 0;
  for (const due of sorted) {
    if (!current || due.atMs - startMs > precisionMs || current.agents.length >= perRequest) {
      current = { atMs: due.atMs, agents: [] };
      startMs = due.atMs;
      groups.push(current);
    }
    current.agents.push(due);
    current.atMs = due.atMs;
  }
  return groups;
}

export function sortDue(dues: readonly DueCheck[]): DueCheck[] {
  return [...dues].sort(
    (a, b) => a.atMs - b.atMs || a.userId.localeCompare(b.userId) || a.kind.localeCompare(b.kind),
  );
}

/** The distinct e-mails (case-insensitive) of these groups: one re-check reads each agent once. */
export function dueEmails(groups: readonly DueGroup[]): string[] {
  const emails = new Map<string, string>();
  for (const g of groups)
    for (const a of g.agents) if (a.email !== "") emails.set(a.email.toLowerCase(), a.email);
  return [...emails.values()];
}
