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
import { SecretsManagerSecrets } from "../../functions/adapters/secrets/secrets.js";
import { slackNotifierFor } from "../../functions/adapters/slack/slack-notifier.js";
import { SmartAssistClient } from "../../functions/adapters/smartassist/client.js";
import { CURSOR_ID, DynamoDbAlertStore } from "../../functions/adapters/state/dynamodb-store.js";
import { createScheduledCheck } from "../../functions/app/scheduled-check.js";
import type { RunSummary } from "../../functions/domain/alert.js";
import { parseConfig } from "../../functions/domain/config.js";
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

function scheduledCheck(
  tableName: string,
  metrics = quietMetrics(),
  logger = new Logger({ serviceName: "test", logLevel: "CRITICAL" }),
) {
  const { config } = parseConfig(rawConfig, "test config");
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
    const alerts = items.Items?.filter((i) => i.id !== CURSOR_ID) ?? [];
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

    const error = await scheduledCheck(tableName, metrics, logger)({}, context).catch((e: unknown) => e);

    expect((error as Error).message).toMatch(/refused the credentials/);
    expect((error as Error).message).not.toContain("still-wrong-secret");
    // The Errors alarm and the failure queue see the failed invocation; no custom metric is needed.
    expect(logged).toHaveBeenCalledWith("run failed", expect.objectContaining({ cause: "smartassist" }));
    expect(added).not.toHaveBeenCalled();
    expect(metrics.publishStoredMetrics).not.toHaveBeenCalled();
    expect(topPosts()).toHaveLength(0);
  });

  it("emits no custom metric and logs one bounded run summary line with the counts", async () => {
    const tableName = await dynamo.createAlertTable();
    const metrics = quietMetrics();
    const added = vi.spyOn(metrics, "addMetric");
    const logger = new Logger({ serviceName: "test", logLevel: "CRITICAL" });
    const logged = vi.spyOn(logger, "info");

    await scheduledCheck(tableName, metrics, logger)({}, context);

    expect(added).not.toHaveBeenCalled();
    const line = logged.mock.calls.find((c) => c[0] === "run summary")?.[1] as Record<string, unknown>;
    expect(line).toMatchObject({
      summary: { checkedAgents: 3 },
      counts: { firing: 2, skipped: 0, failedPages: 0, transitions: { fired: 2, resolved: 0 } },
      truncated: false,
      latencyMs: { count: expect.any(Number) },
    });
  });
});
