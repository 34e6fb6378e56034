/**
 * The cost bench's prices (us-east-1, on demand, without free tiers, with their sources) and the
 * month made from one center's measured minutes (cost-measure.ts): every item of the bill, and the
 * what-ifs priced from the same measurements.
 */
import { readdirSync, readFileSync } from "node:fs";
import { DUE_CHECKS_METRIC, DUE_LATENESS_METRIC } from "../../functions/app/metric-names.js";
import type { CenterFigures, Invocation } from "./cost-measure.js";
import type { LambdaBundle } from "./lambda-bundle.js";

export const PRICES = {
  lambdaRequest: { usd: 0.2 / 1e6, unit: "request", source: "https://aws.amazon.com/lambda/pricing/" },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    unit: "GB-s (arm64)",
    source: "https://aws.amazon.com/lambda/pricing/",
  },
  dynamoRead: {
    usd: 0.125 / 1e6,
    unit: "read request unit",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
  },
  dynamoWrite: {
    usd: 0.625 / 1e6,
    unit: "write request unit",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
  },
  dynamoStorage: {
    usd: 0.25,
    unit: "GB-month",
    source: "https://aws.amazon.com/dynamodb/pricing/on-demand/",
  },
  dynamoPitr: { usd: 0.2, unit: "GB-month", source: "https://aws.amazon.com/dynamodb/pricing/on-demand/" },
  metric: { usd: 0.3, unit: "metric-month", source: "https://aws.amazon.com/cloudwatch/pricing/" },
  alarmMetric: { usd: 0.1, unit: "alarm metric-month", source: "https://aws.amazon.com/cloudwatch/pricing/" },
  logIngestion: { usd: 0.5, unit: "GB ingested", source: "https://aws.amazon.com/cloudwatch/pricing/" },
  logStorage: {
    usd: 0.03,
    unit: "GB-month (compressed)",
    source: "https://aws.amazon.com/cloudwatch/pricing/",
  },
  secret: { usd: 0.4, unit: "secret-month", source: "https://aws.amazon.com/secrets-manager/pricing/" },
  secretCall: {
    usd: 0.05 / 1e4,
    unit: "API call",
    source: "https://aws.amazon.com/secrets-manager/pricing/",
  },
  schedulerInvocation: {
    usd: 1 / 1e6,
    unit: "invocation",
    source: "https://aws.amazon.com/eventbridge/pricing/",
  },
  putEvent: { usd: 1 / 1e6, unit: "event", source: "https://aws.amazon.com/eventbridge/pricing/" },
  sqsRequest: { usd: 0.4 / 1e6, unit: "request", source: "https://aws.amazon.com/sqs/pricing/" },
} as const;

/** AWS bills by the hour, 730 of them a month. */
export const MINUTES_PER_MONTH = 730 * 60;
/** Lambda gives a function one vCPU at 1,769 MB, in proportion below (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). */
export const VCPU_MB = 1769;
/** The check function's memory in the stack (infra/constructs/function-defaults.ts). */
export const FUNCTION_MB = 512;
/**
 * Idle SQS polling by the event source mapping: five long polls of up to 20 s each at a time (the
 * reduction to two is not available with maximum concurrency set, which DESIGN sets:
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
 */
export const SQS_POLLERS = 5;
const SQS_POLLS_PER_POLLER_MINUTE = 3;
/** Assumed: each execution environment the measurement used starts cold once an hour. */
const COLD_STARTS_PER_ENVIRONMENT = 730;
/** CloudWatch Logs counts 26 bytes per event on top of its text (PutLogEvents' batch size rule). */
const LOG_EVENT_OVERHEAD_BYTES = 26;
/** Every due run emits both (DESIGN, "On time"): counted whether or not the measured minutes had one. */
const DUE_METRICS = [DUE_CHECKS_METRIC, DUE_LATENESS_METRIC];
/** What issue 15 compares with: a 12,000-agent center's 5-minute run, measured from the bundle before the tick. */
export const BEFORE_TICK_SECONDS_PER_5_MIN = 242;

/**
 * The platform's own lines per invocation (JSON log format): start and report, as AWS's examples show
 * them (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html).
 */
const PLATFORM_LINES = [
  '{"time":"2023-11-20T14:09:07.563Z","type":"platform.start","record":{"requestId":"a5d2e4f1-4f0e-4b5f-8f7c-7b4a3e4d5c6b","version":"$LATEST"}}',
  '{"time":"2023-11-20T14:09:10.771Z","type":"platform.report","record":{"requestId":"a5d2e4f1-4f0e-4b5f-8f7c-7b4a3e4d5c6b","metrics":{"durationMs":3208.124,"billedDurationMs":3209,"memorySizeMB":512,"maxMemoryUsedMB":141},"status":"success"}}',
];

export interface AlarmTemplate {
  alarms: number;
  /** Metrics the alarms read ($0.10 each: a metric-math alarm pays for each metric in it). */
  alarmMetrics: number;
  secrets: number;
  schedules: number;
}

/** What the synthesized template bills for: its alarms (and the metrics they read), secrets, schedules. */
export function alarmTemplate(bundle: LambdaBundle): AlarmTemplate {
  const file = readdirSync(bundle.outdir).find((f) => f.endsWith(".template.json"));
  const template = JSON.parse(readFileSync(`${bundle.outdir}/${file}`, "utf8")) as {
    Resources: Record<string, { Type: string; Properties?: { Metrics?: Array<{ MetricStat?: unknown }> } }>;
  };
  const resources = Object.values(template.Resources);
  const alarms = resources.filter((r) => r.Type === "AWS::CloudWatch::Alarm");
  return {
    alarms: alarms.length,
    alarmMetrics: alarms.reduce(
      (n, a) =>
        n + Math.max(1, (a.Properties?.Metrics ?? []).filter((m) => m.MetricStat !== undefined).length),
      0,
    ),
    secrets: resources.filter((r) => r.Type === "AWS::SecretsManager::Secret").length,
    schedules: resources.filter((r) => r.Type === "AWS::Scheduler::Schedule").length,
  };
}

export interface BillLine {
  item: string;
  quantity: number;
  unit: string;
  usd: number;
  source: string;
  how: string;
}

export const mean = (values: number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
const sum = (runs: Invocation[], f: (i: Invocation) => number) => runs.reduce((n, i) => n + f(i), 0);

/** A setting the stack or the product could change, priced from the same measurements. */
export interface BillVariant {
  name: string;
  /** The check function's memory (the stack sets 512 MB). */
  memoryMb: number;
  /** Idle long polls of the due queue's event source mapping at a time (5; 2 without maximum concurrency). */
  sqsPollers: number;
  /** Runs sleep on the shared rate window for slots ahead (as they do); false: those sleeps cost nothing. */
  sleeps: boolean;
}

export const AS_MEASURED: BillVariant = {
  name: "as measured",
  memoryMb: FUNCTION_MB,
  sqsPollers: SQS_POLLERS,
  sleeps: true,
};

/** Levers outside the bench, priced from the same measurements (README, "Cost"). */
export const WHAT_IFS: BillVariant[] = [
  { ...AS_MEASURED, name: "the check function at 384 MB", memoryMb: 384 },
  { ...AS_MEASURED, name: "the check function at 256 MB", memoryMb: 256 },
  {
    ...AS_MEASURED,
    name: "runs never sleep on the rate window, leaving what it cannot take now to the next tick (estimate: sleeps taken off)",
    sleeps: false,
  },
  {
    ...AS_MEASURED,
    name: "the due queue's event source mapping without maximum concurrency (2 idle polls)",
    sqsPollers: 2,
  },
  {
    name: "all of them, at 256 MB",
    memoryMb: 256,
    sqsPollers: 2,
    sleeps: false,
  },
];

/**
 * What of a run's wall time was a sleep on no peer (at least: its time with nothing in flight, less
 * all its CPU) — the shared rate window's waits for slots ahead, chiefly.
 */
export function sleepMs(i: Invocation): number {
  return Math.max(0, i.breakdown.rest - i.cpuMs);
}

/** A run's billed time at `memoryMb`: its wall time with its CPU stretched to that share of a vCPU. */
export function billedMs(run: { wallMs: number; cpuMs: number }, memoryMb: number): number {
  return run.wallMs + run.cpuMs * Math.max(0, VCPU_MB / memoryMb - 1);
}

/** A run's billed time under a variant: its sleeps taken off when the variant does not sleep. */
function runMs(i: Invocation, v: Pick<BillVariant, "memoryMb" | "sleeps">): number {
  return billedMs({ wallMs: i.wallMs - (v.sleeps ? 0 : sleepMs(i)), cpuMs: i.cpuMs }, v.memoryMb);
}

/** Issue 15's figure: the function's time per 5 minutes (ticks and due runs), as measured and as billed. */
export function lambdaSecondsPer5Min(
  c: CenterFigures,
  memoryMb = FUNCTION_MB,
  sleeps = true,
): { wall: number; billed: number } {
  const all = [...c.ticks, ...c.dues];
  const per5 = 5 / c.measuredMinutes / 1000;
  return {
    wall: sum(all, (i) => i.wallMs) * per5,
    billed: sum(all, (i) => runMs(i, { memoryMb, sleeps })) * per5,
  };
}

export function monthlyBill(c: CenterFigures, t: AlarmTemplate, v: BillVariant = AS_MEASURED): BillLine[] {
  const factor = MINUTES_PER_MONTH / c.measuredMinutes;
  const all = [...c.ticks, ...c.dues];
  const invocations = all.length * factor;
  const coldStarts = c.environments * COLD_STARTS_PER_ENVIRONMENT;
  const initMs = billedMs(c.init, v.memoryMb);
  const allMs = sum(all, (i) => runMs(i, v)) * factor;
  const gbSeconds = ((allMs + coldStarts * initMs) / 1000) * (v.memoryMb / 1024);
  const reads = sum(all, (i) => i.dynamo.readUnits) * factor;
  const writes = sum(all, (i) => i.dynamo.writeUnits) * factor;
  const platformBytes = PLATFORM_LINES.reduce((n, l) => n + Buffer.byteLength(l), 0);
  const logEvents = (sum(all, (i) => i.logEvents) + all.length * PLATFORM_LINES.length) * factor;
  const logBytes =
    (sum(all, (i) => i.logBytes) + all.length * platformBytes) * factor +
    logEvents * LOG_EVENT_OVERHEAD_BYTES;
  const logGb = logBytes / 1e9;
  const storedGb = logGb * (30 / 30.4) * c.logGzipRatio;
  const tableGb = c.storage.table / 1e9;
  const indexGb = c.storage.indexes / 1e9;
  const metrics = new Set([...c.metricNames, ...DUE_METRICS]).size;
  const secretCalls = coldStarts * Math.max(1, c.init.secretReads);
  const putEvents = sum(all, (i) => i.putEvents) * factor;
  // SQS: each send request the runs made, one receive per due run (the poll that handed its batch over),
  // a delete per message, and the event source mapping's idle long polls around the clock.
  const sqsSends = sum(all, (i) => i.sqsRequests) * factor;
  const sqsReceives = c.dues.length * factor;
  const sqsDeletes = sum(c.dues, (i) => i.messages) * factor;
  const sqsPolls = v.sqsPollers * SQS_POLLS_PER_POLLER_MINUTE * MINUTES_PER_MONTH;
  const perMinute = (n: number) => fmtShort(n / c.measuredMinutes);
  const meanMs = (runs: Invocation[]) => Math.round(mean(runs.map((i) => runMs(i, v))));
  const line = (
    item: string,
    quantity: number,
    price: { usd: number; unit: string; source: string },
    how: string,
  ): BillLine => ({ item, quantity, unit: price.unit, usd: quantity * price.usd, source: price.source, how });
  return [
    line(
      "Lambda requests",
      invocations,
      PRICES.lambdaRequest,
      `a tick a minute + ${perMinute(c.dues.length)} due runs a minute`,
    ),
    line(
      "Lambda duration",
      gbSeconds,
      PRICES.lambdaArmGbSecond,
      `${v.memoryMb} MB × (ticks of ${meanMs(c.ticks)} ms, ${perMinute(c.dues.length)} due runs a minute of ${meanMs(c.dues)} ms, ${coldStarts} inits of ${Math.round(initMs)} ms)`,
    ),
    line(
      "DynamoDB reads",
      reads,
      PRICES.dynamoRead,
      `${fmtShort(mean(c.ticks.map((i) => i.dynamo.readUnits)))} per tick, ${fmtShort(mean(c.dues.map((i) => i.dynamo.readUnits)))} per due run`,
    ),
    line(
      "DynamoDB writes",
      writes,
      PRICES.dynamoWrite,
      `${fmtShort(mean(c.ticks.map((i) => i.dynamo.writeUnits)))} per tick, ${fmtShort(mean(c.dues.map((i) => i.dynamo.writeUnits)))} per due run (index writes and failed conditions included)`,
    ),
    line(
      "DynamoDB storage",
      tableGb + indexGb,
      PRICES.dynamoStorage,
      `${c.storage.items.toLocaleString("en-US")} items and their index copies`,
    ),
    line("DynamoDB point-in-time recovery", tableGb, PRICES.dynamoPitr, "the table's size"),
    line(
      "CloudWatch custom metrics",
      metrics,
      PRICES.metric,
      `${[...new Set([...c.metricNames, ...DUE_METRICS])].join(", ")} (every due run emits both)`,
    ),
    line(
      "CloudWatch alarms",
      t.alarmMetrics,
      PRICES.alarmMetric,
      `${t.alarms} alarms reading ${t.alarmMetrics} metrics`,
    ),
    line(
      "CloudWatch Logs ingestion",
      logGb,
      PRICES.logIngestion,
      `${fmtShort(sum(all, (i) => i.logBytes) / Math.max(1, all.length) / 1000)} KB a run + platform lines`,
    ),
    line(
      "CloudWatch Logs storage",
      storedGb,
      PRICES.logStorage,
      `30 days kept, gzip ratio ${c.logGzipRatio.toFixed(2)}`,
    ),
    line("Secrets Manager secret", t.secrets, PRICES.secret, "one secret"),
    line(
      "Secrets Manager API calls",
      secretCalls,
      PRICES.secretCall,
      `one read per cold start (${c.environments} environments, each cold once an hour)`,
    ),
    line("EventBridge Scheduler", MINUTES_PER_MONTH, PRICES.schedulerInvocation, "rate(1 minute)"),
    line("EventBridge events", putEvents, PRICES.putEvent, "one per transition"),
    line(
      "SQS requests (due re-checks)",
      sqsSends + sqsReceives + sqsDeletes + sqsPolls,
      PRICES.sqsRequest,
      `${perMinute(sum(all, (i) => i.sqsRequests))} sends, ${perMinute(c.dues.length)} receives, ${perMinute(sum(c.dues, (i) => i.messages))} deletes a minute + ${v.sqsPollers} idle long polls at a time`,
    ),
  ];
}

export function fmtShort(n: number): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
}
