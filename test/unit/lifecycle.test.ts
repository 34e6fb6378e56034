import { describe, expect, it } from "vitest";
import type { Segment } from "../../functions/domain/agent.js";
import type { AlertRecord, TransitionType } from "../../functions/domain/alert.js";
import type { AppConfig } from "../../functions/domain/config.js";
import { afterDelivery, slackActionFor } from "../../functions/domain/delivery.js";
import { decideRun } from "../../functions/domain/lifecycle.js";
import { agent, config, seg, t } from "./builders.js";

/** The timeline as the API shows it at `now`: later segments unseen, the one under way open. */
function asOf(segments: Segment[], nowMs: number): Segment[] {
  return segments
    .filter((s) => s.startMs <= nowMs)
    .map((s) => (s.endMs !== null && s.endMs > nowMs ? { ...s, endMs: null } : s));
}

interface Step {
  at: string;
  expect: Array<[TransitionType, string]>;
}

/** Runs the lifecycle at each step, carrying state forward, and checks each run's transitions. */
function play(timeline: Segment[], steps: Step[], cfg: AppConfig = config()): AlertRecord[] {
  let records: AlertRecord[] = [];
  for (const step of steps) {
    const now = t(step.at);
    const run = decideRun(records, [agent("u-1", asOf(timeline, now))], cfg, now);
    const got = run.transitions.map((tr) => [tr.type, tr.severity] as [TransitionType, string]);
    expect(got, `transitions at ${step.at}`).toEqual(step.expect);
    records = run.records;
  }
  return records;
}

describe("lifecycle", () => {
  it("fires once at the threshold, reminds every repeat, escalates once at critical, resolves", () => {
    const timeline = [
      seg("AVAILABLE", "AVAILABLE", "08:00", "12:00"),
      seg("AWAY", "LUNCH", "12:00", "13:10"),
      seg("AVAILABLE", "AVAILABLE", "13:10", null),
    ];
    const records = play(timeline, [
      { at: "12:10", expect: [] },
      { at: "12:15", expect: [["fired", "warning"]] },
      { at: "12:20", expect: [] },
      { at: "12:25", expect: [] },
      { at: "12:30", expect: [["escalated", "critical"]] },
      { at: "12:35", expect: [] },
      // Reminders fall every 30m after firing (12:45, 13:15, ...), whatever else was said between.
      { at: "12:45", expect: [["reminded", "critical"]] },
      { at: "12:50", expect: [] },
      { at: "13:05", expect: [] },
      { at: "13:15", expect: [["resolved", "critical"]] },
      { at: "13:20", expect: [] },
    ]);
    const [only] = records;
    expect(records).toHaveLength(1);
    expect(only).toMatchObject({ state: "resolved", sinceMs: t("12:00"), endedMs: t("13:10") });
  });

  it("fires with critical severity when first seen past critical (a late first run)", () => {
    play([seg("AWAY", "NBK", "12:00", null)], [{ at: "12:45", expect: [["fired", "critical"]] }]);
  });

  it("does nothing more when the same run arrives twice", () => {
    play(
      [seg("BUSY", "BUSY", "09:00", null)],
      [
        { at: "09:30", expect: [["fired", "warning"]] },
        { at: "09:30", expect: [] },
        { at: "10:00", expect: [["reminded", "warning"]] },
        { at: "10:00", expect: [] },
      ],
    );
  });

  it("does not remind or resolve on a run that arrives out of order", () => {
    play(
      [seg("BUSY", "BUSY", "09:00", null)],
      [
        { at: "09:35", expect: [["fired", "warning"]] },
        { at: "09:31", expect: [] },
        { at: "10:05", expect: [["reminded", "warning"]] },
      ],
    );
  });

  it("sends one reminder, not a burst, after runs were missed", () => {
    play(
      [seg("BUSY", "BUSY", "09:00", null)],
      [
        { at: "09:30", expect: [["fired", "warning"]] },
        { at: "11:10", expect: [["reminded", "warning"]] },
        { at: "11:15", expect: [] },
        { at: "11:30", expect: [["reminded", "warning"]] },
      ],
    );
  });

  it("lets an escalation stand for a reminder due in the same run", () => {
    const cfg = config({
      rules: [{ name: "Busy", primaryStatus: "BUSY", threshold: "30m", critical: "1h" }],
    });
    play(
      [seg("BUSY", "BUSY", "09:00", null)],
      [
        { at: "09:30", expect: [["fired", "warning"]] },
        { at: "10:00", expect: [["escalated", "critical"]] },
        { at: "10:05", expect: [] },
        { at: "10:30", expect: [["reminded", "critical"]] },
      ],
      cfg,
    );
  });

  it("sends a reminder that is due within a few seconds of a late-starting run", () => {
    play(
      [seg("BUSY", "BUSY", "09:00", null)],
      [
        { at: "09:30:04", expect: [["fired", "warning"]] },
        { at: "10:00:01", expect: [["reminded", "warning"]] },
      ],
    );
  });

  it("treats back-to-back BUSY segments as one episode (one alert)", () => {
    play(
      [seg("BUSY", "BUSY", "09:00", "09:20"), seg("BUSY", "BUSY", "09:20:30", null)],
      [
        { at: "09:25", expect: [] },
        { at: "09:30", expect: [["fired", "warning"]] },
        { at: "09:35", expect: [] },
      ],
    );
  });

  it("resolves one episode and fires the next when the rule changes", () => {
    const timeline = [seg("BUSY", "BUSY", "09:00", "09:40"), seg("AWAY", "LUNCH", "09:40", null)];
    play(timeline, [
      { at: "09:35", expect: [["fired", "warning"]] },
      { at: "09:45", expect: [["resolved", "warning"]] },
      { at: "09:55", expect: [["fired", "warning"]] },
    ]);
  });

  it("resolves when the agent logs out and fires anew after a short break between runs", () => {
    const timeline = [
      seg("BUSY", "BUSY", "09:00", "09:41"),
      seg("AVAILABLE", "AVAILABLE", "09:41", "09:43"),
      seg("BUSY", "BUSY", "09:43", null),
    ];
    play(timeline, [
      { at: "09:40", expect: [["fired", "warning"]] },
      // The AVAILABLE blip fell between runs: the BUSY seen now is a new episode.
      { at: "09:45", expect: [["resolved", "warning"]] },
      { at: "10:10", expect: [] },
      { at: "10:15", expect: [["fired", "warning"]] },
    ]);
  });

  it("counts a start in the future (clock skew) as zero elapsed", () => {
    const records = decideRun([], [agent("u-1", [seg("BUSY", "BUSY", "10:05", null)])], config(), t("10:00"));
    expect(records.transitions).toEqual([]);
  });

  it("keeps the alert of an agent that was not received this run", () => {
    const first = decideRun([], [agent("u-1", [seg("BUSY", "BUSY", "09:00", null)])], config(), t("09:30"));
    const second = decideRun(first.records, [], config(), t("09:35"));
    expect(second.transitions).toEqual([]);
    expect(second.records.map((r) => r.state)).toEqual(["open"]);
  });

  it("keeps the alert when the agent's data was partial and showed no open segment", () => {
    const first = decideRun([], [agent("u-1", [seg("BUSY", "BUSY", "09:00", null)])], config(), t("09:30"));
    const partial = { ...agent("u-1", [seg("AVAILABLE", "AVAILABLE", "08:00", "09:00")]), complete: false };
    expect(decideRun(first.records, [partial], config(), t("09:35")).transitions).toEqual([]);
  });

  it("keeps one alert when the query window no longer shows the episode's first segment", () => {
    const first = decideRun(
      [],
      [agent("u-1", [seg("BUSY", "BUSY", "09:00", "09:20"), seg("BUSY", "BUSY", "09:20", null)])],
      config(),
      t("09:30"),
    );
    expect(first.transitions.map((x) => x.type)).toEqual(["fired"]);
    const later = decideRun(
      first.records,
      [agent("u-1", [seg("BUSY", "BUSY", "09:20", null)])],
      config(),
      t("09:35"),
    );
    expect(later.transitions).toEqual([]);
    expect(later.records).toHaveLength(1);
  });

  it("resolves with the episode's real end, not the run's time", () => {
    const timeline = [seg("AWAY", "LUNCH", "12:00", "12:20"), seg("BUSY", "BUSY", "12:20", null)];
    const records = play(timeline, [
      { at: "12:15", expect: [["fired", "warning"]] },
      { at: "12:25", expect: [["resolved", "warning"]] },
    ]);
    expect(records[0]?.endedMs).toBe(t("12:20"));
  });

  it("uses the team channel and mention for a team's agent", () => {
    const cfg = config({
      teams: [{ name: "T2", agents: ["*@t2.example.com"], channel: "C-T2", mention: "<!subteam^S1>" }],
    });
    const run = decideRun(
      [],
      [agent("u-9", [seg("BUSY", "BUSY", "09:00", null)], "x@t2.example.com")],
      cfg,
      t("09:40"),
    );
    expect(run.records[0]).toMatchObject({
      channel: "C-T2",
      escalationMention: "<!subteam^S1>",
      ruleName: "Stuck in BUSY",
    });
  });
});

describe("Slack delivery derived from the record", () => {
  it("keeps a failed post pending, then escalation and resolve once each", () => {
    const cfg = config();
    const fired = decideRun([], [agent("u-1", [seg("AWAY", "LUNCH", "12:00", null)])], cfg, t("12:15"))
      .records[0] as AlertRecord;

    // The post failed last run: still a post now.
    expect(slackActionFor(fired, false)?.kind).toBe("post");
    const posted = afterDelivery({ kind: "post", record: fired }, "111.1", "C-DEFAULT");
    expect(slackActionFor(posted, false)).toBeUndefined();
    expect(slackActionFor(posted, true)?.kind).toBe("remind");

    const critical = { ...posted, severity: "critical" as const };
    expect(slackActionFor(critical, false)?.kind).toBe("escalate");
    const escalated = afterDelivery({ kind: "escalate", record: critical }, "111.1", "C-DEFAULT");
    expect(slackActionFor(escalated, false)).toBeUndefined();

    const resolved = { ...escalated, state: "resolved" as const };
    expect(slackActionFor(resolved, false)?.kind).toBe("resolve");
    expect(
      slackActionFor(afterDelivery({ kind: "resolve", record: resolved }, "111.1", "C-DEFAULT"), false),
    ).toBeUndefined();
  });

  it("posts an alert that ended before it was ever delivered once, in its resolved form", () => {
    const record = {
      ...(decideRun([], [agent("u-1", [seg("BUSY", "BUSY", "09:00", null)])], config(), t("09:30"))
        .records[0] as AlertRecord),
      state: "resolved" as const,
    };
    expect(slackActionFor(record, false)?.kind).toBe("post");
    expect(slackActionFor(afterDelivery({ kind: "post", record }, "1.1", "C"), false)).toBeUndefined();
  });

  it("never posts an alert without a channel", () => {
    const cfg = config({ slack: {} });
    const record = decideRun([], [agent("u-1", [seg("BUSY", "BUSY", "09:00", null)])], cfg, t("09:30"))
      .records[0] as AlertRecord;
    expect(slackActionFor(record, false)).toBeUndefined();
  });
});
