/**
 * Every message kind we send stays inside Block Kit's limits, however long the names, statuses and
 * ids that come in: checked with the fake Slack's own limit checker (written from Slack's reference,
 * apart from the production bounding), on the renderers' output and on the Web API arguments built
 * from it. And a list never drops an agent.
 */
import { describe, expect, it } from "vitest";
import { isHashedBlockId, matchesBlockId } from "../../functions/adapters/slack/block-id.js";
import {
  blockTextLength,
  boundMessage,
  CONFIRM_TEXT_MAX,
  MESSAGE_BLOCK_TEXT_MAX,
  MESSAGE_TEXT_MAX,
  mrkdwnValue,
  shorten,
  shortenMrkdwn,
} from "../../functions/adapters/slack/bounds.js";
import { digestMessage } from "../../functions/adapters/slack/digest-messages.js";
import { plainTextArgs, postArgs, updateArgs } from "../../functions/adapters/slack/message-payload.js";
import { renderSlackAction, type SlackMessage } from "../../functions/adapters/slack/messages.js";
import {
  renderRollupAcknowledged,
  renderRollupList,
  renderRollupReply,
  renderRollupTop,
} from "../../functions/adapters/slack/rollup-messages.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import type { SlackActionKind } from "../../functions/domain/delivery.js";
import type { ChannelDigest, DayReport } from "../../functions/domain/digest.js";
import { blockKitViolations, textLength } from "../fakes/slack/block-kit-limits.js";
import { lunchAlert, MIN, SINCE, ZONE } from "../fixtures/lunch-alert.js";

/** Everything Slack would say about this message, and our own margin under its block-text limit. */
function expectWithinLimits(message: { text: string; blocks: readonly unknown[]; color?: string }) {
  expect(blockKitViolations({ text: message.text, blocks: [...message.blocks] })).toEqual([]);
  expect(blockTextLength(message.blocks)).toBeLessThanOrEqual(MESSAGE_BLOCK_TEXT_MAX);
  expect(textLength(message.blocks)).toBe(blockTextLength(message.blocks));
  expect(message.text.length).toBeLessThanOrEqual(MESSAGE_TEXT_MAX);
  // As the notifier sends it (in an attachment when coloured), new and as an update alike.
  expect(blockKitViolations(postArgs("C0123456789", message, "1.000001"))).toEqual([]);
  expect(blockKitViolations(updateArgs("C0123456789", "1.000001", message))).toEqual([]);
}

const NAME_1000 = `Bartholomew ${"Featherstonehaugh-".repeat(60)}`.slice(0, 1000);
const NAME_2201 = `Zoë ${"Ñ".repeat(2197)}`;
const LONG_USER = `u-${"7".repeat(300)}`;
const LONG_RULE = "R".repeat(100);

function longAlert(overrides: Partial<AlertRecord> = {}): AlertRecord {
  const base = lunchAlert({
    name: NAME_1000,
    userId: LONG_USER,
    ruleName: LONG_RULE,
    ruleKey: "r".repeat(100),
    primaryStatus: `AWAY ${"Q".repeat(500)}`,
    secondaryStatus: `LUNCH <&> ${"W".repeat(500)}`,
    email: `${"e".repeat(300)}@example.com`,
    escalationMention: "<!subteam^S0123456789>",
    ...overrides,
  });
  return { ...base, id: `${base.userId}#${base.ruleKey}#${new Date(SINCE).toISOString()}`, ...overrides };
}

/** Every form of a per-episode alert: live, critical, acknowledged, snoozed, excused, ended, a nudge. */
function everyAction(record: AlertRecord): SlackMessage[] {
  const at = SINCE + 40 * MIN;
  const forms: Array<[SlackActionKind, AlertRecord]> = [
    ["post", record],
    ["post", { ...record, severity: "critical" }],
    ["remind", record],
    ["escalate", { ...record, severity: "critical" }],
    ["acted", { ...record, acknowledgedBy: "U0LEAD", acknowledgedMs: at, actionPending: "acknowledged" }],
    ["acted", { ...record, snoozedBy: "U0LEAD", snoozedUntilMs: at, actionPending: "snoozed" }],
    ["acted", { ...record, excusedBy: "U0LEAD", excusedMs: at, actionPending: "excused" }],
    ["resolve", { ...record, state: "resolved", endedMs: at }],
    ["post", { ...record, state: "resolved", endedMs: at }],
    ["nudge", { ...record, state: "nudged" }],
  ];
  return forms.flatMap(([kind, r]) => {
    const rendered = renderSlackAction(kind, r, { timezone: ZONE, nowMs: at, agentMention: "<@U0PRIYA01>" });
    return [rendered.top, rendered.reply].filter((m): m is SlackMessage => m !== undefined);
  });
}

describe("bounded per-episode messages", () => {
  for (const [label, name] of [
    ["a 1,000-character name", NAME_1000],
    ["a 2,201-character name", NAME_2201],
  ] as const) {
    it(`render within every limit for ${label}, a long status, e-mail, rule and user id`, () => {
      // Prepare
      const record = longAlert({ name });

      // Act
      const messages = everyAction(record);

      // Assess
      expect(messages.length).toBeGreaterThanOrEqual(14);
      for (const message of messages) expectWithinLimits(message);
      // The name is shortened visibly, its start kept; never cut inside an escaped `<&>`.
      const top = JSON.stringify(messages[0]?.blocks);
      expect(top).toContain(`${name.slice(0, 40)}`);
      expect(top).toContain("…");
      expect(top).not.toMatch(/&(a|am|l|g)?…/);
    });
  }

  it("keeps the Excuse dialog under 300 characters and keys the actions by a hash of the long alert id", () => {
    // Prepare
    const record = longAlert({ name: NAME_2201 });
    expect(record.id.length).toBeGreaterThan(255);

    // Act
    const top = renderSlackAction("post", record, { timezone: ZONE }).top;

    // Assess
    const actions = top?.blocks.find((b) => b.type === "actions");
    if (actions?.type !== "actions") throw new Error("no actions block");
    expect(actions.block_id.length).toBeLessThanOrEqual(255);
    expect(isHashedBlockId(actions.block_id)).toBe(true);
    expect(matchesBlockId(record.id, actions.block_id)).toBe(true);
    const excuse = actions.elements.find((e) => e.action_id === "alert.excuse");
    const confirm = excuse?.type === "button" ? excuse.confirm?.text.text : undefined;
    expect(confirm?.length).toBeLessThanOrEqual(CONFIRM_TEXT_MAX);
    expect(confirm).toContain("Zoë ÑÑÑ");
    expect(confirm).toContain("no more reminders or escalation for this episode.");
  });

  it("leaves an ordinary alert as it was: the id as block_id, nothing shortened", () => {
    const top = renderSlackAction("post", lunchAlert(), { timezone: ZONE }).top as SlackMessage;
    expect(JSON.stringify(top).replaceAll("Snooze…", "")).not.toContain("…");
    expect(top.text).toContain("Priya Sharma (priya.sharma@example.com) is AWAY / LUNCH");
    expect(top.blocks.find((b) => b.type === "actions")).toMatchObject({ block_id: lunchAlert().id });
    expect(boundMessage(top)).toEqual(top);
  });
});

function member(i: number, name = `Storm${i} Agent`): AlertRecord {
  return {
    ...lunchAlert(),
    id: `u-${i}#long-break#2023-03-10T08:00:00.000Z`,
    userId: `u-${i}`,
    email: `storm${i}@example.com`,
    name,
    sinceMs: SINCE + i,
    ruleName: i % 3 === 0 ? "Stuck in BUSY" : "Long break",
  };
}

describe("bounded roll-ups", () => {
  const options = { timezone: ZONE, nowMs: SINCE + 20 * MIN };

  for (const [label, members] of [
    ["1,000 agents", Array.from({ length: 1000 }, (_, i) => member(i + 1))],
    [
      "1,000 agents with 1,000-character names",
      Array.from({ length: 1000 }, (_, i) => member(i + 1, NAME_1000)),
    ],
  ] as const) {
    it(`${label}: every message within every limit, every agent in the complete list once`, () => {
      // Act
      const top = renderRollupTop(`rollup#${"x".repeat(400)}`, members, options);
      const list = renderRollupList(members, members, options);
      const grouped = (["remind", "escalate", "resolve"] as const).map((kind) =>
        renderRollupReply(kind, members, members, options),
      );

      // Assess
      expectWithinLimits(top);
      expect(top.blocks.find((b) => b.type === "actions")).toMatchObject({
        block_id: expect.stringMatching(/^h#/),
      });
      for (const reply of [...list, ...grouped.flat()]) expectWithinLimits(reply.message);
      expect(list.length).toBeGreaterThan(1);
      expect(list.flatMap((r) => r.records.map((m) => m.id))).toEqual(members.map((m) => m.id));
      for (const replies of grouped)
        expect(replies.flatMap((r) => r.records.map((m) => m.id))).toEqual(members.map((m) => m.id));
      // Each part names its agents in blocks and text alike (the text is what a plain-text fallback sends).
      for (const reply of list) {
        const blocks = JSON.stringify(reply.message.blocks);
        for (const m of reply.records) expect(blocks).toContain(m.email);
        expect(reply.message.text.split(", ")).toHaveLength(reply.records.length);
        expect(reply.message.text).not.toMatch(/and \d+ more$/);
      }
      const parts = list.map((r) => /\(part (\d+) of (\d+)\)/.exec(r.message.text)?.slice(1).map(Number));
      expect(parts).toEqual(list.map((_, i) => [i + 1, list.length]));
    });
  }

  it("the roll-up message says how many it leaves to the thread when long names leave room for fewer than 40", () => {
    // Prepare: names, statuses and 40 rules as long as they may be shown: 40 lines would overflow.
    const members = Array.from({ length: 100 }, (_, i) => ({
      ...member(i + 1, `${"Anna".repeat(30)} ${i + 1}`),
      ruleName: `${i % 40} ${"Rule".repeat(30)}`,
      primaryStatus: "Q".repeat(200),
    }));

    // Act
    const top = renderRollupTop("rollup#1", members, options);

    // Assess
    expectWithinLimits(top);
    const shown = (JSON.stringify(top.blocks).match(/• \*/g) ?? []).length;
    expect(shown).toBeGreaterThan(10);
    expect(shown).toBeLessThan(40);
    expect(JSON.stringify(top.blocks)).toContain(
      `…and ${100 - shown} more — the complete list is in the thread`,
    );
  });

  it("the Acknowledge all reply and an empty roll-up stay within the limits too", () => {
    expectWithinLimits(renderRollupAcknowledged("U0LEAD", 1000));
    expectWithinLimits(renderRollupTop("rollup#1", [member(1)], options));
  });
});

describe("bounded digest", () => {
  it("a day with 1,000-character names and 200 long rules names what fits and counts the rest", () => {
    // Prepare
    const digest: ChannelDigest = {
      channel: "C0123456789",
      alerts: 400,
      agents: 300,
      minutesPastThreshold: 9000,
      byRule: Array.from({ length: 200 }, (_, i) => ({
        rule: `${i} ${"Rule<&>".repeat(14)}`,
        alerts: 2,
        minutesPastThreshold: 45,
      })),
      top: Array.from({ length: 10 }, (_, i) => ({
        email: `${"m".repeat(200)}${i}@example.com`,
        name: NAME_1000,
        alerts: 3,
        minutesPastThreshold: 100 - i,
      })),
      longest: { email: `${"m".repeat(500)}@example.com`, rule: LONG_RULE, minutes: 400 },
      medianMinutesToAcknowledge: 4,
      weekBefore: { alerts: 10, minutesPastThreshold: 100 },
    };
    const report: DayReport = { date: "2025-06-10", timezone: "Asia/Kolkata", channels: [digest] };

    // Act
    const message = digestMessage(digest, report, "18:30");

    // Assess
    expectWithinLimits(message);
    const text = JSON.stringify(message.blocks);
    expect(text).toMatch(/…and \d+ more rules/);
    expect(text).toContain("1. Bartholomew");
    expect(text).toContain("10. Bartholomew");
  });
});

describe("the bounds helpers", () => {
  it("shorten counts the … and never splits a surrogate pair", () => {
    expect(shorten("abcdef", 4)).toBe("abc…");
    expect(shorten("abc", 3)).toBe("abc");
    expect(shorten("ab😀cd", 4)).toBe("ab…");
  });

  it("mrkdwnValue measures the escaped form and never cuts inside an entity", () => {
    const value = mrkdwnValue("a&b<c>d\nnext line", 12);
    expect(value.length).toBeLessThanOrEqual(12);
    expect(value).toBe("a&amp;b&lt;…");
    expect(mrkdwnValue("a\n  b", 10)).toBe("a b");
  });

  it("shortenMrkdwn does not leave half a mention or an entity at the end", () => {
    expect(shortenMrkdwn("hello <@U0123456789> there", 12)).toBe("hello …");
    expect(shortenMrkdwn("fish &amp; chips", 9)).toBe("fish …");
  });

  it("boundMessage brings any message inside every limit, keeping the buttons at the end", () => {
    // Prepare: 60 over-long sections, an over-long button, a 300-character block_id, a 50,000-character text.
    const blocks: unknown[] = [
      ...Array.from({ length: 60 }, (_, i) => ({
        type: "section",
        text: { type: "mrkdwn", text: `${i} ${"word ".repeat(1000)}` },
        fields: Array.from({ length: 12 }, () => ({ type: "mrkdwn", text: "f".repeat(2500) })),
      })),
      {
        type: "actions",
        block_id: "b".repeat(300),
        elements: [
          { type: "button", action_id: "a".repeat(300), text: { type: "plain_text", text: "B".repeat(200) } },
        ],
      },
    ];
    const message = { text: "t".repeat(50_000), blocks };

    // Act
    const bounded = boundMessage(message);

    // Assess
    expect(blockKitViolations({ text: bounded.text, blocks: [...bounded.blocks] })).toEqual([]);
    expect(blockTextLength(bounded.blocks)).toBeLessThanOrEqual(MESSAGE_BLOCK_TEXT_MAX);
    expect(bounded.blocks.at(-1)).toMatchObject({ type: "actions" });
    expect(JSON.stringify(bounded.blocks[0])).toContain("0 word word");
    // The input is not changed.
    expect((blocks[0] as { text: { text: string } }).text.text.length).toBeGreaterThan(3000);
  });

  it("the plain-text version of a call keeps its text (bounded) and drops blocks and attachments", () => {
    const post = postArgs(
      "C1",
      { text: "x".repeat(20_000), blocks: [{ type: "divider" }], color: "#fff" },
      "1.1",
    );
    const update = updateArgs("C1", "1.1", { text: "hi", blocks: [{ type: "divider" }] });
    expect(plainTextArgs("chat.postMessage", post)).toEqual({
      channel: "C1",
      text: expect.stringMatching(/^x+…$/),
      unfurl_links: false,
      unfurl_media: false,
      thread_ts: "1.1",
    });
    expect(String(plainTextArgs("chat.postMessage", post)?.text).length).toBe(MESSAGE_TEXT_MAX);
    expect(plainTextArgs("chat.update", update)).toEqual({
      channel: "C1",
      ts: "1.1",
      text: "hi",
      blocks: [],
      attachments: [],
    });
    // Already plain and within bounds: the same payload again would be refused again, so none.
    expect(plainTextArgs("chat.postMessage", { channel: "C1", text: "hi" })).toBeUndefined();
  });
});
