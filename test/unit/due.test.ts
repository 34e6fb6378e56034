import { describe, expect, it } from "vitest";
import { applyAction } from "../../functions/domain/actions.js";
import { parseAgentRow } from "../../functions/domain/agent.js";
import type { AlertRecord, TransitionType } from "../../functions/domain/alert.js";
import type { AppConfig } from "../../functions/domain/config.js";
import { type DueCheck, dueInstantIso, groupDue, nextDue } from "../../functions/domain/due.js";
import { decideRun } from "../../functions/domain/lifecycle.js";
import { queryWindow } from "../../functions/domain/time.js";
import { formatLocal } from "../fakes/smartassist/timeline.js";
import { agent, config, seg, t } from "./builders.js";

const lunch = [seg("AVAILABLE", "AVAILABLE", "08:00", "12:00"), seg("AWAY", "LUNCH", "12:00", null)];

/** Runs the lifecycle at each instant in turn, carrying the records forward. */
function runAt(instants: number[], cfg: AppConfig, records: AlertRecord[] = []) {
  let current = records;
  let transitions: TransitionType[] = [];
  for (const now of instants) {
    const run = decideRun(current, [agent("u-1", lunch)], cfg, now);
    current = run.records;
    transitions = run.transitions.map((x) => x.type);
  }
  return { records: current, transitions };
}

const due = (records: AlertRecord[], cfg: AppConfig, now: number) =>
  nextDue(agent("u-1", lunch), records, cfg, now);

describe("nextDue", () => {
  it("an episode with no record: its nudge, then (once nudged) its alert", () => {
    const cfg = config({ nudge: "10m" });
    expect(due([], cfg, t("12:04"))).toMatchObject({
      kind: "nudge",
      atMs: t("12:10"),
      email: "u-1@example.com",
    });
    const { records } = runAt([t("12:10")], cfg);
    expect(records[0]?.state).toBe("nudged");
    expect(due(records, cfg, t("12:10"))).toMatchObject({ kind: "fire", atMs: t("12:15") });
  });

  it("without a nudge: the alert at start + threshold", () => {
    expect(due([], config(), t("12:01:30"))).toMatchObject({ kind: "fire", atMs: t("12:15") });
  });

  it("an open alert: its resolve watch a minute ahead, or what is due sooner", () => {
    const cfg = config();
    const { records } = runAt([t("12:15")], cfg);
    expect(due(records, cfg, t("12:16"))).toMatchObject({ kind: "resolve-watch", atMs: t("12:17") });
    expect(due(records, cfg, t("12:29:30"))).toMatchObject({ kind: "escalate", atMs: t("12:30") });
    // The same second as the watch: the moment that does something wins.
    expect(due(records, cfg, t("12:29"))).toMatchObject({ kind: "escalate", atMs: t("12:30") });
    expect(due(records, cfg, t("12:28:59"))).toMatchObject({ kind: "resolve-watch", atMs: t("12:29:59") });
  });

  it("reminders at the lifecycle's own slots; none once acknowledged, but the escalation still comes", () => {
    const cfg = config({
      repeat: "10m",
      rules: [{ name: "Long break", secondaryStatus: "LUNCH", threshold: "15m", critical: "40m" }],
    });
    const { records } = runAt([t("12:15")], cfg);
    expect(due(records, cfg, t("12:24:30"))).toMatchObject({ kind: "remind", atMs: t("12:25") });
    const acked = applyAction(records[0], { kind: "acknowledge", by: "U1", nowMs: t("12:20") });
    if (!acked.ok) throw new Error("acknowledge refused");
    expect(due([acked.record], cfg, t("12:24:30"))?.kind).toBe("resolve-watch");
    expect(due([acked.record], cfg, t("12:39:30"))).toMatchObject({ kind: "escalate", atMs: t("12:40") });
  });

  it("a snooze over the escalation: due at the snooze's end; excused: only the resolve watch", () => {
    const cfg = config();
    const { records } = runAt([t("12:15")], cfg);
    const snoozed = applyAction(records[0], { kind: "snooze", by: "U1", nowMs: t("12:20"), seconds: 1800 });
    if (!snoozed.ok) throw new Error("snooze refused");
    expect(due([snoozed.record], cfg, t("12:49:30"))).toMatchObject({ kind: "snooze-end", atMs: t("12:50") });
    const excused = applyAction(records[0], { kind: "excuse", by: "U1", nowMs: t("12:20") });
    if (!excused.ok) throw new Error("excuse refused");
    expect(due([excused.record], cfg, t("12:29:30"))?.kind).toBe("resolve-watch");
  });

  it("nothing for an agent in no matching episode", () => {
    const available = agent("u-2", [seg("AVAILABLE", "AVAILABLE", "08:00", null)]);
    expect(nextDue(available, [], config(), t("12:00"))).toBeUndefined();
  });

  it("agrees with the lifecycle: at each due instant it acts, a second before it does not", () => {
    const cfg = config({ nudge: "10m", repeat: "20m" });
    let records: AlertRecord[] = [];
    let now = t("12:00:07");
    const seen: Array<[string, TransitionType[]]> = [];
    for (let step = 0; step < 80 && seen.length < 4; step++) {
      const next = due(records, cfg, now);
      if (!next) throw new Error(`nothing due at ${new Date(now).toISOString()}`);
      if (next.kind === "resolve-watch") {
        // The watch only looks: a run then changes nothing while the agent is still out.
        const watch = decideRun(records, [agent("u-1", lunch)], cfg, next.atMs);
        expect(watch.transitions).toEqual([]);
        records = watch.records;
        now = next.atMs;
        continue;
      }
      const early = decideRun(records, [agent("u-1", lunch)], cfg, next.atMs - 1000);
      expect(early.transitions.filter((x) => x.type !== "reminded" || next.kind !== "remind")).toEqual([]);
      const onTime = decideRun(records, [agent("u-1", lunch)], cfg, next.atMs);
      seen.push([next.kind, onTime.transitions.map((x) => x.type)]);
      records = onTime.records;
      now = next.atMs;
    }
    expect(seen).toEqual([
      ["nudge", ["nudged"]],
      ["fire", ["fired"]],
      ["escalate", ["escalated"]],
      ["remind", ["reminded"]],
    ]);
  });
});

describe("nextDue across a DST change", () => {
  // New York springs forward at 2026-03-08T07:00Z (02:00 EST → 03:00 EDT), and falls back at
  // 2026-11-01T06:00Z. A break that starts five minutes before the change is due 15 minutes after its
  // start in real time, whichever offset the API renders its times in.
  it.each([
    ["spring forward", Date.parse("2026-03-08T06:55:00Z")],
    ["fall back", Date.parse("2026-11-01T05:55:00Z")],
  ])("%s: due at start + threshold in UTC", (_name, since) => {
    const cfg = config({ timezone: "America/New_York" });
    const now = since + 8 * 60_000;
    const offset = queryWindow("America/New_York", now, cfg.largestThresholdSeconds, 300).timeZoneOffSet;
    const row = {
      userId: "u-1",
      firstName: "A",
      lastName: "B",
      email: "u-1@example.com",
      status: [
        {
          primaryStatus: "AWAY",
          secondaryStatus: "LUNCH",
          startTime: formatLocal(since, offset),
          endTime: "-",
          duration: "-",
        },
      ],
    };
    const parsed = parseAgentRow(row, offset);
    if (!parsed.agent) throw new Error("row did not parse");
    expect(nextDue(parsed.agent, [], cfg, now)).toMatchObject({ kind: "fire", atMs: since + 15 * 60_000 });
  });
});

describe("groupDue", () => {
  const at = (userId: string, atMs: number): DueCheck => ({
    userId,
    email: `${userId}@x`,
    atMs,
    kind: "fire",
  });

  it("shares a request between re-checks within the precision, going at the group's last instant", () => {
    const groups = groupDue([at("c", t("12:00:25")), at("a", t("12:00:00")), at("b", t("12:00:09"))], 10_000);
    expect(groups.map((g) => [g.agents.map((a) => a.userId), g.atMs])).toEqual([
      [["a", "b"], t("12:00:09")],
      [["c"], t("12:00:25")],
    ]);
  });

  it("puts at most 50 agents in one request", () => {
    const many = Array.from({ length: 120 }, (_, i) => at(`u-${String(i).padStart(3, "0")}`, t("12:00")));
    expect(groupDue(many, 10_000).map((g) => g.agents.length)).toEqual([50, 50, 20]);
  });

  it("writes instants to the second, as the summary shows them", () => {
    expect(dueInstantIso(Date.parse("2023-03-10T16:22:42.000Z"))).toBe("2023-03-10T16:22:42Z");
  });
});
