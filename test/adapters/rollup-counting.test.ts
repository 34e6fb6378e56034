/**
 * A roll-up delivered to a sender that only counts (the replay's CountingNotifier): the same posts
 * and updates, in the same places, as to a sender that reads what it is handed, the same thread
 * parts; only the roll-up message itself, which lists every member, goes unrendered. And the
 * CountingNotifier counts a roll-up's messages from that delivery.
 */
import { describe, expect, it } from "vitest";
import { CountingNotifier } from "../../functions/adapters/slack/counting-notifier.js";
import { deliverRollup, type RollupSender } from "../../functions/adapters/slack/rollup-delivery.js";
import type { RollupMessage } from "../../functions/adapters/slack/rollup-messages.js";
import type { RollupWork } from "../../functions/domain/rollup.js";
import { CHANNEL, MIN, rollupMember, SINCE, ZONE } from "../fixtures/lunch-alert.js";

interface Sent {
  call: "post" | "update";
  channel: string;
  threadTs: string | undefined;
  message: RollupMessage;
}

/** A sender that keeps what it is handed and answers ok (a posted roll-up's ts is "100.1"). */
function recordingSender(countsOnly: boolean): { sender: RollupSender; sent: Sent[] } {
  const sent: Sent[] = [];
  let n = 0;
  const sender: RollupSender = {
    countsOnly,
    post: async (channel, message, threadTs) => {
      sent.push({ call: "post", channel, threadTs, message });
      n++;
      return { ok: true, ts: threadTs === undefined ? "100.1" : `100.${n + 1}`, channel };
    },
    update: async (channel, ts, message) => {
      sent.push({ call: "update", channel, threadTs: ts, message });
      return { ok: true, ts, channel };
    },
  };
  return { sender, sent };
}

const options = { timezone: ZONE, nowMs: SINCE + 40 * MIN };

/** A new roll-up of 120 members, then a run in which 30 of them are over and 10 escalated. */
function works(): [RollupWork, RollupWork] {
  const open = Array.from({ length: 120 }, (_, i) => rollupMember(i + 1));
  const first: RollupWork = {
    id: "rollup#u-1",
    channel: CHANNEL,
    members: open,
    unlisted: open,
    escalated: [],
    resolved: [],
    reminded: [],
  };
  const members = open.map((m, i) =>
    i < 30
      ? { ...m, state: "resolved" as const, endedMs: SINCE + 35 * MIN }
      : i < 40
        ? { ...m, severity: "critical" as const }
        : m,
  );
  const later: RollupWork = {
    ...first,
    ts: "100.1",
    members,
    unlisted: [],
    escalated: members.slice(30, 40),
    resolved: members.slice(0, 30),
  };
  return [first, later];
}

describe("a roll-up delivered to a sender that only counts", () => {
  it("makes the same calls with the same thread parts; the roll-up message alone is not rendered", async () => {
    // Prepare
    const reading = recordingSender(false);
    const counting = recordingSender(true);
    // Act
    for (const work of works()) {
      await deliverRollup(work, reading.sender, options);
      await deliverRollup(work, counting.sender, options);
    }
    // Assess
    const where = (s: Sent) => ({ call: s.call, channel: s.channel, threadTs: s.threadTs });
    expect(counting.sent.map(where)).toEqual(reading.sent.map(where));
    // The post, the list in parts, the update, an escalation and a resolve reply.
    expect(reading.sent.filter((s) => s.call === "update")).toHaveLength(1);
    expect(reading.sent.length).toBeGreaterThanOrEqual(5);
    reading.sent.forEach((s, i) => {
      const counted = counting.sent[i] as Sent;
      const isRollupMessage = s.threadTs === undefined || s.call === "update";
      if (isRollupMessage) {
        expect(s.message.text).toMatch(/still firing|agents/);
        expect(counted.message).toEqual({ text: "", blocks: [] });
      } else expect(counted.message).toEqual(s.message);
    });
  });

  it("the CountingNotifier counts one roll-up, its top-level message and every reply", async () => {
    const [first, later] = works();
    const reading = recordingSender(false);
    await deliverRollup(first, reading.sender, options);
    await deliverRollup(later, reading.sender, options);
    const counter = new CountingNotifier(ZONE, () => options.nowMs);
    await counter.deliverRollup(first);
    await counter.deliverRollup(later);
    const posts = reading.sent.filter((s) => s.call === "post");
    expect(counter.channels.get(CHANNEL)).toEqual({
      topLevel: 1,
      rollups: 1,
      replies: posts.length - 1,
    });
  });
});
