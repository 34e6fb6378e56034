/**
 * Acknowledge all kept in one write (domain/rollup-ack.ts): which members an intent still owes, and
 * the records as readers take them. Then, through the pure lifecycle, that an owed member gets no
 * reminder although its own record was never written.
 */
import { describe, expect, it } from "vitest";
import { applyAction } from "../../functions/domain/actions.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { decideRun } from "../../functions/domain/lifecycle.js";
import { owedRollupAcks, type RollupAck, withRollupAcks } from "../../functions/domain/rollup-ack.js";
import { agent, config, seg, t } from "./builders.js";

const ROLLUP = "rollup#C1#12:15";
const CLICK: RollupAck = { by: "U1", atMs: t("12:21"), key: "U1:1718000000.1" };

function member(i: number, overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id: `u-${i}#long-break#2023-03-10T12:00:00.000Z`,
    userId: `u-${i}`,
    email: `u-${i}@example.com`,
    name: `Agent ${i}`,
    ruleKey: "long-break",
    ruleName: "Long break",
    primaryStatus: "AWAY",
    secondaryStatus: "LUNCH",
    sinceMs: t("12:00"),
    thresholdSeconds: 900,
    criticalSeconds: 1800,
    severity: "warning",
    state: "open",
    firedMs: t("12:15"),
    lastNotifiedMs: t("12:15"),
    channel: "C1",
    slackTs: "1.1",
    rollupId: ROLLUP,
    rollupTs: "1.1",
    version: 3,
    expiresAt: 0,
    ...overrides,
  };
}

describe("what an Acknowledge all still owes", () => {
  it("every open member without it, acknowledged at the click by its clicker, version bumped", () => {
    // Prepare: the click wrote member 0 with the intent; 1 and 2 not reached.
    const head = { ...member(0, { acknowledgedBy: "U1", acknowledgedMs: CLICK.atMs }), rollupAck: CLICK };
    const records = [head, member(1), member(2)];

    // Act
    const owed = owedRollupAcks(records);

    // Assess
    expect(owed.map((o) => o.before.userId)).toEqual(["u-1", "u-2"]);
    for (const o of owed) {
      expect(o.record).toMatchObject({ acknowledgedBy: "U1", acknowledgedMs: CLICK.atMs, version: 4 });
      expect(o.record.appliedActions).toEqual([CLICK.key]);
      expect(o.record.actionPending).toBeUndefined();
      expect(o.transition).toMatchObject({ type: "acknowledged", by: "U1", userId: o.before.userId });
    }
  });

  it("nothing for members over, excused, acknowledged by someone, fired after the click, or of another roll-up", () => {
    // Prepare
    const head = { ...member(0, { acknowledgedBy: "U1", acknowledgedMs: CLICK.atMs }), rollupAck: CLICK };
    const excused = applyAction(member(2), { kind: "excuse", by: "U3", nowMs: t("12:20") });
    if (!excused.ok) throw new Error(excused.reason);
    const records = [
      head,
      member(1, { state: "resolved", endedMs: t("12:20") }),
      excused.record,
      member(3, { acknowledgedBy: "U2", acknowledgedMs: t("12:19") }),
      member(4, { firedMs: t("12:25") }),
      member(5, { rollupId: "rollup#C1#12:40" }),
      member(6, { rollupId: undefined }),
    ];

    // Act / Assess
    expect(owedRollupAcks(records)).toEqual([]);
    expect(withRollupAcks(records)).toBe(records);
  });

  it("a member that carries the click's key already (written by it) is not owed twice", () => {
    const head = { ...member(0), rollupAck: CLICK };
    const done = applyAction(member(1), { kind: "acknowledge", by: "U1", nowMs: CLICK.atMs, key: CLICK.key });
    if (!done.ok) throw new Error(done.reason);
    // Assess: only the head (whose own write the test left out) is owed.
    expect(owedRollupAcks([head, done.record]).map((o) => o.before.userId)).toEqual(["u-0"]);
  });

  it("two intents on one roll-up (two clicks racing): the earliest stands", () => {
    const later: RollupAck = { by: "U9", atMs: t("12:22") };
    const records = [{ ...member(0), rollupAck: later }, { ...member(1), rollupAck: CLICK }, member(2)];
    expect(owedRollupAcks(records).map((o) => o.record.acknowledgedBy)).toEqual(["U1", "U1", "U1"]);
  });

  it("readers take the owed members acknowledged, the others as stored", () => {
    const head = { ...member(0, { acknowledgedBy: "U1", acknowledgedMs: CLICK.atMs }), rollupAck: CLICK };
    const other = member(7, { rollupId: "rollup#C1#12:40" });
    const seen = withRollupAcks([head, member(1), other]);
    expect(seen[0]).toBe(head);
    expect(seen[1]).toMatchObject({ acknowledgedBy: "U1", version: 4 });
    expect(seen[2]).toBe(other);
  });
});

describe("an owed member, decided by a run", () => {
  it("gets no reminder: the run decides it acknowledged although its record was not written", () => {
    // Prepare: on LUNCH since 12:00, fired 12:15, escalated 12:30; reminders every 30m from the firing (12:45).
    const cfg = config({ slack: { channel: "C1" } });
    const lunch = [seg("AWAY", "LUNCH", "12:00", null)];
    const agents = [agent("u-0", lunch), agent("u-1", lunch)];
    const [first, second] = decideRun([], agents, cfg, t("12:15")).records.map((r) => ({
      ...r,
      rollupId: ROLLUP,
      rollupTs: "1.1",
    }));
    if (!first || !second) throw new Error("expected two alerts at 12:15");
    const acked = applyAction(first, {
      kind: "acknowledge",
      by: CLICK.by,
      nowMs: CLICK.atMs,
      key: CLICK.key,
    });
    if (!acked.ok) throw new Error(acked.reason);
    const head = { ...acked.record, actionPending: undefined, rollupAck: CLICK };

    // Act: the 12:30 and 12:45 runs, on the records as stored, and as a reader takes them.
    const blindAt1230 = decideRun([head, second], agents, cfg, t("12:30")).records;
    const blind = decideRun(blindAt1230, agents, cfg, t("12:45"));
    const seenAt1230 = decideRun(withRollupAcks([head, second]), agents, cfg, t("12:30")).records;
    const seen = decideRun(withRollupAcks(seenAt1230), agents, cfg, t("12:45"));

    // Assess: without the intent applied member 1 would be reminded; with it, nobody is.
    expect(blind.transitions.map((tr) => [tr.userId, tr.type])).toEqual([["u-1", "reminded"]]);
    expect(seen.transitions).toEqual([]);
  });
});
