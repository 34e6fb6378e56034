/**
 * The digest use case and its Lambda run against real protocol peers: DynamoDB on dynalite (history
 * index and open alerts), the fake Slack on loopback driven by the real @slack/web-api (chat.postMessage,
 * files.uploadV2's three steps), Secrets Manager mocked.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { pngSize, renderDigestChart } from "../../functions/adapters/chart/png.js";
import { SecretsManagerSecrets } from "../../functions/adapters/secrets/secrets.js";
import { SlackDigestPublisher } from "../../functions/adapters/slack/digest-publisher.js";
import { DynamoDbAlertStore } from "../../functions/adapters/state/dynamodb-store.js";
import { createScheduledDigest, postDigest } from "../../functions/app/digest.js";
import type { Log } from "../../functions/app/logger.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { parseConfig } from "../../functions/domain/config.js";
import { historyEntryFor } from "../../functions/domain/history.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";

const TOKEN = "xoxb-digest-test";
const ZONE = "Asia/Kolkata";
const local = (hhmm: string) => Date.parse(`2025-06-10T${hhmm}:00+05:30`);
const NOW = local("18:30");
const MIN = 60_000;
const { config } = parseConfig(
  {
    timezone: ZONE,
    smartassist: { host: "https://platform.kore.ai", accountId: "acc", iId: "st-1" },
    rules: [
      { name: "Long break", secondaryStatus: ["LUNCH"], threshold: "15m" },
      { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m" },
    ],
    slack: { channel: "C0DEFAULT1" },
    teams: [{ name: "Tier 2", agents: ["*@tier2.example.com"], channel: "C0TIER2XX" }],
    digest: { at: "18:30", days: ["mon", "tue", "wed", "thu", "fri"] },
  },
  "digest test",
);

let dynamo: LocalDynamo;
let slack: FakeSlack;
let serial = 0;

function record(start: string, minutes: number | null, overrides: Partial<AlertRecord> = {}): AlertRecord {
  serial++;
  const sinceMs = local(start);
  const base: AlertRecord = {
    id: `u-${serial}#Long break#${new Date(sinceMs).toISOString()}`,
    userId: `u-${serial}`,
    email: `agent${serial}@example.com`,
    name: `Agent ${serial}`,
    ruleKey: "Long break",
    ruleName: "Long break",
    primaryStatus: "AWAY",
    secondaryStatus: "LUNCH",
    sinceMs,
    thresholdSeconds: 900,
    severity: "warning",
    state: minutes === null ? "open" : "resolved",
    firedMs: sinceMs + 15 * MIN,
    lastNotifiedMs: sinceMs + 15 * MIN,
    channel: "C0DEFAULT1",
    version: 2,
    expiresAt: Math.floor(NOW / 1000) + 86_400,
    ...overrides,
  };
  if (minutes !== null) base.endedMs = sinceMs + minutes * MIN;
  return base;
}

/** A table with a day: two ended lunches (40 and 30 min) and an open BUSY since 17:30 (60 min by 18:30). */
async function tableWithADay(): Promise<DynamoDbAlertStore> {
  const store = new DynamoDbAlertStore({
    tableName: await dynamo.createAlertTable(),
    client: dynamo.client,
    nowMs: NOW,
  });
  for (const r of [
    record("09:00", 40, { acknowledgedBy: "U0ACK", acknowledgedMs: local("09:19") }),
    record("13:10", 30),
  ])
    await store.record(historyEntryFor(r, ZONE, 35 * 86_400));
  await store.put(
    record("17:30", null, {
      ruleKey: "Stuck in BUSY",
      ruleName: "Stuck in BUSY",
      primaryStatus: "BUSY",
      secondaryStatus: "BUSY",
      thresholdSeconds: 1800,
    }),
    null,
  );
  return store;
}

function quietLog(): Log & { warnings: string[] } {
  const warnings: string[] = [];
  return {
    debug: () => {},
    info: () => {},
    warn: (m) => warnings.push(m),
    error: (m) => warnings.push(m),
    warnings,
  };
}

const publisher = () =>
  new SlackDigestPublisher({ token: TOKEN, apiUrl: slack.url, nowMs: NOW, timezone: ZONE });

beforeAll(async () => {
  dynamo = await startDynalite();
  slack = await startFakeSlack({ token: TOKEN });
});

afterAll(async () => {
  await Promise.all([dynamo.close(), slack.close()]);
});

beforeEach(() => {
  slack.calls.length = 0;
});

describe("postDigest", () => {
  it("posts a summary per channel with its chart, and one line for a quiet channel", async () => {
    // Prepare
    const store = await tableWithADay();
    const filesBefore = slack.files().length;
    // Act
    const result = await postDigest(
      config,
      { store, publisher: publisher(), renderChart: renderDigestChart, log: quietLog() },
      NOW,
    );
    // Assess
    expect(result).toEqual({
      date: "2025-06-10",
      channels: [
        { channel: "C0DEFAULT1", alerts: 3, posted: true, chart: "uploaded" },
        { channel: "C0TIER2XX", alerts: 0, posted: true, chart: "skipped" },
      ],
      postFailures: 0,
      chartFailures: 0,
    });
    const posts = slack.messages();
    expect(posts.map((m) => m.channel)).toEqual(["C0DEFAULT1", "C0TIER2XX"]);
    // 25 + 15 past threshold from history, 30 from the open BUSY: 70 minutes.
    expect(posts[0]?.text).toBe(
      "Shift digest — Tuesday 2025-06-10: 3 alerts, 3 agents, 70 min past threshold.",
    );
    expect(JSON.stringify(posts[0]?.blocks)).toContain("Median time to acknowledge*\\n4 min");
    expect(posts[1]?.text).toContain("a quiet day");
    const methods = slack.calls.map((c) => c.method);
    expect(methods).toEqual([
      "chat.postMessage",
      "files.getUploadURLExternal",
      "upload",
      "files.completeUploadExternal",
      "chat.postMessage",
    ]);
    const [file] = slack.files().slice(filesBefore);
    expect(file).toMatchObject({ filename: "digest-2025-06-10.png", completed: true, channel: "C0DEFAULT1" });
    expect(file?.bytes?.length).toBe(file?.length);
    expect(pngSize(file?.bytes ?? new Uint8Array())).toEqual({ width: 1200, height: 600 });
  }, 60_000);

  it("leaves the text posted and says so when Slack's upload fails", async () => {
    // Prepare
    const store = await tableWithADay();
    const log = quietLog();
    // The client retries twice: the upload URL fails every time.
    slack.failNext("upload", { status: 500 }, { status: 500 }, { status: 500 });
    // Act
    const result = await postDigest(
      config,
      { store, publisher: publisher(), renderChart: renderDigestChart, log },
      NOW,
    );
    // Assess
    expect(result.channels[0]).toMatchObject({ posted: true, chart: "failed" });
    expect(result.chartFailures).toBe(1);
    expect(slack.messages()[0]?.text).toContain("3 alerts");
    expect(log.warnings.join("\n")).toContain("could not be uploaded");
    expect(slack.calls.some((c) => c.method === "files.completeUploadExternal")).toBe(false);
  }, 60_000);

  it("never lets a renderer failure block the text digest", async () => {
    // Prepare
    const store = await tableWithADay();
    const log = quietLog();
    const broken = async () => {
      throw new Error("wasm trap");
    };
    // Act
    const result = await postDigest(config, { store, publisher: publisher(), renderChart: broken, log }, NOW);
    // Assess
    expect(result.channels.map((c) => [c.posted, c.chart])).toEqual([
      [true, "failed"],
      [true, "skipped"],
    ]);
    expect(slack.calls.filter((c) => c.method === "chat.postMessage")).toHaveLength(2);
    expect(log.warnings.join("\n")).toContain("could not be drawn");
  });

  it("reports a table without history (older data) as a quiet day", async () => {
    // Prepare
    const store = new DynamoDbAlertStore({
      tableName: await dynamo.createAlertTable(),
      client: dynamo.client,
      nowMs: NOW,
    });
    // Act
    const result = await postDigest(
      config,
      { store, publisher: publisher(), renderChart: renderDigestChart, log: quietLog() },
      NOW,
    );
    // Assess
    expect(result.channels.every((c) => c.posted && c.alerts === 0)).toBe(true);
    expect(slack.messages().every((m) => m.text.includes("a quiet day"))).toBe(true);
  });
});

describe("createScheduledDigest (the Lambda's run)", () => {
  const secrets = mockClient(SecretsManagerClient);
  afterAll(() => secrets.restore());

  it("reads the bot token from the secret, posts, and counts chart failures in its log line, not a metric", async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        clientId: "cs-x",
        clientSecret: "s",
        slackBotToken: TOKEN,
        slackSigningSecret: "x",
      }),
    });
    slack.failNext("files.getUploadURLExternal", { error: "not_allowed_token_type" });
    const store = await tableWithADay();
    const metrics = new Metrics({ namespace: "Test", serviceName: "test" });
    vi.spyOn(metrics, "publishStoredMetrics").mockImplementation(() => metrics);
    const added = vi.spyOn(metrics, "addMetric");
    const logger = new Logger({ serviceName: "test", logLevel: "SILENT" });
    const logged = vi.spyOn(logger, "info");
    vi.useFakeTimers({ toFake: ["Date"], now: NOW });
    try {
      const handler = createScheduledDigest({
        config,
        secrets: new SecretsManagerSecrets({
          secretId: "arn:aws:secretsmanager:us-east-1:111122223333:secret:asa-AbCdEf",
          client: new SecretsManagerClient({ region: "us-east-1" }),
        }),
        storeFor: () => store,
        publisherFor: (s, nowMs) =>
          new SlackDigestPublisher({ token: s.slackBotToken, apiUrl: slack.url, nowMs, timezone: ZONE }),
        renderChart: renderDigestChart,
        logger,
        metrics,
      });
      // Act
      const result = await handler({});
      // Assess
      expect(result.postFailures).toBe(0);
      expect(result.chartFailures).toBe(1);
      expect(added).not.toHaveBeenCalled();
      expect(metrics.publishStoredMetrics).not.toHaveBeenCalled();
      const line = logged.mock.calls.find((c) => c[0] === "digest summary")?.[1] as {
        digest: { chartFailures: number; channels: Array<{ posted: boolean }> };
      };
      expect(line.digest.chartFailures).toBe(1);
      expect(line.digest.channels.filter((c) => c.posted)).toHaveLength(2);
      expect(slack.calls.every((c) => c.token === undefined || c.token === TOKEN)).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  }, 60_000);
});
