/**
 * Acknowledge all, kept in one write. A roll-up of 1,000 agents is 1,000 conditional writes, more than
 * fit in Slack's 3 s on every store; so the click writes the acknowledgement onto the first member it
 * acknowledges (`rollupAck` on that record), then as many other members as its time allows, and
 * answers. What it did not reach is owed: every reader applies the intent to the members that do not
 * carry it yet (so no reminder or escalation goes out for them), and the next run writes them, each
 * with its own conditional write and event.
 */
import { type AlertActionRequest, applyAction } from "./actions.js";
import type { AlertRecord, Transition } from "./alert.js";

/** Who acknowledged the whole roll-up, when, and the click's key (a replay of it changes nothing). */
export interface RollupAck {
  by: string;
  atMs: number;
  key?: string;
}

export function rollupAckRequest(ack: RollupAck): AlertActionRequest {
  return ack.key === undefined
    ? { kind: "acknowledge", by: ack.by, nowMs: ack.atMs }
    : { kind: "acknowledge", by: ack.by, nowMs: ack.atMs, key: ack.key };
}

/** A member acknowledged by its roll-up's intent: the record to write over `before`, and its transition. */
export interface OwedAck {
  before: AlertRecord;
  record: AlertRecord;
  transition: Transition;
}

/**
 * The member as Acknowledge all leaves it: acknowledged, version bumped, and without `actionPending`
 * (the roll-up message shows it; a member has no message of its own to redraw). Undefined when the
 * member takes no acknowledgement (over, excused, acknowledged already, or this very click again).
 */
export function acknowledgedMember(
  member: AlertRecord,
  request: AlertActionRequest,
): { record: AlertRecord; transition: Transition } | { refused: string } {
  const outcome = applyAction(member, request);
  if (!outcome.ok) return { refused: outcome.reason };
  const { actionPending: _shownByTheRollup, ...record } = outcome.record;
  return { record, transition: outcome.transition };
}

/**
 * Every member of a roll-up acknowledged as a whole that does not carry the acknowledgement yet: open,
 * fired before the click, not excused or acknowledged since. Several intents on one roll-up (two
 * clicks racing): the earliest stands.
 */
export function owedRollupAcks(records: readonly AlertRecord[]): OwedAck[] {
  const intents = new Map<string, RollupAck>();
  for (const r of records) {
    if (r.rollupAck === undefined || r.rollupId === undefined) continue;
    const held = intents.get(r.rollupId);
    if (held === undefined || r.rollupAck.atMs < held.atMs) intents.set(r.rollupId, r.rollupAck);
  }
  if (intents.size === 0) return [];
  const owed: OwedAck[] = [];
  for (const member of records) {
    const ack = member.rollupId === undefined ? undefined : intents.get(member.rollupId);
    if (ack === undefined || member.state !== "open" || member.firedMs > ack.atMs) continue;
    const done = acknowledgedMember(member, rollupAckRequest(ack));
    if ("record" in done) owed.push({ before: member, ...done });
  }
  return owed;
}

/** The records as a reader must take them: the members an Acknowledge all owes, acknowledged. */
export function withRollupAcks(records: AlertRecord[]): AlertRecord[] {
  const owed = owedRollupAcks(records);
  if (owed.length === 0) return records;
  const byId = new Map(owed.map((o) => [o.before.id, o.record]));
  return records.map((r) => byId.get(r.id) ?? r);
}
