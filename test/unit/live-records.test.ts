/**
 * The live records as a run reads them: the replay store's index, kept as it writes, gives the same
 * lists in the same order as the index over `load()` that the other stores get; and the records a
 * run holds for Slack's plan give the plan it would make over every record it holds.
 */
import { describe, expect, it } from "vitest";
import { FrozenAlertStore } from "../../functions/adapters/state/frozen-store.js";
import { HeldRecords } from "../../functions/app/run-records.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { indexRecords, type LiveRecords } from "../../functions/domain/live-records.js";
import { owesSlack, planSlack } from "../../functions/domain/rollup.js";

const NOW = Date.parse("2026-11-30T06:00:00Z");
const LIVE = Math.floor(NOW / 1000) + 3600;

function record(id: string, userId: string, fields: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id,
    userId,
    email: `${userId}@example.com`,
    name: userId,
    ruleKey: "r",
    ruleName: "Long break",
    primaryStatus: "AWAY",
    secondaryStatus: "BREAK",
    sinceMs: NOW - 20 * 60_000,
    thresholdSeconds: 900,
    severity: "warning",
    state: "open",
    firedMs: NOW - 5 * 60_000,
    lastNotifiedMs: NOW - 5 * 60_000,
    version: 1,
    expiresAt: LIVE,
    channel: "C1",
    ...fields,
  };
}

/** A day's worth of states: sent and unsent, nudged, ended, expired, members of roll-ups. */
function records(): AlertRecord[] {
  const member = (id: string, userId: string, f: Partial<AlertRecord> = {}) =>
    record(id, userId, {
      rollupId: "rollup#a",
      rollupTs: "1.1",
      slackTs: "1.1",
      notifiedSeverity: "warning",
      ...f,
    });
  return [
    record("a1", "u1", { slackTs: "1.0", notifiedSeverity: "warning" }),
    record("a2", "u1", { state: "resolved", endedMs: NOW - 60_000, slackTs: "1.0", resolveNotified: true }),
    record("a3", "u2"),
    record("a4", "u3", { state: "nudged", nudgedMs: NOW - 60_000 }),
    record("a5", "u3", { state: "averted", endedMs: NOW - 120_000 }),
    record("a6", "u4", { state: "resolved", endedMs: NOW - 60_000, slackTs: "1.2" }),
    record("a7", "u5", { expiresAt: LIVE - 7200 }),
    member("m1", "u6", { rollupListed: true }),
    member("m2", "u7", { rollupListed: true }),
    member("m3", "u8", { rollupListed: true, state: "resolved", endedMs: NOW - 1000 }),
    member("n1", "u9", { rollupId: "rollup#b", rollupTs: "1.3", rollupListed: true }),
    record("a8", "u2", { slackTs: "1.4", severity: "critical", notifiedSeverity: "warning" }),
  ];
}

const lists = (live: LiveRecords, users: string[]) => ({
  all: live.all().map((r) => r.id),
  active: live.active().map((r) => r.id),
  owing: live.owing().map((r) => r.id),
  rollupA: live.rollupMembers("rollup#a").map((r) => r.id),
  rollupB: live.rollupMembers("rollup#b").map((r) => r.id),
  byUser: users.map((u) => live.forUser(u).map((r) => r.id)),
  // Positions only order records (the store's own count may include expired ones): the order they give.
  byPosition: live
    .all()
    .map((r) => r.id)
    .sort((a, b) => (live.position(a) ?? 0) - (live.position(b) ?? 0)),
});

async function frozenStore(all: AlertRecord[]) {
  const store = new FrozenAlertStore(NOW);
  for (const r of all) expect(await store.put(r, null)).toBe(true);
  return store;
}

describe("the live records' index", () => {
  const users = ["u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9", "nobody"];

  it("the replay store's own index = the index over what it loads, before and after rewrites", async () => {
    const store = await frozenStore(records());
    expect(lists(await store.loadIndexed(), users)).toEqual(lists(indexRecords(await store.load()), users));
    const loaded = await store.load();
    expect(loaded.map((r) => r.id)).not.toContain("a7"); // expired: absent to every caller
    // Rewrites move records between the lists (sent, resolved, listed, re-opened) but not in the order.
    const a3 = loaded.find((r) => r.id === "a3") as AlertRecord;
    const m3 = loaded.find((r) => r.id === "m3") as AlertRecord;
    const a1 = loaded.find((r) => r.id === "a1") as AlertRecord;
    expect(await store.put({ ...a3, slackTs: "2.0", notifiedSeverity: "warning", version: 2 }, 1)).toBe(true);
    expect(await store.put({ ...m3, resolveNotified: true, version: 2 }, 1)).toBe(true);
    expect(await store.put({ ...a1, state: "resolved", endedMs: NOW, version: 2 }, 1)).toBe(true);
    expect(await store.put(record("a9", "u1"), null)).toBe(true);
    const after = lists(await store.loadIndexed(), users);
    expect(after).toEqual(lists(indexRecords(await store.load()), users));
    expect(after.active).toEqual(["a3", "a4", "m1", "m2", "n1", "a8", "a9"]);
    expect(after.owing).toEqual(["a1", "a4", "a6", "a8", "a9"]); // a4: its nudge not yet sent
  });

  it("owesSlack is exactly what planSlack gives work for (no reminder decided)", () => {
    const all = records().filter((r) => r.expiresAt > LIVE - 3600);
    const plan = planSlack(all, new Set(), 10);
    const planned = new Set([
      ...plan.actions.map((a) => a.record.id),
      ...plan.rollups.flatMap((w) => [...w.unlisted, ...w.escalated, ...w.resolved].map((r) => r.id)),
    ]);
    expect(all.filter(owesSlack).map((r) => r.id)).toEqual(
      all.filter((r) => planned.has(r.id)).map((r) => r.id),
    );
  });

  it("a run's records for Slack make the plan it would make over every record it holds", () => {
    const all = records().filter((r) => r.expiresAt > LIVE - 3600);
    const live = indexRecords(all);
    // This run decided: a reminder for a roll-up member, a resolve, a new alert.
    const m2 = all.find((r) => r.id === "m2") as AlertRecord;
    const a1 = all.find((r) => r.id === "a1") as AlertRecord;
    const decided = [
      { ...m2, remindedSlots: 1, version: 2 },
      { ...a1, state: "resolved" as const, endedMs: NOW, version: 2 },
      record("new", "u10"),
    ];
    const held = new HeldRecords(live, decided, { firing: true, board: true });
    for (const r of decided) held.applied(r);
    const current = new Map(all.map((r) => [r.id, r]));
    for (const r of decided) current.set(r.id, r);
    const every = [...current.values()];
    const reminded = new Set(["m2"]);
    expect(planSlack(held.forSlack(), reminded, 2)).toEqual(planSlack(every, reminded, 2));
    expect(held.all()).toEqual(every);
    expect(held.active()).toEqual(every.filter((r) => r.state === "open" || r.state === "nudged"));
    expect(held.before("a1")).toBe(a1);
    expect(held.before("new")).toBeUndefined();
    // The plan from the held records includes the whole roll-up, not only its reminded member.
    const rollup = planSlack(held.forSlack(), reminded, 2).rollups.find((w) => w.id === "rollup#a");
    expect(rollup?.members.map((r) => r.id)).toEqual(["m1", "m2", "m3"]);
  });
});
