/**
 * Throughput of the pure domain, in a fresh child process of the bench: API rows as they come off
 * the wire (the simulator's rendering, through JSON, page by page) fed to parseAgentRow and
 * decideAgent, which is all the engine does per row. Reports over IPC, then exits.
 *
 *   argv[2]: JSON DomainRunSpec      out: DomainRunReport
 */
import { parseAgentRow } from "../../functions/domain/agent.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { parseConfig } from "../../functions/domain/config.js";
import { decideAgent, groupByUser } from "../../functions/domain/lifecycle.js";
import { queryWindow } from "../../functions/domain/time.js";
import { generateDay } from "../fakes/smartassist/day.js";
import { renderRow, utcWindow } from "../fakes/smartassist/timeline.js";

export interface DomainRunSpec {
  rawConfig: Record<string, unknown>;
  /** At least this many segments are fed through (whole rows). */
  segments: number;
  segmentsPerAgent: number;
  date: string;
  /** The instant the rows are rendered at and decided at. */
  nowMs: number;
  runs: number;
}

export interface DomainRunReport {
  type: "report";
  rows: number;
  segments: number;
  /** Open alerts the timed runs start from (what the warm-up run fired): a steady-state run. */
  openAlerts: number;
  writesPerRun: number;
  runsMs: number[];
  bestMs: number;
  medianMs: number;
  bestSegmentsPerSecond: number;
  medianSegmentsPerSecond: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function main(): void {
  const spec = JSON.parse(process.argv[2] ?? "{}") as DomainRunSpec;
  const { config } = parseConfig(spec.rawConfig, "bench config");
  const window = queryWindow(
    config.timezone,
    spec.nowMs,
    config.largestThresholdSeconds,
    config.schedule.everySeconds,
  );
  const rendered = utcWindow(window.startDate, window.endDate, window.timeZoneOffSet);
  // Rendered as of nowMs, an agent shows the segments begun by then: generate more agents (the same
  // seeded day, so a longer prefix) until there are enough segments.
  let rows: unknown[] = [];
  let segments = 0;
  for (
    let count = Math.ceil((spec.segments / spec.segmentsPerAgent) * 1.1);
    segments < spec.segments;
    count *= 2
  ) {
    const agents = generateDay({
      agents: count,
      segmentsPerAgent: spec.segmentsPerAgent,
      timezone: config.timezone,
      date: spec.date,
      seed: 1,
    });
    rows = [];
    segments = 0;
    for (let i = 0; i < agents.length && segments < spec.segments; i += 50) {
      const page = [];
      for (const agent of agents.slice(i, i + 50)) {
        if (segments >= spec.segments) break;
        const row = renderRow(agent, rendered, spec.nowMs);
        segments += row.status?.length ?? 0;
        page.push(row);
      }
      // As the engine receives them: parsed from a response body, one page at a time.
      rows.push(...(JSON.parse(JSON.stringify(page)) as unknown[]));
    }
  }

  const pass = (byUser: Map<string, AlertRecord[]>): { ms: number; records: AlertRecord[] } => {
    const records: AlertRecord[] = [];
    const started = performance.now();
    for (const row of rows) {
      const parsed = parseAgentRow(row, window.timeZoneOffSet);
      if (!parsed.agent) continue;
      const { writes } = decideAgent(parsed.agent, byUser.get(parsed.agent.userId) ?? [], config, spec.nowMs);
      for (const write of writes) records.push(write.record);
    }
    return { ms: performance.now() - started, records };
  };

  // Warm-up (the JIT), which also fires what is due: the timed runs then see those open alerts.
  const warm = pass(new Map());
  const byUser = groupByUser(warm.records);
  pass(byUser);
  const runsMs: number[] = [];
  let writesPerRun = 0;
  for (let i = 0; i < spec.runs; i++) {
    const run = pass(byUser);
    runsMs.push(run.ms);
    writesPerRun = run.records.length;
  }
  const bestMs = Math.min(...runsMs);
  const medianMs = median(runsMs);
  const report: DomainRunReport = {
    type: "report",
    rows: rows.length,
    segments,
    openAlerts: warm.records.length,
    writesPerRun,
    runsMs,
    bestMs,
    medianMs,
    bestSegmentsPerSecond: segments / (bestMs / 1000),
    medianSegmentsPerSecond: segments / (medianMs / 1000),
  };
  process.send?.(report, () => process.exit(0));
}

process.on("disconnect", () => process.exit(1));
main();
