/**
 * On time, measured: a simulated day (hundreds of agents, breaks and BUSY stretches at random
 * instants) run on a virtual clock through the real use case (`runCheck`, its lifecycle, leases, due
 * instants and grouping), three ways:
 *   - `every 5m`: today's one whole run per `schedule.every`;
 *   - `tick`: the 1-minute tick alone (each minute a fifth of the roster, open alerts re-read);
 *   - `tick + due`: the tick and the due re-checks it queues, each run at its instant as SQS would
 *     hand it over (DelaySeconds rounded up to the second).
 * Lateness is each transition's instant minus the moment it stands for (nudge, threshold, critical,
 * the reminder's slot, the agent's return); requests are counted per day and in the busiest 60 s.
 * The source is an in-memory adapter of the AgentStatusSource port serving the API's rows as they
 * would read at each virtual instant (the simulator's own row renderer).
 */

import { MemoryAlertStore } from "../../functions/adapters/state/memory-store.js";
import { silentLog } from "../../functions/app/logger.js";
import { runCheck } from "../../functions/app/run-check.js";
import type { Transition } from "../../functions/domain/alert.js";
import { type AppConfig, parseConfig } from "../../functions/domain/config.js";
import { TICK_SECONDS } from "../../functions/domain/coverage.js";
import { type DueGroup, dueEmails } from "../../functions/domain/due.js";
import type { QueryWindow } from "../../functions/domain/time.js";
import {
  type AgentPage,
  type AgentStatusSource,
  type DueQueue,
  type FetchOptions,
  type FetchReport,
  type ReadReport,
  readReport,
} from "../../functions/ports.js";
import { mulberry32 } from "../fakes/smartassist/day.js";
import { renderRow, type SimAgent, utcWindow } from "../fakes/smartassist/timeline.js";

const MIN = 60_000;
const PAGE = 50;

export interface OnTimeOptions {
  agents: number;
  seed?: number;
}

interface Lateness {
  count: number;
  p50: number;
  p95: number;
  max: number;
}

export interface OnTimeMode {
  mode: string;
  runs: number;
  requestsPerDay: number;
  /** Of which: the rotation; open alerts re-read by e-mail on the tick; due re-checks. */
  perDay: { rotation: number; openRereads: number; due: number };
  maxRequestsIn60s: number;
  lateness: Record<"nudged" | "fired" | "escalated" | "reminded" | "resolved", Lateness>;
}

export interface OnTimeFigures {
  agents: number;
  hours: number;
  modes: OnTimeMode[];
}

const DAY_START = Date.parse("2026-11-30T02:30:00Z"); // 08:00 in Asia/Kolkata
const HOURS = 12;

/** A working day: AVAILABLE with BUSY stretches and breaks (LUNCH, BREAK, NBK) of random lengths. */
function makeDay(agents: number, seed: number): SimAgent[] {
  const random = mulberry32(seed);
  const between = (a: number, b: number) => a + Math.floor(random() * (b - a));
  const out: SimAgent[] = [];
  for (let i = 0; i < agents; i++) {
    const segments: NonNullable<SimAgent["segments"]> = [];
    let t = DAY_START + between(0, 20) * MIN + between(0, 60) * 1000;
    const end = DAY_START + HOURS * 3600_000;
    while (t < end) {
      const roll = random();
      const [primary, secondary, minutes] =
        roll < 0.55
          ? ["AVAILABLE", "AVAILABLE", between(5, 60)]
          : roll < 0.8
            ? ["BUSY", "BUSY", between(2, 50)]
            : roll < 0.9
              ? ["AWAY", "BREAK", between(3, 25)]
              : roll < 0.96
                ? ["AWAY", "LUNCH", between(20, 50)]
                : ["AWAY", "NBK", between(5, 40)];
      // Random seconds: breaks start at any instant, not on the minute.
      const next = t + minutes * MIN + between(0, 60) * 1000;
      segments.push({
        primaryStatus: primary,
        secondaryStatus: secondary,
        startMs: t,
        endMs: next >= end ? null : next,
      });
      t = next;
    }
    out.push({
      userId: `u-${String(i).padStart(5, "0")}`,
      firstName: "Agent",
      lastName: String(i),
      email: `agent${i}@example.com`,
      segments,
    });
  }
  return out;
}

/** The API as an in-memory adapter: rows as of `clock()`, pages of 50, requests counted at their instant. */
class DaySource implements AgentStatusSource {
  readonly requests: number[] = [];
  /** Requests of the rotation (pages of the roster) and by e-mail (open alerts, due re-checks). */
  rotation = 0;
  byEmail = 0;
  readonly #byEmail: Map<string, SimAgent>;
  constructor(
    private readonly agents: SimAgent[],
    private readonly clock: () => number,
  ) {
    this.#byEmail = new Map(agents.map((a) => [a.email.toLowerCase(), a]));
  }

  #rows(list: SimAgent[], window: QueryWindow) {
    const w = utcWindow(window.startDate, window.endDate, window.timeZoneOffSet);
    return list.map((a) => renderRow(a, w, this.clock()));
  }

  async fetchAll(
    window: QueryWindow,
    onPage: (page: AgentPage) => void,
    options: FetchOptions = {},
  ): Promise<FetchReport> {
    const pages = Math.ceil(this.agents.length / PAGE);
    const start = Math.floor((options.startOffset ?? 0) / PAGE) % pages;
    const count = Math.min(pages, options.maxPages ?? pages);
    for (let i = 0; i < count; i++) {
      const page = (start + i) % pages;
      this.requests.push(this.clock());
      this.rotation++;
      const rows = this.#rows(this.agents.slice(page * PAGE, (page + 1) * PAGE), window);
      onPage({ offset: page * PAGE, rows, timeZoneOffSet: window.timeZoneOffSet });
    }
    const next = (start + count) % pages;
    return {
      ...readReport(count),
      startOffset: start * PAGE,
      nextOffset: count === pages ? 0 : next * PAGE,
      rosterPages: pages,
    };
  }

  async fetchAgents(
    window: QueryWindow,
    emails: string[],
    onPage: (page: AgentPage) => void,
  ): Promise<ReadReport> {
    let requests = 0;
    for (let i = 0; i < emails.length; i += PAGE) {
      requests++;
      this.requests.push(this.clock());
      this.byEmail++;
      const list = emails.slice(i, i + PAGE).flatMap((e) => this.#byEmail.get(e.toLowerCase()) ?? []);
      onPage({ offset: 0, rows: this.#rows(list, window), timeZoneOffSet: window.timeZoneOffSet });
    }
    return readReport(requests);
  }
}

/** Due groups, held until SQS would hand them over: DelaySeconds rounded up from when they were sent. */
class VirtualQueue implements DueQueue {
  readonly waiting: Array<{ atMs: number; group: DueGroup }> = [];
  async schedule(groups: DueGroup[], nowMs: number) {
    for (const group of groups) {
      const delay = Math.max(0, Math.ceil((group.atMs - nowMs) / 1000));
      this.waiting.push({ atMs: nowMs + delay * 1000, group });
    }
    return { scheduled: groups.length, left: 0, failed: 0 };
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function summarize(values: number[]): Lateness {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: Math.round(percentile(sorted, 50) / 100) / 10,
    p95: Math.round(percentile(sorted, 95) / 100) / 10,
    max: Math.round((sorted.at(-1) ?? 0) / 100) / 10,
  };
}

/** Each transition's lateness against the moment it stands for (ms). */
function latenessOf(transitions: Transition[], config: AppConfig): OnTimeMode["lateness"] {
  const rule = new Map(config.rules.map((r) => [r.name, r]));
  const firedAt = new Map<string, number>();
  const out: Record<keyof OnTimeMode["lateness"], number[]> = {
    nudged: [],
    fired: [],
    escalated: [],
    reminded: [],
    resolved: [],
  };
  for (const t of transitions) {
    const at = Date.parse(t.at);
    const since = Date.parse(t.since);
    const r = rule.get(t.rule);
    const key = `${t.userId}|${t.rule}|${t.since}`;
    if (t.type === "nudged" && r?.nudgeSeconds !== undefined)
      out.nudged.push(at - (since + r.nudgeSeconds * 1000));
    if (t.type === "fired") {
      out.fired.push(at - (since + t.thresholdSeconds * 1000));
      firedAt.set(key, at);
    }
    if (t.type === "escalated" && r?.criticalSeconds !== undefined)
      out.escalated.push(at - (since + r.criticalSeconds * 1000));
    if (t.type === "reminded" && r?.repeatSeconds !== undefined) {
      const fired = firedAt.get(key);
      if (fired !== undefined) {
        const slot = Math.max(1, Math.floor((at - fired + 15_000) / (r.repeatSeconds * 1000)));
        out.reminded.push(at - (fired + slot * r.repeatSeconds * 1000));
      }
    }
    if (t.type === "resolved") out.resolved.push(at - (since + t.elapsedSeconds * 1000));
  }
  return {
    nudged: summarize(out.nudged),
    fired: summarize(out.fired),
    escalated: summarize(out.escalated),
    reminded: summarize(out.reminded),
    resolved: summarize(out.resolved),
  };
}

function busiestMinute(requests: number[]): number {
  const sorted = [...requests].sort((a, b) => a - b);
  let best = 0;
  let head = 0;
  for (let i = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[head] as number) >= 60_000) head++;
    best = Math.max(best, i - head + 1);
  }
  return best;
}

async function simulate(
  mode: "every 5m" | "tick" | "tick + due",
  agents: SimAgent[],
  config: AppConfig,
): Promise<OnTimeMode> {
  let now = DAY_START;
  const source = new DaySource(agents, () => now);
  const store = new MemoryAlertStore({ nowMs: () => now });
  const queue = mode === "tick + due" ? new VirtualQueue() : undefined;
  const transitions: Transition[] = [];
  const end = DAY_START + HOURS * 3600_000;
  const step = mode === "every 5m" ? config.schedule.everySeconds * 1000 : TICK_SECONDS * 1000;
  let runs = 0;
  let dueRequests = 0;
  let nextTick = DAY_START;
  const wallMs = () => now;
  while (nextTick < end) {
    // The earliest of the next tick and the next due group.
    queue?.waiting.sort((a, b) => a.atMs - b.atMs);
    const due = queue?.waiting[0];
    if (queue && due && due.atMs < nextTick) {
      queue.waiting.shift();
      now = due.atMs;
      const emails = dueEmails([due.group]);
      const before = source.byEmail;
      const r = await runCheck(
        config,
        { source, store, dueQueue: queue, log: silentLog },
        { nowMs: now, wallMs, mode: "due", dueEmails: emails },
      );
      transitions.push(...r.summary.transitions);
      dueRequests += source.byEmail - before;
    } else {
      now = nextTick;
      const r = await runCheck(
        config,
        { source, store, log: silentLog, ...(queue ? { dueQueue: queue } : {}) },
        { nowMs: now, wallMs, mode: mode === "every 5m" ? "once" : "tick" },
      );
      transitions.push(...r.summary.transitions);
      nextTick += step;
    }
    runs++;
  }
  const hours = HOURS;
  return {
    mode,
    runs,
    requestsPerDay: Math.round((source.requests.length * 24) / hours),
    perDay: {
      rotation: Math.round((source.rotation * 24) / hours),
      openRereads: Math.round(((source.byEmail - dueRequests) * 24) / hours),
      due: Math.round((dueRequests * 24) / hours),
    },
    maxRequestsIn60s: busiestMinute(source.requests),
    lateness: latenessOf(transitions, config),
  };
}

export async function onTimeBench(options: OnTimeOptions): Promise<{ figures: OnTimeFigures; text: string }> {
  const { config } = parseConfig(
    {
      timezone: "Asia/Kolkata",
      smartassist: { host: "https://platform.kore.ai", accountId: "acc", iId: "st-1" },
      schedule: { every: "5m", precision: "10s" },
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
    "on-time bench",
  );
  const agents = makeDay(options.agents, options.seed ?? 7);
  const modes: OnTimeMode[] = [];
  for (const mode of ["every 5m", "tick", "tick + due"] as const)
    modes.push(await simulate(mode, agents, config));
  const figures: OnTimeFigures = { agents: options.agents, hours: HOURS, modes };
  const fmt = (l: Lateness) => `${l.p50}/${l.p95}/${l.max} s (${l.count})`;
  const lines = [
    `On time: ${options.agents} agents, a ${HOURS}-hour simulated day on a virtual clock (lateness p50/p95/max, count)`,
    ...modes.map(
      (m) =>
        `  ${m.mode.padEnd(10)} runs ${String(m.runs).padStart(5)} · requests/day ${String(m.requestsPerDay).padStart(6)} (rotation ${m.perDay.rotation}, open re-reads ${m.perDay.openRereads}, due ${m.perDay.due}) · busiest 60 s ${String(m.maxRequestsIn60s).padStart(3)} · nudged ${fmt(m.lateness.nudged)} · fired ${fmt(m.lateness.fired)} · escalated ${fmt(m.lateness.escalated)} · reminded ${fmt(m.lateness.reminded)} · resolved ${fmt(m.lateness.resolved)}`,
    ),
  ];
  return { figures, text: lines.join("\n") };
}

// Run on its own: `npx tsx test/bench/on-time.ts [agents]`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const agents = Number(process.argv[2] ?? 300);
  const { text, figures } = await onTimeBench({ agents });
  process.stdout.write(`${text}\n`);
  if (process.argv.includes("--json")) process.stdout.write(`${JSON.stringify(figures)}\n`);
}
