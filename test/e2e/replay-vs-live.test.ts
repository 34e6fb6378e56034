/**
 * Replay against live, alert for alert. One simulated day run twice:
 *
 * - live: the watchdog as deployed locally (app/watch.ts: a first run at once, a tick at the start of
 *   every minute, each due re-check at its instant through the in-process due queue), the real
 *   runCheck against the simulator's rendering of the API at each instant, a memory store that keeps
 *   history, all on a virtual clock (fake timers);
 * - replay: the capture of that day, as `replay --save` would take it the day after, through the
 *   CLI's own replay wiring (replayCapture).
 *
 * Every alert the replay counts is one the live runs recorded, with the same start, fire, end and
 * severity, and the same transitions at the same instants; the figures are the same.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { TimerDueQueue } from "../../functions/adapters/queue/timer-due-queue.js";
import { CountingNotifier } from "../../functions/adapters/slack/counting-notifier.js";
import { MemoryAlertStore } from "../../functions/adapters/state/memory-store.js";
import { silentLog } from "../../functions/app/logger.js";
import { runBudget } from "../../functions/app/run-budget.js";
import { runCheck } from "../../functions/app/run-check.js";
import { startWatch } from "../../functions/app/watch.js";
import { replayCapture } from "../../functions/cli/replay.js";
import type { AlertRecord, Transition } from "../../functions/domain/alert.js";
import { parseConfig } from "../../functions/domain/config.js";
import { TICK_SECONDS } from "../../functions/domain/coverage.js";
import { type DueGroup, dueEmails } from "../../functions/domain/due.js";
import { localMidnight, replayFigures } from "../../functions/domain/replay.js";
import { mulberry32 } from "../fakes/smartassist/day.js";
import { LiveSource } from "../fakes/smartassist/live-source.js";
import { renderRow, type SimAgent, type SimSegment, utcWindow } from "../fakes/smartassist/timeline.js";

const DATE = "2026-11-30";
const ZONE = "Asia/Kolkata";
const OFFSET = -330;
const MIN = 60_000;
const DAY_START = localMidnight(ZONE, DATE);
const DAY_END = DAY_START + 24 * 3600_000;
/** A local time of the day, as UTC ms. */
const at = (hhmm: string, seconds = 0) => {
  const [h, m] = hhmm.split(":").map(Number);
  return DAY_START + ((h ?? 0) * 60 + (m ?? 0)) * MIN + seconds * 1000;
};

const { config } = parseConfig(
  {
    timezone: ZONE,
    smartassist: { host: "https://platform.kore.ai", accountId: "acc", iId: "st-1", pageSize: 10 },
    schedule: { every: "5m" },
    rules: [
      {
        name: "Long break",
        secondaryStatus: ["LUNCH", "BREAK"],
        threshold: "15m",
        critical: "25m",
        nudge: "10m",
      },
      { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m" },
    ],
    repeat: "10m",
    slack: { channel: "C1", rollup: 3 },
  },
  "test.yaml",
);

const seg = (
  primaryStatus: string,
  secondaryStatus: string,
  from: number,
  to: number | null,
): SimSegment => ({
  primaryStatus,
  secondaryStatus: secondaryStatus || primaryStatus,
  startMs: from,
  endMs: to,
});

/** Agents whose days are designed: each stands for a case the two paths could disagree on. */
function designed(): SimAgent[] {
  const agent = (id: string, segments: SimSegment[]): SimAgent => ({
    userId: id,
    firstName: "Case",
    lastName: id,
    email: `${id}@example.com`,
    segments,
  });
  return [
    // Fires at 15 min, escalates at 25, reminded every 10 after firing, back at 50.
    agent("long", [
      seg("AVAILABLE", "", at("08:00"), at("09:00")),
      seg("AWAY", "BREAK", at("09:00"), at("09:50")),
      seg("AVAILABLE", "", at("09:50"), at("17:00")),
    ]),
    // A second episode of the same rule after a long gap: two alerts.
    agent("twice", [
      seg("AWAY", "BREAK", at("09:00"), at("09:30")),
      seg("AVAILABLE", "", at("09:30"), at("12:00")),
      seg("AWAY", "LUNCH", at("12:00"), at("12:40")),
      seg("AVAILABLE", "", at("12:40"), at("18:00")),
    ]),
    // Logged out for 40 s in the middle of a break: the run in the gap resolves the alert; the break
    // goes on as the same episode (within 60 s), which never fires again, even hours later.
    agent("resumed", [
      seg("AWAY", "BREAK", at("10:00"), at("10:20")),
      seg("AWAY", "BREAK", at("10:20", 40), at("13:00")),
      seg("AVAILABLE", "", at("13:00"), at("18:00")),
    ]),
    // Nudged at 10 min, back at 12: averted, no alert.
    agent("averted", [
      seg("AWAY", "BREAK", at("11:00"), at("11:12")),
      seg("AVAILABLE", "", at("11:12"), at("18:00")),
    ]),
    // Five agents busy from 14:00: all due at 14:30, one re-check fires them at once, one roll-up.
    ...["storm1", "storm2", "storm3", "storm4", "storm5"].map((id) =>
      agent(id, [seg("BUSY", "", at("14:00"), at("14:45")), seg("AVAILABLE", "", at("14:45"), at("18:00"))]),
    ),
    // Still busy at midnight: open at the day's end.
    agent("late", [seg("AVAILABLE", "", at("20:00"), at("23:00")), seg("BUSY", "", at("23:00"), null)]),
  ];
}

/** Random days for the rest of the floor (some at once, so roll-ups happen too). */
function floor(agents: number): SimAgent[] {
  const random = mulberry32(7);
  const between = (a: number, b: number) => a + Math.floor(random() * (b - a));
  return Array.from({ length: agents }, (_, i) => {
    const segments: SimSegment[] = [];
    let t = at("08:00") + between(0, 600) * 1000;
    const end = at("17:00");
    while (t < end) {
      const roll = random();
      const [p, s, minutes] =
        roll < 0.5
          ? ["AVAILABLE", "AVAILABLE", between(5, 40)]
          : roll < 0.75
            ? ["BUSY", "BUSY", between(5, 50)]
            : ["AWAY", roll < 0.9 ? "BREAK" : "LUNCH", between(5, 40)];
      const next = t + minutes * MIN + between(0, 60) * 1000;
      segments.push({ primaryStatus: p, secondaryStatus: s, startMs: t, endMs: next >= end ? null : next });
      t = next;
    }
    return { userId: `u${i}`, firstName: "A", lastName: String(i), email: `a${i}@example.com`, segments };
  });
}

interface LiveDay {
  transitions: Transition[];
  store: MemoryAlertStore;
  notifier: CountingNotifier;
}

/** The day as the watch runs it, on fake timers from local midnight to the next. */
async function liveDay(agents: SimAgent[]): Promise<LiveDay> {
  vi.useFakeTimers({ now: DAY_START, toFake: ["setTimeout", "clearTimeout", "Date"] });
  const clock = () => Date.now();
  const source = new LiveSource(agents, clock, config.smartassist.pageSize);
  const store = new MemoryAlertStore({ nowMs: clock });
  const notifier = new CountingNotifier(ZONE, clock);
  const transitions: Transition[] = [];
  const stop = new AbortController();
  let hand: (group: DueGroup) => void = () => {};
  const dueQueue = new TimerDueQueue((group) => hand(group));
  const watch = startWatch(
    {
      config,
      run: (trigger, nowMs) => {
        const deps = { source, store, history: store, notifier, dueQueue, log: silentLog };
        const budget = runBudget(Date.now(), TICK_SECONDS);
        return trigger.kind === "schedule"
          ? runCheck(config, deps, { nowMs, budget, mode: "tick" })
          : runCheck(config, deps, { nowMs, budget, mode: "due", dueEmails: dueEmails([trigger.group]) });
      },
      onResult: (result) => {
        transitions.push(...result.summary.transitions);
      },
      onError: (error) => {
        throw error;
      },
    },
    stop.signal,
  );
  hand = (group) => watch.due(group);
  // Every run of the day (the last instant of it included), then stop before the next midnight.
  await vi.advanceTimersByTimeAsync(DAY_END - DAY_START - 1);
  stop.abort();
  await vi.advanceTimersByTimeAsync(MIN);
  await watch.done;
  dueQueue.close();
  vi.useRealTimers();
  return { transitions, store, notifier };
}

/** An alert as both sides record it. */
function alertLine(r: Pick<AlertRecord, "userId" | "ruleName" | "sinceMs" | "firedMs" | "severity">) {
  return `${r.userId} · ${r.ruleName} · since ${new Date(r.sinceMs).toISOString()} · fired ${new Date(r.firedMs).toISOString()} · ${r.severity}`;
}

const transitionLine = (t: Transition) => `${t.at} ${t.type} ${t.userId} ${t.rule} ${t.since} ${t.severity}`;

afterEach(() => {
  vi.useRealTimers();
});

describe("a replayed day = the live runs of that day", () => {
  it("alert for alert: the same episodes, fires, ends, severities, transitions and figures", async () => {
    const agents = [...designed(), ...floor(35)];
    const live = await liveDay(agents);

    // The capture `replay --save` takes the day after: every row of that date as the API answers then.
    const w = utcWindow(DATE, DATE, OFFSET);
    const capture = {
      version: 1 as const,
      date: DATE,
      timezone: ZONE,
      timeZoneOffSet: OFFSET,
      rows: agents.map((a) => renderRow(a, w, DAY_END + 3600_000)),
    };
    const replay = await replayCapture(config, "test.yaml", capture);

    // What the live runs recorded: history (ended alerts), and the alerts still open at midnight.
    const history = live.store.historySnapshot();
    const liveRecords = live.store.snapshot();
    const liveEnded = history.map((h) => `${alertLine(h)} · ended ${new Date(h.endedMs).toISOString()}`);
    const liveOpen = liveRecords.filter((r) => r.state === "open").map(alertLine);
    const liveAverted = liveRecords.filter((r) => r.state === "averted").map(alertLine);

    const ended = replay.records.filter((r) => r.state === "resolved");
    const replayEnded = ended.map((r) => `${alertLine(r)} · ended ${new Date(r.endedMs ?? 0).toISOString()}`);
    const replayOpen = replay.records.filter((r) => r.state === "open").map(alertLine);
    const replayAverted = replay.records.filter((r) => r.state === "averted").map(alertLine);

    expect(liveEnded.length).toBeGreaterThan(20);
    expect(replayEnded.sort()).toEqual(liveEnded.sort());
    expect(replayOpen.sort()).toEqual(liveOpen.sort());
    expect(replayAverted.sort()).toEqual(liveAverted.sort());
    // Every transition at the same instant (fired, nudged, escalated, reminded, resolved).
    expect(replay.transitions.map(transitionLine).sort()).toEqual(
      live.transitions.map(transitionLine).sort(),
    );

    // The figures, counted from what the live runs left, are the replay's.
    const liveFigures = replayFigures({
      name: "test.yaml",
      config,
      records: liveRecords,
      transitions: live.transitions,
      messages: live.notifier.channels,
      dayEndMs: DAY_END,
    });
    expect(replay.totals).toEqual(liveFigures.totals);
    expect(replay.byRule).toEqual(liveFigures.byRule);
    expect(replay.byHour).toEqual(liveFigures.byHour);
    expect(replay.totals.rollups).toBeGreaterThan(0);

    // The designed cases, as worked out by hand.
    const fired = (userId: string) =>
      replay.transitions.filter((t) => t.userId === userId && t.type === "fired").map((t) => t.since);
    const of = (userId: string, type: Transition["type"]) =>
      replay.transitions.filter((t) => t.userId === userId && t.type === type).map((t) => t.at);
    expect(fired("long")).toEqual([new Date(at("09:00")).toISOString()]);
    expect(of("long", "fired")).toEqual([new Date(at("09:15")).toISOString()]);
    expect(of("long", "escalated")).toEqual([new Date(at("09:25")).toISOString()]);
    // Every 10 min after firing; the escalation at 09:25 stands for the first reminder; back at 09:50.
    const iso = (hhmm: string) => new Date(at(hhmm)).toISOString();
    expect(of("long", "reminded")).toEqual([iso("09:35"), iso("09:45")]);
    expect(fired("twice")).toEqual([
      new Date(at("09:00")).toISOString(),
      new Date(at("12:00")).toISOString(),
    ]);
    // Resolved in the 40 s gap, never fired again although the break lasts 2 h 40 min more.
    expect(fired("resumed")).toEqual([new Date(at("10:00")).toISOString()]);
    expect(of("resumed", "resolved")).toEqual([new Date(at("10:20")).toISOString()]);
    expect(fired("averted")).toEqual([]);
    expect(of("averted", "nudged")).toEqual([new Date(at("11:10")).toISOString()]);
    expect(replayAverted.filter((l) => l.startsWith("averted "))).toHaveLength(1);
    expect(replayOpen.filter((l) => l.startsWith("late "))).toHaveLength(1);
    const storm = replay.records.filter((r) => r.userId.startsWith("storm"));
    expect(storm.map((r) => r.firedMs)).toEqual(Array(5).fill(at("14:30")));
    expect(new Set(storm.map((r) => r.rollupId)).size).toBe(1);
  }, 120_000);
});
