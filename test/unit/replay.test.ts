/** Replay on designed days: hand-worked counts through the real use case on a virtual clock. */
import { describe, expect, it } from "vitest";
import { CountingNotifier } from "../../functions/adapters/slack/counting-notifier.js";
import {
  type Capture,
  CaptureSource,
  cutRow,
  parseCapture,
} from "../../functions/adapters/smartassist/capture-source.js";
import { FrozenAlertStore } from "../../functions/adapters/state/frozen-store.js";
import { replayDay } from "../../functions/app/replay.js";
import { captureSpan, offsetWarning, replayCapture, replayText } from "../../functions/cli/replay.js";
import { ReplayProgressLine, replayProgress } from "../../functions/cli/replay-progress.js";
import { parseConfig } from "../../functions/domain/config.js";
import { localMidnight } from "../../functions/domain/replay.js";

const DATE = "2026-11-30";
const OFFSET = -330; // Asia/Kolkata

function cfg(rule: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return parseConfig(
    {
      timezone: "Asia/Kolkata",
      smartassist: { host: "https://platform.kore.ai", accountId: "acc", iId: "st-1" },
      schedule: { every: "5m" },
      rules: [{ name: "Long break", secondaryStatus: ["LUNCH", "BREAK"], ...rule }],
      slack: { channel: "C1" },
      ...extra,
    },
    "test.yaml",
  ).config;
}

function seg(primary: string, secondary: string, start: string, end: string | null) {
  return {
    primaryStatus: primary,
    secondaryStatus: secondary,
    startTime: `${DATE}T${start}`,
    endTime: end === null ? "-" : `${DATE}T${end}`,
    duration: "-",
  };
}

function row(i: number, status: ReturnType<typeof seg>[]) {
  return { userId: `u${i}`, firstName: "Agent", lastName: String(i), email: `a${i}@example.com`, status };
}

function capture(rows: unknown[]): Capture {
  return { version: 1, date: DATE, timezone: "Asia/Kolkata", timeZoneOffSet: OFFSET, rows };
}

/** An agent on LUNCH from 12:00:00 for `minutes`, AVAILABLE before and after. */
function lunch(i: number, end: string) {
  return row(i, [
    seg("AVAILABLE", "AVAILABLE", "09:00:00", "12:00:00"),
    seg("AWAY", "LUNCH", "12:00:00", end),
    seg("AVAILABLE", "AVAILABLE", end, null),
  ]);
}

describe("replay on designed days", () => {
  it("30 min on LUNCH (threshold 15m, nudge 10m, critical 25m): 1 nudge, 1 alert, 1 escalation, 15 min past", async () => {
    const config = cfg({ threshold: "15m", nudge: "10m", critical: "25m" });
    const r = await replayCapture(config, "a.yaml", capture([lunch(1, "12:30:00")]));
    expect(r.totals).toEqual({
      alerts: 1,
      nudges: 1,
      averted: 0,
      escalations: 1,
      reminders: 0,
      rollups: 0,
      // The alert, the escalation's reply, the resolve's reply.
      messages: 3,
      minutesPastThreshold: 15,
    });
    expect(r.byRule).toEqual([
      {
        rule: "Long break",
        alerts: 1,
        nudges: 1,
        averted: 0,
        escalations: 1,
        reminders: 0,
        minutesPastThreshold: 15,
      },
    ]);
    expect(r.byHour).toHaveLength(24);
    expect(r.byHour[12]).toEqual({ hour: 12, alerts: 1 });
    expect(r.byHour.reduce((n, h) => n + h.alerts, 0)).toBe(1);
    // On time: the nudge at 12:10, the alert at 12:15, the escalation at 12:25 (local), to the second.
    const at = (type: string) => r.transitions.find((t) => t.type === type)?.at;
    expect(at("nudged")).toBe("2026-11-30T06:40:00.000Z");
    expect(at("fired")).toBe("2026-11-30T06:45:00.000Z");
    expect(at("escalated")).toBe("2026-11-30T06:55:00.000Z");
  });

  it("the text's first line names the day, its zone and the agents (one agent, not one agents)", async () => {
    const config = cfg({ threshold: "15m" });
    const one = capture([lunch(1, "12:30:00")]);
    const two = capture([lunch(1, "12:30:00"), lunch(2, "12:10:00")]);
    const first = async (c: Capture) =>
      replayText(c, [await replayCapture(config, "a.yaml", c)]).split("\n")[0];
    expect(await first(one)).toBe("Replay of 2026-11-30 (Asia/Kolkata), 1 agent: a.yaml");
    expect(await first(two)).toBe("Replay of 2026-11-30 (Asia/Kolkata), 2 agents: a.yaml");
  });

  it("back at 12 min: 1 nudge, 1 averted, no alert, no channel message", async () => {
    const config = cfg({ threshold: "15m", nudge: "10m", critical: "25m" });
    const r = await replayCapture(config, "a.yaml", capture([lunch(1, "12:12:00")]));
    expect(r.totals).toMatchObject({
      alerts: 0,
      nudges: 1,
      averted: 1,
      messages: 0,
      minutesPastThreshold: 0,
    });
  });

  it("reminders every repeat while firing; an episode open at midnight counts to midnight", async () => {
    const config = cfg({ threshold: "15m" }, { repeat: "20m" });
    const open = row(1, [
      seg("AVAILABLE", "AVAILABLE", "22:00:00", "23:00:00"),
      seg("AWAY", "BREAK", "23:00:00", null),
    ]);
    const r = await replayCapture(config, "a.yaml", capture([open]));
    // Fired 23:15, reminded 23:35 and 23:55; open until midnight: 60 − 15 = 45 min past threshold.
    expect(r.totals).toMatchObject({ alerts: 1, reminders: 2, minutesPastThreshold: 45, messages: 3 });
    expect(r.byHour[23]?.alerts).toBe(1);
  });

  it("a day read before it was over is replayed up to its read, not to midnight", async () => {
    // Prepare: read at 13:10 local (07:40Z): one agent on BREAK since 12:00, still on it then.
    const config = cfg({ threshold: "15m" }, { repeat: "20m" });
    const open = row(1, [
      seg("AVAILABLE", "AVAILABLE", "09:00:00", "12:00:00"),
      seg("AWAY", "BREAK", "12:00:00", null),
    ]);
    const readAt = `${DATE}T07:40:00.000Z`;

    // Act
    const partial = await replayCapture(config, "a.yaml", { ...capture([open]), readAt });
    const whole = await replayCapture(config, "a.yaml", capture([open]));

    // Assess: fired 12:15, reminded 12:35 and 12:55, 55 min past threshold at 13:10 ...
    expect(partial.totals).toMatchObject({ alerts: 1, reminders: 2, minutesPastThreshold: 55 });
    // ... where the same rows without a read instant run on to midnight (11 h 45 min past, 35 reminders).
    expect(whole.totals).toMatchObject({ alerts: 1, reminders: 35, minutesPastThreshold: 705 });
  });

  it("a capture naming instants after its read instant (made by hand) is replayed whole", async () => {
    const config = cfg({ threshold: "15m" });
    const later = row(1, [seg("AWAY", "BREAK", "15:00:00", "15:30:00")]);
    const r = await replayCapture(config, "a.yaml", { ...capture([later]), readAt: `${DATE}T07:40:00.000Z` });
    expect(r.totals).toMatchObject({ alerts: 1, minutesPastThreshold: 15 });
    expect(captureSpan({ ...capture([later]), readAt: `${DATE}T07:40:00.000Z` })).not.toHaveProperty(
      "untilMs",
    );
    // A read after the day's end leaves the day whole too.
    const afterwards = { ...capture([later]), readAt: "2026-12-01T07:40:00.000Z" };
    expect(captureSpan(afterwards).dayEndMs).toBe(localMidnight("Asia/Kolkata", "2026-12-01"));
  });

  it("a storm becomes one roll-up: more than slack.rollup new alerts in one channel at once", async () => {
    const config = cfg({ threshold: "15m" }, { slack: { channel: "C1", rollup: 2 } });
    const rows = [1, 2, 3].map((i) => lunch(i, "12:40:00"));
    const r = await replayCapture(config, "a.yaml", capture(rows));
    expect(r.totals.alerts).toBe(3);
    expect(r.totals.rollups).toBe(1);
    // The roll-up, its complete list, the grouped resolve reply.
    expect(r.totals.messages).toBe(3);
    expect(r.totals.minutesPastThreshold).toBe(75);
  });

  it("the board is not simulated: the same figures with slack.board, and no board drawn", async () => {
    // Two singles and a storm, so alerts, escalations, a roll-up and resolves all happen.
    const rows = [
      lunch(1, "12:20:00"),
      lunch(2, "12:50:00"),
      ...[3, 4, 5, 6].map((i) => lunch(i, "12:40:00")),
    ];
    const rule = { threshold: "15m", nudge: "10m", critical: "30m" };
    const plain = cfg(rule, { slack: { channel: "C1", rollup: 2 } });
    const withBoard = cfg(rule, { slack: { channel: "C1", rollup: 2, board: true } });
    const day = captureSpan(capture(rows));
    let boardsDrawn = 0;
    const adapters = (clock: () => number) => {
      // A notifier that could draw a board: a run with the board on would call it on every tick.
      const notifier = Object.assign(new CountingNotifier("Asia/Kolkata", clock), {
        publishBoard: async () => {
          boardsDrawn++;
          return { ok: true as const, ts: "1.000001", reposted: false };
        },
      });
      return {
        source: new CaptureSource(capture(rows), clock),
        store: new FrozenAlertStore(clock),
        notifier,
        messages: () => notifier.channels,
      };
    };
    const a = await replayDay(plain, "a.yaml", day, adapters);
    const b = await replayDay(withBoard, "a.yaml", day, adapters);
    expect(boardsDrawn).toBe(0);
    expect(b.totals).toEqual(a.totals);
    expect(b.totals.alerts).toBe(6);
    expect(b.totals.rollups).toBe(1);
    expect(b.byRule).toEqual(a.byRule);
    expect(b.transitions).toEqual(a.transitions);
  });

  it("smartassist.agents: only the agents it names are watched, as the API would answer a filter", async () => {
    const rows = [1, 2, 3].map((i) => lunch(i, "12:30:00"));
    const all = cfg({ threshold: "15m" });
    // As the API compares them: trimmed, in any case.
    const some = cfg(
      { threshold: "15m" },
      {
        smartassist: {
          host: "https://platform.kore.ai",
          accountId: "acc",
          iId: "st-1",
          agents: [" A1@Example.com", "a3@example.com"],
        },
      },
    );
    const whole = await replayCapture(all, "all.yaml", capture(rows));
    const part = await replayCapture(some, "some.yaml", capture(rows));
    expect(whole.totals.alerts).toBe(3);
    expect(part.totals.alerts).toBe(2);
    expect(new Set(part.records.map((r) => r.userId))).toEqual(new Set(["u1", "u3"]));
  });

  it("outside activeHours nothing runs", async () => {
    const config = cfg(
      { threshold: "15m" },
      { schedule: { every: "5m", activeHours: { from: "14:00", to: "18:00" } } },
    );
    const r = await replayCapture(config, "a.yaml", capture([lunch(1, "12:30:00")]));
    expect(r.totals.alerts).toBe(0);
    expect(r.runs.ticks).toBe(240);
  });
});

describe("replay progress", () => {
  it("hears each simulated hour once, in order, then the day's end with the runs made", async () => {
    const config = cfg({ threshold: "15m", nudge: "10m" });
    const heard: Array<{ nowMs: number; ticks: number; due: number; done: boolean }> = [];
    const r = await replayCapture(
      config,
      "a.yaml",
      capture([lunch(1, "12:30:00")]),
      ({ nowMs, runs, done }) => {
        heard.push({ nowMs, ...runs, done });
      },
    );
    const midnight = localMidnight("Asia/Kolkata", DATE);
    // 01:00 … 23:00, then the day's end (the next midnight).
    expect(heard.map((h) => (h.nowMs - midnight) / 3_600_000)).toEqual(
      Array.from({ length: 24 }, (_, i) => i + 1),
    );
    expect(heard[11]).toMatchObject({ ticks: 720 }); // at 12:00: the day's first 720 minutes ticked
    expect(heard.map((h) => h.done)).toEqual([...Array(23).fill(false), true]);
    expect(heard.at(-1)).toMatchObject({ ticks: r.runs.ticks, due: r.runs.due });
    expect(r.runs.due).toBeGreaterThan(0);
  });

  it("on a terminal shows the hour reached over the last line; elsewhere only the closing line", () => {
    const day = capture([]);
    const midnight = localMidnight("Asia/Kolkata", DATE);
    const runs = { ticks: 1440, due: 3 };
    const say = (tty: boolean) => {
      const out: string[] = [];
      let wall = 1_000;
      const progress = replayProgress(
        "a.yaml",
        day,
        tty,
        (t) => out.push(t),
        () => wall,
      );
      progress({ nowMs: midnight + 14 * 3_600_000, runs, done: false });
      wall += 2_500;
      progress({ nowMs: midnight + 24 * 3_600_000, runs, done: true });
      return out;
    };
    expect(say(true)).toEqual([
      "\rreplaying a.yaml: 2026-11-30 14:00 reached",
      "\r\x1b[Kreplayed a.yaml: 1440 ticks and 3 due re-checks in 2.5 s\n",
    ]);
    expect(say(false)).toEqual(["replayed a.yaml: 1440 ticks and 3 due re-checks in 2.5 s\n"]);
  });

  it("shows two configs replayed side by side on one line, each closing when it finishes", () => {
    // Prepare: one line for both configs, on a clock the test moves.
    const day = capture([]);
    const midnight = localMidnight("Asia/Kolkata", DATE);
    const hour = (h: number) => midnight + h * 3_600_000;
    const say = (tty: boolean) => {
      const out: string[] = [];
      let wall = 0;
      const line = new ReplayProgressLine(
        day,
        tty,
        (t) => out.push(t),
        () => wall,
      );
      const a = line.for("a.yaml");
      const b = line.for("b.yaml");
      // Act: b reports first, a passes it, b finishes first, then a.
      b({ nowMs: hour(1), runs: { ticks: 60, due: 0 }, done: false });
      a({ nowMs: hour(2), runs: { ticks: 120, due: 1 }, done: false });
      b({ nowMs: hour(3), runs: { ticks: 180, due: 1 }, done: false });
      wall = 4_000;
      b({ nowMs: hour(24), runs: { ticks: 1440, due: 7 }, done: true });
      a({ nowMs: hour(23), runs: { ticks: 1380, due: 2 }, done: false });
      wall = 6_000;
      a({ nowMs: hour(24), runs: { ticks: 1440, due: 3 }, done: true });
      return out;
    };
    // Assess: the configs in the order named, whichever reports first; each closing line in its turn,
    // and the config left running back in the one-config form.
    expect(say(true)).toEqual([
      "\rreplaying 2026-11-30: b.yaml 01:00",
      "\rreplaying 2026-11-30: a.yaml 02:00 · b.yaml 01:00",
      "\rreplaying 2026-11-30: a.yaml 02:00 · b.yaml 03:00",
      "\r\x1b[Kreplayed b.yaml: 1440 ticks and 7 due re-checks in 4.0 s\n\rreplaying a.yaml: 2026-11-30 02:00 reached",
      "\rreplaying a.yaml: 2026-11-30 23:00 reached",
      "\r\x1b[Kreplayed a.yaml: 1440 ticks and 3 due re-checks in 6.0 s\n",
    ]);
    expect(say(false)).toEqual([
      "replayed b.yaml: 1440 ticks and 7 due re-checks in 4.0 s\n",
      "replayed a.yaml: 1440 ticks and 3 due re-checks in 6.0 s\n",
    ]);
  });
});

describe("the progress line, beyond the usual", () => {
  const day = capture([]);
  const hour = (h: number) => localMidnight("Asia/Kolkata", DATE) + h * 3_600_000;
  const day24 = { nowMs: hour(24), runs: { ticks: 1440, due: 7 }, done: true };

  it("a config taken up again (replayed here after its child failed) counts its own time", () => {
    const out: string[] = [];
    let wall = 5_000;
    const line = new ReplayProgressLine(
      day,
      false,
      (t) => out.push(t),
      () => wall,
    );
    const b = line.for("b.yaml");
    b({ nowMs: hour(3), runs: { ticks: 180, due: 1 }, done: false });
    wall = 6_000;
    line.restart(b);
    wall = 6_500;
    b(day24);
    expect(out).toEqual(["replayed b.yaml: 1440 ticks and 7 due re-checks in 0.5 s\n"]);
  });

  it("the same file as --config and --against: two configs on the line, each closing once", () => {
    const out: string[] = [];
    const line = new ReplayProgressLine(
      day,
      true,
      (t) => out.push(t),
      () => 0,
    );
    const first = line.for("a.yaml");
    const second = line.for("a.yaml");
    first({ nowMs: hour(2), runs: { ticks: 120, due: 0 }, done: false });
    second({ nowMs: hour(1), runs: { ticks: 60, due: 0 }, done: false });
    first(day24);
    second(day24);
    expect(out).toEqual([
      "\rreplaying 2026-11-30: a.yaml 02:00",
      "\rreplaying 2026-11-30: a.yaml 02:00 · a.yaml 01:00",
      "\r\x1b[Kreplayed a.yaml: 1440 ticks and 7 due re-checks in 0.0 s\n\rreplaying a.yaml: 2026-11-30 01:00 reached",
      "\r\x1b[Kreplayed a.yaml: 1440 ticks and 7 due re-checks in 0.0 s\n",
    ]);
  });
});

describe("rows cut to the instant", () => {
  const timed = [
    { raw: { startTime: "a", endTime: "b" }, startMs: 0, endMs: 100 },
    { raw: { startTime: "b", endTime: "c" }, startMs: 100, endMs: 200 },
    { raw: { startTime: "c", endTime: "-" }, startMs: 200, endMs: null },
  ];
  it("drops later segments, opens the running one, keeps the ended ones as received", () => {
    const cut = cutRow({ userId: "u" }, timed, 150);
    expect(cut.untilMs).toBe(200);
    expect(cut.row).toEqual({
      userId: "u",
      status: [
        { startTime: "a", endTime: "b" },
        { startTime: "b", endTime: "-", duration: "-" },
      ],
    });
    expect((cut.row as { status: unknown[] }).status[0]).toBe(timed[0]?.raw);
  });
  it("a capture whose offset is not its zone's on its date is said, not silently hours off", () => {
    expect(offsetWarning(capture([]))).toBeUndefined();
    expect(offsetWarning({ ...capture([]), timeZoneOffSet: 330 })).toBe(
      "warning: the capture's timeZoneOffSet is 330, but Asia/Kolkata's on 2026-11-30 is -330 (minutes to add to local time to get UTC); its times are read in 330 as written",
    );
    // New York: 240 in summer, 300 in winter (the date's own offset, not today's).
    const ny = { ...capture([]), timezone: "America/New_York" };
    expect(offsetWarning({ ...ny, date: "2026-07-01", timeZoneOffSet: 240 })).toBeUndefined();
    expect(offsetWarning({ ...ny, date: "2026-12-01", timeZoneOffSet: 300 })).toBeUndefined();
    expect(offsetWarning({ ...ny, date: "2026-12-01", timeZoneOffSet: 240 })).toContain("is 300");
  });

  it("a capture file is checked field by field, its read instant included", () => {
    const base = capture([]);
    expect(parseCapture(JSON.parse(JSON.stringify(base)), "f.json")).toEqual(base);
    const read = { ...base, readAt: "2026-11-30T07:40:00.000Z" };
    expect(parseCapture(read, "f.json").readAt).toBe(read.readAt);
    expect(() => parseCapture({ ...base, readAt: "lunchtime" }, "f.json")).toThrow(
      /f\.json: the capture's "readAt" is not an ISO-8601 instant/,
    );
    expect(() => parseCapture({ ...base, version: 2 }, "f.json")).toThrow(/version 2 is not supported/);
    expect(() => parseCapture([], "f.json")).toThrow(/not a replay capture/);
  });

  it("a boundary instant belongs to the segment that starts there", () => {
    const cut = cutRow({ userId: "u" }, timed, 200);
    expect((cut.row as { status: Array<{ endTime: string }> }).status.map((s) => s.endTime)).toEqual([
      "b",
      "c",
      "-",
    ]);
  });
  it("local midnight of the date in the zone", () => {
    expect(new Date(localMidnight("Asia/Kolkata", DATE)).toISOString()).toBe("2026-11-29T18:30:00.000Z");
    expect(new Date(localMidnight("America/New_York", "2026-03-08")).toISOString()).toBe(
      "2026-03-08T05:00:00.000Z",
    );
  });
});
