/**
 * The Lambda handler end to end: Secrets Manager and EventBridge mocked (no local peer exists),
 * DynamoDB on dynalite, the SmartAssist simulator and the fake Slack on loopback.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { EventBridgePublisher } from "../../functions/adapters/events/eventbridge-publisher.js";
import { dueMessageBody, parseDueMessage } from "../../functions/adapters/queue/sqs-due-queue.js";
import { SecretsManagerSecrets } from "../../functions/adapters/secrets/secrets.js";
import { slackNotifierFor } from "../../functions/adapters/slack/slack-notifier.js";
import { SmartAssistClient } from "../../functions/adapters/smartassist/client.js";
import { CURSOR_ID, DynamoDbAlertStore } from "../../functions/adapters/state/dynamodb-store.js";
import { createScheduledCheck } from "../../functions/app/scheduled-check.js";
import type { RunSummary } from "../../functions/domain/alert.js";
import { parseConfig } from "../../functions/domain/config.js";
import type { DueGroup } from "../../functions/domain/due.js";
import type { DueQueue } from "../../functions/ports.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";

const TOKEN = "xoxb-handler-test";
const SECRET_ID = "arn:aws:secretsmanager:us-east-1:111122223333:secret:agent-status-alerts-AbCdEf";
const MIN = 60_000;
const context = { getRemainingTimeInMillis: () => 300_000 };

const secretsMock = mockClient(SecretsManagerClient);
const eventsMock = mockClient(EventBridgeClient);

let sim: Simulator;
let slack: FakeSlack;
let dynamo: LocalDynamo;
let rawConfig: Record<string, unknown>;

/** Two agents past their thresholds as of the real clock (the Lambda reads Date.now()). */
function center(now: number): SimAgent[] {
  const agent = (n: number, primary: string, secondary: string, minutesAgo: number): SimAgent => ({
    userId: `u-${n}`,
    firstName: `Agent${n}`,
    lastName: "Test",
    email: `agent${n}@example.com`,
    segments: [
      {
        primaryStatus: "AVAILABLE",
        secondaryStatus: "AVAILABLE",
        startMs: now - 5 * 60 * MIN,
        endMs: now - minutesAgo * MIN,
      },
      { primaryStatus: primary, secondaryStatus: secondary, startMs: now - minutesAgo * MIN, endMs: null },
    ],
  });
  return [agent(1, "AWAY", "LUNCH", 20), agent(2, "BUSY", "BUSY", 40), agent(3, "AVAILABLE", "AVAILABLE", 3)];
}

function secretString(clientSecret = DEMO_CREDENTIALS.clientSecret): string {
  return JSON.stringify({ clientId: DEMO_CREDENTIALS.clientId, clientSecret, slackBotToken: TOKEN });
}

/** Metrics whose output (EMF on stdout) is kept out of the test log; addMetric stays observable. */
function quietMetrics(): Metrics {
  const metrics = new Metrics({ namespace: "Test", serviceName: "test" });
  vi.spyOn(metrics, "publishStoredMetrics").mockImplementation(() => metrics);
  return metrics;
}

/** Due groups the handler queued, kept in order (the SQS adapter is tested on its own). */
class RecordingDueQueue implements DueQueue {
  readonly groups: DueGroup[] = [];
  async schedule(groups: DueGroup[]) {
    this.groups.push(...groups);
    return { scheduled: groups.length, left: 0, failed: 0 };
  }
}

/** The SQS event Lambda hands the function for these queued groups. */
const sqsEvent = (groups: DueGroup[]) => ({
  Records: groups.map((g, i) => ({ eventSource: "aws:sqs", messageId: `m-${i}`, body: dueMessageBody(g) })),
});

function scheduledCheck(
  tableName: string,
  metrics = quietMetrics(),
  dueQueue?: DueQueue,
  raw: Record<string, unknown> = rawConfig,
  logger = new Logger({ serviceName: "test", logLevel: "CRITICAL" }),
) {
  const { config } = parseConfig(raw, "test config");
  return createScheduledCheck({
    config,
    secrets: new SecretsManagerSecrets({
      secretId: SECRET_ID,
      client: new SecretsManagerClient({ region: "us-east-1" }),
    }),
    storeFor: (nowMs) => new DynamoDbAlertStore({ tableName, client: dynamo.client, nowMs }),
    events: new EventBridgePublisher({
      busName: "default",
      client: new EventBridgeClient({ region: "us-east-1" }),
    }),
    sourceFor: (secrets) =>
      new SmartAssistClient({
        ...config.smartassist,
        credentials: { clientId: secrets.clientId, clientSecret: secrets.clientSecret },
      }),
    notifierFor: (secrets, nowMs) =>
      slackNotifierFor(config, { token: secrets.slackBotToken, apiUrl: slack.url, nowMs }),
    logger,
    metrics,
    ...(dueQueue ? { dueQueue } : {}),
    dueGroupsOf: (event) => {
      const records = (event as { Records?: Array<{ body: string }> }).Records;
      return records?.map((r) => parseDueMessage(r.body));
    },
  });
}

const topPosts = () =>
  slack.calls.filter(
    (c) => c.method === "chat.postMessage" && (c.response as { ok: boolean }).ok && !c.args.thread_ts,
  );

beforeAll(async () => {
  [sim, slack, dynamo] = await Promise.all([
    startSimulator({ ...DEMO_CREDENTIALS, agents: center(Date.now()), rateLimitPerMinute: 10_000 }),
    startFakeSlack({ token: TOKEN }),
    startDynalite(),
  ]);
  rawConfig = {
    timezone: "Asia/Kolkata",
    smartassist: { host: sim.url, accountId: DEMO_CREDENTIALS.accountId, iId: DEMO_CREDENTIALS.iId },
    schedule: { every: "5m" },
    rules: [
      { name: "Long break", secondaryStatus: ["LUNCH", "BREAK"], threshold: "15m", critical: "30m" },
      { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m" },
    ],
    slack: { channel: "C-OPS" },
  };
});

afterAll(async () => {
  await Promise.all([sim.close(), slack.close(), dynamo.close()]);
  secretsMock.restore();
  eventsMock.restore();
});

beforeEach(() => {
  secretsMock.reset();
  eventsMock.reset();
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: secretString() });
  eventsMock.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
    FailedEntryCount: 0,
    Entries: input.Entries.map((_, i) => ({ EventId: `e-${i}` })),
  }));
  slack.calls.length = 0;
});

describe("the deployed handler module", () => {
  it("validates the config at cold start, runs, posts, stores, publishes, and is idempotent", async () => {
    // Prepare: the environment the stack gives the function.
    const tableName = await dynamo.createAlertTable();
    vi.stubEnv("APP_CONFIG", JSON.stringify(rawConfig));
    vi.stubEnv("SECRET_ID", SECRET_ID);
    vi.stubEnv("TABLE_NAME", tableName);
    vi.stubEnv("EVENT_BUS_NAME", "default");
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
    vi.stubEnv("SLACK_API_URL", slack.url);
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "ERROR");
    const { handler } = await import("../../functions/lambda/check.js");

    // Act
    const first = (await handler({ source: "aws.scheduler" }, context)) as RunSummary;
    const second = (await handler({ source: "aws.scheduler" }, context)) as RunSummary;

    // Assess
    expect(first.checkedAgents).toBe(3);
    expect(first.transitions.map((t) => `${t.type}:${t.userId}`).sort()).toEqual(["fired:u-1", "fired:u-2"]);
    expect(second.transitions).toEqual([]);
    expect(second.firing.map((f) => f.userId).sort()).toEqual(["u-1", "u-2"]);
    expect(topPosts()).toHaveLength(2);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1); // cached across invocations

    const entries = eventsMock.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries).toHaveLength(2);
    expect(
      entries.every((e) => e.Source === "agent-status-alerts" && e.DetailType === "Agent Status Alert Fired"),
    ).toBe(true);
    expect(JSON.parse(String(entries[0]?.Detail))).toMatchObject({ type: "fired", severity: "warning" });

    const items = await dynamo.client.send(new ScanCommand({ TableName: tableName }));
    // Items under `#` ids are the store's own: the cursor, the shared rate window.
    const alerts = items.Items?.filter((i) => !String(i.id).startsWith("#")) ?? [];
    expect(items.Items?.some((i) => i.id === "#limiter")).toBe(true);
    expect(alerts).toHaveLength(2);
    expect(alerts.map((i) => i.slackTs).every((ts) => typeof ts === "string")).toBe(true);
    // The whole roster fitted: the rotation's cursor says so, and the next run starts at 0.
    expect(items.Items?.find((i) => i.id === CURSOR_ID)).toMatchObject({ nextOffset: 0, complete: true });
    vi.unstubAllEnvs();
  });
});

describe("createScheduledCheck", () => {
  it("lets two overlapping runs post each episode once", async () => {
    const tableName = await dynamo.createAlertTable();
    const [a, b] = [scheduledCheck(tableName), scheduledCheck(tableName)];

    const [ra, rb] = (await Promise.all([a({}, context), b({}, context)])) as [RunSummary, RunSummary];

    const fired = [...ra.transitions, ...rb.transitions].filter((t) => t.type === "fired");
    expect(fired.map((t) => t.userId).sort()).toEqual(["u-1", "u-2"]);
    expect(topPosts()).toHaveLength(2);
    expect(
      eventsMock.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []),
    ).toHaveLength(2);
  });

  it("a tick queues the due re-check; the queue's message at its instant alerts; delivered twice, nothing twice", async () => {
    // Prepare: an agent whose threshold falls 3 s from now.
    const tableName = await dynamo.createAlertTable();
    const now = Date.now();
    const since = Math.floor((now - 15 * MIN + 3_000) / 1000) * 1000;
    sim.setAgents([
      {
        userId: "u-9",
        firstName: "Soon",
        lastName: "Due",
        email: "soon@example.com",
        segments: [{ primaryStatus: "AWAY", secondaryStatus: "LUNCH", startMs: since, endMs: null }],
      },
    ]);
    const queue = new RecordingDueQueue();
    const handler = scheduledCheck(tableName, quietMetrics(), queue);
    try {
      // Act 1: the tick sees the agent not yet due and queues its instant.
      const tick = await handler({ source: "agent-status-alerts.schedule" }, context);
      expect(tick.transitions).toEqual([]);
      expect(tick.due).toEqual([
        {
          userId: "u-9",
          email: "soon@example.com",
          at: new Date(since + 15 * MIN).toISOString().replace(".000", ""),
          kind: "fire",
        },
      ]);
      expect(queue.groups.map((g) => g.atMs)).toEqual([since + 15 * MIN]);

      // Act 2: SQS hands the message over at its instant (DelaySeconds); then once more (at least once).
      await new Promise((r) => setTimeout(r, Math.max(0, since + 15 * MIN - Date.now())));
      const first = (await handler(sqsEvent(queue.groups), context)) as RunSummary;
      const again = (await handler(sqsEvent(queue.groups), context)) as RunSummary;

      // Assess: fired once, posted once.
      expect(first.transitions.map((t) => [t.type, t.userId])).toEqual([["fired", "u-9"]]);
      expect(again.transitions).toEqual([]);
      expect(topPosts()).toHaveLength(1);
      expect(sim.requests.at(-1)?.body).toMatchObject({ filter: { agents: ["soon@example.com"] } });
    } finally {
      sim.setAgents(center(Date.now()));
    }
  });

  it("a due re-check reads its agents' records by id: the nudged record the tick left is the one that fires", async () => {
    // Prepare: an agent nudged at 10 minutes whose threshold (15) falls 3 s from now; a second agent's
    // open alert elsewhere in the table, which the re-check has no reason to read.
    const tableName = await dynamo.createAlertTable();
    const now = Date.now();
    const since = Math.floor((now - 15 * MIN + 3_000) / 1000) * 1000;
    const lunch = (userId: string, email: string, startMs: number) => ({
      userId,
      firstName: "Agent",
      lastName: userId,
      email,
      segments: [{ primaryStatus: "AWAY", secondaryStatus: "LUNCH", startMs, endMs: null }],
    });
    sim.setAgents([
      lunch("u-9", "soon@example.com", since),
      lunch("u-8", "long@example.com", now - 40 * MIN),
    ]);
    const queue = new RecordingDueQueue();
    const raw = { ...rawConfig, nudge: "10m" };
    const handler = scheduledCheck(tableName, quietMetrics(), queue, raw);
    try {
      // Act 1: the tick nudges u-9, fires u-8, and queues u-9's alert with the record it holds.
      const tick = (await handler({ source: "agent-status-alerts.schedule" }, context)) as RunSummary;
      const types = tick.transitions.map((t) => [t.type, t.userId]);
      expect(types).toEqual(
        expect.arrayContaining([
          ["nudged", "u-9"],
          ["fired", "u-8"],
        ]),
      );
      const group = queue.groups.find((g) => g.agents.some((a) => a.userId === "u-9" && a.kind === "fire"));
      const soon = group?.agents.find((a) => a.userId === "u-9");
      expect(soon?.recordIds).toHaveLength(1);
      expect(soon?.recordIds?.[0]).toMatch(/^u-9#/);

      // Act 2: the re-check at its instant.
      await new Promise((r) => setTimeout(r, Math.max(0, since + 15 * MIN - Date.now())));
      const due = (await handler(sqsEvent(group ? [group] : []), context)) as RunSummary;

      // Assess: the nudged record became the alert (read by id: a run that did not see it would find
      // its claim taken and send nothing); u-8 was neither read nor decided by the re-check.
      expect(due.transitions.map((t) => [t.type, t.userId])).toEqual([["fired", "u-9"]]);
      expect(due.firing.map((f) => f.userId)).toEqual(["u-9"]);
    } finally {
      sim.setAgents(center(Date.now()));
    }
  });

  it("with slack.board, a tick draws the board once and keeps it in #board#<channel>; a due run leaves it", async () => {
    const tableName = await dynamo.createAlertTable();
    const raw = { ...rawConfig, slack: { channel: "C-OPS", board: true } };
    const queue = new RecordingDueQueue();
    const handler = scheduledCheck(tableName, quietMetrics(), queue, raw);
    const boardCalls = () => slack.calls.filter((c) => String(c.args.text ?? "").startsWith("Now stuck:"));

    const tick = await handler({ source: "agent-status-alerts.schedule" }, context);
    expect(tick.boards).toEqual([{ channel: "C-OPS", ts: expect.any(String), stuck: 2, comingUp: 0 }]);
    expect(boardCalls().map((c) => c.method)).toEqual(["chat.postMessage"]);
    expect(String(boardCalls()[0]?.args.text)).toMatch(
      /^Now stuck: 2 of 3 agents \(Long break 1, Stuck in BUSY 1\) · as of \d\d:\d\d$/,
    );
    const items = await dynamo.client.send(new ScanCommand({ TableName: tableName }));
    const board = items.Items?.find((i) => i.id === "#board#C-OPS");
    expect(board).toMatchObject({ channel: "C-OPS", ts: tick.boards?.[0]?.ts });

    // The next tick within the minute: no board call; a due re-check run has no board at all.
    const again = await handler({ source: "agent-status-alerts.schedule" }, context);
    expect(again.boards?.[0]?.ts).toBe(tick.boards?.[0]?.ts);
    const due = await handler(
      sqsEvent([
        {
          atMs: Date.now(),
          agents: [{ userId: "u-1", email: "agent1@example.com", atMs: Date.now(), kind: "remind" }],
        },
      ]),
      context,
    );
    expect(due.boards).toBeUndefined();
    expect(boardCalls()).toHaveLength(1);
  });

  it("re-reads the secret once after a 401 (rotation) and then succeeds", async () => {
    const tableName = await dynamo.createAlertTable();
    secretsMock
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: secretString("an-old-rotated-secret") })
      .resolves({ SecretString: secretString() });

    const summary = await scheduledCheck(tableName)({}, context);

    expect(summary.checkedAgents).toBe(3);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it("fails the invocation, logging SmartAssist as the cause, when the credentials stay refused", async () => {
    const tableName = await dynamo.createAlertTable();
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: secretString("still-wrong-secret") });
    const metrics = quietMetrics();
    const added = vi.spyOn(metrics, "addMetric");
    const logger = new Logger({ serviceName: "test", logLevel: "CRITICAL" });
    const logged = vi.spyOn(logger, "error");

    const error = await scheduledCheck(
      tableName,
      metrics,
      undefined,
      rawConfig,
      logger,
    )({}, context).catch((e: unknown) => e);

    expect((error as Error).message).toMatch(/refused the credentials/);
    expect((error as Error).message).not.toContain("still-wrong-secret");
    // The Errors alarm and the failure queue see the failed invocation; no custom metric is needed.
    expect(logged).toHaveBeenCalledWith("run failed", expect.objectContaining({ cause: "smartassist" }));
    expect(added).not.toHaveBeenCalled();
    expect(metrics.publishStoredMetrics).not.toHaveBeenCalled();
    expect(topPosts()).toHaveLength(0);
  });

  it("emits no custom metric on a tick and logs one bounded run summary line with the counts", async () => {
    const tableName = await dynamo.createAlertTable();
    const metrics = quietMetrics();
    const added = vi.spyOn(metrics, "addMetric");
    const logger = new Logger({ serviceName: "test", logLevel: "CRITICAL" });
    const logged = vi.spyOn(logger, "info");

    await scheduledCheck(tableName, metrics, undefined, rawConfig, logger)({}, context);

    expect(added).not.toHaveBeenCalled();
    expect(metrics.publishStoredMetrics).not.toHaveBeenCalled();
    const line = logged.mock.calls.find((c) => c[0] === "run summary")?.[1] as Record<string, unknown>;
    expect(line).toMatchObject({
      trigger: "schedule",
      summary: { checkedAgents: 3 },
      counts: { firing: 2, skipped: 0, failedPages: 0, transitions: { fired: 2, resolved: 0 } },
      truncated: false,
      latencyMs: { count: expect.any(Number) },
    });
  });

  it("on a due re-check run emits only DueChecks and DueLatenessSeconds, and logs trigger due", async () => {
    const tableName = await dynamo.createAlertTable();
    const metrics = quietMetrics();
    const added = vi.spyOn(metrics, "addMetric");
    const logger = new Logger({ serviceName: "test", logLevel: "CRITICAL" });
    const logged = vi.spyOn(logger, "info");
    const atMs = Date.now() - 2_000;

    await scheduledCheck(
      tableName,
      metrics,
      new RecordingDueQueue(),
      rawConfig,
      logger,
    )(
      sqsEvent([{ atMs, agents: [{ userId: "u-1", email: "agent1@example.com", atMs, kind: "remind" }] }]),
      context,
    );

    expect([...new Set(added.mock.calls.map((c) => c[0]))].sort()).toEqual([
      "DueChecks",
      "DueLatenessSeconds",
    ]);
    expect(added).toHaveBeenCalledWith("DueChecks", "Count", 1);
    expect(metrics.publishStoredMetrics).toHaveBeenCalledTimes(1);
    const line = logged.mock.calls.find((c) => c[0] === "run summary")?.[1] as Record<string, unknown>;
    expect(line).toMatchObject({ trigger: "due", due: { failed: 0 } });
  });
});
