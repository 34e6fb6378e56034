/**
 * One per-episode alert's Slack work: the top message posted, or updated in place (escalation,
 * resolve, a Slack action), and the reply in its thread (reminder, escalation, resolve, action).
 */
import type { SlackAction } from "../../domain/delivery.js";
import type { DeliveryResult } from "../../ports.js";
import { postArgs, updateArgs } from "./message-payload.js";
import { type RenderOptions, renderSlackAction } from "./messages.js";
import type { CallContext, SlackCaller } from "./slack-caller.js";
import type { SlackDirectory } from "./slack-directory.js";

export interface AlertDeliveryDeps {
  caller: SlackCaller;
  directory: SlackDirectory;
  /** @mention the agent in the live top message (found by e-mail). */
  mentionAgents: boolean;
}

/** What a warning about this action names. */
export function contextOf(action: SlackAction): CallContext {
  return { kind: action.kind, alertId: action.record.id };
}

export async function deliverAlert(
  action: SlackAction,
  options: RenderOptions,
  deadline: number,
  deps: AlertDeliveryDeps,
): Promise<DeliveryResult> {
  const { kind, record } = action;
  const { caller } = deps;
  const context = contextOf(action);
  const channel = record.channel;
  if (channel === undefined) return { ok: false, error: "no_channel" };

  // The agent mention lives in the live top message, so it is needed whenever that is (re)written.
  let rendering = options;
  if (deps.mentionAgents && record.state === "open" && kind !== "remind") {
    const userId = await deps.directory.userId(record.email, deadline);
    if (userId) rendering = { ...options, agentMention: `<@${userId}>` };
  }
  const rendered = renderSlackAction(kind, record, rendering);

  if (kind === "post") {
    if (!rendered.top) return { ok: false, error: "nothing_to_send" };
    const posted = await caller.sendMessage(
      "chat.postMessage",
      postArgs(channel, rendered.top),
      deadline,
      context,
    );
    if (!posted.ok) return caller.failed(posted.failure);
    const ts = posted.result.ts;
    if (typeof ts !== "string") return { ok: false, error: "no_ts_in_response" };
    const postedChannel = posted.result.channel;
    return { ok: true, ts, channel: typeof postedChannel === "string" ? postedChannel : channel };
  }

  const ts = record.slackTs;
  if (ts === undefined) return { ok: false, error: "not_posted" };
  const done: DeliveryResult = { ok: true, ts, channel };

  // Update first, reply second: if the reply then fails, the next run repeats an idempotent update
  // and the reply, so nothing is lost and nothing is posted twice.
  if (rendered.top) {
    const updated = await caller.sendMessage(
      "chat.update",
      updateArgs(channel, ts, rendered.top),
      deadline,
      context,
    );
    if (!updated.ok) {
      if (kind === "resolve" && updated.failure.error === "message_not_found") {
        // Someone deleted the alert: there is nothing left to update or reply to; retrying forever helps no one.
        caller.warn("slack alert message is gone; resolve not shown", context, {
          error: "message_not_found",
        });
        return done;
      }
      return caller.failed(updated.failure);
    }
  }
  if (rendered.reply) {
    const replied = await caller.sendMessage(
      "chat.postMessage",
      postArgs(channel, rendered.reply, ts),
      deadline,
      context,
    );
    if (!replied.ok) return caller.failed(replied.failure);
  }
  return done;
}
