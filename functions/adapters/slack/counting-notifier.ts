/**
 * A Slack notifier that sends nothing and counts what a real one would send: per channel, top-level
 * messages (alerts, roll-ups) and thread replies (reminders, escalations, resolves, roll-up lists and
 * grouped replies); the nudges' direct messages apart. Whether an update also replies in the thread
 * is what the real renderer decides (messages.ts: `hasReply`, which renderSlackAction itself follows;
 * the text is not rendered, as nothing reads it), and roll-ups go through the real delivery (as a
 * `countsOnly` sender: their thread's parts rendered, for how many there are, the roll-up message
 * itself not), so a count is exactly what would have been posted.
 * Used by `replay`.
 */
import type { SlackAction } from "../../domain/delivery.js";
import type { ChannelMessages } from "../../domain/replay.js";
import type { RollupOutcome, RollupWork } from "../../domain/rollup.js";
import type { AlertNotifier, DeliveryResult } from "../../ports.js";
import { hasReply } from "./messages.js";
import { deliverRollup, type RollupSender, type SendResult } from "./rollup-delivery.js";

export class CountingNotifier implements AlertNotifier {
  /** By channel ("" for an alert without one). */
  readonly channels = new Map<string, ChannelMessages>();
  /** Nudges' direct messages. */
  directMessages = 0;
  #ts = 0;

  constructor(
    private readonly timezone: string,
    private readonly clock: () => number,
  ) {}

  #of(channel: string): ChannelMessages {
    let counts = this.channels.get(channel);
    if (!counts) {
      counts = { topLevel: 0, replies: 0, rollups: 0 };
      this.channels.set(channel, counts);
    }
    return counts;
  }

  #nextTs(): string {
    this.#ts++;
    return `${Math.floor(this.clock() / 1000)}.${String(this.#ts).padStart(6, "0")}`;
  }

  async deliver(action: SlackAction): Promise<DeliveryResult> {
    const { record } = action;
    // A nudge is one direct message and a post one top-level message whatever they say; whether an
    // update also replies in the thread is the renderer's hasReply, which its rendering follows.
    if (action.kind === "nudge") {
      this.directMessages++;
      return { ok: true, nudge: "sent" };
    }
    const channel = record.channel ?? "";
    const counts = this.#of(channel);
    if (action.kind === "post") {
      counts.topLevel++;
      return { ok: true, ts: this.#nextTs(), channel };
    }
    if (hasReply(action.kind, record)) counts.replies++;
    return { ok: true, ts: record.slackTs ?? this.#nextTs(), channel };
  }

  deliverRollup(work: RollupWork): Promise<RollupOutcome> {
    const counts = this.#of(work.channel);
    const sender: RollupSender = {
      countsOnly: true,
      post: async (channel, _message, threadTs): Promise<SendResult> => {
        if (threadTs === undefined) {
          counts.topLevel++;
          counts.rollups++;
        } else counts.replies++;
        return { ok: true, ts: threadTs ?? this.#nextTs(), channel };
      },
      update: async (channel, ts): Promise<SendResult> => ({ ok: true, ts, channel }),
    };
    return deliverRollup(work, sender, { timezone: this.timezone, nowMs: this.clock() });
  }
}
