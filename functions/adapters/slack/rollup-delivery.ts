/**
 * Carries out one roll-up's work for a run (functions/domain/rollup.ts decides it): post the roll-up
 * and its complete list, or, for one posted before, the list's missing part, the message updated in
 * place, and one grouped reply each for escalations, resolves and reminders.
 *
 * A transient failure (Slack unreachable, rate limited past the bound, out of time) stops the
 * roll-up's turn: the rest stays pending in the members' records for the next run. A part Slack
 * refuses for good (after the sender's plain-text fallback) holds back nothing else: that part
 * stays pending, the others go out, and the outcome names the refusal.
 */
import type { AlertRecord } from "../../domain/alert.js";
import type { RollupOutcome, RollupWork } from "../../domain/rollup.js";
import type { DeliveryResult } from "../../ports.js";
import {
  type RollupMessage,
  type RollupRenderOptions,
  type RollupReply,
  renderRollupAcknowledged,
  renderRollupList,
  renderRollupReply,
  renderRollupTop,
} from "./rollup-messages.js";

export type SendResult =
  | { ok: true; ts: string; channel: string }
  | { ok: false; error: string; transient?: boolean };

type SendFailure = Extract<SendResult, { ok: false }>;

/** What the roll-up needs of Slack: paced, bounded posts and updates (SlackNotifier). */
export interface RollupSender {
  post(channel: string, message: RollupMessage, threadTs?: string): Promise<SendResult>;
  update(channel: string, ts: string, message: RollupMessage): Promise<SendResult>;
  /**
   * True for a sender that counts what it is handed and never reads the roll-up message itself (a
   * replay's). That message then goes unrendered: it lists every member, and redrawing it at each
   * update grows with the roll-up. The thread's list and replies are still rendered: how many parts
   * they take is what gets counted.
   */
  readonly countsOnly?: boolean;
}

/** What a counting sender is handed for the roll-up message (it reads none of it). */
const UNRENDERED: RollupMessage = Object.freeze({ text: "", blocks: [] });

/** Thrown inside deliverRollup to end the roll-up's turn at a transient failure. */
class Stop {
  constructor(readonly failure: SendFailure) {}
}

export async function deliverRollup(
  work: RollupWork,
  sender: RollupSender,
  options: RollupRenderOptions,
): Promise<RollupOutcome> {
  const outcome: RollupOutcome = { listed: [], escalationShown: false, resolveShown: false };
  let refused: SendFailure | undefined;
  const withError = (failure: SendFailure): RollupOutcome => ({
    ...outcome,
    error: failure.error,
    ...(failure.transient ? { transient: true } : {}),
  });

  const top = () => (sender.countsOnly ? UNRENDERED : renderRollupTop(work.id, work.members, options));
  let channel = work.channel;
  let ts = work.ts;
  if (ts === undefined) {
    const posted = await sender.post(channel, top());
    if (!posted.ok) return withError(posted);
    ts = posted.ts;
    channel = posted.channel;
  }
  outcome.ts = ts;
  outcome.channel = channel;
  const thread = ts;

  /** True when it went through; a transient failure stops the turn, a refusal is noted and passed over. */
  const went = (result: SendResult): boolean => {
    if (result.ok) return true;
    if (result.transient) throw new Stop(result);
    refused ??= result;
    return false;
  };
  /** Every reply of a list; true when all of them went through. */
  const replies = async (list: RollupReply[], onEach?: (reply: RollupReply) => void): Promise<boolean> => {
    let all = true;
    for (const reply of list) {
      if (went(await sender.post(channel, reply.message, thread))) onEach?.(reply);
      else all = false;
    }
    return all;
  };

  try {
    if (work.unlisted.length > 0)
      // Each part of the list is its own: one refused leaves only its agents unlisted (for the next run).
      await replies(renderRollupList(work.unlisted, work.members, options), (reply) =>
        outcome.listed.push(...reply.records.map((r) => r.id)),
      );

    // Update first, reply second: a failed reply repeats an idempotent update next run, nothing twice.
    let shown = true;
    if (work.ts !== undefined && (work.escalated.length > 0 || work.resolved.length > 0)) {
      const updated = await sender.update(channel, thread, top());
      // A deleted roll-up cannot be updated, ever: its replies still say what happened.
      shown = (!updated.ok && updated.error === "message_not_found") || went(updated);
    }
    // Without the update the replies wait too: the next run sends both, and the replies only once.
    if (shown && work.escalated.length > 0)
      outcome.escalationShown = await replies(
        renderRollupReply("escalate", work.escalated, work.members, options),
      );
    if (shown && work.resolved.length > 0) {
      // Excused episodes end quietly: the updated message shows them, the thread is not told.
      const told = work.resolved.filter((r) => r.excusedBy === undefined);
      outcome.resolveShown =
        told.length === 0 || (await replies(renderRollupReply("resolve", told, work.members, options)));
    }
    // A reminder is not retried (as for a per-episode alert): the next one falls due anyway.
    if (work.reminded.length > 0)
      await replies(renderRollupReply("remind", work.reminded, work.members, options));
  } catch (error) {
    if (error instanceof Stop) return withError(error.failure);
    throw error;
  }
  return refused === undefined ? outcome : withError(refused);
}

/**
 * After `Acknowledge all`: the roll-up message redrawn from its members as they now stand, and a
 * reply in its thread naming who acknowledged how many.
 */
export async function acknowledgeRollup(
  sender: RollupSender,
  rollup: { id: string; channel: string; ts: string; members: AlertRecord[] },
  by: string,
  count: number,
  options: RollupRenderOptions,
): Promise<DeliveryResult> {
  const failed = (result: SendFailure): DeliveryResult => ({
    ok: false,
    error: result.error,
    ...(result.transient ? { transient: true } : {}),
  });
  const updated = await sender.update(
    rollup.channel,
    rollup.ts,
    renderRollupTop(rollup.id, rollup.members, options),
  );
  if (!updated.ok) return failed(updated);
  const replied = await sender.post(rollup.channel, renderRollupAcknowledged(by, count), rollup.ts);
  if (!replied.ok) return failed(replied);
  return { ok: true, ts: rollup.ts, channel: rollup.channel };
}
