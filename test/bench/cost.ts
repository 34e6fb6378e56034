/**
 * `npm run bench -- --only=cost`: the monthly AWS bill, measured. The check function's bundle as CDK
 * builds it runs as a warm Lambda container (lambda-bundle.ts: a fresh `node`, no node_modules, the
 * function's environment) against loopback peers: the SmartAssist simulator (with a per-page latency),
 * dynalite behind a proxy that counts the request units DynamoDB bills (dynamo-proxy.ts), Secrets
 * Manager and EventBridge peers, the fake Slack. What each invocation consumed (its duration and CPU,
 * read and write units, log bytes and events, metric names, events put, secret reads) is multiplied by
 * us-east-1 prices (PRICES, with their sources) into a month.
 *
 * The model of the 1-minute tick (DESIGN "On time"; the tick itself is not built on this branch): the
 * function is invoked every minute and each minute's run reads 1/5 of the roster (each agent once per
 * `schedule.every` = 5m), plus a page per 50 open alerts; the bench hands the bundle that minute's
 * share as the whole roster (the simulator serves agents i·N/5 … (i+1)·N/5 in minute i, with the agents
 * whose alert is open added), on a clock set to the minute. Thirty seconds later comes one due
 * re-check (DESIGN: about one a minute): the bundle invoked again with the agents due in the coming
 * minute (at least one), one page, the rotation's cursor kept aside for it. The due path is not built
 * either, so this run is a whole check run over those agents (its load() included): an upper bound.
 *
 * The workload, from the issue's 12,000-agent center: 1,000 alerts a day (one per 12 agents a day),
 * each a break ("STUCK") that is nudged at 10 min, fires at 15, escalates at 30, reminds every 30 and
 * ends 5–85 min past its threshold (45 on average: about 47 open at 14:00); 35 days of that as history
 * and the last 2 days' resolved records (their TTL) in the table. 500 agents: the same per agent.
 * The rest of each agent's day is the simulator's generated day (12–24 segments, AVAILABLE/BUSY, lunch
 * and breaks that match no rule).
 */

import { readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { gzipSync } from "node:zlib";
import { DynamoDBClient, ScanCommand as RawScanCommand } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  ScanCommand,
} from "@aws-sdk/lib-dynamodb";
import {
  ALERT_TABLE,
  CURSOR_ID,
  DynamoDbAlertStore,
  historyItemOf,
} from "../../functions/adapters/state/dynamodb-store.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { historyEntryFor } from "../../functions/domain/history.js";
import { startEventBridgePeer, startSecretsPeer } from "../fakes/aws-peers.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { generateDay } from "../fakes/smartassist/day.js";
import {
  DEMO_CREDENTIALS,
  type SimAgent,
  type SimSegment,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";
import { type Consumed, type CountingProxy, minus, startCountingProxy } from "./dynamo-proxy.js";
import {
  copyBundleOutsideRepo,
  type LambdaBundle,
  lambdaEnvironment,
  startWarmBundle,
  synthesizeLambdaBundle,
  type WarmBundle,
  type WarmInvocation,
} from "./lambda-bundle.js";

// ---------------------------------------------------------------------------------------------
// Prices (us-east-1, on demand, without free tiers) and their sources

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
const MINUTES_PER_MONTH = 730 * 60;
/** Lambda gives a function one vCPU at 1,769 MB, in proportion below (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html). */
const VCPU_MB = 1769;
/**
 * Idle SQS polling by the event source mapping: five long polls of up to 20 s each at a time (the
 * reduction to two is not available with maximum concurrency set, which DESIGN sets:
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
 */
const SQS_POLLERS = 5;
const SQS_POLLS_PER_POLLER_MINUTE = 3;
/** Assumed: each of two execution environments (tick, due re-check) starts cold once an hour. */
const COLD_STARTS_PER_MONTH = 2 * 730;
/** CloudWatch Logs counts 26 bytes per event on top of its text (PutLogEvents' batch size rule). */
const LOG_EVENT_OVERHEAD_BYTES = 26;
/** DynamoDB storage counts 100 bytes per item (and per index item) on top of its data. */
const ITEM_OVERHEAD_BYTES = 100;
/** The due runs' metrics (DESIGN, "On time"): counted in the bill whether or not the bench emitted them. */
const PLANNED_METRICS = ["DueChecks", "DueLatenessSeconds"];

/**
 * The platform's own lines per invocation (JSON log format): start and report, as AWS's examples show
 * them (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html).
 */
const PLATFORM_LINES = [
  '{"time":"2023-11-20T14:09:07.563Z","type":"platform.start","record":{"requestId":"a5d2e4f1-4f0e-4b5f-8f7c-7b4a3e4d5c6b","version":"$LATEST"}}',
  '{"time":"2023-11-20T14:09:10.771Z","type":"platform.report","record":{"requestId":"a5d2e4f1-4f0e-4b5f-8f7c-7b4a3e4d5c6b","metrics":{"durationMs":3208.124,"billedDurationMs":3209,"memorySizeMB":512,"maxMemoryUsedMB":141},"status":"success"}}',
];

// ---------------------------------------------------------------------------------------------
// The workload

const TIMEZONE = "Asia/Kolkata";
const DATE = "2023-03-10";
/** 14:00 in Kolkata: the measured minutes start here. */
const T0 = Date.parse("2023-03-10T08:30:00Z");
/** 07:00 in Kolkata: the day's first break of the workload starts then; the last ones by 23:00. */
const DAY_START = Date.parse("2023-03-10T01:30:00Z");
const DAY_MS = 86_400_000;
const MINUTE = 60_000;
const ALERTS_PER_AGENT_DAY = 1 / 12;
const THRESHOLD_MIN = 15;
const HISTORY_DAYS = 35;
const RESOLVED_KEEP_MS = 2 * DAY_MS;
const CHANNEL = "C0COST00001";
const SLACK_TOKEN = "xoxb-cost-bench";
const WARMUP_MINUTES = 5;
const EVERY_MINUTES = 5;

/** The bundle's config: the template's features, its break rule on the workload's status. */
function costConfig(host: string) {
  return {
    timezone: TIMEZONE,
    smartassist: {
      host,
      accountId: DEMO_CREDENTIALS.accountId,
      iId: DEMO_CREDENTIALS.iId,
      pageSize: 50,
      concurrency: 4,
      requestsPerMinute: 50,
    },
    schedule: { every: `${EVERY_MINUTES}m` },
    rules: [
      {
        name: "Long break",
        secondaryStatus: ["STUCK"],
        threshold: `${THRESHOLD_MIN}m`,
        critical: "30m",
        nudge: "10m",
      },
      { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m", critical: "1h" },
    ],
    repeat: "30m",
    slack: { channel: CHANNEL, interactive: true, rollup: 10 },
    history: { retention: `${HISTORY_DAYS}d` },
    digest: { at: "18:30", days: ["mon", "tue", "wed", "thu", "fri"] },
    aws: { eventBus: "default", logRetentionDays: 30 },
  };
}

interface Episode {
  agent: number;
  startMs: number;
  endMs: number;
}

/** Day `daysAgo`'s breaks: evenly spread over 07:00–23:00 local, lasting threshold + 5…85 min. */
function episodesOf(agents: number, daysAgo: number): Episode[] {
  const perDay = Math.round(agents * ALERTS_PER_AGENT_DAY);
  const spread = 16 * 3_600_000;
  return Array.from({ length: perDay }, (_, k) => {
    const startMs = DAY_START - daysAgo * DAY_MS + Math.floor((k * spread) / perDay);
    const pastMin = 5 + ((k * 37) % 81);
    return {
      agent: (k * 7919 + daysAgo * 131) % agents,
      startMs,
      endMs: startMs + (THRESHOLD_MIN + pastMin) * MINUTE,
    };
  });
}

/** The agent's segments with [start, end) replaced by the break (neighbours trimmed or split). */
function withBreak(segments: SimSegment[], startMs: number, endMs: number): SimSegment[] {
  const out: SimSegment[] = [];
  for (const s of segments) {
    const end = s.endMs ?? Number.POSITIVE_INFINITY;
    if (end <= startMs || s.startMs >= endMs) {
      out.push(s);
      continue;
    }
    if (s.startMs < startMs) out.push({ ...s, endMs: startMs });
    if (end > endMs) out.push({ ...s, startMs: endMs });
  }
  out.push({ primaryStatus: "AWAY", secondaryStatus: "STUCK", startMs, endMs });
  return out.sort((a, b) => a.startMs - b.startMs);
}

/** Today's roster: the generated day, nobody stuck in it, with the workload's breaks put in. */
function roster(agents: number): { roster: SimAgent[]; today: Episode[] } {
  const day = generateDay({ seed: 11, agents, timezone: TIMEZONE, date: DATE });
  for (const agent of day) {
    if (!agent.segments) continue;
    agent.segments = agent.segments.map((s) =>
      s.endMs === null && s.primaryStatus !== "AVAILABLE"
        ? { ...s, primaryStatus: "AVAILABLE", secondaryStatus: "AVAILABLE" }
        : s,
    );
  }
  const today = episodesOf(agents, 0);
  for (const e of today) {
    const agent = day[e.agent] as SimAgent;
    agent.segments = withBreak(agent.segments ?? [], e.startMs, e.endMs);
  }
  return { roster: day, today };
}

/** An ended break's alert record as the lifecycle leaves it once its end is shown in Slack. */
function endedRecord(agent: SimAgent, e: Episode): AlertRecord {
  const firedMs = e.startMs + THRESHOLD_MIN * MINUTE;
  const critical = e.endMs - e.startMs >= 30 * MINUTE;
  const record: AlertRecord = {
    id: `${agent.userId}#rule-0#${new Date(e.startMs).toISOString()}`,
    userId: agent.userId,
    email: agent.email,
    name: `${agent.firstName} ${agent.lastName}`,
    ruleKey: "rule-0",
    ruleName: "Long break",
    primaryStatus: "AWAY",
    secondaryStatus: "STUCK",
    sinceMs: e.startMs,
    thresholdSeconds: THRESHOLD_MIN * 60,
    criticalSeconds: 1800,
    repeatSeconds: 1800,
    severity: critical ? "critical" : "warning",
    state: "resolved",
    firedMs,
    lastNotifiedMs: critical ? e.startMs + 30 * MINUTE : firedMs,
    endedMs: e.endMs,
    channel: CHANNEL,
    slackTs: `${Math.floor(firedMs / 1000)}.000100`,
    notifiedSeverity: critical ? "critical" : "warning",
    resolveNotified: true,
    nudgedMs: e.startMs + 10 * MINUTE,
    nudgeNotified: "sent",
    version: critical ? 7 : 5,
    expiresAt: Math.floor((e.endMs + RESOLVED_KEEP_MS) / 1000),
  };
  if (e.endMs - e.startMs >= 45 * MINUTE) record.remindedSlots = 1;
  return record;
}

/** Writes items 25 a request, 8 requests at once (straight to dynalite: the bench's, not counted). */
async function writeAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: Array<Record<string, unknown>>,
): Promise<void> {
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] ?? [];
      let pending: unknown[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
      while (pending && pending.length > 0) {
        const out: BatchWriteCommandOutput = await doc.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }),
        );
        pending = out.UnprocessedItems?.[tableName];
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** The state before the measured day: history of 35 days, resolved records of the last 2. */
async function seed(
  doc: DynamoDBDocumentClient,
  tableName: string,
  agents: SimAgent[],
  beforeMs: number,
): Promise<{ history: number; resolved: number }> {
  const history: Array<Record<string, unknown>> = [];
  const resolved: Array<Record<string, unknown>> = [];
  for (let d = 0; d <= HISTORY_DAYS; d++) {
    for (const e of episodesOf(agents.length, d)) {
      if (e.endMs >= beforeMs) continue;
      const record = endedRecord(agents[e.agent] as SimAgent, e);
      history.push(historyItemOf(historyEntryFor(record, TIMEZONE, HISTORY_DAYS * 86_400)));
      if (e.endMs > T0 - RESOLVED_KEEP_MS) resolved.push({ ...record });
    }
  }
  await writeAll(doc, tableName, [...resolved, ...history]);
  return { history: history.length, resolved: resolved.length };
}

// ---------------------------------------------------------------------------------------------
// Measuring

interface Invocation {
  kind: "tick" | "due";
  minute: number;
  agents: number;
  wallMs: number;
  cpuMs: number;
  /** wall + CPU × (1,769 MB ÷ 512 MB − 1): the CPU stretched to the function's share of a vCPU. */
  modelledMs: number;
  logBytes: number;
  logEvents: number;
  maxLineBytes: number;
  summaryLineBytes: number;
  metricNames: string[];
  dynamo: Consumed;
  putEvents: number;
  secretReads: number;
  smartAssistRequests: number;
  slackCalls: number;
  transitions: number;
  firing: number;
  error?: string;
  rssBytes: number;
}

/** Names of the metrics in the EMF documents (Powertools Metrics) among the lines. */
function metricNamesIn(lines: string[]): string[] {
  const names = new Set<string>();
  for (const line of lines) {
    if (!line.includes('"_aws"')) continue;
    try {
      const doc = JSON.parse(line) as {
        _aws?: { CloudWatchMetrics?: Array<{ Metrics?: Array<{ Name: string }> }> };
      };
      for (const m of doc._aws?.CloudWatchMetrics ?? [])
        for (const metric of m.Metrics ?? []) names.add(metric.Name);
    } catch {
      // not JSON
    }
  }
  return [...names];
}

function summaryOf(lines: string[]): { bytes: number; transitions: number; firing: number } {
  const line = lines.find((l) => l.includes('"message":"run summary"'));
  if (!line) return { bytes: 0, transitions: 0, firing: 0 };
  const parsed = JSON.parse(line) as { counts?: { firing: number; transitions: Record<string, number> } };
  const transitions = Object.values(parsed.counts?.transitions ?? {}).reduce((a, b) => a + b, 0);
  return { bytes: Buffer.byteLength(line), transitions, firing: parsed.counts?.firing ?? 0 };
}

interface Peers {
  dynamo: LocalDynamo;
  proxy: CountingProxy;
  secrets: Awaited<ReturnType<typeof startSecretsPeer>>;
  events: Awaited<ReturnType<typeof startEventBridgePeer>>;
  slack: FakeSlack;
  sim: Simulator;
}

async function measure(
  kind: Invocation["kind"],
  minute: number,
  agents: number,
  atMs: number,
  bundle: WarmBundle,
  peers: Peers,
  logs: string[],
): Promise<Invocation> {
  const dynamoBefore = peers.proxy.snapshot();
  const eventsBefore = peers.events.entries;
  const secretsBefore = Object.values(peers.secrets.requests).reduce((a, b) => a + b, 0);
  const simBefore = peers.sim.requests.length;
  const slackBefore = peers.slack.calls.length;
  const run: WarmInvocation = await bundle.invoke(
    atMs,
    { source: "aws.scheduler", "detail-type": "Scheduled Event" },
    300_000,
  );
  logs.push(...run.lines);
  const summary = summaryOf(run.lines);
  const eventBytes = run.lines.map((l) => Buffer.byteLength(l));
  return {
    kind,
    minute,
    agents,
    wallMs: run.wallMs,
    cpuMs: run.cpuMs,
    modelledMs: run.wallMs + run.cpuMs * (VCPU_MB / 512 - 1),
    logBytes: eventBytes.reduce((a, b) => a + b, 0),
    logEvents: eventBytes.length,
    maxLineBytes: Math.max(0, ...eventBytes),
    summaryLineBytes: summary.bytes,
    metricNames: metricNamesIn(run.lines),
    dynamo: minus(peers.proxy.snapshot(), dynamoBefore),
    putEvents: peers.events.entries - eventsBefore,
    secretReads: Object.values(peers.secrets.requests).reduce((a, b) => a + b, 0) - secretsBefore,
    smartAssistRequests: peers.sim.requests.length - simBefore,
    slackCalls: peers.slack.calls.length - slackBefore,
    transitions: summary.transitions,
    firing: summary.firing,
    ...(run.error ? { error: run.error } : {}),
    rssBytes: run.rssBytes,
  };
}

/** Agents whose break has a due moment (nudge, fire, escalate, remind, end) in (fromMs, fromMs + 1 min]. */
function dueAgents(today: Episode[], fromMs: number): number[] {
  const due = new Set<number>();
  for (const e of today) {
    const moments = [10, 15, 30, 45, 75, 105].map((m) => e.startMs + m * MINUTE).filter((t) => t < e.endMs);
    moments.push(e.endMs);
    if (moments.some((t) => t > fromMs && t <= fromMs + MINUTE)) due.add(e.agent);
  }
  return [...due].slice(0, 50);
}

/** Agents whose alert is open at `atMs` (their break past its threshold, not over). */
function openAgents(today: Episode[], atMs: number): number[] {
  return today
    .filter((e) => e.startMs + THRESHOLD_MIN * MINUTE <= atMs && e.endMs > atMs)
    .map((e) => e.agent);
}

// dynalite is CommonJS without types: its item size (DynamoDB's rules), the one function used here.
const dynaliteDb = createRequire(import.meta.url)("dynalite/db/index.js") as {
  itemSize(item: Record<string, unknown>): number;
};

/** DynamoDB storage of a table: items and their index copies, each with the per-item overhead. */
async function storageBytes(
  client: DynamoDBClient,
  tableName: string,
): Promise<{ table: number; indexes: number; items: number }> {
  let table = 0;
  let indexes = 0;
  let items = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(
      new RawScanCommand({ TableName: tableName, ExclusiveStartKey: startKey as never }),
    );
    for (const item of page.Items ?? []) {
      const size = dynaliteDb.itemSize(item) + ITEM_OVERHEAD_BYTES;
      items++;
      table += size;
      if ("historyDate" in item) indexes += size;
      if ("state" in item) indexes += size;
    }
    startKey = page.LastEvaluatedKey as Record<string, unknown> | undefined;
  } while (startKey);
  return { table, indexes, items };
}

interface LoadUnits {
  historyItems: number;
  liveRecords: number;
  /** load() through the live index. */
  withHistory: number;
  /** The same live records in a table without history. */
  withoutHistory: number;
  /** What load() read before this change: a consistent Scan of the whole table, filtered. */
  scanBefore: number;
  /**
   * load() if the live index held only the records a run still acts on (open, nudged, and ended ones
   * that still owe Slack something or belong to a roll-up), not the settled ones kept until their TTL:
   * a what-if (a design change), measured on a table holding only those.
   */
  unsettledOnly: number;
  unsettledRecords: number;
}

/** load()'s read units with the scenario's history, without it, and the table Scan it replaced. */
async function loadUnits(peers: Peers, tableName: string, nowMs: number): Promise<LoadUnits> {
  const viaProxy = new DynamoDBClient({
    endpoint: peers.proxy.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const doc = DynamoDBDocumentClient.from(peers.dynamo.client);
  const units = async (work: () => Promise<unknown>) => {
    const before = peers.proxy.snapshot();
    await work();
    return minus(peers.proxy.snapshot(), before).readUnits;
  };
  const withHistory = await units(() =>
    new DynamoDbAlertStore({ tableName, client: viaProxy, nowMs }).load(),
  );
  // The same table's alert records, in a table without history.
  const bare = await peers.dynamo.createAlertTable();
  const live: Array<Record<string, unknown>> = [];
  let historyItems = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      if ("historyDate" in item) historyItems++;
      else if ("state" in item) live.push(item);
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  await writeAll(doc, bare, live);
  const withoutHistory = await units(() =>
    new DynamoDbAlertStore({ tableName: bare, client: viaProxy, nowMs }).load(),
  );
  const scanBefore = await units(async () => {
    let key: Record<string, unknown> | undefined;
    do {
      const page = await DynamoDBDocumentClient.from(viaProxy).send(
        new ScanCommand({
          TableName: tableName,
          ConsistentRead: true,
          FilterExpression: "#exp > :now AND #id <> :cursor AND attribute_not_exists(#hd)",
          ExpressionAttributeNames: { "#exp": "expiresAt", "#id": "id", "#hd": "historyDate" },
          ExpressionAttributeValues: { ":now": Math.floor(nowMs / 1000), ":cursor": CURSOR_ID },
          ExclusiveStartKey: key,
        }),
      );
      key = page.LastEvaluatedKey;
    } while (key);
  });
  const settled = (r: Record<string, unknown>) =>
    (r.state === "resolved" || r.state === "averted") &&
    (r.state === "averted" || r.resolveNotified === true) &&
    r.actionPending === undefined &&
    r.lease === undefined &&
    r.rollupId === undefined;
  const unsettled = live.filter((r) => !settled(r));
  const acting = await peers.dynamo.createAlertTable();
  await writeAll(doc, acting, unsettled);
  const unsettledOnly = await units(() =>
    new DynamoDbAlertStore({ tableName: acting, client: viaProxy, nowMs }).load(),
  );
  viaProxy.destroy();
  return {
    historyItems,
    liveRecords: live.length,
    withHistory,
    withoutHistory,
    scanBefore,
    unsettledOnly,
    unsettledRecords: unsettled.length,
  };
}

// ---------------------------------------------------------------------------------------------
// One center

export interface CenterFigures {
  agents: number;
  rosterPages: number;
  pagesPerMinute: number;
  seeded: { history: number; resolved: number };
  measuredMinutes: number;
  init: { wallMs: number; cpuMs: number; modelledMs: number; secretReads: number };
  ticks: Invocation[];
  dues: Invocation[];
  load: LoadUnits;
  storage: { table: number; indexes: number; items: number };
  logGzipRatio: number;
  metricNames: string[];
  errors: string[];
  /** Pages the first run (no cursor) asked for past the roster's end. */
  firstRunPastEnd: number;
}

async function center(
  agents: number,
  options: { minutes: number; latencyMs: number; progress: (m: string) => void },
): Promise<{ figures: CenterFigures; template: AlarmTemplate }> {
  const { progress } = options;
  progress(`cost: ${agents.toLocaleString("en-US")} agents: the roster and its day`);
  const { roster: all, today } = roster(agents);
  // The simulator and the bundle share one clock, set to each invocation's instant.
  let clockBase = T0;
  let realBase = performance.now();
  const clock = () => Math.round(clockBase + (performance.now() - realBase));
  const setClock = (ms: number) => {
    clockBase = ms;
    realBase = performance.now();
  };
  const sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents: [],
    latencyMs: options.latencyMs,
    rateLimitPerMinute: 60,
    clock,
  });
  progress("cost: synthesizing the stack (CDK NodejsFunction bundling)");
  const bundle: LambdaBundle = synthesizeLambdaBundle(costConfig(sim.url));
  const template = alarmTemplate(bundle);
  const dir = copyBundleOutsideRepo(bundle);
  const dynamo = await startDynalite();
  const proxy = await startCountingProxy(dynamo.endpoint, [
    {
      name: ALERT_TABLE.historyIndex.name,
      keys: [ALERT_TABLE.historyIndex.partitionKey, ALERT_TABLE.historyIndex.sortKey],
    },
    {
      name: ALERT_TABLE.liveIndex.name,
      keys: [ALERT_TABLE.liveIndex.partitionKey, ALERT_TABLE.liveIndex.sortKey],
    },
  ]);
  const secrets = await startSecretsPeer({
    clientId: DEMO_CREDENTIALS.clientId,
    clientSecret: DEMO_CREDENTIALS.clientSecret,
    slackBotToken: SLACK_TOKEN,
    slackSigningSecret: "cost-signing-secret",
  });
  const events = await startEventBridgePeer();
  const slack = await startFakeSlack({
    token: SLACK_TOKEN,
    users: Object.fromEntries(all.map((a, i) => [a.email, `U${String(i).padStart(8, "0")}`])),
  });
  const peers: Peers = { dynamo, proxy, secrets, events, slack, sim };
  const doc = DynamoDBDocumentClient.from(dynamo.client);
  let warm: WarmBundle | undefined;
  let dueWarm: WarmBundle | undefined;
  try {
    const tableName = await dynamo.createAlertTable();
    const firstTick = T0 - WARMUP_MINUTES * MINUTE;
    progress(
      `cost: ${agents.toLocaleString("en-US")} agents: seeding ${HISTORY_DAYS} days of history and 2 days of resolved records`,
    );
    const seeded = await seed(doc, tableName, all, firstTick);
    const env = {
      ...lambdaEnvironment(bundle),
      TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: events.endpoint,
      SLACK_API_URL: slack.url,
    };
    // Two execution environments, as Lambda runs a due re-check beside a tick: each its own warm
    // container (and its own pacer: the shared limiter of "On time" is not built here, and a due
    // re-check never waits on the rotation's requests there).
    warm = await startWarmBundle(bundle, dir, env);
    dueWarm = await startWarmBundle(bundle, dir, env);
    const init = {
      wallMs: warm.initMs,
      cpuMs: warm.initCpuMs,
      modelledMs: warm.initMs + warm.initCpuMs * (VCPU_MB / 512 - 1),
      secretReads: 0,
    };
    const slice = agents / EVERY_MINUTES;
    const logs: string[] = [...warm.initLines];
    const ticks: Invocation[] = [];
    const dues: Invocation[] = [];
    let firstRunPastEnd = 0;
    for (let m = -WARMUP_MINUTES; m < options.minutes; m++) {
      const tickAt = T0 + m * MINUTE;
      const part = ((m % EVERY_MINUTES) + EVERY_MINUTES) % EVERY_MINUTES;
      const share = new Set<number>();
      for (let i = part * slice; i < (part + 1) * slice; i++) share.add(i);
      for (const i of openAgents(today, tickAt)) share.add(i);
      sim.setAgents([...share].map((i) => all[i] as SimAgent));
      sim.setNow(tickAt);
      setClock(tickAt);
      if (m < 0)
        progress(
          `cost: ${agents.toLocaleString("en-US")} agents: warm-up tick ${m + WARMUP_MINUTES + 1}/${WARMUP_MINUTES}`,
        );
      const requestsBefore = sim.requests.length;
      const tick = await measure("tick", m, share.size, tickAt, warm, peers, m >= 0 ? logs : []);
      if (m === -WARMUP_MINUTES) {
        init.secretReads = tick.secretReads;
        // The first run has no cursor: pages it asked for past the roster's end (it learns the end
        // from hasMore false; those in flight then are what concurrency makes unavoidable).
        const end = Math.ceil(share.size / 50) * 50;
        firstRunPastEnd = sim.requests
          .slice(requestsBefore)
          .filter((r) => Number(r.offset) >= end && r.body !== undefined).length;
      }
      if (m >= 0) ticks.push(tick);
      // The due re-check, 30 s later: the agents due in the coming minute (at least one), one page.
      const dueAt = tickAt + 30_000;
      const dueList = dueAgents(today, dueAt);
      if (dueList.length === 0) dueList.push(openAgents(today, dueAt)[0] ?? today[0]?.agent ?? 0);
      const cursor = await doc.send(
        new GetCommand({ TableName: tableName, Key: { id: CURSOR_ID }, ConsistentRead: true }),
      );
      await doc.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            id: CURSOR_ID,
            nextOffset: 0,
            rosterPages: 1,
            complete: true,
            pagesRead: 1,
            updatedMs: dueAt,
            expiresAt: Math.floor(dueAt / 1000) + 86_400,
          },
        }),
      );
      sim.setAgents(dueList.map((i) => all[i] as SimAgent));
      sim.setNow(dueAt);
      setClock(dueAt);
      const due = await measure("due", m, dueList.length, dueAt, dueWarm, peers, m >= 0 ? logs : []);
      if (cursor.Item) await doc.send(new PutCommand({ TableName: tableName, Item: cursor.Item }));
      if (m >= 0) dues.push(due);
      if (m >= 0)
        progress(
          `cost: ${agents.toLocaleString("en-US")} agents: minute ${m + 1}/${options.minutes}: tick ${Math.round(tick.wallMs)} ms, ${tick.dynamo.readUnits} RRU, ${tick.transitions} transitions; due ${Math.round(due.wallMs)} ms`,
        );
    }
    const load = await loadUnits(peers, tableName, T0 + options.minutes * MINUTE);
    const storage = await storageBytes(dynamo.client, tableName);
    const text = logs.join("\n");
    const logGzipRatio = text.length > 0 ? gzipSync(Buffer.from(text)).length / Buffer.byteLength(text) : 1;
    const metricNames = [...new Set([...ticks, ...dues].flatMap((i) => i.metricNames))];
    const errors = [...ticks, ...dues].flatMap((i) => (i.error ? [i.error] : []));
    return {
      figures: {
        agents,
        rosterPages: Math.ceil(agents / 50),
        pagesPerMinute: Math.ceil(slice / 50),
        seeded,
        measuredMinutes: options.minutes,
        init,
        ticks,
        dues,
        load,
        storage,
        logGzipRatio,
        metricNames,
        errors,
        firstRunPastEnd,
      },
      template,
    };
  } finally {
    await warm?.close();
    await Promise.all([
      dynamo.close(),
      proxy.close(),
      secrets.close(),
      events.close(),
      slack.close(),
      sim.close(),
    ]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(bundle.outdir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Every agent alerting at once: the log line and the result stay bounded

export interface StormFigures {
  agents: number;
  maxLineBytes: number;
  summaryLineBytes: number;
  resultBytes: number;
  firing: number;
  wallMs: number;
}

async function storm(agents: number, progress: (m: string) => void): Promise<StormFigures> {
  progress(`cost: ${agents.toLocaleString("en-US")} agents all alerting (the log line's bound)`);
  const nowMs = T0;
  const all: SimAgent[] = generateDay({ seed: 5, agents, timezone: TIMEZONE, date: DATE }).map((a) => ({
    ...a,
    segments: [
      {
        primaryStatus: "AVAILABLE",
        secondaryStatus: "AVAILABLE",
        startMs: nowMs - 2 * 3_600_000,
        endMs: nowMs - 3_600_000,
      },
      { primaryStatus: "AWAY", secondaryStatus: "STUCK", startMs: nowMs - 3_600_000, endMs: null },
    ],
  }));
  let clockBase = nowMs;
  let realBase = performance.now();
  const clock = () => Math.round(clockBase + (performance.now() - realBase));
  const sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents: all,
    now: nowMs,
    rateLimitPerMinute: 1e9,
    clock,
  });
  const config = costConfig(sim.url);
  const bundle = synthesizeLambdaBundle({
    ...config,
    smartassist: { ...config.smartassist, requestsPerMinute: 100_000 },
  });
  const dir = copyBundleOutsideRepo(bundle);
  const dynamo = await startDynalite();
  // A token Slack refuses: delivery ends at once (this measures what the run logs and returns).
  const secrets = await startSecretsPeer({
    clientId: DEMO_CREDENTIALS.clientId,
    clientSecret: DEMO_CREDENTIALS.clientSecret,
    slackBotToken: "xoxb-refused",
    slackSigningSecret: "x",
  });
  const events = await startEventBridgePeer();
  const slack = await startFakeSlack({ token: SLACK_TOKEN });
  let warm: WarmBundle | undefined;
  try {
    const tableName = await dynamo.createAlertTable();
    warm = await startWarmBundle(bundle, dir, {
      ...lambdaEnvironment(bundle),
      TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: events.endpoint,
      SLACK_API_URL: slack.url,
    });
    clockBase = nowMs;
    realBase = performance.now();
    const run = await warm.invoke(nowMs, { source: "aws.scheduler" }, 300_000);
    const summary = summaryOf(run.lines);
    return {
      agents,
      maxLineBytes: Math.max(0, ...run.lines.map((l) => Buffer.byteLength(l))),
      summaryLineBytes: summary.bytes,
      resultBytes: run.resultBytes,
      firing: summary.firing,
      wallMs: run.wallMs,
    };
  } finally {
    await warm?.close();
    await Promise.all([dynamo.close(), secrets.close(), events.close(), slack.close(), sim.close()]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(bundle.outdir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// The bill

interface AlarmTemplate {
  alarms: number;
  /** Metrics the alarms read ($0.10 each: a metric-math alarm pays for each metric in it). */
  alarmMetrics: number;
  secrets: number;
  schedules: number;
}

/** What the synthesized template bills for: its alarms (and the metrics they read), secrets, schedules. */
function alarmTemplate(bundle: LambdaBundle): AlarmTemplate {
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

const mean = (values: number[]) =>
  values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;

/** What the bill assumes of parts not built yet, or of settings the stack could change. */
export interface BillVariant {
  name: string;
  /** The check function's memory (the stack sets 512 MB). */
  memoryMb: number;
  /** A due re-check loads every live record (as a whole check run does); false: only its agents' records. */
  dueLoadsAll: boolean;
  /** Idle long polls of the due queue's event source mapping at a time (5; 2 without maximum concurrency). */
  sqsPollers: number;
  /** load() reads settled ended records too (as DESIGN has it); false: only those a run still acts on. */
  loadsSettled?: boolean;
}

export const AS_MODELLED: BillVariant = {
  name: "as modelled",
  memoryMb: 512,
  dueLoadsAll: true,
  sqsPollers: SQS_POLLERS,
};

/** Levers outside this change, priced from the same measurements (README, "Cost"). */
export const WHAT_IFS: BillVariant[] = [
  {
    ...AS_MODELLED,
    name: "a due re-check reads only its agents' records (not a whole load())",
    dueLoadsAll: false,
  },
  {
    ...AS_MODELLED,
    name: "the check function at 384 MB (its runs wait on HTTP, not CPU; peak RSS above)",
    memoryMb: 384,
  },
  {
    ...AS_MODELLED,
    name: "the due queue's event source mapping without maximum concurrency (2 idle polls)",
    sqsPollers: 2,
  },
  {
    ...AS_MODELLED,
    name: "load() skips settled ended records (kept only for their TTL; a design change)",
    loadsSettled: false,
  },
  { name: "all four", memoryMb: 384, dueLoadsAll: false, sqsPollers: 2, loadsSettled: false },
];

/** A run's billed time at `memoryMb`: its wall time with its CPU stretched to that share of a vCPU. */
function billedMs(run: { wallMs: number; cpuMs: number }, memoryMb: number): number {
  return run.wallMs + run.cpuMs * (VCPU_MB / memoryMb - 1);
}

export function monthlyBill(c: CenterFigures, t: AlarmTemplate, v: BillVariant = AS_MODELLED): BillLine[] {
  const ticks = MINUTES_PER_MONTH;
  const dues = MINUTES_PER_MONTH;
  const invocations = ticks + dues;
  const tickMs = mean(c.ticks.map((i) => billedMs(i, v.memoryMb)));
  const dueMs = mean(c.dues.map((i) => billedMs(i, v.memoryMb)));
  const initMs = billedMs({ wallMs: c.init.wallMs, cpuMs: c.init.cpuMs }, v.memoryMb);
  const gbSeconds =
    ((ticks * tickMs + dues * dueMs + COLD_STARTS_PER_MONTH * initMs) / 1000) * (v.memoryMb / 1024);
  const per = (f: (i: Invocation) => number) => ticks * mean(c.ticks.map(f)) + dues * mean(c.dues.map(f));
  // Without a whole load(), a due re-check reads its agents' records by key (one consistent unit each).
  const settledUnits = v.loadsSettled === false ? c.load.withHistory - c.load.unsettledOnly : 0;
  const tickRead = (i: Invocation) => i.dynamo.readUnits - settledUnits;
  const dueRead = (i: Invocation) =>
    v.dueLoadsAll ? i.dynamo.readUnits - settledUnits : i.dynamo.readUnits - c.load.withHistory + i.agents;
  const reads = ticks * mean(c.ticks.map(tickRead)) + dues * mean(c.dues.map(dueRead));
  const writes = per((i) => i.dynamo.writeUnits);
  const platformBytes = PLATFORM_LINES.reduce((n, l) => n + Buffer.byteLength(l), 0);
  const logEvents = per((i) => i.logEvents) + invocations * PLATFORM_LINES.length;
  const logBytes =
    per((i) => i.logBytes) + invocations * platformBytes + logEvents * LOG_EVENT_OVERHEAD_BYTES;
  const logGb = logBytes / 1e9;
  const storedGb = logGb * (30 / 30.4) * c.logGzipRatio;
  const tableGb = c.storage.table / 1e9;
  const indexGb = c.storage.indexes / 1e9;
  // The due runs' metrics, whether or not the bench's due invocations (not SQS events) emitted them.
  const metrics = new Set([...c.metricNames, ...PLANNED_METRICS]).size;
  const secretCalls = COLD_STARTS_PER_MONTH * Math.max(1, c.init.secretReads);
  const putEvents = per((i) => i.putEvents);
  // SQS: each due re-check sent, received (with the idle long polls of the event source mapping) and deleted.
  const sqsRequests = dues * 3 + v.sqsPollers * SQS_POLLS_PER_POLLER_MINUTE * MINUTES_PER_MONTH;
  const line = (
    item: string,
    quantity: number,
    price: { usd: number; unit: string; source: string },
    how: string,
  ): BillLine => ({ item, quantity, unit: price.unit, usd: quantity * price.usd, source: price.source, how });
  return [
    line("Lambda requests", invocations, PRICES.lambdaRequest, "a tick and a due re-check every minute"),
    line(
      "Lambda duration",
      gbSeconds,
      PRICES.lambdaArmGbSecond,
      `${v.memoryMb} MB × (tick ${Math.round(tickMs)} ms, due ${Math.round(dueMs)} ms, ${COLD_STARTS_PER_MONTH} inits of ${Math.round(initMs)} ms)`,
    ),
    line(
      "DynamoDB reads",
      reads,
      PRICES.dynamoRead,
      `${fmt(mean(c.ticks.map((i) => i.dynamo.readUnits)), 1)} per tick, ${fmt(mean(c.dues.map((i) => i.dynamo.readUnits)), 1)} per due`,
    ),
    line(
      "DynamoDB writes",
      writes,
      PRICES.dynamoWrite,
      `${fmt(mean(c.ticks.map((i) => i.dynamo.writeUnits)), 1)} per tick, ${fmt(mean(c.dues.map((i) => i.dynamo.writeUnits)), 1)} per due (index writes and failed conditions included)`,
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
      `${c.metricNames.length} emitted${c.metricNames.length ? ` (${c.metricNames.join(", ")})` : ""}; counted: ${PLANNED_METRICS.join(", ")} (the due runs' metrics)`,
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
      `${fmt(per((i) => i.logBytes) / invocations / 1000, 1)} KB a run + platform lines`,
    ),
    line(
      "CloudWatch Logs storage",
      storedGb,
      PRICES.logStorage,
      `30 days kept, gzip ratio ${fmt(c.logGzipRatio, 2)}`,
    ),
    line("Secrets Manager secret", t.secrets, PRICES.secret, "one secret"),
    line("Secrets Manager API calls", secretCalls, PRICES.secretCall, "one read per cold start"),
    line("EventBridge Scheduler", ticks, PRICES.schedulerInvocation, "rate(1 minute)"),
    line("EventBridge events", putEvents, PRICES.putEvent, "one per transition"),
    line(
      "SQS requests (due re-checks)",
      sqsRequests,
      PRICES.sqsRequest,
      `send, receive, delete per re-check + ${SQS_POLLERS} idle long polls`,
    ),
  ];
}

// ---------------------------------------------------------------------------------------------
// Report

function fmt(n: number, digits = 0): string {
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function usd(n: number): string {
  return `$${n < 0.01 && n > 0 ? n.toFixed(4) : n.toFixed(2)}`;
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join("  ");
  return [line(header), ...rows.map(line)].map((l) => `  ${l}`).join("\n");
}

export interface CostTarget {
  name: string;
  ok: boolean;
  figure: string;
}

export interface CostSpec {
  sizes: number[];
  minutes: number;
  latencyMs: number;
  storm: boolean;
  progress: (message: string) => void;
}

export async function costSection(
  spec: CostSpec,
): Promise<{ figures: unknown; text: string; targets: CostTarget[] }> {
  const centers: Array<{
    figures: CenterFigures;
    bill: BillLine[];
    whatIf: Array<{ variant: BillVariant; total: number }>;
  }> = [];
  for (const agents of spec.sizes) {
    const { figures, template } = await center(agents, spec);
    const total = (v: BillVariant) => monthlyBill(figures, template, v).reduce((n, l) => n + l.usd, 0);
    centers.push({
      figures,
      bill: monthlyBill(figures, template),
      whatIf: WHAT_IFS.map((variant) => ({ variant, total: total(variant) })),
    });
  }
  const stormFigures = spec.storm ? await storm(12_350, spec.progress) : undefined;

  const targets: CostTarget[] = [];
  const goal = (agents: number) => (agents <= 500 ? 3 : agents <= 12_000 ? 6 : Number.POSITIVE_INFINITY);
  for (const c of centers) {
    const total = c.bill.reduce((n, l) => n + l.usd, 0);
    if (Number.isFinite(goal(c.figures.agents)))
      targets.push({
        name: `≤ $${goal(c.figures.agents)} a month at ${fmt(c.figures.agents)} agents (1-minute tick)`,
        ok: total <= goal(c.figures.agents),
        figure: usd(total),
      });
    const { withHistory, withoutHistory } = c.figures.load;
    targets.push({
      name: `load() read units independent of history at ${fmt(c.figures.agents)} agents (±10 %)`,
      ok: withoutHistory > 0 && Math.abs(withHistory / withoutHistory - 1) <= 0.1,
      figure: `${fmt(withHistory, 1)} with ${fmt(c.figures.load.historyItems)} history items, ${fmt(withoutHistory, 1)} without (the table Scan it replaced: ${fmt(c.figures.load.scanBefore, 1)})`,
    });
    const maxLine = Math.max(...[...c.figures.ticks, ...c.figures.dues].map((i) => i.maxLineBytes));
    targets.push({
      name: `no log line over 64 KB at ${fmt(c.figures.agents)} agents`,
      ok: maxLine <= 64_000,
      figure: `${fmt(maxLine)} bytes at most`,
    });
  }
  if (stormFigures)
    targets.push({
      name: `no log line over 64 KB, result ≤ 1 MB, with ${fmt(stormFigures.agents)} agents all alerting`,
      ok: stormFigures.maxLineBytes <= 64_000 && stormFigures.resultBytes <= 1_000_000,
      figure: `run summary line ${fmt(stormFigures.summaryLineBytes)} bytes, longest line ${fmt(stormFigures.maxLineBytes)}, result ${fmt(stormFigures.resultBytes)} bytes, ${fmt(stormFigures.firing)} firing`,
    });

  const items = centers[0]?.bill.map((l) => l.item) ?? [];
  const billTable = table(
    ["item", ...centers.map((c) => `${fmt(c.figures.agents)} agents`), "price"],
    [
      ...items.map((item) => [
        item,
        ...centers.map((c) => usd(c.bill.find((l) => l.item === item)?.usd ?? 0)),
        (() => {
          const l = centers[0]?.bill.find((b) => b.item === item);
          return l ? `${l.unit}` : "";
        })(),
      ]),
      ["total", ...centers.map((c) => usd(c.bill.reduce((n, l) => n + l.usd, 0))), ""],
    ],
  );
  const perRun = table(
    [
      "agents",
      "kind",
      "runs",
      "agents/run",
      "wall ms",
      "CPU ms",
      "modelled ms",
      "RRU",
      "WRU",
      "idx WRU",
      "failed WRU",
      "log KB",
      "events",
      "SA req",
      "transitions",
      "firing",
      "Slack calls",
      "RSS MB",
    ],
    centers.flatMap((c) =>
      (["tick", "due"] as const).map((kind) => {
        const runs = kind === "tick" ? c.figures.ticks : c.figures.dues;
        const m = (f: (i: Invocation) => number, d = 0) => fmt(mean(runs.map(f)), d);
        return [
          fmt(c.figures.agents),
          kind,
          String(runs.length),
          m((i) => i.agents),
          m((i) => i.wallMs),
          m((i) => i.cpuMs),
          m((i) => i.modelledMs),
          m((i) => i.dynamo.readUnits, 1),
          m((i) => i.dynamo.writeUnits, 1),
          m((i) => i.dynamo.indexWriteUnits, 1),
          m((i) => i.dynamo.failedConditionUnits, 1),
          m((i) => i.logBytes / 1000, 1),
          m((i) => i.putEvents, 1),
          m((i) => i.smartAssistRequests, 1),
          m((i) => i.transitions, 1),
          m((i) => i.firing, 0),
          m((i) => i.slackCalls, 1),
          fmt(Math.max(...runs.map((i) => i.rssBytes)) / 1e6, 0),
        ];
      }),
    ),
  );
  const text = [
    `Cost — the check bundle as deployed, a warm container on loopback peers, ${spec.minutes} measured minutes after ${WARMUP_MINUTES} of warm-up,`,
    `  SmartAssist ${spec.latencyMs} ms a page; 1-minute tick modelled (each minute 1/5 of the roster + a page per 50 open alerts; one due re-check 30 s later)`,
    `  workload: ${fmt(ALERTS_PER_AGENT_DAY * 12_000)} alerts a day per 12,000 agents, ${HISTORY_DAYS} days of history, 2 days of resolved records; us-east-1 on-demand prices, no free tier`,
    perRun,
    `  modelled ms = wall + CPU × (${VCPU_MB} ÷ 512 − 1): the CPU stretched to the 512 MB function's share of a vCPU`,
    ...centers.map(
      (c) =>
        `  ${fmt(c.figures.agents)} agents: ${fmt(c.figures.rosterPages)} roster pages, ${c.figures.pagesPerMinute} a minute; seeded ${fmt(c.figures.seeded.history)} history items and ${fmt(c.figures.seeded.resolved)} resolved records; load() ${fmt(c.figures.load.withHistory, 1)} RRU (${fmt(c.figures.load.liveRecords)} live records; without history ${fmt(c.figures.load.withoutHistory, 1)}; the table Scan before: ${fmt(c.figures.load.scanBefore, 1)}; only the ${fmt(c.figures.load.unsettledRecords)} records a run acts on: ${fmt(c.figures.load.unsettledOnly, 1)}); init ${fmt(c.figures.init.wallMs)} ms; first run (no cursor): ${c.figures.firstRunPastEnd} page(s) asked past the end; longest log line ${fmt(Math.max(...c.figures.ticks.map((i) => i.maxLineBytes)))} bytes; metrics emitted: ${c.figures.metricNames.length}${c.figures.errors.length ? `; ERRORS: ${c.figures.errors.slice(0, 3).join(" | ")}` : ""}`,
    ),
    ...(stormFigures
      ? [
          `  ${fmt(stormFigures.agents)} agents all alerting, one run: run summary line ${fmt(stormFigures.summaryLineBytes)} bytes (longest line ${fmt(stormFigures.maxLineBytes)}), result ${fmt(stormFigures.resultBytes)} bytes, ${fmt(stormFigures.firing)} firing, ${fmt(stormFigures.wallMs)} ms`,
        ]
      : []),
    "",
    "  Monthly bill (730 hours)",
    billTable,
    "  What-ifs (the same measurements, another assumption): monthly total",
    table(
      ["variant", ...centers.map((c) => `${fmt(c.figures.agents)} agents`)],
      (centers[0]?.whatIf ?? []).map((w, k) => [
        w.variant.name,
        ...centers.map((c) => usd(c.whatIf[k]?.total ?? 0)),
      ]),
    ),
    `  sources: ${[...new Set(Object.values(PRICES).map((p) => p.source))].join(", ")}`,
  ].join("\n");
  return {
    figures: { centers, storm: stormFigures, prices: PRICES },
    text,
    targets,
  };
}
