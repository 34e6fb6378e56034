/**
 * Carries out one roll-up's work for a run (functions/domain/rollup.ts decides it): post the roll-up
 * and its complete list, or, for one posted before, the list's missing part, the message updated in
 * place, and one grouped reply each for escalations, resolves and reminders. Stops at the first
 * failure and says what went through; the rest stays pending in the members' records.
 */
import type { RollupOutcome, RollupWork } from "../../domain/rollup.js";
import {
  type RollupMessage,
  type RollupRenderOptions,
  type RollupReply,
  renderRollupList,
  renderRollupReply,
  renderRollupTop,
} from "./rollup-messages.js";

export type SendResult =
  | { ok: true; ts: string; channel: string }
  | { ok: false; error: string; transient?: boolean };

/** What the roll-up needs of Slack: paced, bounded posts and updates (SlackNotifier). */
export interface RollupSender {
  post(channel: string, message: RollupMessage, threadTs?: string): Promise<SendResult>;
  update(channel: string, ts: string, message: RollupMessage): Promise<SendResult>;
}

export async function deliverRollup(
  work: RollupWork,
  sender: RollupSender,
  options: RollupRenderOptions,
): Promise<RollupOutcome> {
  const outcome: RollupOutcome = { listed: [], escalationShown: false, resolveShown: false };
  const failed = (result: { error: string; transient?: boolean }): RollupOutcome => ({
    ...outcome,
    error: result.error,
    ...(result.transient ? { transient: true } : {}),
  });

  let channel = work.channel;
  let ts = work.ts;
  if (ts === undefined) {
    const posted = await sender.post(channel, renderRollupTop(work.id, work.members, options));
    if (!posted.ok) return failed(posted);
    ts = posted.ts;
    channel = posted.channel;
  }
  outcome.ts = ts;
  outcome.channel = channel;

  const replies = async (list: RollupReply[], onEach?: (reply: RollupReply) => void) => {
    for (const reply of list) {
      const sent = await sender.post(channel, reply.message, ts);
      if (!sent.ok) return sent;
      onEach?.(reply);
    }
    return undefined;
  };

  if (work.unlisted.length > 0) {
    const error = await replies(renderRollupList(work.unlisted, work.members, options), (reply) =>
      outcome.listed.push(...reply.records.map((r) => r.id)),
    );
    if (error) return failed(error);
  }

  if (work.ts !== undefined && (work.escalated.length > 0 || work.resolved.length > 0)) {
    // Update first, reply second: a failed reply repeats an idempotent update next run, nothing twice.
    const updated = await sender.update(channel, ts, renderRollupTop(work.id, work.members, options));
    // A deleted roll-up cannot be updated, ever: its replies still say what happened.
    if (!updated.ok && updated.error !== "message_not_found") return failed(updated);
  }
  if (work.escalated.length > 0) {
    const error = await replies(renderRollupReply("escalate", work.escalated, work.members, options));
    if (error) return failed(error);
    outcome.escalationShown = true;
  }
  if (work.resolved.length > 0) {
    // Excused episodes end quietly: the updated message shows them, the thread is not told.
    const told = work.resolved.filter((r) => r.excusedBy === undefined);
    if (told.length > 0) {
      const error = await replies(renderRollupReply("resolve", told, work.members, options));
      if (error) return failed(error);
    }
    outcome.resolveShown = true;
  }
  if (work.reminded.length > 0) {
    // A reminder is not retried (as for a per-episode alert): the next one falls due anyway.
    const error = await replies(renderRollupReply("remind", work.reminded, work.members, options));
    if (error) return failed(error);
  }
  return outcome;
}
