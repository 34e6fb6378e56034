/**
 * `npm run bench` — the benchmark (not a test: `npm test` never runs it). Loopback only; stops by itself.
 *
 *   npm run bench                     the full run (a few minutes on 2 cores)
 *   npm run bench -- --quick          smaller N, one repeat, no 50,000: a smoke run (well under a minute plus the bundle)
 *   npm run bench -- --json           also print every figure as one JSON object on the last line of stdout
 *   npm run bench -- --only=engine,pacing,domain,bundle   some sections only
 *   npm run bench -- --repeat=N       engine runs per N at concurrency 8 (default 3; the median is judged)
 *   npm run bench -- --sizes=5000,50000 --no-sequential --no-counting   a shorter engine run
 *   npm run bench -- --only=storm --storm-sizes=300 --storm-runs=1   one storm, its first run only
 *
 * Sections:
 *   engine  the real runCheck + SmartAssistClient against the simulator (its own child process), each
 *           measurement in a fresh child process; wall time against the physical limit, sequential
 *           time, peak RSS; and, with a counting store and notifier, the calls that scale with alerts.
 *   http    CPU per page of the HTTP client alone: the global fetch against undici's request on its own
 *           Agent, same POSTs of a ~150 KB page at concurrency 8 over loopback, fresh process each.
 *   rotation 20,000 agents at default pacing: runCheck and the real client on a virtual clock, run after
 *           run, until every agent was read (the cursor's rotation and the re-read of open alerts).
 *   pacing  the default pacing (50/min, every 5m, concurrency 4, page 50): the largest center one run
 *           can read, from the real Pacer on a virtual clock.
 *   domain  parseAgentRow + decideAgent over 1,000,000 segments of API rows: segments per second.
 *   bundle  the Lambda bundle as CDK builds it: size, gzip size, composition, cold init.
 *   storm   100, 300 and 1,000 alerts at once into one channel, through the CLI, against the fake
 *           Slack with its per-channel chat.postMessage limit on (see storm.ts).
 *   interactions  the Slack endpoint (`cli serve`): median and p95 over 200 signed clicks; the
 *           interactions bundle's size and cold init. Not in the default set: --only=interactions.
 *   cost    the monthly AWS bill for 500 and 12,000 agents on the real 1-minute tick and SQS due path:
 *           the check bundle as deployed, warm containers on loopback peers (dynalite behind request-unit
 *           counting proxies, an SQS peer), a tick a minute and each due run at its messages' instant;
 *           every item priced (us-east-1) with its source (see cost.ts), and the Lambda time per 5 minutes.
 *           --cost-sizes=500,12000 --cost-minutes=10 --cost-latency=250[,100] (ms a SmartAssist page;
 *           each size at each; the bill is the first's) --cost-rpm=50 (smartassist.requestsPerMinute)
 *           --cost-concurrency=4[,8,12] (smartassist.concurrency; each size at each; the bill is the first's)
 *           --cost-markdown (README's tables)
 *           --no-cost-storm (skips the 12,350-agents-alerting log line check).
 *   ontime   a simulated day on a virtual clock through runCheck: lateness of nudges, alerts,
 *           escalations, reminders and resolves, and requests, for a 5-minute schedule, the 1-minute
 *           tick, and the tick with due re-checks (--ontime-agents=N). Not in the default set.
 *   replay  a captured day of 12,000 agents × 20 segments replayed under one config through the real
 *           use case: the capture's size and the replay's time (--replay-agents=N). Not in the default set.
 *   ackall  a roll-up's Acknowledge all of 300 and 1,000 members, signed request to answer, on dynalite
 *           and on the JSON state file (see ackall.ts); also, at 300, one write at a time (as before) and
 *           the file at 32 in flight, for comparison.
 *           dynalite runs in its own process, as it is and with --ackall-latency=MS (default 5) added
 *           to each request, as AWS's round trip adds. Not in the default set:
 *           --only=ackall [--ackall-sizes=N,N] [--ackall-samples=N] [--ackall-latency=MS].
 * The readable report goes to stdout, progress to stderr.
 */
import { type ChildProcess, fork } from "node:child_process";
import { readFileSync, rmSync, statSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { SmartAssistClient } from "../../functions/adapters/smartassist/client.js";
import type { Clock } from "../../functions/adapters/smartassist/clock.js";
import { Pacer } from "../../functions/adapters/smartassist/pacer.js";
import { MemoryAlertStore } from "../../functions/adapters/state/memory-store.js";
import { silentLog } from "../../functions/app/logger.js";
import { pagingDeadline } from "../../functions/app/run-budget.js";
import { runCheck } from "../../functions/app/run-check.js";
import { readRawConfig } from "../../functions/config-file.js";
import { parseConfig } from "../../functions/domain/config.js";
import type { Coverage } from "../../functions/domain/coverage.js";
import { queryWindow } from "../../functions/domain/time.js";
import type { AgentPage, AgentStatusSource } from "../../functions/ports.js";
import { PROJECT_ROOT } from "../../infra/constructs/function-defaults.js";
import { generateDay } from "../fakes/smartassist/day.js";
import { DEMO_CREDENTIALS, startSimulator } from "../fakes/smartassist/simulator.js";
import { costSection } from "./cost.js";
import type { DomainRunReport, DomainRunSpec } from "./domain-run.js";
import type { CallCounts, EngineRunReport, EngineRunSpec } from "./engine-run.js";
import type { HttpCpuReport, HttpCpuSpec } from "./http-cpu.js";
import {
  bundleComposition,
  copyBundleOutsideRepo,
  type ImportProbe,
  lambdaEnvironment,
  probeImport,
  synthesizeLambdaBundle,
} from "./lambda-bundle.js";
import type { SimServerCommand, SimServerReply, SimServerStart, SimServerStats } from "./sim-server.js";
import { stormSection } from "./storm.js";

// ---------------------------------------------------------------------------------------------
// Options and fixed parameters

const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const QUICK = flag("quick");
const JSON_OUT = flag("json");
const SECTIONS = new Set(
  (option("only") ?? "engine,http,rotation,pacing,domain,bundle,storm,cost").split(","),
);
const REPEAT = Number(option("repeat") ?? (QUICK ? 1 : 3));
if (flag("help")) {
  process.stdout.write(
    "usage: npm run bench -- [--quick] [--json] [--only=engine,http,rotation,pacing,domain,bundle,storm,cost,interactions,ontime,ackall] [--repeat=N] [--sizes=N,N] [--no-sequential] [--no-counting] [--storm-sizes=N,N] [--storm-runs=N] [--cost-sizes=N,N] [--cost-minutes=N] [--cost-latency=MS,MS] [--cost-rpm=N] [--cost-concurrency=N,N] [--cost-markdown] [--no-cost-storm]\n",
  );
  process.exit(0);
}

const HERE = fileURLToPath(new URL(".", import.meta.url));
const SIZES = option("sizes")?.split(",").map(Number) ?? (QUICK ? [500, 5_000] : [500, 5_000, 50_000]);
const SEQUENTIAL = !flag("no-sequential");
const COUNTING = !flag("no-counting");
const SEGMENTS_PER_AGENT = 20;
const LATENCY_MS = 100;
const CONCURRENCY = 8;
const PAGE_SIZE = 50;
const TIMEZONE = "Asia/Kolkata";
const DATE = "2023-03-10";
/** 14:00 in Kolkata: a mid-day check, when the generated day has stuck agents to find. */
const NOW_MS = Date.parse("2023-03-10T08:30:00Z");
/** 23:59 in Kolkata: every segment of the day is known. */
const END_OF_DAY_MS = Date.parse("2023-03-10T18:29:00Z");
const EVERY_MS = 5 * 60_000;
const DOMAIN_SEGMENTS = QUICK ? 200_000 : 1_000_000;
const COLD_INIT_SAMPLES = QUICK ? 5 : 10;

const TARGETS = {
  wallOverLimit: 1.15,
  rssGrowth: 1.5,
  segmentsPerSecond: 2_000_000,
  /** SI megabytes: 1.2 MB = 1,200,000 bytes. */
  bundleBytes: 1_200_000,
  coldInitMs: 150,
};

/** The config the engine runs with: DESIGN's example rules, a team, the simulator as host. */
function benchConfig(host: string, concurrency: number, requestsPerMinute = 1_000_000_000) {
  return {
    timezone: TIMEZONE,
    smartassist: {
      host,
      accountId: DEMO_CREDENTIALS.accountId,
      iId: DEMO_CREDENTIALS.iId,
      pageSize: PAGE_SIZE,
      concurrency,
      // Pacing out of the way: the engine, not the rate limit, is measured.
      requestsPerMinute,
      timeout: "60s",
    },
    schedule: { every: "5m" },
    rules: [
      { name: "Long break", secondaryStatus: ["NBK", "LUNCH", "BREAK"], threshold: "15m", critical: "30m" },
      { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m", critical: "1h" },
    ],
    repeat: "30m",
    slack: { channel: "C0BENCH0001" },
    teams: [
      {
        name: "Tier 2",
        agents: ["*@tier2.example.com"],
        channel: "C0BENCH0002",
        rules: [{ name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "20m" }],
      },
    ],
  };
}

/** The request window of a run at NOW_MS with the bench config (what the simulator renders). */
const WINDOW = (() => {
  const { config } = parseConfig(benchConfig("http://127.0.0.1:1", 1), "bench config");
  return queryWindow(config.timezone, NOW_MS, config.largestThresholdSeconds, config.schedule.everySeconds);
})();

// ---------------------------------------------------------------------------------------------
// Child processes

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

const children = new Set<ChildProcess>();

function forkTs(file: string, arg: unknown): ChildProcess {
  const child = fork(join(HERE, file), [JSON.stringify(arg)], {
    // BENCH_CPU_PROF=DIR writes a CPU profile of every child (simulator and engine runs) into DIR.
    execArgv: [
      "--import",
      "tsx",
      ...(process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : []),
    ],
    // The child's stdout must not mix with the report: it goes to stderr.
    stdio: ["ignore", "pipe", "inherit", "ipc"],
    cwd: PROJECT_ROOT,
  });
  child.stdout?.pipe(process.stderr);
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Runs a child to its report; `onMessage` handles anything else it says. */
function runChild<T>(
  file: string,
  arg: unknown,
  timeoutMs: number,
  onMessage?: (message: { type?: string } & Record<string, unknown>, child: ChildProcess) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const child = forkTs(file, arg);
    let report: T | undefined;
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${file} did not finish within ${timeoutMs / 1000}s`));
    }, timeoutMs);
    child.on("message", (raw) => {
      const message = raw as { type?: string } & Record<string, unknown>;
      if (message.type === "report") report = message as T;
      else if (message.type === "error") reject(new Error(`${file}: ${String(message.message)}`));
      else onMessage?.(message, child);
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (report !== undefined) resolve(report);
      else reject(new Error(`${file} exited (${code}) without a report`));
    });
  });
}

interface SimHandle {
  url: string;
  agents: number;
  generateMs: number;
  command(command: DistributiveOmit<SimServerCommand, "id">): Promise<SimServerStats>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function startSimChild(start: SimServerStart): Promise<SimHandle> {
  const child = forkTs("sim-server.ts", start);
  let nextId = 1;
  const waiting = new Map<number, (stats: SimServerStats) => void>();
  return new Promise<SimHandle>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the simulator did not start within 120s")), 120_000);
    child.once("exit", (code) => reject(new Error(`the simulator exited (${code})`)));
    child.on("message", (raw) => {
      const message = raw as SimServerReply;
      if (message.type === "ready") {
        clearTimeout(timer);
        resolve({
          url: message.url,
          agents: message.agents,
          generateMs: message.generateMs,
          command(command) {
            const id = nextId++;
            return new Promise<SimServerStats>((done) => {
              waiting.set(id, done);
              child.send({ ...command, id });
            });
          },
        });
      } else if (message.type === "done") {
        waiting.get(message.id)?.(message.stats);
        waiting.delete(message.id);
      }
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

const int = (n: number) => Math.round(n).toLocaleString("en-US");
const fixed = (n: number, digits = 2) => n.toFixed(digits);
const mb = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;
const verdict = (ok: boolean) => (ok ? "PASS " : "SHORT");

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join("  ");
  return [line(header), ...rows.map(line)].map((l) => `  ${l}`).join("\n");
}

interface Target {
  name: string;
  ok: boolean;
  figure: string;
}

// ---------------------------------------------------------------------------------------------
// Engine

interface EngineSize {
  agents: number;
  /** Data pages: ceil(agents / pageSize), what any client must read. */
  pages: number;
  /** ceil(pages / concurrency) × latency. */
  physicalLimitMs: number;
  /** The client reads page 0 alone, then the rest `concurrency` at a time: (1 + ceil((pages−1)/c)) rounds. */
  clientBoundMs: number;
  requests: number;
  wallMs: number[];
  wallMedianMs: number;
  wallMinMs: number;
  /** A second run in the same process (warm code, same client, new store): median. */
  warmWallMs: number;
  ratioToLimit: number;
  ratioToClientBound: number;
  sequential?: { wallMs: number; limitMs: number; ratio: number; requests: number };
  peakRssBytes: number;
  rssBeforeBytes: number;
  cpuMs: number;
  simulatorCpuShare: number;
  checkedAgents: number;
  firing: number;
  latencyMeanMs: number;
  failedPages: number;
  rateLimited: number;
  counted?: CallCounts[];
}

async function engineSection(
  targets: Target[],
): Promise<{ sizes: EngineSize[]; text: string; simulator: unknown }> {
  const largest = Math.max(...SIZES);
  progress(`starting the simulator with ${int(largest)} agents × ${SEGMENTS_PER_AGENT} segments`);
  const sim = await startSimChild({
    agents: largest,
    segmentsPerAgent: SEGMENTS_PER_AGENT,
    timezone: TIMEZONE,
    date: DATE,
    seed: 1,
    nowMs: NOW_MS,
    latencyMs: LATENCY_MS,
  });
  progress(`simulator ready at ${sim.url} (generated in ${int(sim.generateMs)} ms)`);
  const sizes: EngineSize[] = [];
  try {
    for (const agents of SIZES) {
      await sim.command({ type: "configure", agents, latencyMs: LATENCY_MS, nowMs: NOW_MS, warm: WINDOW });
      const pages = Math.ceil(agents / PAGE_SIZE);
      const limit = Math.ceil(pages / CONCURRENCY) * LATENCY_MS;
      const bound = (1 + Math.ceil((pages - 1) / CONCURRENCY)) * LATENCY_MS;
      const runs: EngineRunReport[] = [];
      let simCpuMs = 0;
      let simWallMs = 0;
      for (let i = 0; i < REPEAT; i++) {
        progress(`engine: ${int(agents)} agents, concurrency ${CONCURRENCY}, run ${i + 1}/${REPEAT}`);
        await sim.command({ type: "reset" });
        const spec: EngineRunSpec = {
          mode: "timed",
          rawConfig: benchConfig(sim.url, CONCURRENCY),
          nowMs: NOW_MS,
          warmRun: true,
        };
        runs.push(await runChild<EngineRunReport>("engine-run.ts", spec, 300_000));
        const stats = await sim.command({ type: "stats" });
        simCpuMs += stats.cpuMs;
        simWallMs += (runs.at(-1) as EngineRunReport).wallMs;
      }
      const walls = runs.map((r) => r.wallMs);
      const first = runs[0] as EngineRunReport;
      const size: EngineSize = {
        agents,
        pages,
        physicalLimitMs: limit,
        clientBoundMs: bound,
        requests: first.requests,
        wallMs: walls,
        wallMedianMs: median(walls),
        wallMinMs: Math.min(...walls),
        warmWallMs: median(runs.map((r) => r.warmWallMs ?? Number.NaN)),
        ratioToLimit: median(walls) / limit,
        ratioToClientBound: median(walls) / bound,
        peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes)),
        rssBeforeBytes: median(runs.map((r) => r.rssBeforeBytes)),
        cpuMs: median(runs.map((r) => r.cpuMs)),
        simulatorCpuShare: simCpuMs / simWallMs,
        checkedAgents: first.checkedAgents,
        firing: first.firing,
        latencyMeanMs: median(runs.map((r) => r.latencyMeanMs)),
        failedPages: Math.max(...runs.map((r) => r.failedPages)),
        rateLimited: Math.max(...runs.map((r) => r.rateLimited)),
      };
      sizes.push(size);
    }

    // Sequential: concurrency 1, each size once (the 50,000 case takes ~2 minutes).
    for (const size of SEQUENTIAL ? sizes : []) {
      progress(`engine: ${int(size.agents)} agents, sequential (concurrency 1)`);
      await sim.command({
        type: "configure",
        agents: size.agents,
        latencyMs: LATENCY_MS,
        nowMs: NOW_MS,
        warm: WINDOW,
      });
      await sim.command({ type: "reset" });
      const spec: EngineRunSpec = { mode: "timed", rawConfig: benchConfig(sim.url, 1), nowMs: NOW_MS };
      const run = await runChild<EngineRunReport>("engine-run.ts", spec, 480_000);
      const limitMs = size.pages * LATENCY_MS;
      size.sequential = { wallMs: run.wallMs, limitMs, ratio: run.wallMs / limitMs, requests: run.requests };
    }

    // Calls: real (not dry) runs with a counting store, notifier and event bus; no latency (it
    // changes nothing that is counted).
    for (const size of COUNTING ? sizes : []) {
      progress(
        `engine: ${int(size.agents)} agents, counting store and Slack calls (two runs, 5 minutes apart)`,
      );
      await sim.command({ type: "configure", agents: size.agents, latencyMs: 0, nowMs: NOW_MS });
      const spec: EngineRunSpec = {
        mode: "counted",
        rawConfig: benchConfig(sim.url, CONCURRENCY),
        nowMs: NOW_MS,
        secondNowMs: NOW_MS + EVERY_MS,
      };
      const run = await runChild<EngineRunReport>("engine-run.ts", spec, 300_000, (message, child) => {
        if (message.type === "setSimNow") {
          void sim.command({ type: "configure", nowMs: message.nowMs as number }).then(() => {
            child.send({ type: "simNowSet" });
          });
        }
      });
      if (run.counted) size.counted = run.counted;
    }
  } finally {
    await sim.command({ type: "close" });
  }

  // Targets
  for (const size of sizes) {
    if (size.agents < 5_000) continue;
    targets.push({
      name: `wall ≤ ${TARGETS.wallOverLimit}× physical limit at ${int(size.agents)} agents`,
      ok: size.ratioToLimit <= TARGETS.wallOverLimit,
      figure: `${fixed(size.ratioToLimit)}× (median ${int(size.wallMedianMs)} ms / limit ${int(size.physicalLimitMs)} ms)`,
    });
    if (Number.isFinite(size.warmWallMs) && size.warmWallMs > 0) {
      const warmRatio = size.warmWallMs / size.physicalLimitMs;
      targets.push({
        name: `wall ≤ ${TARGETS.wallOverLimit}× physical limit at ${int(size.agents)} agents, warm container`,
        ok: warmRatio <= TARGETS.wallOverLimit,
        figure: `${fixed(warmRatio)}× (median ${int(size.warmWallMs)} ms / limit ${int(size.physicalLimitMs)} ms)`,
      });
    }
  }
  const rss5k = sizes.find((s) => s.agents === 5_000);
  const rss50k = sizes.find((s) => s.agents === 50_000);
  if (rss5k && rss50k) {
    const growth = rss50k.peakRssBytes / rss5k.peakRssBytes;
    targets.push({
      name: `peak RSS at 50,000 ≤ ${TARGETS.rssGrowth}× peak RSS at 5,000`,
      ok: growth <= TARGETS.rssGrowth,
      figure: `${fixed(growth)}× (${mb(rss50k.peakRssBytes)} / ${mb(rss5k.peakRssBytes)})`,
    });
  }
  const scaling =
    COUNTING &&
    sizes.every((s) =>
      (s.counted ?? []).every(
        (c) => c.storeLoads === 1 && c.slackCalls <= c.transitions && c.storePuts <= 2 * c.transitions,
      ),
    );
  const largestCounted = sizes.at(-1)?.counted?.[0];
  if (COUNTING)
    targets.push({
      name: "Slack and state calls scale with alerts, not agents",
      ok: scaling && sizes.every((s) => (s.counted?.length ?? 0) > 0),
      figure: largestCounted
        ? `every run: 1 load, Slack calls ≤ transitions, puts ≤ 2 × transitions (at ${int(sizes.at(-1)?.agents ?? 0)} agents: ${int(largestCounted.storePuts)} puts, ${int(largestCounted.slackCalls)} Slack calls for ${int(largestCounted.transitions)} transitions)`
        : "not measured",
    });

  const text = [
    `Engine — runCheck + SmartAssistClient against the simulator (own process), each run in a fresh process`,
    `  ${SEGMENTS_PER_AGENT} segments per agent, ${LATENCY_MS} ms per page, page size ${PAGE_SIZE}, concurrency ${CONCURRENCY}, pacing off (requestsPerMinute 1e9, simulator limit 1e9), dry run, no notifier`,
    `  pages = ceil(agents / ${PAGE_SIZE}) data pages; physical limit = ceil(pages / ${CONCURRENCY}) × ${LATENCY_MS} ms;`,
    `  client bound = (1 + ceil((pages − 1) / ${CONCURRENCY})) × ${LATENCY_MS} ms for a fresh client (page 0 is read alone first);`,
    `  a client that has read the center before (a warm container) starts with every slot busy: its bound is the limit.`,
    `  wall = runCheck alone, the first run in a fresh process (cold code, first connections), median of ${REPEAT};`,
    "  warm = the same run again in that process with the same client and a new store (a warm Lambda container).",
    table(
      [
        "agents",
        "pages",
        "requests",
        "limit ms",
        "bound ms",
        "wall ms",
        "min ms",
        "wall/limit",
        "wall/bound",
        "warm ms",
        "warm/limit",
        "seq ms",
        "seq/limit",
        "peak RSS",
        "RSS before",
        "CPU ms",
        "sim CPU",
      ],
      sizes.map((s) => [
        int(s.agents),
        int(s.pages),
        int(s.requests),
        int(s.physicalLimitMs),
        int(s.clientBoundMs),
        int(s.wallMedianMs),
        int(s.wallMinMs),
        fixed(s.ratioToLimit),
        fixed(s.ratioToClientBound),
        int(s.warmWallMs),
        fixed(s.warmWallMs / s.physicalLimitMs),
        s.sequential ? int(s.sequential.wallMs) : "-",
        s.sequential ? fixed(s.sequential.ratio) : "-",
        mb(s.peakRssBytes),
        mb(s.rssBeforeBytes),
        int(s.cpuMs),
        `${Math.round(s.simulatorCpuShare * 100)}%`,
      ]),
    ),
    `  requests include the client's speculative pages past the end (no total in the response); seq limit = pages × ${LATENCY_MS} ms.`,
    `  sim CPU = the simulator's CPU time / the engine's wall time (well under 100%: it is not the bottleneck).`,
    `  checked agents: ${sizes.map((s) => int(s.checkedAgents)).join(", ")}; firing: ${sizes.map((s) => int(s.firing)).join(", ")}; failed pages: ${sizes.map((s) => s.failedPages).join(", ")}; 429s: ${sizes.map((s) => s.rateLimited).join(", ")}`,
    "",
    "Calls per run (real runs, counting store, notifier and event bus; run 1 at 14:00 on an empty store, run 2 five minutes later)",
    table(
      [
        "agents",
        "run",
        "transitions",
        "firing",
        "store loads",
        "store puts",
        "Slack calls",
        "event entries",
        "puts per 1k agents",
      ],
      sizes.flatMap((s) =>
        (s.counted ?? []).map((c, i) => [
          int(s.agents),
          String(i + 1),
          int(c.transitions),
          int(c.firing),
          int(c.storeLoads),
          int(c.storePuts),
          int(c.slackCalls),
          int(c.eventEntries),
          fixed((c.storePuts / s.agents) * 1000, 1),
        ]),
      ),
    ),
  ].join("\n");
  return { sizes, text, simulator: { generateMs: sim.generateMs, agents: sim.agents } };
}

// ---------------------------------------------------------------------------------------------
// Pacing

interface PacingFigures {
  requestsPerMinute: number;
  everySeconds: number;
  concurrency: number;
  pageSize: number;
  /** Requests the real Pacer admits in each of consecutive runs (same pacer, a warm container). */
  requestsPerRun: number[];
  /** The same with the handler's paging deadline instead of the whole interval. */
  requestsBeforeDeadline: number;
  deadlineSeconds: number;
  speculativePages: number;
  pages: number;
  agents: number;
  formula: string;
  formulaAgents: number;
}

async function admittedRequests(
  pacer: Pacer,
  clock: { set(ms: number): void },
  startMs: number,
  endMs: number,
  concurrency: number,
): Promise<number> {
  clock.set(startMs);
  let started = 0;
  // `concurrency` workers, each starting its next request as soon as the pacer admits it (requests take
  // no virtual time, so only the pacer decides); a request must start before endMs.
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (await pacer.acquire(undefined, endMs)) started++;
    }),
  );
  return started;
}

async function pacingSection(): Promise<{ figures: PacingFigures; text: string }> {
  const requestsPerMinute = 50;
  const everySeconds = 300;
  const concurrency = 4;
  const pageSize = 50;
  let now = 0;
  const clock: Clock & { set(ms: number): void } = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
    set: (ms) => {
      now = Math.max(now, ms);
    },
  };
  const pacer = new Pacer(requestsPerMinute, clock);
  const requestsPerRun: number[] = [];
  for (let run = 0; run < 3; run++) {
    const start = run * everySeconds * 1000;
    requestsPerRun.push(
      await admittedRequests(pacer, clock, start, start + everySeconds * 1000, concurrency),
    );
  }
  // The Lambda stops paging early enough to leave time for Slack and state (scheduled-check.ts keeps
  // back min(30 s, max(5 s, 20 % of the budget))).
  const budgetMs = everySeconds * 1000;
  const deadlineMs = budgetMs - Math.min(30_000, Math.max(5_000, budgetMs * 0.2));
  now = 0;
  const fresh = new Pacer(requestsPerMinute, clock);
  const requestsBeforeDeadline = await admittedRequests(fresh, clock, 0, deadlineMs, concurrency);

  const requests = Math.min(...requestsPerRun, requestsBeforeDeadline);
  const speculativePages = concurrency - 1;
  const pages = requests - speculativePages;
  const bursts = Math.ceil(everySeconds / 60);
  const formulaAgents = (requestsPerMinute * bursts - (concurrency - 1)) * pageSize;
  const figures: PacingFigures = {
    requestsPerMinute,
    everySeconds,
    concurrency,
    pageSize,
    requestsPerRun,
    requestsBeforeDeadline,
    deadlineSeconds: deadlineMs / 1000,
    speculativePages,
    pages,
    agents: pages * pageSize,
    formula:
      "agents = (requestsPerMinute × ceil(interval / 60 s) − (concurrency − 1)) × pageSize" +
      ` = (${requestsPerMinute} × ${bursts} − ${concurrency - 1}) × ${pageSize} = ${int(formulaAgents)}`,
    formulaAgents,
  };
  const text = [
    `Pacing — default settings: ${requestsPerMinute} requests/min, every ${everySeconds / 60}m, concurrency ${concurrency}, page size ${pageSize}`,
    `  real Pacer on a virtual clock: requests started within the interval, 3 consecutive runs on one pacer: ${requestsPerRun.join(", ")};`,
    `  within the handler's paging deadline (${deadlineMs / 1000} s of the ${everySeconds} s): ${requestsBeforeDeadline}`,
    `  the client asks for up to concurrency − 1 = ${speculativePages} pages past the end (it learns the end from hasMore=false)`,
    `  largest center one run reads: ${requests} − ${speculativePages} = ${pages} pages = ${int(pages * pageSize)} agents`,
    `  formula: ${figures.formula}`,
    `  (a burst of ${requestsPerMinute} at 0 s, 60 s, …, ${(bursts - 1) * 60} s: the sliding 60 s window frees each burst a minute later)`,
  ].join("\n");
  return { figures, text };
}

// ---------------------------------------------------------------------------------------------
// HTTP: CPU per page, global fetch against undici's request on its own Agent

interface HttpCpuSize {
  agents: number;
  pages: number;
  bytesPerPage: number;
  /** Medians over `runs` fresh processes per mode, interleaved. */
  fetchCpuMsPerPage: number;
  undiciCpuMsPerPage: number;
  saving: number;
  runs: number;
}

async function httpSection(targets: Target[]): Promise<{ sizes: HttpCpuSize[]; text: string }> {
  const sizes = SIZES.filter((n) => n >= 5_000);
  const largest = Math.max(...sizes);
  progress(`http: starting the simulator with ${int(largest)} agents (no latency)`);
  const sim = await startSimChild({
    agents: largest,
    segmentsPerAgent: SEGMENTS_PER_AGENT,
    timezone: TIMEZONE,
    date: DATE,
    seed: 1,
    nowMs: NOW_MS,
    latencyMs: 0,
  });
  const body = JSON.stringify({ filter: { dateFilter: WINDOW } });
  const runs = QUICK ? 1 : 3;
  const out: HttpCpuSize[] = [];
  try {
    for (const agents of sizes) {
      await sim.command({ type: "configure", agents, latencyMs: 0, nowMs: NOW_MS, warm: WINDOW });
      const pages = Math.ceil(agents / PAGE_SIZE);
      const reports: Record<HttpCpuSpec["mode"], HttpCpuReport[]> = { fetch: [], undici: [] };
      for (let i = 0; i < runs; i++) {
        for (const mode of ["fetch", "undici"] as const) {
          progress(
            `http: ${int(agents)} agents (${pages} POSTs at concurrency ${CONCURRENCY}), ${mode}, ${i + 1}/${runs}`,
          );
          const spec: HttpCpuSpec = {
            mode,
            url: sim.url,
            requests: pages,
            concurrency: CONCURRENCY,
            pages,
            body,
          };
          reports[mode].push(await runChild<HttpCpuReport>("http-cpu.ts", spec, 300_000));
        }
      }
      const fetchMs = median(reports.fetch.map((r) => r.cpuMsPerPage));
      const undiciMs = median(reports.undici.map((r) => r.cpuMsPerPage));
      out.push({
        agents,
        pages,
        bytesPerPage: (reports.undici[0]?.bytes ?? 0) / pages,
        fetchCpuMsPerPage: fetchMs,
        undiciCpuMsPerPage: undiciMs,
        saving: 1 - undiciMs / fetchMs,
        runs,
      });
    }
  } finally {
    await sim.command({ type: "close" });
  }
  for (const size of out) {
    targets.push({
      name: `HTTP CPU per page down ≥ 25% with undici at ${int(size.agents)} agents`,
      ok: size.saving >= 0.25,
      figure: `${fixed(size.fetchCpuMsPerPage)} → ${fixed(size.undiciCpuMsPerPage)} ms per page (−${Math.round(size.saving * 100)}%)`,
    });
  }
  const text = [
    `HTTP — CPU of the client process per page: N POSTs (N = pages) of a ${int(out[0]?.bytesPerPage ?? 0)}-byte page at concurrency ${CONCURRENCY}, loopback, simulator child,`,
    `  token signed per request, body read as text and JSON.parse'd; fresh process per measurement, median of ${runs}`,
    table(
      ["agents", "pages", "fetch ms/page", "undici ms/page", "saving"],
      out.map((s) => [
        int(s.agents),
        int(s.pages),
        fixed(s.fetchCpuMsPerPage),
        fixed(s.undiciCpuMsPerPage),
        `${Math.round(s.saving * 100)}%`,
      ]),
    ),
  ].join("\n");
  return { sizes: out, text };
}

// ---------------------------------------------------------------------------------------------
// Rotation: a roster larger than one run at default pacing

interface RotationFigures {
  agents: number;
  rosterPages: number;
  runsToReadEveryone: number;
  expectedCycleRuns: number;
  coverage: Coverage[];
  pagesPerRun: number[];
  rereadAgents: number[];
}

/**
 * 20,000 agents (400 pages) at the default pace (50/min, every 5m, concurrency 4): runCheck with the
 * real client and Pacer on a virtual clock (a warm container: one client, runs 5 minutes apart),
 * the in-process simulator answering at once, a memory store keeping the cursor and the alerts.
 */
async function rotationSection(targets: Target[]): Promise<{ figures: RotationFigures; text: string }> {
  const agents = 20_000;
  progress(`rotation: ${int(agents)} agents at default pacing, on a virtual clock`);
  const roster = generateDay({
    agents,
    segmentsPerAgent: SEGMENTS_PER_AGENT,
    timezone: TIMEZONE,
    date: DATE,
    seed: 1,
  });
  const sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents: roster,
    now: NOW_MS,
    rateLimitPerMinute: 1e9,
  });
  const { config } = parseConfig(
    {
      ...benchConfig(sim.url, 4, 50),
      smartassist: { ...benchConfig(sim.url, 4, 50).smartassist, concurrency: 4 },
    },
    "bench config",
  );
  let now = NOW_MS;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
  const source = new SmartAssistClient({
    ...config.smartassist,
    credentials: { clientId: DEMO_CREDENTIALS.clientId, clientSecret: DEMO_CREDENTIALS.clientSecret },
    clock,
  });
  const store = new MemoryAlertStore({ nowMs: NOW_MS });
  const seen = new Set<string>();
  const coverage: Coverage[] = [];
  const pagesPerRun: number[] = [];
  const rereadAgents: number[] = [];
  let runs = 0;
  try {
    while (seen.size < agents && runs < 20) {
      const start = NOW_MS + runs * EVERY_MS;
      now = Math.max(now, start);
      sim.setNow(start);
      // The source as runCheck sees it, noting every agent the rotation or the re-read hands over.
      const note = (onPage: (p: AgentPage) => void) => (p: AgentPage) => {
        for (const r of p.rows) seen.add((r as { userId: string }).userId);
        onPage(p);
      };
      const wrapped: AgentStatusSource = {
        fetchAll: (w, onPage, o) => source.fetchAll(w, note(onPage), o),
        fetchAgents: (w, e, onPage, o) => source.fetchAgents(w, e, note(onPage), o),
      };
      const result = await runCheck(
        config,
        { source: wrapped, store, log: silentLog },
        { nowMs: start, deadlineMs: pagingDeadline(start, config.schedule.everySeconds) },
      );
      runs++;
      coverage.push(result.summary.coverage);
      pagesPerRun.push(result.fetch.pages);
      rereadAgents.push(result.rereadAgents);
    }
  } finally {
    await source.close();
    await sim.close();
  }
  const rosterPages = Math.ceil(agents / PAGE_SIZE);
  const firstRunPages = pagesPerRun[0] ?? 1;
  const expectedCycleRuns = Math.ceil(rosterPages / firstRunPages);
  targets.push({
    name: `every agent of ${int(agents)} read within ⌈pages ÷ pages per run⌉ runs at default pacing`,
    ok: seen.size === agents && runs <= expectedCycleRuns,
    figure: `${runs} runs (⌈${rosterPages} ÷ ${firstRunPages}⌉ = ${expectedCycleRuns}); ${int(seen.size)} agents read`,
  });
  const figures: RotationFigures = {
    agents,
    rosterPages,
    runsToReadEveryone: runs,
    expectedCycleRuns,
    coverage,
    pagesPerRun,
    rereadAgents,
  };
  const text = [
    `Rotation — ${int(agents)} agents (${rosterPages} pages) at default pacing (50/min, every 5m, concurrency 4, paging deadline 270 s):`,
    "  runCheck + the real client and Pacer on a virtual clock, one client across runs (a warm container), memory store",
    table(
      ["run", "pages read", "open alerts re-read", "startOffset", "nextOffset", "rosterPages", "complete"],
      coverage.map((c, i) => [
        String(i + 1),
        int(pagesPerRun[i] ?? 0),
        int(rereadAgents[i] ?? 0),
        int(c.startOffset),
        int(c.nextOffset),
        c.rosterPages === null ? "null" : int(c.rosterPages),
        String(c.complete),
      ]),
    ),
    `  every agent read after ${runs} runs; a full cycle is ⌈${rosterPages} ÷ ${firstRunPages}⌉ = ${expectedCycleRuns} runs (${expectedCycleRuns * 5} minutes)`,
  ].join("\n");
  return { figures, text };
}

// ---------------------------------------------------------------------------------------------
// Domain

async function domainSection(targets: Target[]): Promise<{ figures: unknown; text: string }> {
  const runs = 5;
  const spec = (nowMs: number): DomainRunSpec => ({
    rawConfig: benchConfig("http://127.0.0.1:1", 4),
    segments: DOMAIN_SEGMENTS,
    segmentsPerAgent: SEGMENTS_PER_AGENT,
    date: DATE,
    nowMs,
    runs,
  });
  progress(`domain: ${int(DOMAIN_SEGMENTS)} segments as of the end of the day`);
  const endOfDay = await runChild<DomainRunReport>("domain-run.ts", spec(END_OF_DAY_MS), 300_000);
  progress(`domain: ${int(DOMAIN_SEGMENTS)} segments as of 14:00`);
  const midDay = await runChild<DomainRunReport>("domain-run.ts", spec(NOW_MS), 300_000);
  targets.push({
    name: `domain ≥ ${int(TARGETS.segmentsPerSecond)} segments/s`,
    ok: endOfDay.bestSegmentsPerSecond >= TARGETS.segmentsPerSecond,
    figure: `${int(endOfDay.bestSegmentsPerSecond)} segments/s (best of ${runs}; 14:00 rows: ${int(midDay.bestSegmentsPerSecond)})`,
  });
  const line = (label: string, r: DomainRunReport) => [
    label,
    int(r.rows),
    int(r.segments),
    int(r.openAlerts),
    int(r.bestMs),
    int(r.medianMs),
    int(r.bestSegmentsPerSecond),
    int(r.medianSegmentsPerSecond),
    fixed((r.bestMs * 1e6) / r.segments, 0),
  ];
  const text = [
    "Domain — parseAgentRow + decideAgent per row (what the engine does), API rows from JSON, fresh process",
    `  after a warm-up run that also fires what is due (so the timed runs see open alerts); best and median of ${runs}`,
    table(
      [
        "rows as of",
        "rows",
        "segments",
        "open alerts",
        "best ms",
        "median ms",
        "best seg/s",
        "median seg/s",
        "ns/segment",
      ],
      [line("23:59 (all 20 known)", endOfDay), line("14:00 (mid-day)", midDay)],
    ),
  ].join("\n");
  return { figures: { endOfDay, midDay }, text };
}

// ---------------------------------------------------------------------------------------------
// Bundle

async function bundleSection(targets: Target[]): Promise<{ figures: unknown; text: string }> {
  progress("bundle: synthesizing the stack with alerts.config.yaml (CDK NodejsFunction bundling)");
  const bundle = synthesizeLambdaBundle(readRawConfig(join(PROJECT_ROOT, "alerts.config.yaml")));
  const file = join(bundle.assetDir, bundle.entryFile);
  const bytes = statSync(file).size;
  const gzipBytes = gzipSync(readFileSync(file)).length;
  const mapBytes = statSync(`${file}.map`).size;
  const composition = [...bundleComposition(file)].sort((a, b) => b[1] - a[1]);
  const dir = copyBundleOutsideRepo(bundle);
  const env = lambdaEnvironment(bundle);
  const { NODE_OPTIONS: _nodeOptions, ...envWithoutMaps } = env;

  progress(`bundle: ${COLD_INIT_SAMPLES} cold imports and ${COLD_INIT_SAMPLES} empty processes, interleaved`);
  const imports: ImportProbe[] = [];
  const empties: ImportProbe[] = [];
  const importsNoMaps: ImportProbe[] = [];
  const emptiesNoMaps: ImportProbe[] = [];
  for (let i = 0; i < COLD_INIT_SAMPLES; i++) {
    imports.push(probeImport(dir, bundle.entryFile, bundle.handlerName, env));
    empties.push(probeImport(dir, null, bundle.handlerName, env));
    importsNoMaps.push(probeImport(dir, bundle.entryFile, bundle.handlerName, envWithoutMaps));
    emptiesNoMaps.push(probeImport(dir, null, bundle.handlerName, envWithoutMaps));
  }
  // An error thrown inside the bundle (here: init without TABLE_NAME): its first stack trace.
  const { TABLE_NAME: _table, ...broken } = env;
  const { NODE_OPTIONS: _maps, ...brokenWithoutMaps } = broken;
  const stackWithMaps = median(
    [0, 1, 2].map(
      () =>
        probeImport(dir, bundle.entryFile, bundle.handlerName, broken, { firstStack: true }).firstStackMs ??
        0,
    ),
  );
  const stackWithoutMaps = median(
    [0, 1, 2].map(
      () =>
        probeImport(dir, bundle.entryFile, bundle.handlerName, brokenWithoutMaps, { firstStack: true })
          .firstStackMs ?? 0,
    ),
  );
  const failed = imports.find((p) => p.status !== 0 || p.handlerType !== "function");
  if (failed) throw new Error(`the bundle did not load: ${failed.stderr.slice(0, 500)}`);
  rmSync(dir, { recursive: true, force: true });
  rmSync(bundle.outdir, { recursive: true, force: true });

  const importMs = median(imports.map((p) => p.importMs));
  const processMs = median(imports.map((p) => p.processMs));
  const emptyMs = median(empties.map((p) => p.processMs));
  const coldInitMs = processMs - emptyMs;
  const noMaps = {
    importMs: median(importsNoMaps.map((p) => p.importMs)),
    coldInitMs: median(importsNoMaps.map((p) => p.processMs)) - median(emptiesNoMaps.map((p) => p.processMs)),
  };
  targets.push({
    name: `bundle ≤ ${fixed(TARGETS.bundleBytes / 1e6, 1)} MB minified`,
    ok: bytes <= TARGETS.bundleBytes,
    figure: `${int(bytes)} bytes (gzip ${int(gzipBytes)})`,
  });
  targets.push({
    name: `cold init ≤ ${TARGETS.coldInitMs} ms above empty Node`,
    ok: coldInitMs <= TARGETS.coldInitMs,
    figure: `${int(coldInitMs)} ms (whole process, median ${int(processMs)} − empty ${int(emptyMs)}; import alone ${int(importMs)} ms)`,
  });
  const text = [
    "Bundle — functions/lambda/check.ts as CDK's NodejsFunction builds it (stack from infra/stack.ts, alerts.config.yaml)",
    `  index.mjs ${int(bytes)} bytes, gzip ${int(gzipBytes)} bytes (node:zlib default level), source map ${int(mapBytes)} bytes; synth ${int(bundle.synthMs)} ms`,
    `  by package (output bytes, from the source map): ${composition
      .slice(0, 8)
      .map(([owner, n]) => `${owner} ${int(n)}`)
      .join(", ")}`,
    `  cold init, copied to ${dir.replace(/[^/]+$/, "…")} (no node_modules reachable), environment as the stack sets it + region + dummy credentials:`,
    `    with NODE_OPTIONS=--enable-source-maps (as deployed): whole process ${int(processMs)} ms − empty node ${int(emptyMs)} ms = ${int(coldInitMs)} ms; import() alone ${int(importMs)} ms (medians of ${COLD_INIT_SAMPLES})`,
    `    without source maps: whole-process difference ${int(noMaps.coldInitMs)} ms; import() alone ${int(noMaps.importMs)} ms`,
    `    the first stack trace of an error thrown in the bundle: ${int(stackWithMaps)} ms with source maps (the ${mb(mapBytes)} map is decoded then), ${fixed(stackWithoutMaps, 1)} ms without`,
    `  reported cold init = whole-process difference (spawn to exit, minus an empty node through the same harness)`,
  ].join("\n");
  return {
    figures: {
      bytes,
      gzipBytes,
      mapBytes,
      synthMs: bundle.synthMs,
      composition: Object.fromEntries(composition),
      coldInit: {
        samples: COLD_INIT_SAMPLES,
        processMs,
        emptyMs,
        coldInitMs,
        importMs,
        withoutSourceMaps: noMaps,
        firstStackMs: { withSourceMaps: stackWithMaps, withoutSourceMaps: stackWithoutMaps },
        raw: {
          importMs: imports.map((p) => p.importMs),
          processMs: imports.map((p) => p.processMs),
          emptyMs: empties.map((p) => p.processMs),
        },
      },
    },
    text,
  };
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const began = performance.now();
  const targets: Target[] = [];
  const figures: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    quick: QUICK,
  };
  const sections: string[] = [];
  if (SECTIONS.has("engine")) {
    const engine = await engineSection(targets);
    figures.engine = { sizes: engine.sizes, simulator: engine.simulator };
    sections.push(engine.text);
  }
  if (SECTIONS.has("http")) {
    const http = await httpSection(targets);
    figures.http = http.sizes;
    sections.push(http.text);
  }
  if (SECTIONS.has("rotation")) {
    const rotation = await rotationSection(targets);
    figures.rotation = rotation.figures;
    sections.push(rotation.text);
  }
  if (SECTIONS.has("pacing")) {
    const pacing = await pacingSection();
    figures.pacing = pacing.figures;
    sections.push(pacing.text);
  }
  if (SECTIONS.has("domain")) {
    const domain = await domainSection(targets);
    figures.domain = domain.figures;
    sections.push(domain.text);
  }
  if (SECTIONS.has("storm")) {
    const storm = await stormSection({
      sizes: option("storm-sizes")?.split(",").map(Number) ?? (QUICK ? [100, 300] : [100, 300, 1_000]),
      runs: Number(option("storm-runs") ?? 5),
      progress,
    });
    figures.storm = storm.figures;
    sections.push(storm.text);
  }
  if (SECTIONS.has("bundle")) {
    const bundle = await bundleSection(targets);
    figures.bundle = bundle.figures;
    sections.push(bundle.text);
  }
  if (SECTIONS.has("cost")) {
    const cost = await costSection({
      sizes: option("cost-sizes")?.split(",").map(Number) ?? [500, 12_000],
      minutes: Number(option("cost-minutes") ?? (QUICK ? 5 : 10)),
      latencies: (option("cost-latency") ?? "250").split(",").map(Number),
      requestsPerMinute: Number(option("cost-rpm") ?? 50),
      concurrencies: (option("cost-concurrency") ?? "4").split(",").map(Number),
      storm: !QUICK && !flag("no-cost-storm"),
      markdown: flag("cost-markdown"),
      progress,
    });
    figures.cost = cost.figures;
    targets.push(...cost.targets);
    sections.push(cost.text);
  }
  if (SECTIONS.has("ontime")) {
    const { onTimeBench } = await import("./on-time.js");
    const onTime = await onTimeBench({ agents: Number(option("ontime-agents") ?? (QUICK ? 100 : 300)) });
    figures.onTime = onTime.figures;
    sections.push(onTime.text);
    const now = onTime.figures.modes.find((m) => m.mode === "tick + due");
    const before = onTime.figures.modes.find((m) => m.mode === "every 5m");
    if (now && before) {
      const l = now.lateness;
      targets.push({
        name: "nudges and alerts p95 ≤ 15 s, max ≤ 30 s after their due instant",
        ok: Math.max(l.nudged.p95, l.fired.p95) <= 15 && Math.max(l.nudged.max, l.fired.max) <= 30,
        figure: `nudges ${l.nudged.p95}/${l.nudged.max} s, alerts ${l.fired.p95}/${l.fired.max} s (p95/max)`,
      });
      targets.push({
        name: "resolves ≤ 60 s after the agent's return",
        ok: l.resolved.max <= 60,
        figure: `max ${l.resolved.max} s`,
      });
      targets.push({
        name: "the rotation's requests a day ≤ 1.1× a 5-minute schedule's",
        ok: now.perDay.rotation <= 1.1 * before.perDay.rotation,
        figure: `${now.perDay.rotation} vs ${before.perDay.rotation} (re-reads ${now.perDay.openRereads}, re-checks ${now.perDay.due} on top)`,
      });
    }
  }
  if (SECTIONS.has("replay")) {
    const { replayBench } = await import("./replay.js");
    const replay = await replayBench(Number(option("replay-agents") ?? (QUICK ? 500 : 12_000)));
    figures.replay = replay.figures;
    sections.push(replay.text);
    targets.push({
      name: "replay: a capture of 12,000 agents × 20 segments ≤ 60 MB",
      ok: replay.figures.captureMB <= 60,
      figure: `${replay.figures.captureMB} MB (${replay.figures.agents} agents)`,
    });
    targets.push({
      name: "replay: one config over the day ≤ 10 s",
      ok: replay.figures.replaySeconds <= 10,
      figure: `${replay.figures.replaySeconds} s (${replay.figures.agents} agents)`,
    });
  }
  if (SECTIONS.has("interactions")) {
    const interactions = await interactionsSection(targets);
    figures.interactions = interactions.figures;
    sections.push(interactions.text);
  }
  if (SECTIONS.has("ackall")) {
    const ackall = await ackAllSection(targets);
    figures.ackall = ackall.figures;
    sections.push(ackall.text);
  }
  const totalMs = performance.now() - began;
  figures.targets = targets;
  figures.totalMs = totalMs;

  const header = `agent-status-alerts benchmark — ${figures.startedAt}, Node ${process.version}, ${cpus().length} CPUs, loopback only${QUICK ? " (--quick)" : ""}`;
  const verdicts = targets.map((t) => `  [${verdict(t.ok)}] ${t.name}: ${t.figure}`);
  const report = [
    header,
    "",
    ...sections.flatMap((s) => [s, ""]),
    "Targets",
    ...verdicts,
    "",
    `(bench took ${int(totalMs / 1000)} s)`,
  ].join("\n");
  process.stdout.write(`${report}\n`);
  if (JSON_OUT) process.stdout.write(`${JSON.stringify(figures)}\n`);
}

async function interactionsSection(targets: Target[]): Promise<{ figures: unknown; text: string }> {
  const { clickLatency, interactionsBundle } = await import("./interactions.js");
  const n = QUICK ? 50 : 200;
  progress(`interactions: ${n} signed clicks on the local endpoint`);
  const clicks = await clickLatency(n);
  progress("interactions: synthesizing the interactions bundle");
  const bundle = interactionsBundle(COLD_INIT_SAMPLES);
  targets.push({
    name: "interactions endpoint p95 < 300 ms",
    ok: clicks.p95Ms < 300,
    figure: `${fixed(clicks.p95Ms, 1)} ms (median ${fixed(clicks.medianMs, 1)} ms over ${clicks.clicks} clicks)`,
  });
  const text = [
    "Interactions — `cli serve` (JSON state file, fake Slack on loopback), signed Acknowledge clicks one after another",
    `  ${clicks.clicks} clicks: median ${fixed(clicks.medianMs, 1)} ms, p95 ${fixed(clicks.p95Ms, 1)} ms, max ${fixed(clicks.maxMs, 1)} ms; statuses ${JSON.stringify(clicks.statuses)}`,
    `  interactions bundle: ${int(bundle.bytes)} bytes (gzip ${int(bundle.gzipBytes)}); cold init ${int(bundle.coldInitMs)} ms above empty node (median of ${bundle.samples})`,
  ].join("\n");
  return { figures: { clicks, bundle }, text };
}

async function ackAllSection(targets: Target[]): Promise<{ figures: unknown; text: string }> {
  const { acknowledgeAllFigures } = await import("./ackall.js");
  const sizes = option("ackall-sizes")?.split(",").map(Number) ?? [300, 1_000];
  const samples = Number(option("ackall-samples") ?? (QUICK ? 1 : 3));
  const figures = await acknowledgeAllFigures({
    sizes,
    samples,
    sequentialSizes: QUICK ? [] : [300],
    latencyMs: Number(option("ackall-latency") ?? 5),
    progress,
  });
  const lines = figures.map(
    (f) =>
      `  ${(f.latencyMs === undefined ? f.store : `${f.store} +${f.latencyMs} ms`).padEnd(16)} ${int(f.members).padStart(5)} members, ${(Number.isFinite(f.concurrency) ? String(f.concurrency) : "all").padStart(3)} in flight: ` +
      `median ${int(f.medianMs)} ms, max ${int(f.maxMs)} ms (${f.samples} samples), endpoint CPU ${int(f.cpuMs)} ms${f.dynaliteCpuMs === undefined ? "" : `, dynalite CPU ${int(f.dynaliteCpuMs)} ms`}; ` +
      `${int(f.puts)} puts${f.rewrites === undefined ? "" : `, ${int(f.rewrites)} file rewrites`}; ` +
      `status ${f.status}; ${int(f.acknowledged)} written by the click (${int(f.events)} events), ${int(f.shown)} shown acknowledged; ` +
      `the next run wrote the rest in ${int(f.nextRun.ms)} ms: ${int(f.nextRun.acknowledged)} acknowledged, ${int(f.nextRun.events)} events\n` +
      `      of which load ${int(f.phases.loadMs)} ms, writes ${int(f.phases.writesMs)} ms, Slack after them ${int(f.phases.slackMs)} ms; events (beside the writes) ${int(f.phases.eventsMs)} ms`,
  );
  for (const f of figures.filter((x) => x.concurrency > 1 && x.members >= 1_000)) {
    targets.push({
      name: `Acknowledge all of ${int(f.members)} on ${f.store}${f.latencyMs ? ` +${f.latencyMs} ms a request` : ""} answered < 3 s`,
      ok:
        f.maxMs < 3_000 &&
        f.status === 200 &&
        f.shown === f.members &&
        f.nextRun.acknowledged === f.members &&
        f.nextRun.events === f.members,
      figure: `max ${int(f.maxMs)} ms, median ${int(f.medianMs)} ms`,
    });
  }
  const text = [
    "Acknowledge all — signed request → verify → load → the intent and the members' conditional writes for up to 1.2 s (the rest owed to the next run) → roll-up redraw + reply (fake Slack) + events (EventBridge stand-in); then the next run",
    ...lines,
  ].join("\n");
  return { figures, text };
}

function stopChildren(): void {
  for (const child of children) child.kill("SIGKILL");
}

process.on("SIGINT", () => {
  stopChildren();
  process.exit(130);
});

main()
  .then(() => {
    stopChildren();
    process.exit(0);
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    stopChildren();
    process.exit(1);
  });
