/**
 * Replay, measured: a captured day of N agents × 20 segments each (AVAILABLE, BUSY and breaks of
 * random lengths over a 12-hour shift), as `replay --save` writes it, replayed under one config
 * through the real use case (the CLI's own wiring: replayCapture). Figures: the capture's size, the
 * time to replay it (one config), the runs made and the alerts found.
 *
 * Run on its own: `npx tsx test/bench/replay.ts [agents] [--light] [--json]` (default 12000, the
 * stress day).
 */
import { CAPTURE_VERSION, type Capture } from "../../functions/adapters/smartassist/capture-source.js";
import { replayCapture } from "../../functions/cli/replay.js";
import { parseConfig } from "../../functions/domain/config.js";
import { mulberry32 } from "../fakes/smartassist/day.js";

const DATE = "2026-11-30";
const OFFSET = -330; // Asia/Kolkata
const SEGMENTS = 20;

function local(ms: number): string {
  return new Date(ms - OFFSET * 60_000).toISOString().slice(0, 19);
}

function hms(seconds: number): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(Math.floor(seconds / 3600))}:${p(Math.floor((seconds % 3600) / 60))}:${p(seconds % 60)}`;
}

/**
 * How long a day's calls and breaks run (minutes, [from, to)): `stress` is the target's day, where
 * breaks and calls often outlast the rules (about 4.5 alerts per agent a day); `light` keeps every
 * segment shorter, so fewer episodes reach a threshold (about 2 a day, mostly where two segments of
 * one rule follow each other): the replay's time follows the alerts, and this shows by how much.
 */
export type BenchDay = "stress" | "light";

const DAY_LENGTHS: Record<BenchDay, Record<"busy" | "breakSeg" | "lunch" | "nbk", [number, number]>> = {
  stress: { busy: [2, 45], breakSeg: [3, 25], lunch: [20, 50], nbk: [5, 40] },
  light: { busy: [2, 32], breakSeg: [3, 16], lunch: [10, 17], nbk: [5, 16] },
};

/** A captured day: every agent from about 08:00 local, 20 segments, the last one closed by 20:00. */
export function benchCapture(agents: number, seed = 11, day: BenchDay = "stress"): Capture {
  const lengths = DAY_LENGTHS[day];
  const random = mulberry32(seed);
  const between = (a: number, b: number) => a + Math.floor(random() * (b - a));
  const shift = Date.parse(`${DATE}T02:30:00Z`); // 08:00 local
  const rows: unknown[] = [];
  for (let i = 0; i < agents; i++) {
    let t = shift + between(0, 20 * 60) * 1000;
    const status: unknown[] = [];
    for (let k = 0; k < SEGMENTS; k++) {
      const roll = random();
      const [primary, secondary, minutes] =
        roll < 0.5
          ? ["AVAILABLE", "AVAILABLE", between(10, 50)]
          : roll < 0.8
            ? ["BUSY", "BUSY", between(...lengths.busy)]
            : roll < 0.9
              ? ["AWAY", "BREAK", between(...lengths.breakSeg)]
              : roll < 0.96
                ? ["AWAY", "LUNCH", between(...lengths.lunch)]
                : ["AWAY", "NBK", between(...lengths.nbk)];
      const end = t + minutes * 60_000 + between(0, 60) * 1000;
      status.push({
        primaryStatus: primary,
        secondaryStatus: secondary,
        startTime: local(t),
        endTime: local(end),
        duration: hms(Math.round((end - t) / 1000)),
      });
      t = end;
    }
    rows.push({
      userId: `u-${String(i).padStart(5, "0")}`,
      firstName: "Agent",
      lastName: String(i),
      email: `agent${i}@example.com`,
      status,
    });
  }
  return { version: CAPTURE_VERSION, date: DATE, timezone: "Asia/Kolkata", timeZoneOffSet: OFFSET, rows };
}

export interface ReplayFigures {
  agents: number;
  day: BenchDay;
  segmentsPerAgent: number;
  captureMB: number;
  replaySeconds: number;
  /** CPU time of the replay (user + system; GC threads included). */
  cpuSeconds: number;
  runs: { ticks: number; due: number };
  alerts: number;
  messages: number;
}

export async function replayBench(
  agents: number,
  day: BenchDay = "stress",
): Promise<{ figures: ReplayFigures; text: string }> {
  const capture = benchCapture(agents, 11, day);
  const bytes = Buffer.byteLength(JSON.stringify(capture));
  const { config } = parseConfig(
    {
      timezone: "Asia/Kolkata",
      smartassist: { host: "https://platform.kore.ai", accountId: "acc", iId: "st-1" },
      schedule: { every: "5m" },
      rules: [
        {
          name: "Long break",
          secondaryStatus: ["NBK", "LUNCH", "BREAK"],
          threshold: "15m",
          critical: "30m",
          nudge: "10m",
        },
        { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m", critical: "45m" },
      ],
      repeat: "20m",
      slack: { channel: "C1" },
    },
    "replay bench",
  );
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = await replayCapture(config, "bench.yaml", capture);
  const seconds = (performance.now() - started) / 1000;
  // CPU time beside wall time: on a shared machine the wall clock also counts other work's turns.
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const figures: ReplayFigures = {
    agents,
    day,
    segmentsPerAgent: SEGMENTS,
    captureMB: Math.round(bytes / 1e5) / 10,
    replaySeconds: Math.round(seconds * 10) / 10,
    cpuSeconds: Math.round(cpuSeconds * 10) / 10,
    runs: result.runs,
    alerts: result.totals.alerts,
    messages: result.totals.messages,
  };
  const text =
    `Replay: ${agents} agents × ${SEGMENTS} segments, one config over a whole ${day === "stress" ? "" : `${day} `}day: capture ${figures.captureMB} MB (target ≤ 60), ` +
    `replayed in ${figures.replaySeconds} s (target ≤ 10; ${figures.cpuSeconds} s CPU) · ${result.runs.ticks} ticks + ${result.runs.due} due re-checks · ` +
    `${figures.alerts} alerts, ${result.totals.nudges} nudges, ${figures.messages} messages`;
  return { figures, text };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `--light`: the lighter day beside the target's (DAY_LENGTHS).
  const day: BenchDay = process.argv.includes("--light") ? "light" : "stress";
  const agents = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 12_000);
  const { text, figures } = await replayBench(agents, day);
  process.stdout.write(`${text}\n`);
  if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(figures)}\n`);
}
