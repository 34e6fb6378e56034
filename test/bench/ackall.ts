/**
 * Bench section `ackall`: a roll-up's `Acknowledge all` of 300 and 1,000 members, answered the way the
 * endpoint answers it — a signed request through the signed-request adapter (verify, parse) into the
 * use case: the live records loaded, one conditional write per member with bounded concurrency, one
 * roll-up redraw and thread reply on the fake Slack, one event per member through the real
 * EventBridgePublisher to a loopback stand-in. Timed from the request to the answer, on DynamoDB
 * (dynalite in its own process: as it is, where its CPU is the limit, and behind a per-request
 * latency, where the round trips are, as in AWS) and on the JSON state file (`cli serve`'s store, where
 * concurrent puts share one locked rewrite: the rewrites are counted from the directory). Slack's
 * limit is 3 s.
 */

import { fork } from "node:child_process";
import { mkdtempSync, rmSync, watch, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { EventBridgePublisher } from "../../functions/adapters/events/eventbridge-publisher.js";
import { formBody } from "../../functions/adapters/slack/interaction-payload.js";
import { answerInteraction } from "../../functions/adapters/slack/interaction-request.js";
import { signSlackRequest } from "../../functions/adapters/slack/signature.js";
import { slackNotifierFor } from "../../functions/adapters/slack/slack-notifier.js";
import { DynamoDbAlertStore } from "../../functions/adapters/state/dynamodb-store.js";
import { JsonFileAlertStore } from "../../functions/adapters/state/json-file-store.js";
import { ACKNOWLEDGE_ALL_CONCURRENCY } from "../../functions/app/acknowledge-all.js";
import { mapBounded } from "../../functions/app/bounded.js";
import { handleInteraction, SLACK_UPDATE_BOUND_MS } from "../../functions/app/handle-interaction.js";
import { silentLog } from "../../functions/app/logger.js";
import { runCheck } from "../../functions/app/run-check.js";
import { SERVE_ACKNOWLEDGE_ALL_CONCURRENCY } from "../../functions/cli/serve.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { parseConfig } from "../../functions/domain/config.js";
import { withRollupAcks } from "../../functions/domain/rollup-ack.js";
import type { AlertStore, EventPublisher, InteractionNotifier } from "../../functions/ports.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { NOBODY } from "../fakes/smartassist/nobody-source.js";
import { lunchAlert } from "../fixtures/lunch-alert.js";
import type { DynaliteCommand, DynaliteReply } from "./dynalite-server.js";
import { BUNDLE_TEST_CONFIG } from "./lambda-bundle.js";

const TOKEN = "xoxb-bench-ackall";

const SECRET = "bench-ackall-signing-secret";
const CHANNEL = "C0123456789";

export type AckAllStore = "dynalite" | "json-file";

export interface AckAllFigure {
  store: AckAllStore;
  /** For dynalite: what each request was held before dynalite saw it (AWS's network and service time). */
  latencyMs?: number;
  members: number;
  concurrency: number;
  samples: number;
  /** Request to answer, median and max over the samples. */
  medianMs: number;
  maxMs: number;
  /** CPU time of the endpoint's process during the answer, median (dynalite's is its own process's). */
  cpuMs: number;
  /** dynalite's own CPU time during the answer, median: the table's work, which DynamoDB does elsewhere. */
  dynaliteCpuMs?: number;
  /** The median sample's breakdown. */
  phases: AckAllPhases;
  /** Store puts per sample (one per member when nothing conflicts). */
  puts: number;
  /** For the JSON file: state file rewrites per sample (temp files renamed into place), median. */
  rewrites?: number;
  status: number;
  /** Members acknowledged in the store when the click was answered (the rest are owed to the next run). */
  acknowledged: number;
  /** Members a reader takes as acknowledged when the click was answered (owed ones included). */
  shown: number;
  /** Events put by the click. */
  events: number;
  /** The next run (a due re-check reading nobody): how long it took, and the store and events after it. */
  nextRun: { ms: number; acknowledged: number; events: number };
}

/** dynalite in its own process (dynalite-server.ts): the endpoint and a client of its own. */
interface ChildDynamo {
  endpoint: string;
  client: DynamoDBClient;
  createAlertTable(): Promise<string>;
  /** dynalite's CPU time so far, ms. */
  cpuMs(): Promise<number>;
  close(): Promise<void>;
}

async function startChildDynalite(latencyMs: number): Promise<ChildDynamo> {
  const child = fork(fileURLToPath(new URL("./dynalite-server.ts", import.meta.url)), [String(latencyMs)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const waiting = new Map<number, (reply: DynaliteReply) => void>();
  const ready = new Promise<string>((resolve, reject) => {
    child.once("error", reject);
    child.on("message", (reply: DynaliteReply) => {
      if (reply.type === "ready") resolve(reply.endpoint);
      else waiting.get(reply.id)?.(reply);
    });
  });
  let next = 0;
  const ask = (command: { type: "create" | "cpu" }) =>
    new Promise<DynaliteReply>((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      child.send({ ...command, id } satisfies DynaliteCommand);
    });
  const endpoint = await ready;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  return {
    endpoint,
    client,
    createAlertTable: async () => {
      const reply = await ask({ type: "create" });
      return reply.type === "created" ? reply.tableName : "";
    },
    cpuMs: async () => {
      const reply = await ask({ type: "cpu" });
      return reply.type === "cpu" ? reply.cpuMs : Number.NaN;
    },
    close: async () => {
      client.destroy();
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.send({ type: "close" } satisfies DynaliteCommand);
      await exited;
    },
  };
}

interface Peers {
  /** dynalite as it is, and behind a per-request latency. */
  dynamo: ChildDynamo;
  slowDynamo: ChildDynamo;
  slack: FakeSlack;
  events: Server;
  eventsUrl: string;
  eventCount: () => number;
}

/** EventBridge's PutEvents over AWS JSON 1.1, answered at once: just what the publisher calls. */
function startEventsStandIn(): Promise<{ server: Server; count: () => number }> {
  let count = 0;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", () => {
      const entries = ((JSON.parse(body || "{}") as { Entries?: unknown[] }).Entries ?? []).length;
      count += entries;
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({
          FailedEntryCount: 0,
          Entries: Array.from({ length: entries }, (_, i) => ({ EventId: `e-${i}` })),
        }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve({ server, count: () => count })),
  );
}

function members(n: number, rollupId: string, rollupTs: string): AlertRecord[] {
  const nowMs = Date.now();
  return Array.from({ length: n }, (_, i) =>
    lunchAlert({
      id: `u-${i}#Long break#${new Date(nowMs - 20 * 60_000).toISOString()}`,
      userId: `u-${i}`,
      email: `agent.${i}@example.com`,
      name: `Agent ${i}`,
      sinceMs: nowMs - 20 * 60_000 - i * 1000,
      firedMs: nowMs - 5 * 60_000,
      lastNotifiedMs: nowMs - 60_000,
      expiresAt: Math.floor(nowMs / 1000) + 3600,
      channel: CHANNEL,
      rollupId,
      rollupTs,
      rollupListed: true,
    }),
  );
}

/** Where the time of one answer went (ms from the request): the load, the writes, Slack, the events. */
export interface AckAllPhases {
  loadMs: number;
  /** From the first put sent to the last one answered. */
  writesMs: number;
  /** The roll-up's update and thread reply (after the writes). */
  slackMs: number;
  /** From the first event published (beside the writes) to the last one put. */
  eventsMs: number;
}

/** The store, counting its puts and timing the load and the writes. */
function counting(store: AlertStore, clock: () => number) {
  let puts = 0;
  let loadMs = 0;
  let firstPut = Number.NaN;
  let lastPut = Number.NaN;
  const wrapped: AlertStore = {
    load: async () => {
      const started = clock();
      const records = await store.load();
      loadMs += clock() - started;
      return records;
    },
    get: (id) => store.get(id),
    loadCursor: () => store.loadCursor(),
    saveCursor: (cursor) => store.saveCursor(cursor),
    put: async (record, expected) => {
      puts += 1;
      if (Number.isNaN(firstPut)) firstPut = clock();
      const written = await store.put(record, expected);
      lastPut = clock();
      return written;
    },
  };
  return { store: wrapped, puts: () => puts, loadMs: () => loadMs, writesMs: () => lastPut - firstPut };
}

/** `fn`, timed into `into`: the span from the first call's start to the last call's end. */
function timed<A extends unknown[], R>(
  fn: (...args: A) => Promise<R>,
  into: { first?: number; last?: number },
) {
  return async (...args: A): Promise<R> => {
    into.first ??= performance.now();
    try {
      return await fn(...args);
    } finally {
      into.last = performance.now();
    }
  };
}

const span = (t: { first?: number; last?: number }) =>
  t.first === undefined || t.last === undefined ? 0 : t.last - t.first;

async function oneSample(
  peers: Peers,
  kind: AckAllStore,
  n: number,
  concurrency: number,
  slow: boolean,
): Promise<{
  ms: number;
  cpuMs: number;
  dynaliteCpuMs?: number;
  phases: AckAllPhases;
  puts: number;
  rewrites?: number;
  status: number;
  acknowledged: number;
  shown: number;
  events: number;
  nextRun: { ms: number; acknowledged: number; events: number };
}> {
  const { config } = parseConfig(BUNDLE_TEST_CONFIG, "bench config");
  const top = (await fetch(`${peers.slack.url}chat.postMessage`, {
    method: "POST",
    headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify({ channel: CHANNEL, text: `${n} agents past their threshold at once` }),
  }).then((r) => r.json())) as { ts: string };
  const rollupId = `rollup#u-0#Long break#${top.ts}`;
  const seeded = members(n, rollupId, top.ts);

  let base: AlertStore;
  let dir: string | undefined;
  const dynamo = slow ? peers.slowDynamo : peers.dynamo;
  if (kind === "dynalite") {
    base = new DynamoDbAlertStore({
      tableName: await dynamo.createAlertTable(),
      client: dynamo.client,
      nowMs: Date.now,
    });
    await mapBounded(seeded, 32, (m) => base.put(m, null));
  } else {
    dir = mkdtempSync(join(tmpdir(), "asa-bench-ackall-"));
    const path = join(dir, "state.json");
    writeFileSync(path, JSON.stringify({ version: 1, alerts: seeded }));
    // As `cli serve` opens it: whatever the file holds is tracked.
    base = new JsonFileAlertStore(path, { nowMs: 0 });
  }
  const counted = counting(base, () => performance.now());
  const store = counted.store;
  const tmpFiles = new Set<string>();
  const watcher = dir
    ? watch(dir, (_event, name) => {
        if (name?.endsWith(".tmp")) tmpFiles.add(name);
      })
    : undefined;
  const eventsBefore = peers.eventCount();
  const eventBridge = new EventBridgeClient({
    endpoint: peers.eventsUrl,
    region: "us-east-1",
    credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
  });
  const slackClient = slackNotifierFor(config, {
    token: TOKEN,
    apiUrl: peers.slack.url,
    maxRetryTimeMs: SLACK_UPDATE_BOUND_MS,
    pace: "clicks",
  });
  const slackTime: { first?: number; last?: number } = {};
  const eventsTime: { first?: number; last?: number } = {};
  const notifier: InteractionNotifier = {
    deliver: (action) => slackClient.deliver(action),
    ephemeral: (target, text) => slackClient.ephemeral(target, text),
    groupMembers: (id) => slackClient.groupMembers(id),
    rollupAcknowledged: timed((r, by, n) => slackClient.rollupAcknowledged(r, by, n), slackTime),
  };
  const publisher = new EventBridgePublisher({ busName: "default", client: eventBridge });
  const events: EventPublisher = { publish: timed((t) => publisher.publish(t), eventsTime) };
  const body = formBody({
    type: "block_actions",
    user: { id: "U0BENCH" },
    channel: { id: CHANNEL },
    actions: [
      { action_id: "rollup.ack", block_id: rollupId, type: "button", action_ts: `${Date.now() / 1000}` },
    ],
  });
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": signSlackRequest(SECRET, timestamp, body),
  };

  const dynamoCpuBefore = kind === "dynalite" ? await dynamo.cpuMs() : 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const answer = await answerInteraction(
    { rawBody: body, headers },
    { signingSecret: SECRET, nowMs: Date.now(), log: silentLog },
    (click) =>
      handleInteraction(
        { config, store, notifier, events, log: silentLog, acknowledgeAllConcurrency: concurrency },
        click,
      ),
  );
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const dynaliteCpuMs = kind === "dynalite" ? (await dynamo.cpuMs()) - dynamoCpuBefore : undefined;

  // Let the directory watcher deliver the last events before it is closed.
  await new Promise((resolve) => setTimeout(resolve, 50));
  watcher?.close();
  const stored = await base.load();
  const acknowledged = stored.filter((r) => r.acknowledgedBy === "U0BENCH").length;
  const shown = withRollupAcks(stored).filter((r) => r.acknowledgedBy === "U0BENCH").length;
  const clickEvents = peers.eventCount() - eventsBefore;
  // The next run writes what the click left owed (a due re-check of nobody: only that work).
  const runStarted = performance.now();
  await runCheck(
    config,
    { source: NOBODY, store: base, events: publisher, log: silentLog },
    { nowMs: Date.now(), mode: "due", dueEmails: [] },
  );
  const nextRun = {
    ms: performance.now() - runStarted,
    acknowledged: (await base.load()).filter((r) => r.acknowledgedBy === "U0BENCH").length,
    events: peers.eventCount() - eventsBefore,
  };
  eventBridge.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
  return {
    ms,
    cpuMs,
    ...(dynaliteCpuMs === undefined ? {} : { dynaliteCpuMs }),
    phases: {
      loadMs: counted.loadMs(),
      writesMs: counted.writesMs(),
      slackMs: span(slackTime),
      eventsMs: span(eventsTime),
    },
    puts: counted.puts(),
    ...(dir ? { rewrites: tmpFiles.size } : {}),
    status: answer.status,
    acknowledged,
    shown,
    events: clickEvents,
    nextRun,
  };
}

export async function acknowledgeAllFigures(options: {
  sizes: number[];
  samples: number;
  /** Also measure one write at a time (as before bounded concurrency), at these sizes. */
  sequentialSizes: number[];
  /** Per-request latency of the second dynalite (DynamoDB's round trip in AWS is a few ms). */
  latencyMs: number;
  progress: (line: string) => void;
}): Promise<AckAllFigure[]> {
  const [dynamo, slowDynamo, slack, standIn] = await Promise.all([
    startChildDynalite(0),
    startChildDynalite(options.latencyMs),
    startFakeSlack({ token: TOKEN }),
    startEventsStandIn(),
  ]);
  const peers: Peers = {
    dynamo,
    slowDynamo,
    slack,
    events: standIn.server,
    eventsUrl: `http://127.0.0.1:${(standIn.server.address() as AddressInfo).port}`,
    eventCount: standIn.count,
  };
  const figures: AckAllFigure[] = [];
  const median = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
  try {
    const plan: Array<{ kind: AckAllStore; n: number; concurrency: number; slow?: true }> = [];
    // As the entries run it: the Lambda (DynamoDB) 32 in flight, `cli serve` (the JSON file) all at
    // once; DynamoDB also behind a round-trip latency; then, for comparison, one at a time (as before)
    // and the file at 32.
    for (const n of options.sizes)
      plan.push({ kind: "dynalite", n, concurrency: ACKNOWLEDGE_ALL_CONCURRENCY });
    for (const n of options.sizes)
      plan.push({ kind: "dynalite", n, concurrency: ACKNOWLEDGE_ALL_CONCURRENCY, slow: true });
    for (const n of options.sizes)
      plan.push({ kind: "json-file", n, concurrency: SERVE_ACKNOWLEDGE_ALL_CONCURRENCY });
    for (const n of options.sequentialSizes) {
      plan.push({ kind: "dynalite", n, concurrency: 1 });
      plan.push({ kind: "dynalite", n, concurrency: 1, slow: true });
      plan.push({ kind: "json-file", n, concurrency: 1 });
      plan.push({ kind: "json-file", n, concurrency: ACKNOWLEDGE_ALL_CONCURRENCY });
    }
    for (const { kind, n, concurrency, slow } of plan) {
      const latency = kind === "dynalite" ? ` +${slow ? options.latencyMs : 0} ms a request` : "";
      options.progress(
        `ackall: ${kind}${latency}, ${n} members, ${concurrency} in flight, ${options.samples} samples`,
      );
      const runs = [];
      for (let i = 0; i < options.samples; i++)
        runs.push(await oneSample(peers, kind, n, concurrency, slow === true));
      const rewrites = runs.flatMap((r) => (r.rewrites === undefined ? [] : [r.rewrites]));
      figures.push({
        store: kind,
        ...(kind === "dynalite" ? { latencyMs: slow ? options.latencyMs : 0 } : {}),
        members: n,
        concurrency,
        samples: runs.length,
        medianMs: median(runs.map((r) => r.ms)),
        phases: [...runs].sort((a, b) => a.ms - b.ms)[Math.floor(runs.length / 2)]?.phases ?? {
          loadMs: Number.NaN,
          writesMs: Number.NaN,
          slackMs: Number.NaN,
          eventsMs: Number.NaN,
        },
        maxMs: Math.max(...runs.map((r) => r.ms)),
        cpuMs: median(runs.map((r) => r.cpuMs)),
        ...(kind === "dynalite"
          ? { dynaliteCpuMs: median(runs.map((r) => r.dynaliteCpuMs ?? Number.NaN)) }
          : {}),
        puts: median(runs.map((r) => r.puts)),
        ...(rewrites.length > 0 ? { rewrites: median(rewrites) } : {}),
        status: runs.every((r) => r.status === 200) ? 200 : (runs.find((r) => r.status !== 200)?.status ?? 0),
        acknowledged: median(runs.map((r) => r.acknowledged)),
        shown: Math.min(...runs.map((r) => r.shown)),
        events: median(runs.map((r) => r.events)),
        nextRun: {
          ms: median(runs.map((r) => r.nextRun.ms)),
          acknowledged: Math.min(...runs.map((r) => r.nextRun.acknowledged)),
          events: Math.min(...runs.map((r) => r.nextRun.events)),
        },
      });
    }
  } finally {
    await Promise.all([
      dynamo.close(),
      slowDynamo.close(),
      slack.close(),
      new Promise<void>((resolve) => standIn.server.close(() => resolve())),
    ]);
  }
  return figures;
}
