/**
 * The agent's nudge: a direct message from the bot (users.lookupByEmail, conversations.open,
 * chat.postMessage) before any supervisor is told. An agent without a Slack account is skipped, and
 * that is an answer, not a failure.
 */
import type { SlackAction } from "../../domain/delivery.js";
import type { DeliveryResult } from "../../ports.js";
import { contextOf } from "./alert-delivery.js";
import { postArgs } from "./message-payload.js";
import { type RenderOptions, renderNudge } from "./messages.js";
import { field, type SlackCaller } from "./slack-caller.js";
import type { SlackDirectory } from "./slack-directory.js";

export async function deliverNudge(
  action: SlackAction,
  options: RenderOptions,
  deadline: number,
  deps: { caller: SlackCaller; directory: SlackDirectory },
): Promise<DeliveryResult> {
  const { record } = action;
  const { caller, directory } = deps;
  const context = contextOf(action);
  const userId = await directory.userId(record.email, deadline);
  if (userId === null) {
    // A transient lookup failure is not cached: try again next run rather than skip the agent.
    if (!directory.knows(record.email)) return { ok: false, error: "lookup_failed", transient: true };
    return { ok: true, nudge: "not-in-slack" };
  }
  const opened = await caller.call("conversations.open", { users: userId }, deadline, context);
  if (!opened.ok) return caller.failed(opened.failure);
  const dm = field(opened.result.channel, "id");
  if (typeof dm !== "string") return { ok: false, error: "no_channel_in_response" };
  const posted = await caller.sendMessage(
    "chat.postMessage",
    postArgs(dm, renderNudge(record, options)),
    deadline,
    context,
  );
  if (!posted.ok) return caller.failed(posted.failure);
  return { ok: true, nudge: "sent" };
}
