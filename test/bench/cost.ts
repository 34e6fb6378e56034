/**
 * `npm run bench -- --only=cost`: the monthly AWS bill, measured on the real 1-minute tick and SQS due
 * path. The check function's bundle as CDK builds it runs as warm Lambda containers (lambda-bundle.ts:
 * a fresh `node`, no node_modules, the function's environment) against loopback peers: the SmartAssist
 * simulator (with a per-page latency), dynalite behind proxies that count the request units DynamoDB
 * bills (dynamo-proxy.ts), Secrets Manager, EventBridge and SQS peers, the fake Slack. A tick a minute
 * and each due run at its messages' instant (cost-month.ts); what each invocation consumed (its
 * duration and where it went, CPU, read and write units, log bytes and events, metrics, events put,
 * requests) is multiplied by us-east-1 prices (cost-prices.ts) into a month.
 *
 * The workload (cost-workload.ts): 1,000 alerts a day per 12,000 agents, 35 days of history.
 */

import type { CenterFigures, Invocation } from "./cost-measure.js";
import { center } from "./cost-month.js";
import {
  BEFORE_TICK_SECONDS_PER_5_MIN,
  type BillLine,
  type BillVariant,
  billedMs,
  FUNCTION_MB,
  lambdaSecondsPer5Min,
  mean,
  monthlyBill,
  PRICES,
  sleepMs,
  VCPU_MB,
  WHAT_IFS,
} from "./cost-prices.js";
import { type StormFigures, storm } from "./cost-storm.js";
import {
  ALERTS_PER_AGENT_DAY,
  HISTORY_DAYS,
  MINUTE,
  T0,
  WARMUP_MINUTES,
  warmupMinutes,
  workloadDay,
} from "./cost-workload.js";

export { monthlyBill, PRICES, WHAT_IFS };

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function usd(n: number): string {
  return n > 0 && n < 0.005 ? "< $0.01" : `$${n.toFixed(2)}`;
}

/** A table, plain (right-aligned columns) or as Markdown (README's tables are pasted from it). */
function table(header: string[], rows: string[][], markdown: boolean): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  if (!markdown) {
    const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join("  ");
    return [line(header), ...rows.map(line)].map((l) => `  ${l}`).join("\n");
  }
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join(" | ")} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? "-".repeat(w) : `${"-".repeat(Math.max(1, w - 1))}:`)).join(" | ")} |`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

export interface CostTarget {
  name: string;
  ok: boolean;
  figure: string;
}

export interface CostSpec {
  sizes: number[];
  /** SmartAssist latencies (ms a page): every size is measured at each; the bill is the first's. */
  latencies: number[];
  /** smartassist.concurrency values of the bundle's config (default 4, the product's): every size at each latency is measured at each; the bill is the first's. */
  concurrencies: number[];
  minutes: number;
  /** smartassist.requestsPerMinute of the bundle's config (default 50, the product's). */
  requestsPerMinute: number;
  storm: boolean;
  /** Tables as Markdown, for README. */
  markdown: boolean;
  progress: (message: string) => void;
}

interface Measured {
  figures: CenterFigures;
  bill: BillLine[];
  whatIf: Array<{ variant: BillVariant; total: number }>;
}

const totalOf = (bill: BillLine[]) => bill.reduce((n, l) => n + l.usd, 0);
/** Issue 15's target: 5 % of the 242 s a 12,000-agent center's 5-minute run took. */
const LAMBDA_TARGET_SECONDS = BEFORE_TICK_SECONDS_PER_5_MIN * 0.05;

export async function costSection(
  spec: CostSpec,
): Promise<{ figures: unknown; text: string; targets: CostTarget[] }> {
  const measured: Measured[] = [];
  for (const latencyMs of spec.latencies)
    for (const concurrency of spec.concurrencies)
      for (const agents of spec.sizes) {
        const { figures, template } = await center(agents, { ...spec, latencyMs, concurrency });
        measured.push({
          figures,
          bill: monthlyBill(figures, template),
          whatIf: WHAT_IFS.map((variant) => ({
            variant,
            total: totalOf(monthlyBill(figures, template, variant)),
          })),
        });
      }
  const stormFigures = spec.storm ? await storm(12_350, spec.progress) : undefined;
  const md = spec.markdown;
  const several = spec.latencies.length > 1;
  const withLatency = several || spec.concurrencies.length > 1;
  const concurrencyOf = (c: CenterFigures) => (c.concurrency === 4 ? "" : `, concurrency ${c.concurrency}`);
  const name = (c: CenterFigures) =>
    `${fmt(c.agents)} agents${withLatency ? `, ${c.latencyMs} ms` : ""}${concurrencyOf(c)}`;
  const firstConcurrency = (c: CenterFigures) => c.concurrency === spec.concurrencies[0];
  const billed = measured.filter(
    (m) => m.figures.latencyMs === spec.latencies[0] && firstConcurrency(m.figures),
  );

  const targets: CostTarget[] = [];
  const goal = (agents: number) => (agents <= 500 ? 3 : agents <= 12_000 ? 6 : Number.POSITIVE_INFINITY);
  for (const { figures: c, bill } of billed) {
    if (Number.isFinite(goal(c.agents)))
      targets.push({
        name: `≤ $${goal(c.agents)} a month at ${fmt(c.agents)} agents (1-minute tick, SQS due runs, ${c.latencyMs} ms a page)`,
        ok: totalOf(bill) <= goal(c.agents),
        figure: usd(totalOf(bill)),
      });
    const { withHistory, withoutHistory } = c.load;
    targets.push({
      name: `load() read units independent of history at ${fmt(c.agents)} agents (±10 %)`,
      ok: withoutHistory > 0 && Math.abs(withHistory / withoutHistory - 1) <= 0.1,
      figure: `${fmt(withHistory, 1)} with ${fmt(c.load.historyItems)} history items, ${fmt(withoutHistory, 1)} without (the table Scan it replaced: ${fmt(c.load.scanBefore, 1)})`,
    });
    const maxLine = Math.max(...[...c.ticks, ...c.dues].map((i) => i.maxLineBytes));
    targets.push({
      name: `no log line over 64 KB at ${fmt(c.agents)} agents`,
      ok: maxLine <= 64_000,
      figure: `${fmt(maxLine)} bytes at most`,
    });
  }
  for (const { figures: c } of measured.filter((m) => m.figures.agents === 12_000)) {
    const s = lambdaSecondsPer5Min(c);
    targets.push({
      name: `Lambda time at 12,000 agents ≤ 5 % of 242 s per 5 minutes (${fmt(LAMBDA_TARGET_SECONDS, 1)} s), at ${c.latencyMs} ms a page${concurrencyOf(c)}`,
      ok: s.billed <= LAMBDA_TARGET_SECONDS,
      figure: `${fmt(s.billed, 1)} s billed at ${FUNCTION_MB} MB (${fmt((100 * s.billed) / BEFORE_TICK_SECONDS_PER_5_MIN, 1)} %), ${fmt(s.wall, 1)} s wall here`,
    });
  }
  if (stormFigures)
    targets.push({
      name: `no log line over 64 KB, result ≤ 1 MB, with ${fmt(stormFigures.agents)} agents all alerting`,
      ok: stormFigures.maxLineBytes <= 64_000 && stormFigures.resultBytes <= 1_000_000,
      figure: `run summary line ${fmt(stormFigures.summaryLineBytes)} bytes, longest line ${fmt(stormFigures.maxLineBytes)}, result ${fmt(stormFigures.resultBytes)} bytes, ${fmt(stormFigures.firing)} firing`,
    });

  const kinds = (c: CenterFigures) =>
    (["tick", "due"] as const).map((kind) => ({ kind, runs: kind === "tick" ? c.ticks : c.dues }));
  const avg = (runs: Invocation[], f: (i: Invocation) => number, d = 0) => fmt(mean(runs.map(f)), d);
  const durations = table(
    [
      "center",
      "kind",
      "runs/min",
      "wall ms",
      "SmartAssist",
      "DynamoDB",
      "Slack",
      "SQS/EB/SM",
      "rest",
      "of it asleep",
      "CPU ms",
      `billed ms (${FUNCTION_MB} MB)`,
    ],
    measured.flatMap(({ figures: c }) =>
      kinds(c).map(({ kind, runs }) => [
        name(c),
        kind,
        fmt(runs.length / c.measuredMinutes, 1),
        avg(runs, (i) => i.wallMs),
        avg(runs, (i) => i.breakdown.smartassist),
        avg(runs, (i) => i.breakdown.dynamodb),
        avg(runs, (i) => i.breakdown.slack),
        avg(runs, (i) => i.breakdown.aws),
        avg(runs, (i) => i.breakdown.rest),
        avg(runs, sleepMs),
        avg(runs, (i) => i.cpuMs),
        avg(runs, (i) => billedMs(i, FUNCTION_MB)),
      ]),
    ),
    md,
  );
  const consumed = table(
    [
      "center",
      "kind",
      "runs",
      "msgs",
      "agents",
      "SA req",
      "RRU",
      "WRU",
      "idx WRU",
      "failed WRU",
      "log KB",
      "events",
      "Slack calls",
      "SQS sends",
      "transitions",
      "RSS MB",
    ],
    measured.flatMap(({ figures: c }) =>
      kinds(c).map(({ kind, runs }) => [
        name(c),
        kind,
        String(runs.length),
        avg(runs, (i) => i.messages, 1),
        avg(runs, (i) => i.agents),
        avg(runs, (i) => i.smartAssistRequests, 1),
        avg(runs, (i) => i.dynamo.readUnits, 1),
        avg(runs, (i) => i.dynamo.writeUnits, 1),
        avg(runs, (i) => i.dynamo.indexWriteUnits, 1),
        avg(runs, (i) => i.dynamo.failedConditionUnits, 1),
        avg(runs, (i) => i.logBytes / 1000, 1),
        avg(runs, (i) => i.putEvents, 1),
        avg(runs, (i) => i.slackCalls, 1),
        avg(runs, (i) => i.sqsRequests, 1),
        avg(runs, (i) => i.transitions, 1),
        fmt(Math.max(0, ...runs.map((i) => i.rssBytes)) / 1e6),
      ]),
    ),
    md,
  );
  const own = (i: Invocation, id: string) => i.dynamo.ownItems[id] ?? { readUnits: 0, writeUnits: 0 };
  const dynamoSplit = table(
    [
      "center",
      "kind",
      "RRU",
      "load() (measured apart)",
      "#limiter",
      "#cursor",
      "WRU",
      "#limiter",
      "#cursor",
      "index copies",
      "failed conditions",
      "requests",
    ],
    measured.flatMap(({ figures: c }) =>
      kinds(c).map(({ kind, runs }) => [
        name(c),
        kind,
        avg(runs, (i) => i.dynamo.readUnits, 1),
        kind === "tick" ? fmt(c.load.withHistory, 1) : "by key",
        avg(runs, (i) => own(i, "#limiter").readUnits, 1),
        avg(runs, (i) => own(i, "#cursor").readUnits, 1),
        avg(runs, (i) => i.dynamo.writeUnits, 1),
        avg(runs, (i) => own(i, "#limiter").writeUnits, 1),
        avg(runs, (i) => own(i, "#cursor").writeUnits, 1),
        avg(runs, (i) => i.dynamo.indexWriteUnits, 1),
        avg(runs, (i) => i.dynamo.failedConditionUnits, 1),
        avg(runs, (i) => Object.values(i.dynamo.requests).reduce((a, b) => a + b, 0), 1),
      ]),
    ),
    md,
  );
  const notes = measured.map(({ figures: c }) => {
    const late = c.dues.flatMap((i) => i.lateSeconds);
    const queuedLate = c.dues.flatMap((i) => i.queuedLateSeconds);
    return `  ${name(c)}: ${fmt(c.rosterPages)} roster pages; seeded ${fmt(c.seeded.history)} history items and ${fmt(c.seeded.resolved)} resolved records; load() ${fmt(c.load.withHistory, 1)} RRU (${fmt(c.load.liveRecords)} live records; without history ${fmt(c.load.withoutHistory, 1)}; the table Scan before: ${fmt(c.load.scanBefore, 1)}; ${fmt(c.load.settledRecords)} settled records kept out of it); init ${fmt(c.init.wallMs)} ms; rotation pages asked past the roster's end before it was first seen: ${c.firstRunPastEnd}; ticks started at most ${fmt(Math.max(0, ...c.tickLateMs))} ms after their minute; due runs started ${fmt(percentile(late, 50), 1)} s (p50), ${fmt(percentile(late, 95), 1)} s (p95), ${fmt(Math.max(0, ...late), 1)} s (max) after their groups' instants, of which the run that queued them was already late by ${fmt(percentile(queuedLate, 50), 1)} / ${fmt(percentile(queuedLate, 95), 1)} / ${fmt(Math.max(0, ...queuedLate), 1)} s (a run queues its re-checks at its end); the rotation read ${fmt(c.smartAssist.rotation / c.measuredMinutes, 1)} pages a minute of the ${fmt(c.rotationNeededPerMinute, 1)} a full pass every 5 minutes needs; SmartAssist ${fmt((c.smartAssist.rotation + c.smartAssist.reread + c.smartAssist.due) / c.measuredMinutes, 1)} requests a minute, at most ${c.smartAssist.maxIn60s} in any 60 s of the run (requestsPerMinute ${spec.requestsPerMinute}), ${c.smartAssist.rateLimited} answered 429; longest log line ${fmt(Math.max(0, ...[...c.ticks, ...c.dues].map((i) => i.maxLineBytes)))} bytes; metrics emitted: ${c.metricNames.join(", ") || "none"}; containers used: ${c.environments}; peak RSS ${fmt(c.peakRssMb)} MB${c.errors.length ? `; ERRORS: ${c.errors.slice(0, 3).join(" | ")}` : ""}`;
  });
  const lambdaTime = table(
    [
      "center",
      "ticks s",
      "due runs s",
      "Lambda s per 5 min (wall here)",
      `billed at ${FUNCTION_MB} MB`,
      "% of 242 s",
      "billed at 384 MB",
      "billed at 256 MB",
      `without the rate window's sleeps (${FUNCTION_MB} MB)`,
    ],
    measured.map(({ figures: c }) => {
      const wall = (runs: Invocation[]) =>
        (runs.reduce((n, i) => n + i.wallMs, 0) * 5) / c.measuredMinutes / 1000;
      const s = lambdaSecondsPer5Min(c);
      return [
        `${fmt(c.agents)} agents, ${c.latencyMs} ms a page${concurrencyOf(c)}`,
        fmt(wall(c.ticks), 1),
        fmt(wall(c.dues), 1),
        fmt(s.wall, 1),
        fmt(s.billed, 1),
        `${fmt((100 * s.billed) / BEFORE_TICK_SECONDS_PER_5_MIN, 1)} %`,
        fmt(lambdaSecondsPer5Min(c, 384).billed, 1),
        fmt(lambdaSecondsPer5Min(c, 256).billed, 1),
        fmt(lambdaSecondsPer5Min(c, FUNCTION_MB, false).billed, 1),
      ];
    }),
    md,
  );
  const requestsPerDay = measured
    .filter(({ figures: c }) => c.agents <= 500)
    .map(({ figures: c }) => {
      const day = workloadDay(c.agents);
      const end = T0 + c.measuredMinutes * MINUTE;
      const perDay = (n: number) => fmt((n / c.measuredMinutes) * 1440);
      const { rotation, reread, due } = c.smartAssist;
      const before = c.rosterPages * 288;
      const workload = rotation * (1440 / c.measuredMinutes) + day.rereadRequests + day.dueInstants;
      return [
        `  SmartAssist requests at ${name(c)}, measured ${c.measuredMinutes} minutes from 14:00: rotation ${rotation}, re-reads of open alerts ${reread} (the workload's count for those minutes: ${day.rereadsIn(T0, end)}), due re-checks ${due} (due instants in the workload then: ${day.dueInstantsIn(T0, end)})`,
        `    a day: rotation ${perDay(rotation)}; re-reads ${fmt(day.rereadRequests)} and due re-checks ${fmt(day.dueInstants)} by the workload's day (${perDay(reread)} and ${perDay(due)} if every minute were 14:00's); in all ${fmt(workload)}, ${fmt(workload / before, 2)}× the ${fmt(before)} of one run every 5 minutes (issue 15's target: ≤ 1.1×)`,
      ].join("\n");
    });

  const first = billed[0]?.bill ?? [];
  const priceOf = (l: BillLine) => `${l.unit}, ${l.source}`;
  const billTable = table(
    ["item", ...billed.map((m) => name(m.figures)), "price, source"],
    [
      ...first.map((line) => [
        line.item,
        ...billed.map((m) => usd(m.bill.find((l) => l.item === line.item)?.usd ?? 0)),
        priceOf(line),
      ]),
      ["total", ...billed.map((m) => usd(totalOf(m.bill))), ""],
    ],
    md,
  );
  const quantities = table(
    [
      "item",
      ...billed.map((m) => name(m.figures)),
      "unit",
      `what was counted (${billed.at(-1) ? name(billed.at(-1)?.figures as CenterFigures) : ""})`,
    ],
    first.map((line) => [
      line.item,
      ...billed.map((m) => {
        const q = m.bill.find((l) => l.item === line.item)?.quantity ?? 0;
        return q >= 100 ? fmt(q) : fmt(q, q >= 1 ? 2 : 3);
      }),
      line.unit,
      billed.at(-1)?.bill.find((l) => l.item === line.item)?.how ?? "",
    ]),
    md,
  );
  const whatIfs = table(
    ["what-if (monthly total)", ...billed.map((m) => name(m.figures))],
    [
      ["as measured", ...billed.map((m) => usd(totalOf(m.bill)))],
      ...WHAT_IFS.map((variant, k) => [
        variant.name,
        ...billed.map((m) => {
          const fits = m.figures.peakRssMb <= variant.memoryMb * 0.9;
          return `${usd(m.whatIf[k]?.total ?? 0)}${fits ? "" : ` (peak RSS ${fmt(m.figures.peakRssMb)} MB)`}`;
        }),
      ]),
    ],
    md,
  );
  const totals = several
    ? table(
        ["monthly total at each latency", ...spec.sizes.map((n) => `${fmt(n)} agents`)],
        spec.latencies.map((latency) => [
          `${latency} ms a page`,
          ...spec.sizes.map((n) => {
            const m = measured.find(
              (x) => x.figures.agents === n && x.figures.latencyMs === latency && firstConcurrency(x.figures),
            );
            return m ? usd(totalOf(m.bill)) : "";
          }),
        ]),
        md,
      )
    : undefined;

  const text = [
    `Cost — the check bundle as deployed, warm containers on loopback peers: a tick a minute (schedule event) and the due runs it queues (SQS events at send + DelaySeconds, ≤ 10 a batch, 2 at once), ${spec.minutes} measured minutes after a warm-up of ${spec.sizes.map((n) => `${warmupMinutes(n)} (${fmt(n)} agents)`).join(", ")} minutes (at least ${WARMUP_MINUTES}, and one pass of the rotation over the roster), SmartAssist ${spec.latencies.join(" / ")} ms a page, ${spec.requestsPerMinute} requests a minute (smartassist.requestsPerMinute), concurrency ${spec.concurrencies.join(" / ")} (smartassist.concurrency)`,
    `  workload: ${fmt(ALERTS_PER_AGENT_DAY * 12_000)} alerts a day per 12,000 agents, ${HISTORY_DAYS} days of history, 2 days of resolved records; us-east-1 on-demand prices, no free tier`,
    "  Duration per run (ms): where the wall time went, by what was in flight (SmartAssist first, then DynamoDB, then the Slack phase — its calls and pacing —, then the other AWS peers; rest: none of them: CPU not overlapping a request, and sleeps, chiefly on the shared rate window: at least rest − CPU), and CPU",
    durations,
    `  billed ms = wall + CPU × (${VCPU_MB} ÷ ${FUNCTION_MB} − 1): the CPU stretched to the ${FUNCTION_MB} MB function's share of a vCPU`,
    "  What a run consumed (means)",
    consumed,
    "  DynamoDB units per run (means): the live records' load(), the shared rate window and the cursor",
    dynamoSplit,
    ...notes,
    "",
    "  Lambda time per 5 minutes (issue 15: ≤ 5 % of the 242 s a 12,000-agent center's 5-minute run took)",
    lambdaTime,
    ...requestsPerDay,
    ...(stormFigures
      ? [
          `  ${fmt(stormFigures.agents)} agents all alerting, one run: run summary line ${fmt(stormFigures.summaryLineBytes)} bytes (longest line ${fmt(stormFigures.maxLineBytes)}), result ${fmt(stormFigures.resultBytes)} bytes, ${fmt(stormFigures.firing)} firing, ${fmt(stormFigures.wallMs)} ms`,
        ]
      : []),
    "",
    `  Monthly bill (730 hours, every minute priced as 14:00's), SmartAssist ${spec.latencies[0]} ms a page, concurrency ${spec.concurrencies[0]}`,
    billTable,
    "  Quantities priced",
    quantities,
    "  What-ifs (the same measurements, another setting): monthly total",
    whatIfs,
    ...(totals ? ["", totals] : []),
    `  sources: ${[...new Set(Object.values(PRICES).map((p) => p.source))].join(", ")}`,
  ].join("\n");
  return {
    figures: {
      centers: measured.map((m) => ({ ...m, lambdaPer5Min: lambdaSecondsPer5Min(m.figures) })),
      storm: stormFigures,
      prices: PRICES,
    },
    text,
    targets,
  };
}

export type { StormFigures };
