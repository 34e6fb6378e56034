/**
 * The board's Slack calls (the BoardPublisher port): `chat.update` of the board in place; posted
 * anew when there is none yet or Slack says it is gone (`message_not_found`, `cant_update_message`);
 * pinned on a post with `slack.pinBoard` (`pins.add`, scope pins:write). Never throws.
 */
import type { BoardModel } from "../../domain/board.js";
import type { BoardPublishResult } from "../../ports.js";
import { renderBoard } from "./board-messages.js";
import { postArgs, updateArgs } from "./message-payload.js";
import type { SlackCaller } from "./slack-caller.js";

/** Slack's answers to a chat.update of a board that is no longer there to update. */
export const BOARD_GONE: ReadonlySet<string> = new Set(["message_not_found", "cant_update_message"]);

export async function publishBoard(
  caller: SlackCaller,
  channel: string,
  model: BoardModel,
  ts: string | undefined,
  pin: boolean,
): Promise<BoardPublishResult> {
  const message = renderBoard(model);
  const context = { kind: "board", channel };
  const deadline = caller.deadlineFromNow();
  return caller.within(deadline, async (): Promise<BoardPublishResult> => {
    if (ts !== undefined) {
      const updated = await caller.sendMessage(
        "chat.update",
        updateArgs(channel, ts, message),
        deadline,
        context,
      );
      if (updated.ok) return { ok: true, ts, reposted: false };
      if (!BOARD_GONE.has(updated.failure.error)) return caller.failed(updated.failure);
      caller.warn("the board message is gone; posting it anew", context, { error: updated.failure.error });
    }
    const posted = await caller.sendMessage(
      "chat.postMessage",
      postArgs(channel, message),
      deadline,
      context,
    );
    if (!posted.ok) return caller.failed(posted.failure);
    const newTs = typeof posted.result.ts === "string" ? posted.result.ts : "";
    const answered = typeof posted.result.channel === "string" ? posted.result.channel : channel;
    const result: BoardPublishResult = { ok: true, ts: newTs, reposted: ts !== undefined };
    if (!pin) return result;
    // A pin that fails leaves the board unpinned, not lost: say so and go on.
    const pinned = await caller.call("pins.add", { channel: answered, timestamp: newTs }, deadline, context, {
      retries: 1,
      waitOutRateLimits: false,
    });
    const ok = pinned.ok || pinned.failure.error === "already_pinned";
    if (!ok && !pinned.ok) caller.warn("could not pin the board", context, { error: pinned.failure.error });
    return { ...result, pinned: ok };
  });
}
