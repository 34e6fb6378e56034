/** Roll-up rendering stays inside Block Kit's limits and names every agent somewhere. */
import { describe, expect, it } from "vitest";
import {
  MESSAGE_BLOCKS_MAX,
  renderRollupList,
  renderRollupReply,
  renderRollupTop,
  SECTION_TEXT_MAX,
} from "../../functions/adapters/slack/rollup-messages.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { t } from "./builders.js";

function member(i: number, overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id: `u-${i}#r#x`,
    userId: `u-${i}`,
    email: `agent${i}@example.com`,
    name: `Agent${i} ${"Verylongsurname".repeat(i % 7 === 0 ? 8 : 1)}`,
    ruleKey: i % 3 === 0 ? "busy" : "break",
    ruleName: i % 3 === 0 ? "Stuck in BUSY" : "Long break",
    primaryStatus: i % 3 === 0 ? "BUSY" : "AWAY",
    secondaryStatus: i % 3 === 0 ? "BUSY" : "BREAK",
    sinceMs: t("08:00") + i * 1000,
    thresholdSeconds: 900,
    severity: "warning",
    state: "open",
    firedMs: t("08:20"),
    lastNotifiedMs: t("08:20"),
    version: 1,
    expiresAt: 0,
    channel: "C-OPS",
    ...overrides,
  };
}

const options = { timezone: "Asia/Kolkata", nowMs: t("08:20") };

function checkLimits(message: { text: string; blocks: unknown[] }) {
  expect(message.blocks.length).toBeLessThanOrEqual(MESSAGE_BLOCKS_MAX);
  expect(message.text.length).toBeLessThanOrEqual(40_000);
  for (const block of message.blocks as Array<{
    text?: { text: string };
    elements?: Array<{ text?: unknown }>;
  }>) {
    if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(SECTION_TEXT_MAX);
  }
}

describe("roll-up messages", () => {
  const members = Array.from({ length: 1000 }, (_, i) => member(i + 1));

  it("the roll-up lists 40 agents, counts per rule, says how many more, and offers Acknowledge all", () => {
    const top = renderRollupTop("rollup#u-1#r#x", members, options);
    checkLimits(top);
    const json = JSON.stringify(top.blocks);
    expect(json).toContain("1000 agents past their threshold at once");
    expect(json).toContain("1000 still firing");
    expect(json).toContain("Long break: 667");
    expect(json).toContain("Stuck in BUSY: 333");
    expect(json).toContain("Agent40 ");
    expect(json).not.toContain("Agent41 ");
    expect(json).toContain("…and 960 more");
    expect(json).toContain("13:30"); // local start, Asia/Kolkata
    const actions = top.blocks.find((b) => b.type === "actions");
    expect(actions).toMatchObject({
      block_id: "rollup#u-1#r#x",
      elements: [{ action_id: "rollup.ack", text: { text: "Acknowledge all" } }],
    });
    expect(top.text).toMatch(/Agent1 /);
    const quiet = renderRollupTop("rollup#u-1#r#x", members, { ...options, interactive: false });
    expect(quiet.blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("shows how many are still firing, and finally that all are over, without the button", () => {
    const some = members
      .slice(0, 37)
      .map((m, i) => (i < 25 ? { ...m, state: "resolved" as const, endedMs: t("08:40") } : m));
    expect(JSON.stringify(renderRollupTop("r", some, options).blocks)).toContain("12 of 37 still firing");
    const over = some.map((m) => ({ ...m, state: "resolved" as const, endedMs: t("08:40") }));
    const top = renderRollupTop("r", over, options);
    expect(JSON.stringify(top.blocks)).toContain("all 37 over");
    expect(top.blocks.some((b) => b.type === "actions")).toBe(false);
  });

  it("the complete list is split over as many replies as Block Kit needs, every agent once", () => {
    const replies = renderRollupList(members, members, options);
    expect(replies.length).toBeGreaterThan(1);
    for (const reply of replies) checkLimits(reply.message);
    const named = replies.flatMap((r) => r.records.map((m) => m.id));
    expect(named).toEqual(members.map((m) => m.id));
    const text = replies.map((r) => JSON.stringify(r.message.blocks)).join("");
    for (const m of members) expect(text).toContain(`agent${m.userId.slice(2)}@example.com`);
  });

  it("grouped replies stay inside the limits too", () => {
    for (const kind of ["remind", "escalate", "resolve"] as const) {
      const replies = renderRollupReply(kind, members, members, options);
      for (const reply of replies) checkLimits(reply.message);
      expect(replies.flatMap((r) => r.records)).toHaveLength(1000);
    }
    const escalation = renderRollupReply(
      "escalate",
      members.slice(0, 3).map((m) => ({ ...m, escalationMention: "S0SUPERVISORS" })),
      members,
      options,
    );
    expect(escalation).toHaveLength(1);
    expect(JSON.stringify(escalation[0]?.message.blocks)).toContain("<!subteam^S0SUPERVISORS>");
  });
});
