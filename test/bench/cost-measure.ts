/**
 * What the cost bench measures of each invocation (cost.ts): its duration (and where it went: waiting
 * on SmartAssist, DynamoDB, Slack's pacing, the other AWS peers, or neither), CPU, request units, log
 * bytes, metrics, events, requests to each peer; and of the table: load()'s read units and storage.
 */
import { createRequire } from "node:module";
import { DynamoDBClient, ScanCommand as RawScanCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import {
  CURSOR_ID,
  DynamoDbAlertStore,
  SETTLED_STATE,
} from "../../functions/adapters/state/dynamodb-store.js";
import type { LocalDynamo } from "../fakes/dynalite.js";
import { writeAll } from "../fakes/dynalite.js";
import { type Consumed, type CountingProxy, minus } from "./dynamo-proxy.js";
import type { HttpSpan } from "./lambda-bundle.js";

/** DynamoDB storage counts 100 bytes per item (and per index item) on top of its data. */
const ITEM_OVERHEAD_BYTES = 100;

/** Where an invocation's wall time went, by what it was waiting on (ms; they add up to its wall time). */
export interface Breakdown {
  /** A SmartAssist request in flight. */
  smartassist: number;
  /** Else a DynamoDB request in flight (state, the shared rate window). */
  dynamodb: number;
  /** Else inside the Slack phase (first Slack call to the last): the calls and the per-channel pacing between them. */
  slack: number;
  /** Else an SQS, EventBridge or Secrets Manager request in flight. */
  aws: number;
  /** None of those: the function's own CPU, and waits on no peer (the rate window's sleeps). */
  rest: number;
}

export type Peer = Exclude<keyof Breakdown, "rest">;
const PRIORITY: Peer[] = ["smartassist", "dynamodb", "slack", "aws"];

/**
 * The wall time split by what was in flight, in priority order (pages are evaluated as they arrive, so
 * CPU overlaps the SmartAssist wait; Slack counts as one span, its pacing being sleeps between calls).
 */
export function breakdown(
  spans: HttpSpan[],
  peerOf: (origin: string) => Peer | undefined,
  wallMs: number,
): Breakdown {
  const byPeer = new Map<Peer, Array<[number, number]>>(PRIORITY.map((p) => [p, []]));
  for (const s of spans) {
    const peer = peerOf(s.origin);
    if (peer) byPeer.get(peer)?.push([Math.max(0, s.startMs), Math.min(wallMs, s.endMs)]);
  }
  const slack = byPeer.get("slack") ?? [];
  if (slack.length > 0)
    byPeer.set("slack", [[Math.min(...slack.map((s) => s[0])), Math.max(...slack.map((s) => s[1]))]]);
  const cuts = [0, wallMs, ...[...byPeer.values()].flat().flat()]
    .filter((t) => t >= 0 && t <= wallMs)
    .sort((a, b) => a - b);
  const out: Breakdown = { smartassist: 0, dynamodb: 0, slack: 0, aws: 0, rest: 0 };
  for (let i = 1; i < cuts.length; i++) {
    const a = cuts[i - 1] as number;
    const b = cuts[i] as number;
    if (b <= a) continue;
    const mid = (a + b) / 2;
    const peer = PRIORITY.find((p) => (byPeer.get(p) ?? []).some(([s, e]) => s <= mid && mid < e));
    out[peer ?? "rest"] += b - a;
  }
  return out;
}

export interface Invocation {
  kind: "tick" | "due";
  /** Which warm container ran it (`tick`, `due-1`, `due-2`). */
  container: string;
  /** The instant it was due (the tick's minute, or its messages' visible instant) and when it started (virtual clock). */
  dueMs: number;
  startMs: number;
  /** SQS messages it was handed (due runs). */
  messages: number;
  /** Agents it read (the summary's checkedAgents). */
  agents: number;
  /** For due runs: seconds from each group's instant to the run's start. */
  lateSeconds: number[];
  /** Of that, for each group: how late its sender already was when it queued it (0 when sent ahead). */
  queuedLateSeconds: number[];
  wallMs: number;
  cpuMs: number;
  breakdown: Breakdown;
  logBytes: number;
  logEvents: number;
  maxLineBytes: number;
  summaryLineBytes: number;
  metricNames: string[];
  dynamo: Consumed;
  putEvents: number;
  secretReads: number;
  smartAssistRequests: number;
  /** Of smartAssistRequests: the re-read of open alerts by e-mail (ticks). */
  rereadRequests: number;
  slackCalls: number;
  /** SendMessageBatch / SendMessage requests (due re-checks queued). */
  sqsRequests: number;
  dueScheduled: number;
  transitions: number;
  firing: number;
  error?: string;
  rssBytes: number;
}

/** Names of the metrics in the EMF documents (Powertools Metrics) among the lines. */
export function metricNamesIn(lines: string[]): string[] {
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

/** The closing `run summary` line's figures. */
export function summaryOf(lines: string[]): {
  bytes: number;
  transitions: number;
  firing: number;
  checkedAgents: number;
  rereadAgents: number;
  dueScheduled: number;
} {
  const line = lines.find((l) => l.includes('"message":"run summary"'));
  const empty = { bytes: 0, transitions: 0, firing: 0, checkedAgents: 0, rereadAgents: 0, dueScheduled: 0 };
  if (!line) return empty;
  const parsed = JSON.parse(line) as {
    counts?: { firing: number; transitions: Record<string, number> };
    summary?: { checkedAgents?: number };
    rereadAgents?: number;
    due?: { scheduled?: number };
  };
  const transitions = Object.values(parsed.counts?.transitions ?? {}).reduce((a, b) => a + b, 0);
  return {
    bytes: Buffer.byteLength(line),
    transitions,
    firing: parsed.counts?.firing ?? 0,
    checkedAgents: parsed.summary?.checkedAgents ?? 0,
    rereadAgents: parsed.rereadAgents ?? 0,
    dueScheduled: parsed.due?.scheduled ?? 0,
  };
}

// dynalite is CommonJS without types: its item size (DynamoDB's rules), the one function used here.
const dynaliteDb = createRequire(import.meta.url)("dynalite/db/index.js") as {
  itemSize(item: Record<string, unknown>): number;
};

/** DynamoDB storage of a table: items and their index copies, each with the per-item overhead. */
export async function storageBytes(
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

export interface LoadUnits {
  historyItems: number;
  liveRecords: number;
  /** load() through the live index. */
  withHistory: number;
  /** The same live records in a table without history. */
  withoutHistory: number;
  /** What load() read before this change: a consistent Scan of the whole table, filtered. */
  scanBefore: number;
  /** Ended records that owe nothing more, kept out of the live index until their expiry (settledState). */
  settledRecords: number;
}

/** load()'s read units with the scenario's history, without it, and the table Scan it replaced. */
export async function loadUnits(
  peers: { dynamo: LocalDynamo; proxy: CountingProxy },
  tableName: string,
  nowMs: number,
): Promise<LoadUnits> {
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
  let settledRecords = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) {
      if ("historyDate" in item) historyItems++;
      else if ("state" in item) live.push(item);
      else if (SETTLED_STATE in item) settledRecords++;
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
  viaProxy.destroy();
  return {
    historyItems,
    liveRecords: live.length,
    withHistory,
    withoutHistory,
    scanBefore,
    settledRecords,
  };
}

/** One center measured (cost-month.ts): what the bill (cost-prices.ts) and the report are made from. */
export interface CenterFigures {
  agents: number;
  latencyMs: number;
  /** smartassist.concurrency of the bundle's config. */
  concurrency: number;
  rosterPages: number;
  seeded: { history: number; resolved: number };
  measuredMinutes: number;
  /** The bundle's import in the tick's container (the INIT phase), and its first run's secret reads. */
  init: { wallMs: number; cpuMs: number; secretReads: number };
  /** Warm containers that ran an invocation in the measured minutes (each starts cold once an hour in the bill). */
  environments: number;
  /** The measured minutes' ticks and due runs (due: their messages visible within those minutes). */
  ticks: Invocation[];
  dues: Invocation[];
  /** How late each measured tick started after its minute (ms: the previous tick still running). */
  tickLateMs: number[];
  load: LoadUnits;
  storage: { table: number; indexes: number; items: number };
  logGzipRatio: number;
  metricNames: string[];
  errors: string[];
  /** Rotation pages a full pass every `schedule.every` needs a minute (roster pages ÷ 5). */
  rotationNeededPerMinute: number;
  /** Rotation pages asked past the roster's end until the first run that saw its end. */
  firstRunPastEnd: number;
  /** SmartAssist requests in the measured minutes: the rotation, the ticks' re-reads by e-mail, the due runs'. */
  smartAssist: {
    rotation: number;
    reread: number;
    due: number;
    /** Over the whole run (warm-up included): requests answered 429, and the most arriving in any 60 s. */
    rateLimited: number;
    maxIn60s: number;
  };
  /** Peak resident set of any container (MB), what Lambda's `Max Memory Used` reports. */
  peakRssMb: number;
}
