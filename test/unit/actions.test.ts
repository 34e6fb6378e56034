/**
 * DESIGN.md's table "What each action means", row by row, through the pure lifecycle: a run every
 * five minutes, an action taken in Slack between two runs.
 */
import { describe, expect, it } from "vitest";
import { renderSlackAction } from "../../functions/adapters/slack/messages.js";
import { applyAction, disposition, snoozeSeconds } from "../../functions/domain/actions.js";
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
