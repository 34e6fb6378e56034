/**
 * Roll-ups, as pure functions. When one run would post more than `slack.rollup` new alerts into one
 * channel, it posts one roll-up message there instead, and from then on those alerts live in it.
 *
 * There is no roll-up record: a roll-up is its members. Each member carries `rollupId` and the
 * roll-up message's `rollupTs` (written only once that message was posted), and what Slack still
 * lacks about the roll-up is derived from its members every run, exactly as for a per-episode alert
 * (see delivery.ts): a member not yet in the thread's complete list, an escalation or a resolve not
 * yet shown. A roll-up whose post failed has no members yet: its alerts are simply pending posts
 * again on the next run. Claims stay per record (conditional writes), so overlapping runs split the
 * work between them and never post one alert twice.
 */
import type { AlertRecord } from "./alert.js";
import { type SlackAction, slackActionFor } from "./delivery.js";

/** How many agents the roll-up message lists itself; the rest only in its thread. */
export const ROLLUP_TOP_LINES = 40;

/** What one run does for one roll-up (a new one, or one posted by an earlier run). */
export interface RollupWork {
  id: string;
  channel: string;
  /** The roll-up message, once posted; undefined: post it now. */
  ts?: string;
  /** Every member as it stands after this run's decisions (ended ones too), in display order. */
  members: AlertRecord[];
  /** Members the thread's complete list still lacks (all of them for a new roll-up). */
  unlisted: AlertRecord[];
  /** Members whose escalation the roll-up does not show yet: one grouped reply. */
  escalated: AlertRecord[];
  /** Members whose end the roll-up does not show yet: one grouped reply and the message updated. */
  resolved: AlertRecord[];
  /** Members this run reminded of: one grouped reply. */
  reminded: AlertRecord[];
}

/** What went through for one roll-up; anything not done stays pending in its members. */
export interface RollupOutcome {
  /** The roll-up message's ts and channel, once posted (for a new roll-up: the new ones). */
  ts?: string;
  channel?: string;
  /** Ids of the members now in the thread's complete list. */
  listed: string[];
  /** The message shows every member's current state, and the escalation reply went out. */
  escalationShown: boolean;
  /** The message shows every member's current state, and the resolve reply went out. */
  resolveShown: boolean;
  error?: string;
  transient?: boolean;
}

export interface SlackPlan {
  /** Per-episode work, as delivery.ts decides it (roll-up members never get any). */
  actions: SlackAction[];
  rollups: RollupWork[];
}

/** Display order: who has been stuck longest first, then by name (stable across runs). */
export function byDisplayOrder(a: AlertRecord, b: AlertRecord): number {
  return a.sinceMs - b.sinceMs || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/** A roll-up's id: its first member's alert id, so two runs' roll-ups (disjoint members) never share one. */
export function rollupIdFor(members: readonly AlertRecord[]): string {
  const first = [...members].sort(byDisplayOrder)[0];
  return `rollup#${first?.id ?? "empty"}`;
}

/**
 * The Slack work a run has, given every record it holds (after its own writes), the ids it reminded
 * of, and `rollup` (more new alerts than this in one channel: a roll-up; 0: never).
 */
/** A member of a posted roll-up: its Slack work is the roll-up's, never a message of its own. */
export function isRollupMember(record: AlertRecord): boolean {
  return record.rollupId !== undefined && record.rollupTs !== undefined && record.channel !== undefined;
}

/** An open member whose escalation the roll-up does not show yet. */
function escalationUnshown(r: AlertRecord): boolean {
  return r.state === "open" && r.severity === "critical" && r.notifiedSeverity !== "critical";
}

/** A member whose end the roll-up does not show yet. */
function resolveUnshown(r: AlertRecord): boolean {
  return r.state === "resolved" && !r.resolveNotified;
}

/**
 * Does Slack still owe this record something, leaving aside a reminder the current run decides?
 * True exactly when planSlack gives it work of its own, or gives its roll-up work because of it. A
 * run's plan needs only these, what it wrote, and their roll-ups' members (live-records.ts).
 */
export function owesSlack(record: AlertRecord): boolean {
  if (isRollupMember(record))
    return !record.rollupListed || escalationUnshown(record) || resolveUnshown(record);
  return slackActionFor(record, false) !== undefined;
}

export function planSlack(
  records: readonly AlertRecord[],
  reminded: ReadonlySet<string>,
  rollup: number,
): SlackPlan {
  const actions: SlackAction[] = [];
  const postsByChannel = new Map<string, SlackAction[]>();
  const members = new Map<string, AlertRecord[]>();
  for (const record of records) {
    if (isRollupMember(record)) {
      const id = record.rollupId as string;
      const list = members.get(id);
      if (list) list.push(record);
      else members.set(id, [record]);
      continue;
    }
    const action = slackActionFor(record, reminded.has(record.id));
    if (!action) continue;
    if (action.kind === "post" && record.channel !== undefined) {
      const list = postsByChannel.get(record.channel);
      if (list) list.push(action);
      else postsByChannel.set(record.channel, [action]);
    } else {
      actions.push(action);
    }
  }

  const rollups: RollupWork[] = [];
  for (const [channel, posts] of postsByChannel) {
    if (rollup <= 0 || posts.length <= rollup) {
      actions.push(...posts);
      continue;
    }
    const list = posts.map((p) => p.record).sort(byDisplayOrder);
    rollups.push({
      id: rollupIdFor(list),
      channel,
      members: list,
      unlisted: list,
      escalated: [],
      resolved: [],
      reminded: [],
    });
  }
  for (const [id, list] of members) {
    list.sort(byDisplayOrder);
    const first = list[0] as AlertRecord;
    const work: RollupWork = {
      id,
      channel: first.channel as string,
      ts: first.rollupTs as string,
      members: list,
      unlisted: list.filter((r) => !r.rollupListed),
      escalated: list.filter(escalationUnshown),
      resolved: list.filter(resolveUnshown),
      reminded: [],
    };
    // An escalation stands for a reminder in the same run, as it does for a per-episode alert.
    const escalating = new Set(work.escalated.map((r) => r.id));
    work.reminded = list.filter((r) => r.state === "open" && reminded.has(r.id) && !escalating.has(r.id));
    if (hasWork(work)) rollups.push(work);
  }
  return { actions, rollups };
}

export function hasWork(work: RollupWork): boolean {
  return (
    work.ts === undefined ||
    work.unlisted.length > 0 ||
    work.escalated.length > 0 ||
    work.resolved.length > 0 ||
    work.reminded.length > 0
  );
}

/** The members this work changes in state (what a run must own, or claim, before posting). */
export function membersToWrite(work: RollupWork): AlertRecord[] {
  if (work.ts === undefined) return work.members;
  const ids = new Set([...work.unlisted, ...work.escalated, ...work.resolved].map((r) => r.id));
  return work.members.filter((r) => ids.has(r.id));
}

/** The work restricted to the members this run holds (claimed or written by it): the rest is another run's. */
export function restrictTo(work: RollupWork, held: ReadonlySet<string>): RollupWork {
  const keep = (list: AlertRecord[]) => list.filter((r) => held.has(r.id));
  const members = work.ts === undefined ? keep(work.members) : work.members;
  return {
    ...work,
    // A new roll-up is named after the members it really gets.
    id: work.ts === undefined ? rollupIdFor(members) : work.id,
    members,
    unlisted: keep(work.unlisted),
    escalated: keep(work.escalated),
    resolved: keep(work.resolved),
    reminded: keep(work.reminded),
  };
}

/**
 * The member records once `outcome` went through (version bumped), only those that changed.
 * `current` are the records as this run holds them (claimed versions), by id.
 */
export function afterRollup(
  work: RollupWork,
  outcome: RollupOutcome,
  current: ReadonlyMap<string, AlertRecord>,
): Array<{ record: AlertRecord; expectedVersion: number }> {
  const listed = new Set(outcome.listed);
  const out: Array<{ record: AlertRecord; expectedVersion: number }> = [];
  const posted = work.ts === undefined && outcome.ts !== undefined;
  if (work.ts === undefined && !posted) return out;
  const escalated = new Set(outcome.escalationShown ? work.escalated.map((r) => r.id) : []);
  const resolved = new Set(outcome.resolveShown ? work.resolved.map((r) => r.id) : []);
  for (const member of membersToWrite(work)) {
    const record = current.get(member.id) ?? member;
    // The write that records the roll-up's send also ends the member's lease.
    const { lease: _ended, ...rest } = record;
    const next: AlertRecord = { ...rest, version: record.version + 1 };
    let changed = false;
    if (posted) {
      next.rollupId = work.id;
      next.rollupTs = outcome.ts as string;
      next.channel = outcome.channel ?? work.channel;
      next.notifiedSeverity = record.severity;
      if (record.state === "resolved") next.resolveNotified = true;
      changed = true;
    }
    if (listed.has(record.id) && !record.rollupListed) {
      next.rollupListed = true;
      changed = true;
    }
    if (escalated.has(record.id)) {
      next.notifiedSeverity = "critical";
      changed = true;
    }
    if (resolved.has(record.id)) {
      next.resolveNotified = true;
      changed = true;
    }
    if (changed) out.push({ record: next, expectedVersion: record.version });
  }
  return out;
}

export interface RollupCounts {
  total: number;
  firing: number;
  critical: number;
  /** Per rule, in order of first appearance: [rule name, alerts]. */
  byRule: Array<[string, number]>;
}

export function rollupCounts(members: readonly AlertRecord[]): RollupCounts {
  const byRule = new Map<string, number>();
  let firing = 0;
  let critical = 0;
  for (const m of members) {
    byRule.set(m.ruleName, (byRule.get(m.ruleName) ?? 0) + 1);
    if (m.state === "open") firing++;
    if (m.severity === "critical") critical++;
  }
  return { total: members.length, firing, critical, byRule: [...byRule] };
}
