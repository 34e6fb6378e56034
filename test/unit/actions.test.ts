/**
 * DESIGN.md's table "What each action means", row by row, through the pure lifecycle: a run every
 * five minutes, an action taken in Slack between two runs.
 */
import { describe, expect, it } from "vitest";
import { blockIdFor } from "../../functions/adapters/slack/block-id.js";
import { targetOf } from "../../functions/adapters/slack/interaction-payload.js";
import { renderSlackAction } from "../../functions/adapters/slack/messages.js";
import {
  ACTION_IDS,
  afterClickRedraw,
  applyAction,
  CLICK_LEASE_MS,
  type ClickedAction,
  clickWrite,
  disposition,
  intentOf,
  MAX_APPLIED_ACTIONS,
  resolveAlertId,
  rollupMembers,
  snoozeSeconds,
} from "../../functions/domain/actions.js";
import type { AlertRecord, TransitionType } from "../../functions/domain/alert.js";
import type { AppConfig } from "../../functions/domain/config.js";
import { afterDelivery, slackActionFor } from "../../functions/domain/delivery.js";
import { decideRun } from "../../functions/domain/lifecycle.js";
import { agent, config, seg, t } from "./builders.js";

/** AWAY/LUNCH from 12:00 to 13:40: fires 12:15, critical at 12:30, reminders every 30m after firing. */
const LUNCH = [
  seg("AVAILABLE", "AVAILABLE", "08:00", "12:00"),
  seg("AWAY", "LUNCH", "12:00", "13:40"),
  seg("AVAILABLE", "AVAILABLE", "13:40", null),
];

function asOf(nowMs: number) {
  return LUNCH.filter((s) => s.startMs <= nowMs).map((s) =>
    s.endMs !== null && s.endMs > nowMs ? { ...s, endMs: null } : s,
  );
}

type Act = (record: AlertRecord, nowMs: number) => AlertRecord;

/** Runs every five minutes from `from` to `to`; `acts` are applied after the run at their time. */
function runs(
  from: string,
  to: string,
  acts: Record<string, Act> = {},
  cfg: AppConfig = config({ slack: { channel: "C1", escalationMention: "S0SUPERVISORS" } }),
) {
  let records: AlertRecord[] = [];
  const seen: Array<[string, TransitionType]> = [];
  for (let now = t(from); now <= t(to); now += 5 * 60_000) {
    const run = decideRun(records, [agent("u-1", asOf(now))], cfg, now);
    const hhmm = new Date(now).toISOString().slice(11, 16);
    for (const tr of run.transitions) seen.push([hhmm, tr.type]);
    records = run.records;
    const act = acts[hhmm];
    if (act) records = records.map((r) => (r.state === "open" ? act(r, now + 60_000) : r));
  }
  return { seen, records };
}

const acknowledge: Act = (record, nowMs) => {
  const outcome = applyAction(record, { kind: "acknowledge", by: "U1", nowMs });
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.record;
};
const snooze =
  (value: string): Act =>
  (record, nowMs) => {
    const seconds = snoozeSeconds(value);
    if (seconds === undefined) throw new Error(`bad snooze ${value}`);
    const outcome = applyAction(record, { kind: "snooze", by: "U2", nowMs, seconds });
    if (!outcome.ok) throw new Error(outcome.reason);
    return outcome.record;
  };
const excuse: Act = (record, nowMs) => {
  const outcome = applyAction(record, { kind: "excuse", by: "U3", nowMs });
  if (!outcome.ok) throw new Error(outcome.reason);
  return outcome.record;
};

describe("what each action means, from the next run on", () => {
  it("without any action: fires, escalates, reminds, resolves", () => {
    expect(runs("12:10", "13:45").seen).toEqual([
      ["12:15", "fired"],
      ["12:30", "escalated"],
      ["12:45", "reminded"],
      ["13:15", "reminded"],
      ["13:40", "resolved"],
    ]);
  });

  it("acknowledged: reminders stop, the escalation still comes, the resolve as usual", () => {
    // Prepare / Act: acknowledged at 12:21, after the 12:20 run.
    const { seen, records } = runs("12:10", "13:45", { "12:20": acknowledge });

    // Assess
    expect(seen).toEqual([
      ["12:15", "fired"],
      ["12:30", "escalated"],
      ["13:40", "resolved"],
    ]);
    expect(records[0]).toMatchObject({ acknowledgedBy: "U1", severity: "critical" });
  });

  it("acknowledged: the escalation reply does not page the supervisors", () => {
    const { records } = runs("12:10", "12:30", { "12:20": acknowledge });
    const [record] = records;
    if (!record) throw new Error("no record");
    const reply = renderSlackAction("escalate", record, { timezone: "UTC" }).reply?.text ?? "";
    expect(reply).toContain("Now CRITICAL");
    expect(reply).not.toContain("subteam");

    const unacknowledged = runs("12:10", "12:30").records[0];
    if (!unacknowledged) throw new Error("no record");
    expect(renderSlackAction("escalate", unacknowledged, { timezone: "UTC" }).reply?.text).toContain(
      "<!subteam^S0SUPERVISORS>",
    );
  });

  it("snoozed until T: nothing before T, the escalation that fell due at the first run from T, reminders counted from T", () => {
    // Prepare / Act: snoozed 30m at 12:21 → until 12:51; the 12:55 run is the first at or after it.
    const { seen } = runs("12:10", "13:45", { "12:20": snooze("30m") });

    // Assess: no 12:30 escalation, no 12:45 reminder; escalation at 12:55; the next reminder 30m after
    // 12:51 (the 13:25 run), not at 13:15 as without the snooze.
    expect(seen).toEqual([
      ["12:15", "fired"],
      ["12:55", "escalated"],
      ["13:25", "reminded"],
      ["13:40", "resolved"],
    ]);
  });

  it("excused: no reminders, no escalation, the resolve is quiet in Slack and never alerts again", () => {
    // Prepare / Act
    const { seen, records } = runs("12:10", "13:50", { "12:20": excuse });

    // Assess
    expect(seen).toEqual([
      ["12:15", "fired"],
      ["13:40", "resolved"],
    ]);
    const [record] = records;
    if (!record) throw new Error("no record");
    expect(record).toMatchObject({ state: "resolved", severity: "warning", excusedBy: "U3" });
    const posted: AlertRecord = { ...record, slackTs: "1.1", resolveNotified: false };
    delete posted.actionPending;
    const action = slackActionFor(posted, false);
    expect(action?.kind).toBe("resolve");
    const rendered = renderSlackAction("resolve", posted, { timezone: "UTC" });
    expect(rendered.top?.text).toContain("Resolved");
    expect(rendered.reply).toBeUndefined();
  });
});

describe("applyAction", () => {
  const open = () => {
    const record = runs("12:15", "12:15").records[0];
    if (!record) throw new Error("no record");
    return record;
  };

  it("records who and when, bumps the version, and owes Slack the update", () => {
    const record = open();
    const outcome = applyAction(record, { kind: "acknowledge", by: "U1", nowMs: t("12:17") });
    expect(outcome.ok).toBe(true);
    if (!outcome.ok) return;
    expect(outcome.record).toMatchObject({
      acknowledgedBy: "U1",
      acknowledgedMs: t("12:17"),
      version: record.version + 1,
      actionPending: "acknowledged",
    });
    expect(outcome.transition).toMatchObject({ type: "acknowledged", by: "U1", rule: "Long break" });
    expect(slackActionFor({ ...outcome.record, slackTs: "1.1" }, false)?.kind).toBe("acted");
  });

  it("a snooze carries its end; the summary shows it while it lasts", () => {
    const outcome = applyAction(open(), { kind: "snooze", by: "U2", nowMs: t("12:17"), seconds: 3600 });
    if (!outcome.ok) throw new Error("refused");
    expect(outcome.transition.until).toBe(new Date(t("13:17")).toISOString());
    expect(outcome.record.snoozes).toEqual([{ by: "U2", atMs: t("12:17"), untilMs: t("13:17") }]);
    expect(disposition(outcome.record, t("12:30"))).toMatchObject({ kind: "snoozed", active: true });
    expect(disposition(outcome.record, t("13:17"))).toMatchObject({ kind: "snoozed", active: false });
  });

  it("a later action replaces an earlier one; an excuse is final", () => {
    const acked = applyAction(open(), { kind: "acknowledge", by: "U1", nowMs: t("12:16") });
    if (!acked.ok) throw new Error("refused");
    const again = applyAction(acked.record, { kind: "acknowledge", by: "U9", nowMs: t("12:17") });
    expect(again).toMatchObject({ ok: false, reason: "already-acknowledged", by: "U1" });

    const snoozed = applyAction(acked.record, { kind: "snooze", by: "U2", nowMs: t("12:18"), seconds: 900 });
    if (!snoozed.ok) throw new Error("refused");
    expect(disposition(snoozed.record, t("12:20")).kind).toBe("snoozed");

    const reacked = applyAction(snoozed.record, { kind: "acknowledge", by: "U1", nowMs: t("12:19") });
    if (!reacked.ok) throw new Error("refused");
    expect(disposition(reacked.record, t("12:20")).kind).toBe("acknowledged");
    expect(reacked.record.snoozedUntilMs).toBeUndefined();
    expect(reacked.record.snoozes).toHaveLength(1);

    const excused = applyAction(reacked.record, { kind: "excuse", by: "U3", nowMs: t("12:20") });
    if (!excused.ok) throw new Error("refused");
    for (const kind of ["acknowledge", "excuse"] as const)
      expect(applyAction(excused.record, { kind, by: "U1", nowMs: t("12:21") })).toMatchObject({
        ok: false,
        reason: "excused",
        by: "U3",
      });
  });

  it("changes nothing on an alert that is over or no longer tracked", () => {
    const resolved = runs("12:15", "13:45").records[0];
    expect(applyAction(resolved, { kind: "acknowledge", by: "U1", nowMs: t("13:46") })).toMatchObject({
      ok: false,
      reason: "over",
      endedMs: t("13:40"),
    });
    expect(applyAction(undefined, { kind: "excuse", by: "U1", nowMs: t("13:16") })).toMatchObject({
      ok: false,
      reason: "over",
    });
  });

  it("accepts only the menu's snooze values", () => {
    expect(["15m", "30m", "1h", "2h"].map(snoozeSeconds)).toEqual([900, 1800, 3600, 7200]);
    expect(snoozeSeconds("3h")).toBeUndefined();
    expect(snoozeSeconds(undefined)).toBeUndefined();
  });
});

describe("nudge the agent first", () => {
  const nudging = config({
    slack: { channel: "C1" },
    rules: [{ name: "Long break", secondaryStatus: "LUNCH", threshold: "15m", nudge: "10m" }],
  });

  it("nudges once at `nudge`, then fires the same episode at the threshold", () => {
    const { seen, records } = runs("12:05", "12:25", {}, nudging);
    expect(seen).toEqual([
      ["12:10", "nudged"],
      ["12:15", "fired"],
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ state: "open", nudgedMs: t("12:10"), firedMs: t("12:15") });
  });

  it("a nudge is a direct message owed while the episode has not fired, never a channel post", () => {
    const { records } = runs("12:10", "12:10", {}, nudging);
    const [nudged] = records;
    if (!nudged) throw new Error("no record");
    expect(nudged.state).toBe("nudged");
    expect(slackActionFor(nudged, false)?.kind).toBe("nudge");
    const done = afterDelivery({ kind: "nudge", record: nudged }, "", "", "not-in-slack");
    expect(done.nudgeNotified).toBe("not-in-slack");
    expect(slackActionFor(done, false)).toBeUndefined();
  });

  it("an episode that ends after the nudge, before the threshold, never alerts", () => {
    const short = [
      seg("AVAILABLE", "AVAILABLE", "08:00", "12:00"),
      seg("AWAY", "LUNCH", "12:00", "12:12"),
      seg("AVAILABLE", "AVAILABLE", "12:12", null),
    ];
    let records: AlertRecord[] = [];
    const types: TransitionType[] = [];
    for (const at of ["12:10", "12:15", "12:20"]) {
      const now = t(at);
      const visible = short
        .filter((s) => s.startMs <= now)
        .map((s) => (s.endMs !== null && s.endMs > now ? { ...s, endMs: null } : s));
      const run = decideRun(records, [agent("u-1", visible)], nudging, now);
      types.push(...run.transitions.map((tr) => tr.type));
      records = run.records;
    }
    expect(types).toEqual(["nudged"]);
    expect(records[0]?.state).toBe("averted");
    expect(records[0] && slackActionFor(records[0], false)).toBeUndefined();
  });
});

describe("a replayed click changes nothing", () => {
  const open = () => {
    const record = runs("12:15", "12:15").records[0];
    if (!record) throw new Error("no record");
    return record;
  };

  it("the same user's same action_ts applies once; a replay is no change and no answer", () => {
    const record = open();
    const snooze = { kind: "snooze" as const, by: "U1", nowMs: t("12:17"), seconds: 1800, key: "U1:1718.1" };
    const first = applyAction(record, snooze);
    expect(first.ok).toBe(true);
    if (!first.ok) return;
    expect(first.record.appliedActions).toEqual(["U1:1718.1"]);
    expect(first.record.snoozes).toHaveLength(1);

    const replay = applyAction(first.record, { ...snooze, nowMs: t("12:18") });
    expect(replay).toEqual({ ok: false, reason: "replayed" });

    // A new click (another action_ts) by the same user is a new action.
    const second = applyAction(first.record, { ...snooze, nowMs: t("12:19"), key: "U1:1718.2" });
    expect(second.ok && second.record.snoozes).toHaveLength(2);
  });

  it("a replay of an acknowledgement is not refused as already acknowledged, and even after the end stays quiet", () => {
    const record = open();
    const ack = { kind: "acknowledge" as const, by: "U1", nowMs: t("12:17"), key: "U1:5.5" };
    const first = applyAction(record, ack);
    if (!first.ok) throw new Error(first.reason);
    expect(applyAction(first.record, ack)).toEqual({ ok: false, reason: "replayed" });
    // Another user's click at the same action_ts is another action (refused for what it is).
    expect(applyAction(first.record, { ...ack, by: "U2", key: "U2:5.5" })).toMatchObject({
      reason: "already-acknowledged",
    });
    const resolved = { ...first.record, state: "resolved" as const, endedMs: t("12:30") };
    expect(applyAction(resolved, ack)).toEqual({ ok: false, reason: "replayed" });
  });

  it("keeps the last MAX_APPLIED_ACTIONS keys, newest last", () => {
    let record = open();
    for (let i = 0; i < MAX_APPLIED_ACTIONS + 5; i++) {
      const outcome = applyAction(record, {
        kind: "snooze",
        by: "U1",
        nowMs: t("12:17") + i,
        seconds: 900,
        key: `U1:${i}`,
      });
      if (!outcome.ok) throw new Error(outcome.reason);
      record = outcome.record;
    }
    expect(record.appliedActions).toHaveLength(MAX_APPLIED_ACTIONS);
    expect(record.appliedActions?.[0]).toBe("U1:5");
    expect(record.appliedActions?.at(-1)).toBe(`U1:${MAX_APPLIED_ACTIONS + 4}`);
  });
});

describe("intentOf: what a clicked action asks for", () => {
  const at = t("12:17");
  const action = (overrides: Partial<ClickedAction>): ClickedAction => ({
    actionId: ACTION_IDS.acknowledge,
    target: { kind: "id", id: "a-1" },
    ...overrides,
  });

  it("keys each action by user and action_ts", () => {
    expect(intentOf(action({ actionTs: "1718.9" }), "U1", at)).toEqual({
      kind: "alert",
      target: { kind: "id", id: "a-1" },
      request: { kind: "acknowledge", by: "U1", nowMs: at, key: "U1:1718.9" },
    });
    expect(intentOf(action({}), "U1", at)).toMatchObject({ request: { kind: "acknowledge", by: "U1" } });
    expect(intentOf(action({}), "U1", at)).not.toHaveProperty("request.key");
  });

  it("a cleared snooze menu is nothing to do; a value off the menu is not ours", () => {
    expect(intentOf(action({ actionId: ACTION_IDS.snooze, selected: null }), "U1", at)).toEqual({
      kind: "nothing",
    });
    expect(intentOf(action({ actionId: ACTION_IDS.snooze, selected: "3h" }), "U1", at)).toEqual({
      kind: "unknown",
    });
    expect(intentOf(action({ actionId: ACTION_IDS.snooze, selected: "1h" }), "U1", at)).toMatchObject({
      request: { kind: "snooze", seconds: 3600 },
    });
    expect(intentOf(action({ actionId: "something.else" }), "U1", at)).toEqual({ kind: "unknown" });
    expect(intentOf(action({ actionId: ACTION_IDS.acknowledgeAll, actionTs: "2.2" }), "U1", at)).toEqual({
      kind: "acknowledge-all",
      target: { kind: "id", id: "a-1" },
      by: "U1",
      nowMs: at,
      key: "U1:2.2",
    });
  });
});

describe("a hashed block_id names the alert or roll-up whose id hashes to it", () => {
  const longUser = `u-${"é".repeat(298)}`;
  const base = runs("12:15", "12:15").records[0];
  if (!base) throw new Error("no record");
  const long = { ...base, id: `${longUser}#long-break#2023-03-10T12:00:00.000Z`, userId: longUser };
  const other = { ...base, id: "u-2#long-break#2023-03-10T12:00:00.000Z", userId: "u-2" };

  it("maps a 300-character user's alert back from its hash", () => {
    expect(long.id.length).toBeGreaterThan(255);
    const target = targetOf(blockIdFor(long.id));
    expect(target.kind).toBe("hashed");
    expect(resolveAlertId(target, [other, long])).toBe(long.id);
    expect(resolveAlertId(target, [other])).toBeUndefined();
    // A short id is its own block_id.
    expect(resolveAlertId(targetOf(other.id), [])).toBe(other.id);
  });

  it("finds a roll-up's members by its id or by its hash", () => {
    const rollupId = `rollup#${longUser}#Long break#x`;
    const members = [
      { ...long, rollupId },
      { ...other, rollupId },
    ];
    const elsewhere = { ...other, id: "u-3#x", rollupId: "rollup#u-3" };
    expect(rollupMembers(targetOf(blockIdFor(rollupId)), [...members, elsewhere])).toEqual(members);
    expect(rollupMembers(targetOf("rollup#u-3"), [...members, elsewhere])).toEqual([elsewhere]);
    expect(rollupMembers(targetOf(blockIdFor("rollup#nobody")), [...members, elsewhere])).toEqual([]);
  });
});

describe("a click's lease", () => {
  const base = runs("12:15", "12:15").records[0];
  if (!base) throw new Error("no record");
  const wall = Date.parse("2025-06-10T06:00:00Z");
  const applied = (record = base) => {
    const outcome = applyAction(record, { kind: "acknowledge", by: "U1", nowMs: wall, key: "U1:1.1" });
    if (!outcome.ok) throw new Error(outcome.reason);
    return outcome.record;
  };

  it("takes a short lease to redraw the message when no one else holds a live one", () => {
    const { record, redraw } = clickWrite(applied(), "click:a", wall, true);
    expect(redraw).toBe(true);
    expect(record.lease).toEqual({ by: "click:a", untilMs: wall + CLICK_LEASE_MS });
    // A lapsed lease (its run died) is taken over.
    const lapsed = applied({ ...base, lease: { by: "run:old", untilMs: wall - 1 } });
    expect(clickWrite(lapsed, "click:a", wall, true)).toMatchObject({
      redraw: true,
      record: { lease: { by: "click:a" } },
    });
  });

  it("keeps a run's live lease and leaves the redraw to it", () => {
    const leased = applied({ ...base, lease: { by: "run:1", untilMs: wall + 20_000 } });
    const { record, redraw } = clickWrite(leased, "click:a", wall, true);
    expect(redraw).toBe(false);
    expect(record.lease).toEqual({ by: "run:1", untilMs: wall + 20_000 });
    expect(record.actionPending).toBe("acknowledged");
    expect(record.acknowledgedBy).toBe("U1");
  });

  it("takes none when there is nothing to redraw (no Slack client, not posted)", () => {
    expect(clickWrite(applied(), "click:a", wall, false)).toEqual({ record: applied(), redraw: false });
  });

  it("ends with actionPending once Slack showed it, keeps actionPending when it did not", () => {
    const drawn = clickWrite(applied(), "click:a", wall, true).record;
    const shown = afterClickRedraw(drawn, drawn, "click:a", true);
    expect(shown).toMatchObject({ version: drawn.version + 1, acknowledgedBy: "U1" });
    expect(shown?.lease).toBeUndefined();
    expect(shown?.actionPending).toBeUndefined();
    const failed = afterClickRedraw(drawn, drawn, "click:a", false);
    expect(failed?.lease).toBeUndefined();
    expect(failed?.actionPending).toBe("acknowledged");
  });

  it("after a conflict: keeps what others wrote, keeps actionPending for an action drawn after it, writes nothing once the lease is another's", () => {
    const drawn = clickWrite(applied(), "click:a", wall, true).record;
    // A run wrote a field it owns meanwhile: kept.
    const runWrote = { ...drawn, lastNotifiedMs: wall + 1, version: drawn.version + 1 };
    expect(afterClickRedraw(runWrote, drawn, "click:a", true)).toMatchObject({
      lastNotifiedMs: wall + 1,
      version: runWrote.version + 1,
    });
    expect(afterClickRedraw(runWrote, drawn, "click:a", true)?.actionPending).toBeUndefined();
    // Another click snoozed it meanwhile (our lease kept): its redraw is still owed.
    const snoozed = applyAction(drawn, {
      kind: "snooze",
      by: "U2",
      nowMs: wall + 2,
      seconds: 900,
      key: "U2:9",
    });
    if (!snoozed.ok) throw new Error(snoozed.reason);
    expect(afterClickRedraw(snoozed.record, drawn, "click:a", true)).toMatchObject({
      actionPending: "snoozed",
    });
    expect(afterClickRedraw(snoozed.record, drawn, "click:a", true)?.lease).toBeUndefined();
    // The lease lapsed and a run took the record: the click writes nothing.
    const taken = { ...drawn, lease: { by: "run:2", untilMs: wall + 40_000 }, version: drawn.version + 1 };
    expect(afterClickRedraw(taken, drawn, "click:a", true)).toBeUndefined();
  });
});
