/**
 * The day's alerts laid out for the two exports of `report`: one CSV row per alert (`--csv`), and
 * the minutes past threshold spread over the local hours, one series per rule (what the chart
 * stacks). The counting is digest.ts's; this file only lays it out.
 */
import type { Severity } from "./alert.js";
import {
  type DayInput,
  type DigestEpisode,
  endAsOf,
  episodesByChannel,
  lengthSeconds,
  minutesPastThreshold,
} from "./digest.js";
import { localParts } from "./time.js";

const MINUTE_MS = 60_000;

/** One CSV row per alert of the day (`report --csv`). */
export interface ReportRow {
  date: string;
  channel: string;
  userId: string;
  email: string;
  name: string;
  rule: string;
  primaryStatus: string;
  secondaryStatus: string;
  start: string;
  end: string;
  minutes: number;
  thresholdMinutes: number;
  minutesPastThreshold: number;
  severity: Severity;
  acknowledgedBy: string;
  acknowledgedAt: string;
  excusedBy: string;
  open: boolean;
}

export const REPORT_COLUMNS: ReadonlyArray<keyof ReportRow> = [
  "date",
  "channel",
  "userId",
  "email",
  "name",
  "rule",
  "primaryStatus",
  "secondaryStatus",
  "start",
  "end",
  "minutes",
  "thresholdMinutes",
  "minutesPastThreshold",
  "severity",
  "acknowledgedBy",
  "acknowledgedAt",
  "excusedBy",
  "open",
];

export function reportRows(input: DayInput): ReportRow[] {
  const { date, nowMs } = input;
  const rows: ReportRow[] = [];
  for (const [channel, episodes] of episodesByChannel(input, date)) {
    for (const e of episodes) {
      const open = e.endedMs === undefined || e.endedMs > nowMs;
      rows.push({
        date,
        channel,
        userId: e.userId,
        email: e.email,
        name: e.name,
        rule: e.rule,
        primaryStatus: e.primaryStatus,
        secondaryStatus: e.secondaryStatus,
        start: new Date(e.sinceMs).toISOString(),
        end: open ? "" : new Date(endAsOf(e, nowMs)).toISOString(),
        minutes: Math.floor(lengthSeconds(e, nowMs) / 60),
        thresholdMinutes: e.thresholdSeconds / 60,
        minutesPastThreshold: minutesPastThreshold(e, nowMs),
        severity: e.severity,
        acknowledgedBy: e.acknowledgedBy ?? "",
        acknowledgedAt:
          e.acknowledgedMs === undefined || e.acknowledgedMs > nowMs
            ? ""
            : new Date(e.acknowledgedMs).toISOString(),
        excusedBy: e.excusedBy ?? "",
        open,
      });
    }
  }
  return rows;
}

/** Minutes past threshold per local hour, one series per rule: what the chart stacks. */
export interface HourlySeries {
  rules: string[];
  /** `minutes[r][h]`: minutes past threshold of rule `rules[r]` that fell in local hour h (0–23). */
  minutes: number[][];
}

/**
 * Spreads each episode's whole minutes past threshold over the local hours they fell in: minute k
 * past the threshold (k = 0 … total − 1) belongs to the hour in which it began. Minutes after the
 * report date's end (an episode running past midnight) go to hour 23, so the bars add up to the
 * day's total exactly.
 */
export function hourlySeries(
  episodes: DigestEpisode[],
  rules: string[],
  zone: string,
  date: string,
  nowMs: number,
): HourlySeries {
  const present = new Set(episodes.map((e) => e.rule));
  const order = [
    ...rules.filter((r) => present.has(r)),
    ...[...present].filter((r) => !rules.includes(r)).sort(),
  ];
  const minutes = order.map(() => new Array<number>(24).fill(0));
  for (const e of episodes) {
    const total = minutesPastThreshold(e, nowMs);
    if (total === 0) continue;
    const series = minutes[order.indexOf(e.rule)] as number[];
    const first = e.sinceMs + e.thresholdSeconds * 1000;
    let k = 0;
    while (k < total) {
      const at = first + k * MINUTE_MS;
      const p = localParts(zone, at);
      const day = `${String(p.year).padStart(4, "0")}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
      if (day > date) {
        series[23] = (series[23] ?? 0) + (total - k);
        break;
      }
      // Minutes left in this local hour from `at` (offsets change only on the hour, so this holds).
      const toNextHourMs = (60 - p.minute) * MINUTE_MS - p.second * 1000 - (at % 1000);
      const inHour = Math.min(total - k, Math.max(1, Math.ceil(toNextHourMs / MINUTE_MS)));
      series[p.hour] = (series[p.hour] ?? 0) + inHour;
      k += inHour;
    }
  }
  return { rules: order, minutes };
}
