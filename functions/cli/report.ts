/** `report`: the day's digest from the state file's history, as text, JSON or CSV, and the chart as PNG. */
import { writeFileAtomically } from "../adapters/files/atomic-file.js";
import { JsonFileAlertStore } from "../adapters/state/json-file-store.js";
import { digestChartOf, loadDay } from "../app/digest.js";
import type { AppConfig } from "../domain/config.js";
import {
  type ChannelDigest,
  type DayInput,
  type DayReport,
  dayReport,
  episodesByChannel,
  minutesPastThreshold,
} from "../domain/digest.js";
import { REPORT_COLUMNS, type ReportRow, reportRows } from "../domain/digest-exports.js";
import { formatDuration } from "../domain/duration.js";
import { localDate, localTimeOfDay } from "../domain/time.js";

export interface ReportOptions {
  config: AppConfig;
  statePath: string;
  nowMs: number;
  /** Local date; default: the local date of nowMs. */
  date?: string;
  format: "text" | "json" | "csv";
  pngPath?: string;
}

export interface ReportOutput {
  stdout: string;
  report: DayReport;
  pngBytes?: number;
}

export async function localReport(options: ReportOptions): Promise<ReportOutput> {
  const { config, nowMs } = options;
  const date = options.date ?? localDate(config.timezone, nowMs);
  const store = new JsonFileAlertStore(options.statePath, { nowMs });
  const input = await loadDay(config, { store }, date, nowMs);
  const report = dayReport(input);
  let stdout: string;
  if (options.format === "json") stdout = JSON.stringify(report);
  else if (options.format === "csv") stdout = toCsv(reportRows(input));
  else stdout = renderText(input, report);
  const output: ReportOutput = { stdout, report };
  if (options.pngPath) {
    // The renderer (wasm and fonts) loads only when a chart is asked for.
    const { renderDigestChart } = await import("../adapters/chart/png.js");
    const png = await renderDigestChart(digestChartOf(input));
    await writeFileAtomically(options.pngPath, png);
    output.pngBytes = png.length;
  }
  return output;
}

function csvField(value: string | number | boolean): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(rows: ReportRow[]): string {
  const lines = [REPORT_COLUMNS.join(",")];
  for (const row of rows) lines.push(REPORT_COLUMNS.map((c) => csvField(row[c])).join(","));
  return lines.join("\n");
}

function change(now: number, before: number): string {
  const percent = Math.round(((now - before) / before) * 100);
  return percent === 0 ? "same" : `${percent > 0 ? "+" : ""}${percent}%`;
}

/** The same weekday a week earlier, for people: "none" or both figures with their change. */
function lastWeek(digest: ChannelDigest): string {
  const { weekBefore } = digest;
  if (weekBefore.alerts === 0) return "none the same day last week";
  const minutes =
    weekBefore.minutesPastThreshold === 0
      ? "0 min"
      : `${weekBefore.minutesPastThreshold} min, ${change(digest.minutesPastThreshold, weekBefore.minutesPastThreshold)}`;
  return `same day last week: ${weekBefore.alerts} alerts, ${change(digest.alerts, weekBefore.alerts)}; ${minutes}`;
}

function channelText(digest: ChannelDigest, input: DayInput): string[] {
  const { config, nowMs } = input;
  const name = digest.channel === "" ? "(no channel)" : digest.channel;
  if (digest.alerts === 0) {
    return [`${name}: a quiet day — no alerts (${lastWeek(digest)})`];
  }
  const lines = [
    `${name}: ${digest.alerts} alert${digest.alerts === 1 ? "" : "s"}, ${digest.agents} agent${digest.agents === 1 ? "" : "s"}, ${digest.minutesPastThreshold} min past threshold` +
      ` (${lastWeek(digest)})`,
    `  by rule:     ${digest.byRule.map((r) => `${r.rule} ${r.alerts} (${r.minutesPastThreshold} min)`).join(" · ")}`,
    `  top agents:  ${digest.top
      .slice(0, 5)
      .map((a) => `${a.name || a.email} ${a.minutesPastThreshold} min`)
      .join(" · ")}`,
  ];
  if (digest.longest)
    lines.push(
      `  longest:     ${digest.longest.email}, ${digest.longest.rule}, ${digest.longest.minutes} min`,
    );
  lines.push(
    `  median time to acknowledge: ${digest.medianMinutesToAcknowledge === null ? "none acknowledged" : `${digest.medianMinutesToAcknowledge} min`}`,
  );
  lines.push("  alerts:");
  for (const e of episodesByChannel(input, input.date).get(digest.channel) ?? []) {
    const open = e.endedMs === undefined || e.endedMs > nowMs;
    const end = open ? "now  " : localTimeOfDay(config.timezone, e.endedMs ?? nowMs);
    const length = formatDuration(Math.max(0, (Math.min(e.endedMs ?? nowMs, nowMs) - e.sinceMs) / 1000));
    const marks = [
      open ? "still open" : "",
      e.excusedBy ? `excused by ${e.excusedBy}` : "",
      e.acknowledgedBy ? `acknowledged by ${e.acknowledgedBy}` : "",
    ].filter(Boolean);
    lines.push(
      `    ${localTimeOfDay(config.timezone, e.sinceMs)}–${end} ${e.name || e.email} <${e.email}> ${e.rule} (${e.primaryStatus}/${e.secondaryStatus}) ${length}, ${minutesPastThreshold(e, nowMs)} min past threshold${marks.length ? ` [${marks.join(", ")}]` : ""}`,
    );
  }
  return lines;
}

export function renderText(input: DayInput, report: DayReport): string {
  const header = `Digest for ${report.date} (${report.timezone}), as of ${localDate(report.timezone, input.nowMs)} ${localTimeOfDay(report.timezone, input.nowMs)}`;
  if (report.channels.length === 0)
    return `${header}\na quiet day — no alerts (no Slack channel is configured)`;
  return [header, ...report.channels.flatMap((c) => ["", ...channelText(c, input)])].join("\n");
}
