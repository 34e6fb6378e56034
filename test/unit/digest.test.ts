/** The digest's counting rules (domain/digest.ts), on plain data: no store, no clock, no mocks. */
import { describe, expect, it } from "vitest";
import {
  type DigestEpisode,
  dayReport,
  episodeFromHistory,
  minutesPastThreshold,
} from "../../functions/domain/digest.js";
import { hourlySeries, reportRows } from "../../functions/domain/digest-exports.js";
import { historyEntryFor } from "../../functions/domain/history.js";
import { parseLocalDate, shiftLocalDate } from "../../functions/domain/local-date.js";
import { config } from "./builders.js";

// India (UTC+05:30): local midnight of 2025-06-10 is 2025-06-09T18:30Z.
const ZONE = "Asia/Kolkata";
const local = (date: string, hhmm: string) => Date.parse(`${date}T${hhmm}:00+05:30`);
const MIN = 60_000;
const cfg = config({
  timezone: ZONE,
  teams: [{ name: "Tier 2", agents: ["*@tier2.example.com"], channel: "C-TIER2" }],
});

let serial = 0;
/** An alert: started at local `start` on `date`, lasting `minutes` (open when `open`), threshold 15m. */
function episode(
  date: string,
  start: string,
  minutes: number,
  extra: Partial<DigestEpisode> = {},
): DigestEpisode {
  serial++;
  const sinceMs = local(date, start);
  return {
    id: `u-${serial}#Long break#${new Date(sinceMs).toISOString()}`,
    userId: extra.userId ?? `u-${serial}`,
    email: extra.email ?? `agent${serial}@example.com`,
    name: `Agent ${serial}`,
    rule: "Long break",
    primaryStatus: "AWAY",
    secondaryStatus: "LUNCH",
    channel: "C-DEFAULT",
    sinceMs,
    endedMs: sinceMs + minutes * MIN,
    thresholdSeconds: 900,
    severity: "warning",
    firedMs: sinceMs + 15 * MIN,
    ...extra,
  };
}

describe("minutes past threshold", () => {
  it("is floor((length − threshold) / 60 s), never negative", () => {
    // Prepare
    const e = episode("2025-06-10", "09:00", 0, {});
    const at = (seconds: number) => ({ ...e, endedMs: e.sinceMs + seconds * 1000 });
    // Act
    const values = [899, 900, 959, 960, 1859].map((s) =>
      minutesPastThreshold(at(s), Number.MAX_SAFE_INTEGER),
    );
    // Assess
    expect(values).toEqual([0, 0, 0, 1, 15]);
  });
});

describe("dayReport", () => {
  it("counts an episode on its local start date, even when it ends after midnight", () => {
    // Prepare: 23:40 → 00:30 (50 min, 35 past threshold) belongs to the 10th, not the 11th
    const late = episode("2025-06-10", "23:40", 50);
    const input = (date: string) => ({
      config: cfg,
      date,
      nowMs: local("2025-06-11", "12:00"),
      episodes: [late],
    });
    // Act
    const tenth = dayReport(input("2025-06-10"));
    const eleventh = dayReport(input("2025-06-11"));
    // Assess
    expect(tenth.channels[0]).toMatchObject({ channel: "C-DEFAULT", alerts: 1, minutesPastThreshold: 35 });
    expect(eleventh.channels[0]).toMatchObject({ alerts: 0, minutesPastThreshold: 0 });
  });

  it("counts an open episode up to the report's instant", () => {
    // Prepare: open since 10:00, report at 10:47:59 → 47 min long, 32 past threshold
    const open = episode("2025-06-10", "10:00", 0, { endedMs: undefined });
    const nowMs = local("2025-06-10", "10:47") + 59_000;
    // Act
    const report = dayReport({ config: cfg, date: "2025-06-10", nowMs, episodes: [open] });
    const [row] = reportRows({ config: cfg, date: "2025-06-10", nowMs, episodes: [open] });
    // Assess
    expect(report.channels[0]).toMatchObject({ alerts: 1, minutesPastThreshold: 32 });
    expect(report.channels[0]?.longest).toEqual({ email: open.email, rule: "Long break", minutes: 47 });
    expect(row).toMatchObject({ open: true, end: "", minutes: 47, minutesPastThreshold: 32 });
  });

  it("includes excused episodes and marks them in the rows", () => {
    // Prepare
    const excused = episode("2025-06-10", "11:00", 40, {
      excusedBy: "U0SUP",
      excusedMs: local("2025-06-10", "11:20"),
    });
    const input = {
      config: cfg,
      date: "2025-06-10",
      nowMs: local("2025-06-10", "18:30"),
      episodes: [excused],
    };
    // Act
    const report = dayReport(input);
    const rows = reportRows(input);
    // Assess
    expect(report.channels[0]).toMatchObject({ alerts: 1, minutesPastThreshold: 25 });
    expect(rows[0]).toMatchObject({ excusedBy: "U0SUP", open: false });
  });

  it("lists every channel in config order, a quiet one too, and files alerts by their channel", () => {
    // Prepare
    const tier2 = episode("2025-06-10", "09:00", 30, { channel: "C-TIER2", email: "x@tier2.example.com" });
    // Act
    const report = dayReport({
      config: cfg,
      date: "2025-06-10",
      nowMs: local("2025-06-10", "18:30"),
      episodes: [tier2],
    });
    // Assess
    expect(report.channels.map((c) => [c.channel, c.alerts])).toEqual([
      ["C-DEFAULT", 0],
      ["C-TIER2", 1],
    ]);
    expect(report.channels[0]).toEqual({
      channel: "C-DEFAULT",
      alerts: 0,
      agents: 0,
      minutesPastThreshold: 0,
      byRule: [],
      top: [],
      longest: null,
      medianMinutesToAcknowledge: null,
      weekBefore: { alerts: 0, minutesPastThreshold: 0 },
    });
  });

  it("sums per rule and per agent, ranks the top 10 by minutes, and takes the median time to acknowledge", () => {
    // Prepare: agent A has two alerts; eleven other agents one each
    const a1 = episode("2025-06-10", "09:00", 45, {
      userId: "u-a",
      email: "a@x.com",
      acknowledgedMs: undefined,
    });
    const a2 = episode("2025-06-10", "13:00", 25, { userId: "u-a", email: "a@x.com", rule: "Stuck in BUSY" });
    const others = Array.from({ length: 11 }, (_, i) => episode("2025-06-10", "10:00", 16 + i));
    const acked = [a1, others[0], others[1], others[2]] as DigestEpisode[];
    [2, 9, 4, 6].forEach((m, i) => {
      const e = acked[i] as DigestEpisode;
      e.acknowledgedBy = "U0ACK";
      e.acknowledgedMs = e.firedMs + m * MIN + 30_000; // whole minutes, rounded down
    });
    // Act
    const [digest] = dayReport({
      config: cfg,
      date: "2025-06-10",
      nowMs: local("2025-06-10", "18:30"),
      episodes: [a1, a2, ...others],
    }).channels;
    // Assess
    expect(digest?.alerts).toBe(13);
    expect(digest?.agents).toBe(12);
    expect(digest?.byRule).toEqual([
      {
        rule: "Long break",
        alerts: 12,
        minutesPastThreshold: 30 + (1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11),
      },
      { rule: "Stuck in BUSY", alerts: 1, minutesPastThreshold: 10 },
    ]);
    expect(digest?.top).toHaveLength(10);
    expect(digest?.top[0]).toEqual({ email: "a@x.com", name: a1.name, alerts: 2, minutesPastThreshold: 40 });
    expect(digest?.top[1]?.minutesPastThreshold).toBe(11);
    expect(digest?.longest).toEqual({ email: "a@x.com", rule: "Long break", minutes: 45 });
    // 2, 4, 6, 9 → (4 + 6) / 2
    expect(digest?.medianMinutesToAcknowledge).toBe(5);
  });

  it("compares with the same weekday a week earlier", () => {
    // Prepare
    const lastWeek = [episode("2025-06-03", "09:00", 30), episode("2025-06-03", "10:00", 20)];
    const today = episode("2025-06-10", "09:00", 16);
    // Act
    const [digest] = dayReport({
      config: cfg,
      date: "2025-06-10",
      nowMs: local("2025-06-10", "18:30"),
      episodes: [...lastWeek, today],
    }).channels;
    // Assess
    expect(digest?.weekBefore).toEqual({ alerts: 2, minutesPastThreshold: 15 + 5 });
    expect(digest?.alerts).toBe(1);
  });

  it("does not count an alert that fired after the report's instant", () => {
    // Prepare
    const later = episode("2025-06-10", "17:00", 30);
    // Act
    const report = dayReport({
      config: cfg,
      date: "2025-06-10",
      nowMs: local("2025-06-10", "17:10"),
      episodes: [later],
    });
    // Assess
    expect(report.channels[0]?.alerts).toBe(0);
  });

  it("reads a history entry made from the resolved record with the same figures", () => {
    // Prepare
    const sinceMs = local("2025-06-10", "12:00");
    const entry = historyEntryFor(
      {
        id: "u-9#Long break#x",
        userId: "u-9",
        email: "nine@example.com",
        name: "Nine",
        ruleKey: "Long break",
        ruleName: "Long break",
        primaryStatus: "AWAY",
        secondaryStatus: "NBK",
        sinceMs,
        thresholdSeconds: 900,
        severity: "critical",
        state: "resolved",
        firedMs: sinceMs + 15 * MIN,
        lastNotifiedMs: sinceMs + 15 * MIN,
        endedMs: sinceMs + 61 * MIN,
        channel: "C-DEFAULT",
        excusedBy: "U0SUP",
        version: 4,
        expiresAt: 0,
      },
      ZONE,
      35 * 86_400,
    );
    // Act
    const report = dayReport({
      config: cfg,
      date: "2025-06-10",
      nowMs: local("2025-06-10", "18:30"),
      episodes: [episodeFromHistory(entry)],
    });
    // Assess
    expect(entry).toMatchObject({ localDate: "2025-06-10", durationSeconds: 61 * 60, excused: true });
    expect(report.channels[0]).toMatchObject({ alerts: 1, minutesPastThreshold: 46 });
  });
});

describe("hourlySeries", () => {
  it("spreads minutes past threshold over the local hours they fell in, adding up to the total", () => {
    // Prepare: 09:50 start, threshold 15m → past threshold from 10:05 to 11:20 (75 min)
    const e = episode("2025-06-10", "09:50", 90);
    const late = episode("2025-06-10", "23:30", 60, { rule: "Stuck in BUSY" }); // 23:45 → 00:30
    // Act
    const series = hourlySeries(
      [e, late],
      ["Long break", "Stuck in BUSY"],
      ZONE,
      "2025-06-10",
      local("2025-06-11", "08:00"),
    );
    // Assess
    expect(series.rules).toEqual(["Long break", "Stuck in BUSY"]);
    expect(series.minutes[0]?.[10]).toBe(55);
    expect(series.minutes[0]?.[11]).toBe(20);
    // 15 minutes before midnight and 30 after: all in hour 23, so the bars sum to the day's total.
    expect(series.minutes[1]?.[23]).toBe(45);
    expect(series.minutes.flat().reduce((a, b) => a + b, 0)).toBe(75 + 45);
  });
});

describe("dates", () => {
  it("accepts only real YYYY-MM-DD dates, and shifts by calendar days", () => {
    expect(parseLocalDate("2024-02-29")).toBe("2024-02-29");
    for (const bad of ["2025-02-29", "2025-13-01", "2025-6-10", "10/06/2025", "2025-06-10T00:00", ""])
      expect(parseLocalDate(bad)).toBeUndefined();
    expect(shiftLocalDate("2025-03-04", -7)).toBe("2025-02-25");
    expect(shiftLocalDate("2025-01-03", -7)).toBe("2024-12-27");
  });
});
