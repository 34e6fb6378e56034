/**
 * Replay against live: the same simulated day run twice through the same loop, once with the
 * simulator's own renderer answering at each instant (what live runs would have read), once from a
 * capture taken at the day's end and cut by the capture source. Alert for alert, the same.
 */
import { describe, expect, it } from "vitest";
import { CountingNotifier } from "../../functions/adapters/slack/counting-notifier.js";
import { CaptureSource } from "../../functions/adapters/smartassist/capture-source.js";
import { FrozenAlertStore } from "../../functions/adapters/state/frozen-store.js";
import { replayDay } from "../../functions/app/replay.js";
import { parseConfig } from "../../functions/domain/config.js";
import { localMidnight } from "../../functions/domain/replay.js";
import type { AgentStatusSource } from "../../functions/ports.js";
import { mulberry32 } from "../fakes/smartassist/day.js";
import { LiveSource } from "../fakes/smartassist/live-source.js";
import { renderRow, type SimAgent, utcWindow } from "../fakes/smartassist/timeline.js";

const DATE = "2026-11-30";
const ZONE = "Asia/Kolkata";
const OFFSET = -330;
const MIN = 60_000;

function day(agents: number): SimAgent[] {
  const random = mulberry32(5);
  const between = (a: number, b: number) => a + Math.floor(random() * (b - a));
  const start = Date.parse(`${DATE}T03:30:00Z`);
  const end = start + 8 * 3600_000;
  return Array.from({ length: agents }, (_, i) => {
    const segments: NonNullable<SimAgent["segments"]> = [];
    let t = start + between(0, 600) * 1000;
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

describe("replay from a capture = live runs over the same day", () => {
  it("the same transitions, alert for alert, and the same figures", async () => {
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
    const agents = day(40);
    const dayStartMs = localMidnight(ZONE, DATE);
    const dayEndMs = dayStartMs + 24 * 3600_000;
    const bounds = { dayStartMs, dayEndMs };
    const adapters = (source: (clock: () => number) => AgentStatusSource) => (clock: () => number) => {
      const notifier = new CountingNotifier(ZONE, clock);
      return {
        source: source(clock),
        store: new FrozenAlertStore(clock),
        notifier,
        messages: () => notifier.channels,
      };
    };
    const live = await replayDay(
      config,
      "live",
      bounds,
      adapters((clock) => new LiveSource(agents, clock)),
    );
    // The capture: every row as the API answers it the day after.
    const w = utcWindow(DATE, DATE, OFFSET);
    const capture = {
      version: 1 as const,
      date: DATE,
      timezone: ZONE,
      timeZoneOffSet: OFFSET,
      rows: agents.map((a) => renderRow(a, w, dayEndMs + 3600_000)),
    };
    const replayed = await replayDay(
      config,
      "replay",
      bounds,
      adapters((clock) => new CaptureSource(capture, clock, 10)),
    );
    expect(live.totals.alerts).toBeGreaterThan(10);
    expect(live.totals.nudges).toBeGreaterThan(0);
    const key = (t: { type: string; userId: string; rule: string; since: string; at: string }) =>
      `${t.at} ${t.type} ${t.userId} ${t.rule} ${t.since}`;
    // Within one instant, agents come in the order each source pages them.
    expect(replayed.transitions.map(key).sort()).toEqual(live.transitions.map(key).sort());
    expect(replayed.totals).toEqual(live.totals);
    expect(replayed.byHour).toEqual(live.byHour);
  });
});
