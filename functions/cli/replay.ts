/**
 * `replay`: a config tried on a past day. The day's timelines come from SmartAssist (the real client,
 * paced like a run) or from a capture file; the day is then run through the real use case on a
 * virtual clock (app/replay.ts) with in-memory adapters, once per config. Nothing is posted, written
 * (but the capture asked for) or published.
 */
import { readFile } from "node:fs/promises";
import { digestChartSvg } from "../adapters/chart/svg.js";
import { writeFileAtomically } from "../adapters/files/atomic-file.js";
import { CountingNotifier } from "../adapters/slack/counting-notifier.js";
import {
  CAPTURE_VERSION,
  type Capture,
  CaptureError,
  CaptureSource,
  latestInstant,
  parseCapture,
} from "../adapters/smartassist/capture-source.js";
import { FrozenAlertStore } from "../adapters/state/frozen-store.js";
import { type ReplayProgress, type ReplayResult, replayDay } from "../app/replay.js";
import { parseAgentRow, type Skipped } from "../domain/agent.js";
import type { AppConfig } from "../domain/config.js";
import {
  type ConfigReplay,
  configJson,
  localMidnight,
  type ReplayTotals,
  replaySpan,
  TOTAL_KEYS,
  totalsDifference,
} from "../domain/replay.js";
import { localDate, localTimeOfDay, timeZoneOffSet } from "../domain/time.js";
import { UsageError } from "./exit.js";
import { localSecrets, localSource } from "./local-adapters.js";

/** The day could not be read from SmartAssist (exit 1). */
export class DayUnreadableError extends Error {
  override name = "DayUnreadableError";
}

/** The span the capture's day is replayed over (domain/replay.ts), from when it was read. */
export function captureSpan(capture: Capture): ReturnType<typeof replaySpan> {
  const readAtMs = capture.readAt === undefined ? undefined : Date.parse(capture.readAt);
  return replaySpan(capture.timezone, capture.date, readAtMs, () => latestInstant(capture));
}

/** Runs one config over a capture (the use case with the in-memory adapters). */
export function replayCapture(
  config: AppConfig,
  name: string,
  capture: Capture,
  progress?: ReplayProgress,
): Promise<ReplayResult> {
  const { dayStartMs, dayEndMs } = captureSpan(capture);
  return replayDay(
    config,
    name,
    { dayStartMs, dayEndMs },
    (clock) => {
      const notifier = new CountingNotifier(config.timezone, clock);
      return {
        source: new CaptureSource(capture, clock, config.smartassist.pageSize, config.smartassist.agents),
        store: new FrozenAlertStore(clock),
        notifier,
        messages: () => notifier.channels,
      };
    },
    progress,
  );
}

/**
 * What of the capture a run skips, row by row as a live run would (a malformed row, a segment whose
 * times do not parse), so the replay can say so instead of quietly counting without them.
 */
export function captureProblems(capture: Capture): Skipped[] {
  const problems: Skipped[] = [];
  for (const row of capture.rows) problems.push(...parseAgentRow(row, capture.timeZoneOffSet).skipped);
  return problems;
}

const PROBLEMS_SHOWN = 10;

/** The stderr lines for those problems (none when there are none). */
export function problemLines(problems: readonly Skipped[]): string[] {
  if (problems.length === 0) return [];
  const lines = [
    `warning: the day's rows have ${problems.length} malformed input(s), skipped as a run skips them:`,
  ];
  for (const p of problems.slice(0, PROBLEMS_SHOWN))
    lines.push(`  ${p.userId ?? "(no userId)"}: ${p.reason}`);
  if (problems.length > PROBLEMS_SHOWN) lines.push(`  … and ${problems.length - PROBLEMS_SHOWN} more`);
  return lines;
}

/**
 * A warning when a capture's offset is not its zone's on its date (a capture written by hand with the
 * sign the other way round, say): the rows are read in the capture's offset as written, so every
 * instant would sit hours off the day the user meant.
 */
export function offsetWarning(capture: Capture): string | undefined {
  const expected = offsetForDate(capture.timezone, capture.date);
  if (capture.timeZoneOffSet === expected) return undefined;
  return `warning: the capture's timeZoneOffSet is ${capture.timeZoneOffSet}, but ${capture.timezone}'s on ${capture.date} is ${expected} (minutes to add to local time to get UTC); its times are read in ${capture.timeZoneOffSet} as written`;
}

/** SmartAssist's offset for a local date: the zone's at that date's local noon. */
export function offsetForDate(zone: string, date: string): number {
  return timeZoneOffSet(zone, localMidnight(zone, date) + 12 * 3_600_000);
}

/** Reads the local date's timelines for the whole roster with the real client, progress on stderr. */
export async function readDay(
  config: AppConfig,
  date: string,
  env: NodeJS.ProcessEnv,
  progress: (line: string) => void,
): Promise<Capture> {
  const secrets = localSecrets(env);
  const source = localSource(config, secrets);
  const offset = offsetForDate(config.timezone, date);
  const rows: unknown[] = [];
  let pages = 0;
  const report = await source
    .fetchAll({ startDate: date, endDate: date, timeZoneOffSet: offset }, (page) => {
      pages++;
      rows.push(...page.rows);
      progress(`reading ${date}: ${pages} page(s), ${rows.length} agent(s)`);
    })
    .catch((error: unknown) => {
      throw new DayUnreadableError(
        `the day could not be read from SmartAssist: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  if (report.failedPages.length > 0)
    throw new DayUnreadableError(
      `the day could not be read: ${report.failedPages.length} page(s) failed (${report.failedPages[0]?.error ?? "unknown error"})`,
    );
  return {
    version: CAPTURE_VERSION,
    date,
    timezone: config.timezone,
    timeZoneOffSet: offset,
    rows,
    readAt: new Date().toISOString(),
  };
}

/** Reads a capture file; a missing or malformed one, or one of another date or zone, is a usage error. */
export async function loadCapture(path: string, date: string, zone: string): Promise<Capture> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--from ${path}: ${code === "ENOENT" ? "no such capture file" : String(error)}`);
  }
  let capture: Capture;
  try {
    capture = parseCapture(JSON.parse(text), `--from ${path}`);
  } catch (error) {
    if (error instanceof CaptureError) throw new UsageError(error.message);
    throw new UsageError(
      `--from ${path}: not JSON (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (capture.date !== date)
    throw new UsageError(`--from ${path}: the capture is of ${capture.date}, not of --date ${date}`);
  if (capture.timezone !== zone)
    throw new UsageError(`--from ${path}: the capture is in ${capture.timezone}, the config in ${zone}`);
  return capture;
}

export async function saveCapture(path: string, capture: Capture): Promise<number> {
  const text = JSON.stringify(capture);
  await writeFileAtomically(path, text);
  return Buffer.byteLength(text);
}

/** `--date`: a real date, not after today in the zone. */
export function checkDate(date: string | undefined, text: unknown, zone: string, nowMs: number): string {
  if (date === undefined)
    throw new UsageError(
      `--date: expected a real date as YYYY-MM-DD, like 2026-11-30 (got "${String(text)}")`,
    );
  const today = localDate(zone, nowMs);
  if (date > today) throw new UsageError(`--date ${date} is in the future (today is ${today} in ${zone})`);
  return date;
}

export interface ReplayJson {
  date: string;
  timezone: string;
  agents: number;
  configs: Array<ReturnType<typeof configJson>>;
}

export function replayJson(capture: Capture, results: readonly ConfigReplay[]): ReplayJson {
  return {
    date: capture.date,
    timezone: capture.timezone,
    agents: capture.rows.length,
    configs: results.map(configJson),
  };
}

const LABELS: Record<keyof ReplayTotals, string> = {
  alerts: "alerts",
  nudges: "nudges",
  averted: "averted",
  escalations: "escalations",
  reminders: "reminders",
  rollups: "roll-ups",
  messages: "Slack messages",
  minutesPastThreshold: "min past threshold",
};

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(header), ...rows.map(line)].map((l) => `  ${l}`.trimEnd());
}

function agentsOf(capture: Capture): string {
  const n = capture.rows.length;
  return `${n} agent${n === 1 ? "" : "s"}`;
}

/** Text for people: the totals side by side (with the difference), then per channel and rule, then per hour. */
export function replayText(capture: Capture, results: readonly ConfigReplay[]): string {
  const [a, b] = results;
  const { untilMs } = captureSpan(capture);
  const span =
    untilMs === undefined ? "" : ` until ${localTimeOfDay(capture.timezone, untilMs)} (when it was read)`;
  const lines = [
    `Replay of ${capture.date} (${capture.timezone})${span}, ${agentsOf(capture)}${b ? `: ${a?.config} against ${b.config}` : `: ${a?.config}`}`,
    "",
  ];
  const header = ["", ...results.map((r) => r.config), ...(a && b ? ["difference"] : [])];
  const diff = a && b ? totalsDifference(a.totals, b.totals) : undefined;
  lines.push(
    ...table(
      header,
      TOTAL_KEYS.map((k) => [
        LABELS[k],
        ...results.map((r) => String(r.totals[k])),
        ...(diff ? [signed(diff[k])] : []),
      ]),
    ),
  );
  for (const r of results) {
    lines.push("", `${r.config}, per channel and rule:`);
    if (r.channels.length === 0) lines.push("  nothing at all: no nudge, no alert");
    for (const c of r.channels) {
      const t = c.totals;
      lines.push(
        `  ${c.channel === "" ? "(no channel)" : c.channel}: ${t.alerts} alerts, ${t.nudges} nudges (${t.averted} averted), ${t.escalations} escalations, ${t.reminders} reminders, ${t.rollups} roll-ups, ${t.messages} messages, ${t.minutesPastThreshold} min past threshold`,
      );
      for (const rule of c.byRule)
        lines.push(
          `    ${rule.rule}: ${rule.alerts} alerts, ${rule.nudges} nudges (${rule.averted} averted), ${rule.escalations} escalations, ${rule.reminders} reminders, ${rule.minutesPastThreshold} min past threshold`,
        );
    }
  }
  lines.push("", "alerts per local hour:");
  lines.push(
    ...table(
      ["hour", ...results.map((r) => r.config), ...(a && b ? ["difference"] : [])],
      Array.from({ length: 24 }, (_, h) => {
        const values = results.map((r) => r.byHour[h]?.alerts ?? 0);
        return [
          String(h).padStart(2, "0"),
          ...values.map(String),
          ...(a && b ? [signed((values[1] ?? 0) - (values[0] ?? 0))] : []),
        ];
      }),
    ),
  );
  return lines.join("\n");
}

/** The chart's SVG: alerts per local hour, one series per config, side by side. */
export function replayChartSvg(capture: Capture, results: readonly ConfigReplay[]): string {
  const subtitle = results.map((r) => `${r.config}: ${r.totals.alerts} alerts`).join(" · ");
  return digestChartSvg({
    date: capture.date,
    timezone: capture.timezone,
    series: {
      rules: results.map((r) => r.config),
      minutes: results.map((r) => r.byHour.map((h) => h.alerts)),
    },
    subtitle: `${agentsOf(capture)} · ${subtitle}`,
    labels: {
      title: "Replay: alerts by hour",
      yAxis: "Alerts fired",
      unit: "alerts",
      empty: "No alerts — a quiet day",
    },
    grouped: true,
  });
}

/** Writes the chart as PNG; returns its size in bytes. */
export async function replayPng(
  path: string,
  capture: Capture,
  results: readonly ConfigReplay[],
): Promise<number> {
  // The renderer (wasm and fonts) loads only when a chart is asked for.
  const { renderPng } = await import("../adapters/chart/png.js");
  const png = await renderPng(replayChartSvg(capture, results));
  await writeFileAtomically(path, png);
  return png.length;
}
