/**
 * One center's measured minutes for the cost bench (cost.ts), on the real 1-minute tick and SQS due
 * path. The check bundle as CDK builds it runs as three warm Lambda containers: one takes the
 * schedule's event at every minute; two take the due queue's SQS events (the event source mapping's
 * maximum concurrency). Each container has its own counting DynamoDB proxy, EventBridge and Secrets
 * Manager peers (so what an invocation consumed is its own even when two overlap); all share dynalite,
 * the SmartAssist simulator (serving the whole roster: the tick reads its share by the cursor it keeps),
 * the fake Slack and the SQS peer the ticks and due runs send their re-checks to.
 *
 * One virtual clock for everything (the bundles' Date, the simulator, the SQS peer): it runs at real
 * speed while any invocation runs and jumps to the next instant when none does. A tick starts at its
 * minute; the messages the runs sent become visible at send + DelaySeconds, and as a long poll would,
 * each instant's visible messages (up to 10) go to a free due container as one SQS event — a message
 * waits when both are busy. Runs that overlap in virtual time overlap in real time.
 */
import { rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ALERT_TABLE } from "../../functions/adapters/state/dynamodb-store.js";
import { TICK_SECONDS } from "../../functions/domain/coverage.js";
import {
  type AwsPeer,
  type SqsMessage,
  type SqsPeer,
  startEventBridgePeer,
  startSecretsPeer,
  startSqsPeer,
} from "../fakes/aws-peers.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { DEMO_CREDENTIALS, type Simulator, startSimulator } from "../fakes/smartassist/simulator.js";
import {
  breakdown,
  type CenterFigures,
  type Invocation,
  loadUnits,
  metricNamesIn,
  type Peer,
  storageBytes,
  summaryOf,
} from "./cost-measure.js";
import { type AlarmTemplate, alarmTemplate } from "./cost-prices.js";
import {
  costConfig,
  EVERY_MINUTES,
  HISTORY_DAYS,
  MINUTE,
  roster,
  SLACK_TOKEN,
  seed,
  T0,
  warmupMinutes,
} from "./cost-workload.js";
import { type CountingProxy, minus, startCountingProxy } from "./dynamo-proxy.js";
import {
  copyBundleOutsideRepo,
  type LambdaBundle,
  lambdaEnvironment,
  startWarmBundle,
  synthesizeLambdaBundle,
  type WarmBundle,
} from "./lambda-bundle.js";

/** Messages in one SQS event: the event source mapping's batch size. */
const BATCH_SIZE = 10;
/** The function's timeout and each run's budget: the tick's minute. */
const TIMEOUT_MS = TICK_SECONDS * 1000;

/** Virtual time at real speed, moved forward only while nothing runs. */
function virtualClock(startMs: number) {
  let base = startMs;
  let realBase = performance.now();
  return {
    now: () => Math.round(base + (performance.now() - realBase)),
    jumpTo(ms: number) {
      base = ms;
      realBase = performance.now();
    },
  };
}

interface Container {
  name: string;
  warm: WarmBundle;
  proxy: CountingProxy;
  events: AwsPeer;
  secrets: AwsPeer;
  busy: boolean;
  invocations: number;
}

const total = (requests: Record<string, number>) => Object.values(requests).reduce((a, b) => a + b, 0);

/** The scheduler's input (infra/constructs/schedule.ts) for the tick at `atMs`. */
function scheduleEvent(atMs: number) {
  return {
    source: "agent-status-alerts.schedule",
    scheduledTime: new Date(atMs).toISOString().replace(/\.\d{3}Z$/, "Z"),
    executionId: `bench-${atMs}`,
    scheduleArn: "arn:aws:scheduler:us-east-1:123456789012:schedule/default/agent-status-alerts-Run",
    attemptNumber: 1,
  };
}

/** The SQS event Lambda's event source mapping hands the function for these messages. */
function sqsEvent(batch: SqsMessage[], queueArn: string, receivedMs: number) {
  return {
    Records: batch.map((m) => ({
      messageId: m.messageId,
      receiptHandle: `bench-${m.messageId}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: String(m.sentMs),
        SenderId: "AROAEXAMPLEID:agent-status-alerts-check",
        ApproximateFirstReceiveTimestamp: String(receivedMs),
      },
      messageAttributes: {},
      md5OfBody: m.md5OfBody,
      eventSource: "aws:sqs",
      eventSourceARN: queueArn,
      awsRegion: "us-east-1",
    })),
  };
}

export interface CenterSpec {
  minutes: number;
  latencyMs: number;
  /** smartassist.requestsPerMinute in the bundle's config (the product's default: 50). */
  requestsPerMinute: number;
  /** smartassist.concurrency in the bundle's config (the product's default: 4). */
  concurrency: number;
  progress: (message: string) => void;
}

export async function center(
  agents: number,
  spec: CenterSpec,
): Promise<{ figures: CenterFigures; template: AlarmTemplate }> {
  const { progress } = spec;
  const label = `cost: ${agents.toLocaleString("en-US")} agents at ${spec.latencyMs} ms, concurrency ${spec.concurrency}`;
  progress(`${label}: the roster and its day`);
  const { roster: all } = roster(agents);
  const warmup = warmupMinutes(agents);
  const firstTick = T0 - warmup * MINUTE;
  const endMs = T0 + spec.minutes * MINUTE;
  const clock = virtualClock(firstTick);
  // The whole roster, rendered as of each request's instant on the shared clock.
  const sim: Simulator = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents: all,
    latencyMs: spec.latencyMs,
    rateLimitPerMinute: 60,
    clock: clock.now,
  });
  progress(`${label}: synthesizing the stack (CDK NodejsFunction bundling)`);
  const bundle: LambdaBundle = synthesizeLambdaBundle(
    costConfig(sim.url, spec.requestsPerMinute, spec.concurrency),
  );
  const template = alarmTemplate(bundle);
  const dir = copyBundleOutsideRepo(bundle);
  const indexes = [ALERT_TABLE.historyIndex, ALERT_TABLE.liveIndex].map((i) => ({
    name: i.name,
    keys: [i.partitionKey, i.sortKey],
  }));
  const dynamo: LocalDynamo = await startDynalite();
  const slack: FakeSlack = await startFakeSlack({
    token: SLACK_TOKEN,
    users: Object.fromEntries(all.map((a, i) => [a.email, `U${String(i).padStart(8, "0")}`])),
  });
  const sqs: SqsPeer = await startSqsPeer({ clock: clock.now });
  // The bench's own reads (load() units) go through a proxy of their own, counted apart.
  const benchProxy = await startCountingProxy(dynamo.endpoint, indexes);
  const containers: Container[] = [];
  try {
    const tableName = await dynamo.createAlertTable();
    progress(`${label}: seeding ${HISTORY_DAYS} days of history and 2 days of resolved records`);
    const seeded = await seed(DynamoDBDocumentClient.from(dynamo.client), tableName, all, firstTick);
    for (const name of ["tick", "due-1", "due-2"]) {
      const proxy = await startCountingProxy(dynamo.endpoint, indexes);
      const events = await startEventBridgePeer();
      const secrets = await startSecretsPeer({
        clientId: DEMO_CREDENTIALS.clientId,
        clientSecret: DEMO_CREDENTIALS.clientSecret,
        slackBotToken: SLACK_TOKEN,
        slackSigningSecret: "cost-signing-secret",
      });
      const warm = await startWarmBundle(bundle, dir, {
        ...lambdaEnvironment(bundle),
        TABLE_NAME: tableName,
        AWS_ENDPOINT_URL_DYNAMODB: proxy.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: events.endpoint,
        AWS_ENDPOINT_URL_SQS: sqs.endpoint,
        DUE_QUEUE_URL: sqs.queueUrl,
        SLACK_API_URL: slack.url,
      });
      containers.push({ name, warm, proxy, events, secrets, busy: false, invocations: 0 });
    }
    const [tickContainer, ...dueContainers] = containers as [Container, Container, Container];
    const simOrigin = new URL(sim.url).origin;
    const slackOrigin = new URL(slack.url).origin;
    const peerOf =
      (c: Container) =>
      (origin: string): Peer | undefined =>
        origin === simOrigin
          ? "smartassist"
          : origin === slackOrigin
            ? "slack"
            : origin === c.proxy.endpoint
              ? "dynamodb"
              : [sqs.endpoint, c.events.endpoint, c.secrets.endpoint].includes(origin)
                ? "aws"
                : undefined;
    const logs: string[] = [];

    const invoke = async (
      c: Container,
      kind: Invocation["kind"],
      dueMs: number,
      event: unknown,
      batch: SqsMessage[],
    ): Promise<Invocation> => {
      const dynamoBefore = c.proxy.snapshot();
      const eventsBefore = c.events.entries;
      const secretsBefore = total(c.secrets.requests);
      const startMs = clock.now();
      const run = await c.warm.invoke(startMs, event, TIMEOUT_MS);
      c.invocations++;
      const summary = summaryOf(run.lines);
      const eventBytes = run.lines.map((l) => Buffer.byteLength(l));
      const count = (origin: string) => run.http.filter((s) => s.origin === origin).length;
      const groups = batch.map((m) => JSON.parse(m.body) as { atMs: number });
      if (dueMs >= T0 && dueMs < endMs) logs.push(...run.lines);
      return {
        kind,
        container: c.name,
        dueMs,
        startMs,
        messages: batch.length,
        agents: summary.checkedAgents,
        lateSeconds: groups.map((g) => (startMs - g.atMs) / 1000),
        queuedLateSeconds: batch.map((m, k) => Math.max(0, m.sentMs - (groups[k]?.atMs ?? m.sentMs)) / 1000),
        wallMs: run.wallMs,
        cpuMs: run.cpuMs,
        breakdown: breakdown(run.http, peerOf(c), run.wallMs),
        logBytes: eventBytes.reduce((a, b) => a + b, 0),
        logEvents: eventBytes.length,
        maxLineBytes: Math.max(0, ...eventBytes),
        summaryLineBytes: summary.bytes,
        metricNames: metricNamesIn(run.lines),
        dynamo: minus(c.proxy.snapshot(), dynamoBefore),
        putEvents: c.events.entries - eventsBefore,
        secretReads: total(c.secrets.requests) - secretsBefore,
        smartAssistRequests: count(simOrigin),
        rereadRequests: Math.ceil(summary.rereadAgents / 50),
        slackCalls: count(slackOrigin),
        sqsRequests: count(sqs.endpoint),
        dueScheduled: summary.dueScheduled,
        transitions: summary.transitions,
        firing: summary.firing,
        ...(run.error ? { error: run.error } : {}),
        rssBytes: run.rssBytes,
      };
    };

    const ticks: Invocation[] = [];
    const dues: Invocation[] = [];
    const tickLateMs: number[] = [];
    const taken = new Set<SqsMessage>();
    const running = new Set<Promise<void>>();
    const rosterEnd = Math.ceil(agents / 50) * 50;
    let firstRunPastEnd = 0;
    let endSeen = false;
    let tickIndex = 0;
    const tickCount = warmup + spec.minutes;
    const start = (c: Container, work: () => Promise<void>) => {
      c.busy = true;
      const done: Promise<void> = work().finally(() => {
        c.busy = false;
        running.delete(done);
      });
      running.add(done);
    };
    const visible = () =>
      sqs.messages
        .filter((m) => !taken.has(m) && m.visibleMs < endMs)
        .sort((a, b) => a.visibleMs - b.visibleMs);

    for (;;) {
      const now = clock.now();
      const tickAt = tickIndex < tickCount ? firstTick + tickIndex * MINUTE : Number.POSITIVE_INFINITY;
      const waiting = visible();
      const nextVisible = waiting[0]?.visibleMs ?? Number.POSITIVE_INFINITY;
      if (tickAt <= now && !tickContainer.busy) {
        const m = tickIndex - warmup;
        tickIndex++;
        const requestsBefore = sim.requests.length;
        start(tickContainer, async () => {
          const tick = await invoke(tickContainer, "tick", tickAt, scheduleEvent(tickAt), []);
          // Until a run has seen the roster's end, rotation pages asked past it (what concurrency makes unavoidable).
          if (!endSeen) {
            const rotation = sim.requests.slice(requestsBefore).filter((r) => !isByEmail(r.body));
            firstRunPastEnd += rotation.filter((r) => Number(r.offset) >= rosterEnd).length;
            endSeen = rotation.some((r) => Number(r.offset) + 50 >= rosterEnd);
          }
          if (m >= 0) {
            ticks.push(tick);
            tickLateMs.push(tick.startMs - tickAt);
            progress(
              `${label}: minute ${m + 1}/${spec.minutes}: tick ${Math.round(tick.wallMs)} ms (SmartAssist ${Math.round(tick.breakdown.smartassist)}, Slack ${Math.round(tick.breakdown.slack)}, rest ${Math.round(tick.breakdown.rest)}), ${tick.smartAssistRequests} requests, ${tick.transitions} transitions, ${tick.dueScheduled} re-checks queued; ${dues.length} due runs so far`,
            );
          } else progress(`${label}: warm-up tick ${m + warmup + 1}/${warmup}`);
        });
        continue;
      }
      const freeDue = dueContainers.find((c) => !c.busy);
      if (nextVisible <= now && freeDue) {
        const batch = waiting.filter((msg) => msg.visibleMs <= now).slice(0, BATCH_SIZE);
        for (const msg of batch) taken.add(msg);
        const dueMs = batch[0]?.visibleMs ?? now;
        start(freeDue, async () => {
          const due = await invoke(freeDue, "due", dueMs, sqsEvent(batch, sqs.queueArn, now), batch);
          if (dueMs >= T0) dues.push(due);
        });
        continue;
      }
      // What can start next: the tick once its container is free, a message once a due container is.
      const nextAt = Math.min(
        tickContainer.busy ? Number.POSITIVE_INFINITY : tickAt,
        freeDue ? nextVisible : Number.POSITIVE_INFINITY,
      );
      if (running.size === 0) {
        if (!Number.isFinite(tickAt) && !Number.isFinite(nextVisible)) break;
        clock.jumpTo(Math.max(now, Math.min(tickAt, nextVisible)));
        continue;
      }
      const timers: NodeJS.Timeout[] = [];
      const sleep = Number.isFinite(nextAt)
        ? [new Promise<void>((resolve) => timers.push(setTimeout(resolve, Math.max(0, nextAt - now))))]
        : [];
      await Promise.race([...running, ...sleep]);
      for (const t of timers) clearTimeout(t);
    }

    const measured = [...ticks, ...dues];
    const inWindow = sim.requests.filter((r) => r.at >= T0 && r.at < endMs);
    const dueRequests = dues.reduce((n, i) => n + i.smartAssistRequests, 0);
    const byEmail = inWindow.filter((r) => isByEmail(r.body)).length;
    const load = await loadUnits({ dynamo, proxy: benchProxy }, tableName, endMs);
    const storage = await storageBytes(dynamo.client, tableName);
    const text = logs.join("\n");
    const used = containers.filter((c) => measured.some((i) => i.container === c.name));
    return {
      figures: {
        agents,
        latencyMs: spec.latencyMs,
        concurrency: spec.concurrency,
        rosterPages: Math.ceil(agents / 50),
        rotationNeededPerMinute: Math.ceil(agents / 50) / EVERY_MINUTES,
        seeded,
        measuredMinutes: spec.minutes,
        init: {
          wallMs: tickContainer.warm.initMs,
          cpuMs: tickContainer.warm.initCpuMs,
          secretReads: total(tickContainer.secrets.requests) > 0 ? 1 : 0,
        },
        environments: used.length,
        ticks,
        dues,
        tickLateMs,
        load,
        storage,
        logGzipRatio: text.length > 0 ? gzipSync(Buffer.from(text)).length / Buffer.byteLength(text) : 1,
        metricNames: [...new Set(measured.flatMap((i) => i.metricNames))],
        errors: measured.flatMap((i) => (i.error ? [`${i.kind}: ${i.error}`] : [])),
        firstRunPastEnd,
        smartAssist: {
          rotation: inWindow.length - byEmail,
          reread: byEmail - dueRequests,
          due: dueRequests,
          rateLimited: sim.requests.filter((r) => r.status === 429).length,
          maxIn60s: maxInWindow(sim.requests.map((r) => r.at)),
        },
        peakRssMb: Math.max(0, ...measured.map((i) => i.rssBytes)) / 1e6,
      },
      template,
    };
  } finally {
    for (const c of containers) await c.warm.close();
    await Promise.all([
      ...containers.flatMap((c) => [c.proxy.close(), c.events.close(), c.secrets.close()]),
      benchProxy.close(),
      dynamo.close(),
      slack.close(),
      sqs.close(),
      sim.close(),
    ]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(bundle.outdir, { recursive: true, force: true });
  }
}

/** A request by e-mail (`filter.agents`): a re-read of open alerts or a due re-check, not the rotation. */
function isByEmail(body: unknown): boolean {
  const agents = (body as { filter?: { agents?: unknown } } | undefined)?.filter?.agents;
  return Array.isArray(agents) && agents.length > 0;
}

/** The most of these instants in any 60 s window (the simulator's sliding window; the config's requestsPerMinute bounds it). */
function maxInWindow(instants: number[]): number {
  const sorted = [...instants].sort((a, b) => a - b);
  let most = 0;
  for (let end = 0, start = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= MINUTE) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
