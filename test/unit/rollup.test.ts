/**
 * Roll-ups as pure functions: when a channel gets one, what each later run groups into one reply,
 * and what the records say afterwards. The lifecycle runs for real (decideRun); Slack's answers are
 * played by hand (every post succeeds unless a test says otherwise).
 */
import { describe, expect, it } from "vitest";
import type { Segment } from "../../functions/domain/agent.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import type { AppConfig } from "../../functions/domain/config.js";
import { decideRun } from "../../functions/domain/lifecycle.js";
import {
  afterRollup,
  planSlack,
  type RollupOutcome,
  type RollupWork,
  restrictTo,
  rollupCounts,
} from "../../functions/domain/rollup.js";
import { agent, config, seg, t } from "./builders.js";

/** n agents on break from 08:00; agent i is back at `backAt(i)` (null: still away). */
function storm(n: number, backAt: (i: number) => string | null = () => null) {
  return (nowMs: number) =>
    Array.from({ length: n }, (_, i) => {
      const back = backAt(i);
      const timeline: Segment[] = [
        seg("AVAILABLE", "AVAILABLE", "07:00", "08:00"),
        seg("AWAY", "BREAK", "08:00", back),
        ...(back === null ? [] : [seg("AVAILABLE", "AVAILABLE", back, null)]),
      ];
      const seen = timeline
        .filter((s) => s.startMs <= nowMs)
        .map((s) => (s.endMs !== null && s.endMs > nowMs ? { ...s, endMs: null } : s));
      return agent(`u-${String(i + 1).padStart(3, "0")}`, seen);
    });
}

/** Every post works: the roll-up gets a ts, the whole list goes out, every reply goes out. */
function allDelivered(work: RollupWork): RollupOutcome {
  return {
    ts: work.ts ?? "1700000000.000100",
    channel: work.channel,
    listed: work.unlisted.map((r) => r.id),
    escalationShown: true,
    resolveShown: true,
  };
}

/** One run: lifecycle, plan, "Slack", and the records after it. */
function run(
  records: AlertRecord[],
  agents: ReturnType<ReturnType<typeof storm>>,
  cfg: AppConfig,
  at: string,
) {
  const now = t(at);
  const decided = decideRun(records, agents, cfg, now);
  const reminded = new Set(
    decided.writes.filter((w) => w.transition?.type === "reminded").map((w) => w.record.id),
  );
  const plan = planSlack(decided.records, reminded, cfg.slack.rollup);
  const byId = new Map(decided.records.map((r) => [r.id, r]));
  for (const work of plan.rollups)
    for (const { record } of afterRollup(work, allDelivered(work), byId)) byId.set(record.id, record);
  return { plan, transitions: decided.transitions, records: [...byId.values()] };
}

describe("roll-ups", () => {
  const cfg = config();

  it("up to slack.rollup new alerts in a channel are per-episode posts, as before", () => {
    const { plan } = run([], storm(10)(t("08:20")), cfg, "08:20");
    expect(plan.rollups).toEqual([]);
    expect(plan.actions.map((a) => a.kind)).toEqual(Array(10).fill("post"));
  });

  it("more than slack.rollup become one roll-up whose members get no message of their own", () => {
    const { plan, records } = run([], storm(37)(t("08:20")), cfg, "08:20");
    expect(plan.actions).toEqual([]);
    expect(plan.rollups).toHaveLength(1);
    const [work] = plan.rollups;
    expect(work?.ts).toBeUndefined();
    expect(work?.members).toHaveLength(37);
    expect(work?.unlisted).toHaveLength(37);
    expect(work?.id).toBe(`rollup#${work?.members[0]?.id}`);
    // Afterwards every member lives in it, listed, and nothing is left for per-episode delivery.
    expect(records.every((r) => r.rollupId === work?.id && r.rollupTs && r.rollupListed)).toBe(true);
    expect(records.every((r) => r.slackTs === undefined)).toBe(true);
    const next = planSlack(records, new Set(), cfg.slack.rollup);
    expect(next).toEqual({ actions: [], rollups: [] });
  });

  it("rollup: 0 turns roll-ups off", () => {
    const { plan } = run(
      [],
      storm(37)(t("08:20")),
      config({ slack: { channel: "C-DEFAULT", rollup: 0 } }),
      "08:20",
    );
    expect(plan.rollups).toEqual([]);
    expect(plan.actions).toHaveLength(37);
  });

  it("groups escalations, reminders and resolves into one reply each per run, and ends in place", () => {
    // 25 come back at 08:40, the other 12 at 09:20.
    const center = storm(37, (i) => (i < 25 ? "08:40" : "09:20"));
    let state = run([], center(t("08:20")), cfg, "08:20").records;

    const at0825 = run(state, center(t("08:25")), cfg, "08:25");
    expect(at0825.plan.rollups).toEqual([]);
    state = at0825.records;

    // 08:30: all 37 past critical (30m): one grouped escalation, no per-episode message.
    const at0830 = run(state, center(t("08:30")), cfg, "08:30");
    expect(at0830.transitions.filter((x) => x.type === "escalated")).toHaveLength(37);
    expect(at0830.plan.actions).toEqual([]);
    expect(at0830.plan.rollups).toHaveLength(1);
    expect(at0830.plan.rollups[0]).toMatchObject({ ts: "1700000000.000100" });
    expect(at0830.plan.rollups[0]?.escalated).toHaveLength(37);
    expect(at0830.plan.rollups[0]?.reminded).toEqual([]);
    state = at0830.records;
    expect(state.every((r) => r.notifiedSeverity === "critical")).toBe(true);

    // 08:45: 25 back: one grouped resolve; the roll-up counts 12 of 37 still firing.
    const at0845 = run(state, center(t("08:45")), cfg, "08:45");
    const [resolving] = at0845.plan.rollups;
    expect(resolving?.resolved).toHaveLength(25);
    expect(rollupCounts(resolving?.members ?? [])).toMatchObject({ total: 37, firing: 12 });
    state = at0845.records;

    // 08:50: the 30m reminder for the 12 still away: one grouped reply, not 12.
    const at0850 = run(state, center(t("08:50")), cfg, "08:50");
    expect(at0850.transitions.filter((x) => x.type === "reminded")).toHaveLength(12);
    expect(at0850.plan.rollups).toHaveLength(1);
    expect(at0850.plan.rollups[0]?.reminded).toHaveLength(12);
    expect(at0850.plan.rollups[0]?.resolved).toEqual([]);
    state = at0850.records;

    // 09:25: the last 12 back: all 37 over.
    const at0925 = run(state, center(t("09:25")), cfg, "09:25");
    expect(at0925.plan.rollups[0]?.resolved).toHaveLength(12);
    expect(rollupCounts(at0925.plan.rollups[0]?.members ?? [])).toMatchObject({ total: 37, firing: 0 });
    expect(planSlack(at0925.records, new Set(), cfg.slack.rollup)).toEqual({ actions: [], rollups: [] });
  });

  it("a roll-up whose post failed is pending: the next run posts it (with any newcomers), once", () => {
    const center = storm(20);
    const decided = decideRun([], center(t("08:20")), cfg, t("08:20"));
    const plan = planSlack(decided.records, new Set(), cfg.slack.rollup);
    const failed: RollupOutcome = {
      listed: [],
      escalationShown: false,
      resolveShown: false,
      error: "ratelimited",
    };
    const byId = new Map(decided.records.map((r) => [r.id, r]));
    expect(afterRollup(plan.rollups[0] as RollupWork, failed, byId)).toEqual([]);
    const next = planSlack(decided.records, new Set(), cfg.slack.rollup);
    expect(next.rollups).toHaveLength(1);
    expect(next.rollups[0]?.members).toHaveLength(20);
  });

  it("a list that only partly went out is finished by the next run", () => {
    const decided = decideRun([], storm(30)(t("08:20")), cfg, t("08:20"));
    const [work] = planSlack(decided.records, new Set(), cfg.slack.rollup).rollups as [RollupWork];
    const byId = new Map(decided.records.map((r) => [r.id, r]));
    const partial: RollupOutcome = {
      ts: "1.2",
      channel: "C-DEFAULT",
      listed: work.members.slice(0, 10).map((r) => r.id),
      escalationShown: false,
      resolveShown: false,
      error: "ratelimited",
      transient: true,
    };
    const written = afterRollup(work, partial, byId).map((w) => w.record);
    expect(written).toHaveLength(30);
    const [again] = planSlack(written, new Set(), cfg.slack.rollup).rollups;
    expect(again).toMatchObject({ id: work.id, ts: "1.2" });
    expect(again?.unlisted.map((r) => r.id)).toEqual(work.members.slice(10).map((r) => r.id));
  });

  it("restricts a new roll-up to the members this run holds (an overlapping run took the rest)", () => {
    const decided = decideRun([], storm(30)(t("08:20")), cfg, t("08:20"));
    const [work] = planSlack(decided.records, new Set(), cfg.slack.rollup).rollups as [RollupWork];
    const held = new Set(work.members.slice(15).map((r) => r.id));
    const mine = restrictTo(work, held);
    expect(mine.members).toHaveLength(15);
    expect(mine.id).toBe(`rollup#${work.members[15]?.id}`);
    expect(mine.id).not.toBe(work.id);
  });
});
