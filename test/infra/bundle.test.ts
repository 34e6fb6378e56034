/**
 * The Lambda bundle as `cdk deploy` ships it (one synthesis, the real NodejsFunction bundling): it
 * loads on its own, with no node_modules anywhere above it, in the environment the stack gives the
 * function, exports the handler, carries the config, and carries no secret; invoked as Lambda would,
 * against loopback peers (the SmartAssist simulator, dynalite, Secrets Manager, EventBridge, Slack),
 * its closing log line stays under 64 KB with every agent of a large center alerting, two containers
 * invoked with one schedule event at once post each alert once, and a tick's due re-check, sent to an
 * SQS peer and handed back as the event source mapping would (twice), fires once.
 */
import { spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngSize } from "../../functions/adapters/chart/png.js";
import { DynamoDbAlertStore } from "../../functions/adapters/state/dynamodb-store.js";
import type { DigestResult } from "../../functions/app/digest.js";
import {
  BUNDLE_TEST_CONFIG,
  copyBundleOutsideRepo,
  type LambdaBundle,
  lambdaEnvironment,
  nodeModulesAbove,
  probeImport,
  startWarmBundle,
  synthesizeLambdaBundle,
} from "../bench/lambda-bundle.js";
import {
  bundleEnv,
  bundleRep,
  closeBundleWorld,
  SCHEDULE_EVENT,
  startBundleWorld,
} from "../bench/overlap-procs.js";
import { type CliResult, collect } from "../e2e/run-cli.js";
import {
  type SqsMessage,
  type SqsPeer,
  startEventBridgePeer,
  startSecretsPeer,
  startSqsPeer,
} from "../fakes/aws-peers.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";

let bundle: LambdaBundle;
let dir: string;
let code: string;
/** The SmartAssist simulator the bundle's compiled-in config points at (started before the synthesis). */
let sim: Simulator;

/** The bundle config, with the simulator as the host and a pace that does not hold the test up. */
const bundleConfig = (host: string) => ({
  ...BUNDLE_TEST_CONFIG,
  smartassist: { ...BUNDLE_TEST_CONFIG.smartassist, host, requestsPerMinute: 100_000 },
});

beforeAll(async () => {
  sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    accountId: BUNDLE_TEST_CONFIG.smartassist.accountId,
    iId: BUNDLE_TEST_CONFIG.smartassist.iId,
    agents: [],
    rateLimitPerMinute: 1e9,
  });
  bundle = synthesizeLambdaBundle(bundleConfig(sim.url));
  dir = copyBundleOutsideRepo(bundle);
  code = readFileSync(join(dir, bundle.entryFile), "utf8");
}, 180_000);

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (bundle) rmSync(bundle.outdir, { recursive: true, force: true });
  await sim?.close();
});

describe("the Lambda bundle", () => {
  it("is the function's asset: index.mjs, the handler the template names", () => {
    expect(bundle.entryFile).toBe("index.mjs");
    expect(bundle.handlerName).toBe("handler");
    expect(Object.keys(bundle.environment)).toEqual(
      expect.arrayContaining(["TABLE_NAME", "SECRET_ID", "EVENT_BUS_NAME"]),
    );
  });

  it("loads in a fresh node with no node_modules reachable, and exports a handler function", () => {
    expect(nodeModulesAbove(dir)).toEqual([]);
    const probe = probeImport(dir, bundle.entryFile, bundle.handlerName, lambdaEnvironment(bundle));
    expect(probe.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    expect(probe.status, probe.stderr).toBe(0);
    expect(probe.handlerType).toBe("function");
    expect(probe.exports).toContain("handler");
  }, 60_000);

  it("fails at init, naming the variable, when the stack's environment is missing", () => {
    const { TABLE_NAME: _table, ...withoutTable } = lambdaEnvironment(bundle);
    const probe = probeImport(dir, bundle.entryFile, bundle.handlerName, withoutTable);
    expect(probe.status).not.toBe(0);
    expect(probe.stderr).toContain("TABLE_NAME");
  }, 60_000);

  it("carries the config compiled in (its accountId, its host)", () => {
    expect(code).toContain(BUNDLE_TEST_CONFIG.smartassist.accountId);
    expect(code).toContain(sim.url);
  });

  it("carries no secret: no credentials, tokens, keys or the test tools' demo secret", () => {
    const suspicious = [
      /xox[abposr]-[0-9A-Za-z-]{10,}/, // Slack tokens
      /\bAKIA[0-9A-Z]{16}\b/, // AWS access key ids
      /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
      /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\./, // a signed JWT
    ];
    for (const pattern of suspicious) expect(code).not.toMatch(pattern);
    // The simulator and its demo credentials are test tools: none of them is bundled.
    expect(code).not.toContain(DEMO_CREDENTIALS.clientSecret);
    // Nothing secret from the environment the bundle was built in.
    for (const name of ["SMARTASSIST_CLIENT_SECRET", "SLACK_BOT_TOKEN", "AWS_SECRET_ACCESS_KEY"]) {
      const value = process.env[name];
      if (value && value.length >= 8) expect(code).not.toContain(value);
    }
  });
});

describe("the digest function's bundle", () => {
  let digestDir: string;
  let dynamo: LocalDynamo;
  let slack: FakeSlack;
  let secrets: Server;

  beforeAll(async () => {
    if (!bundle.digest) throw new Error("the bundle config has a digest: the stack must bundle it");
    digestDir = copyBundleOutsideRepo(bundle.digest);
    dynamo = await startDynalite();
    slack = await startFakeSlack({ token: "xoxb-bundle-digest" });
    // Secrets Manager's JSON protocol, the one call the function makes: enough of a peer for the SDK.
    secrets = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
        res.end(
          JSON.stringify({
            ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:asa-AbCdEf",
            Name: "asa",
            SecretString: JSON.stringify({
              clientId: "cs-bundle",
              clientSecret: "bundle-secret",
              slackBotToken: "xoxb-bundle-digest",
              slackSigningSecret: "bundle-signing",
            }),
          }),
        );
      });
    });
    await new Promise<void>((resolve) => secrets.listen(0, "127.0.0.1", resolve));
  }, 60_000);

  afterAll(async () => {
    if (digestDir) rmSync(digestDir, { recursive: true, force: true });
    await Promise.all([dynamo?.close(), slack?.close(), new Promise((r) => secrets?.close(r))]);
  });

  it("ships the renderer's wasm and font beside index.mjs, and the check bundle carries none of it", () => {
    // Assess
    expect(readdirSync(digestDir).sort()).toEqual(
      ["Inter-Regular.ttf", "Inter-SemiBold.ttf", "index.mjs", "index.mjs.map", "resvg.wasm"].sort(),
    );
    expect(readdirSync(bundle.assetDir).filter((f) => /\.(wasm|ttf)$/.test(f))).toEqual([]);
    expect(code).not.toContain("resvg");
    expect(code).not.toContain("Minutes past threshold");
  });

  it("loads with no node_modules beside it and posts a digest with a rendered PNG", async () => {
    // Prepare: one open alert on today's local date (the function reads the real clock)
    expect(nodeModulesAbove(digestDir)).toEqual([]);
    const tableName = await dynamo.createAlertTable();
    const nowMs = Date.now();
    const store = new DynamoDbAlertStore({ tableName, client: dynamo.client, nowMs });
    await store.put(
      {
        id: `u-1#Long break#${new Date(nowMs - 1000).toISOString()}`,
        userId: "u-1",
        email: "a@example.com",
        name: "Agent A",
        ruleKey: "Long break",
        ruleName: "Long break",
        primaryStatus: "AWAY",
        secondaryStatus: "LUNCH",
        sinceMs: nowMs - 1000,
        thresholdSeconds: 0,
        severity: "warning",
        state: "open",
        firedMs: nowMs - 1000,
        lastNotifiedMs: nowMs - 1000,
        channel: "C0123456789",
        version: 1,
        expiresAt: Math.floor(nowMs / 1000) + 3600,
      },
      null,
    );
    const { port } = secrets.address() as AddressInfo;
    const env = {
      ...lambdaEnvironment(bundle.digest as LambdaBundle),
      TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${port}`,
      SLACK_API_URL: slack.url,
    };
    // Act: a fresh node, as Lambda starts it, invoking the handler once
    const run = await runNode(
      digestDir,
      `const mod = await import("./index.mjs"); const r = await mod.handler({}); process.stdout.write("\\n" + JSON.stringify(r) + "\\n");`,
      env,
    );
    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    const result = JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as DigestResult;
    expect(result.channels).toEqual([{ channel: "C0123456789", alerts: 1, posted: true, chart: "uploaded" }]);
    const [file] = slack.files();
    expect(pngSize(file?.bytes ?? new Uint8Array())).toEqual({ width: 1200, height: 600 });
    expect(run.stdout).not.toContain("xoxb-bundle-digest");
  }, 120_000);
});

describe("the check function's bundle, invoked as Lambda would", () => {
  it("keeps every log line under 64 KB and its result under 1 MB with 12,350 agents all alerting", async () => {
    // Prepare: 12,350 agents (the largest center one 5-minute run reads at the default pace), each on a
    // lunch that began an hour ago: every one fires in this run
    const nowMs = Date.now();
    const agents: SimAgent[] = Array.from({ length: 12_350 }, (_, i) => ({
      userId: `u-${String(i).padStart(5, "0")}-3f2a9c7e`,
      firstName: `Firstname${i}`,
      lastName: `Lastname-Of-Agent-${i}`,
      email: `firstname.lastname.${i}@contact-center.example.com`,
      segments: [
        {
          primaryStatus: "AVAILABLE",
          secondaryStatus: "AVAILABLE",
          startMs: nowMs - 2 * 3_600_000,
          endMs: nowMs - 3_600_000,
        },
        { primaryStatus: "AWAY", secondaryStatus: "LUNCH", startMs: nowMs - 3_600_000, endMs: null },
      ],
    }));
    sim.setAgents(agents);
    const [dynamo, secrets, events] = await Promise.all([
      startDynalite(),
      // A bot token the fake Slack does not know: every Slack call is refused at once, so the run's
      // delivery does not pace thousands of posts (this test is about what the run logs).
      startSecretsPeer({
        clientId: DEMO_CREDENTIALS.clientId,
        clientSecret: DEMO_CREDENTIALS.clientSecret,
        slackBotToken: "xoxb-not-this-workspace",
        slackSigningSecret: "bundle-signing",
      }),
      startEventBridgePeer(),
    ]);
    const slack = await startFakeSlack({ token: "xoxb-bundle-check" });
    try {
      const tableName = await dynamo.createAlertTable();
      const env = {
        ...lambdaEnvironment(bundle),
        TABLE_NAME: tableName,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
        AWS_ENDPOINT_URL_EVENTBRIDGE: events.endpoint,
        SLACK_API_URL: slack.url,
      };
      // Act: a fresh node, as Lambda starts it, invoking the handler once with a Lambda context
      const run = await runNode(
        dir,
        `const mod = await import("./index.mjs");
         const started = Date.now();
         const context = { getRemainingTimeInMillis: () => 300000 - (Date.now() - started) };
         const r = await mod.handler({ source: "aws.scheduler" }, context);
         process.stdout.write("\\n" + JSON.stringify({ resultBytes: Buffer.byteLength(JSON.stringify(r)), firing: r.firing.count ?? r.firing.length }) + "\\n");`,
        env,
      );
      // Assess
      expect(run.code, run.stderr.slice(-2_000)).toBe(0);
      const lines = run.stdout.split("\n").filter((l) => l.trim() !== "");
      const sizes = lines.map((l) => Buffer.byteLength(l, "utf8"));
      expect(Math.max(...sizes)).toBeLessThanOrEqual(64_000);
      const summaryLine = lines.find((l) => l.includes('"message":"run summary"'));
      expect(summaryLine).toBeDefined();
      const logged = JSON.parse(summaryLine ?? "{}") as {
        summary: {
          checkedAgents: number;
          firing: { count: number; listed: number };
          transitions: { count: number };
        };
        counts: { firing: number; transitions: { fired: number } };
      };
      expect(logged.summary.checkedAgents).toBe(12_350);
      expect(logged.counts).toMatchObject({ firing: 12_350, transitions: { fired: 12_350 } });
      expect(logged.summary.firing).toMatchObject({ count: 12_350 });
      expect(logged.summary.firing.listed).toBeGreaterThan(0);
      expect(logged.summary.transitions).toMatchObject({ count: 12_350 });
      const result = JSON.parse(lines.at(-1) ?? "{}") as { resultBytes: number; firing: number };
      expect(result.resultBytes).toBeLessThanOrEqual(1_000_000);
      expect(result.firing).toBe(12_350);
      // No custom metric is emitted (no EMF document on stdout).
      expect(lines.some((l) => l.includes('"_aws"'))).toBe(false);
      expect(events.entries).toBe(12_350);
    } finally {
      await Promise.all([dynamo.close(), secrets.close(), events.close(), slack.close()]);
    }
  }, 240_000);
});

describe("the check function's bundle, one schedule event delivered twice", () => {
  // At once, both runs usually read before either claims; a second apart, the second reads while the
  // first is still posting (three posts of 800 ms): without leases it would post the pending alerts again.
  it.each([
    { when: "at once", runs: 2, apartMs: 0 },
    { when: "a second apart", runs: 2, apartMs: 1_000 },
  ])(
    "two containers invoked $when on one table post each of 3 alerts once, and the next run sends nothing",
    async (shape) => {
      // Prepare: two fresh containers (node processes) of this bundle, a fresh dynalite table, three
      // agents past the threshold, Slack posts taking 800 ms (the bench: test/bench/overlap-procs.ts)
      const world = await startBundleWorld({ bundle, dir, sim, channel: BUNDLE_TEST_CONFIG.slack.channel });
      try {
        // Act: both invoked with the schedule's event, then one of them again
        const rep = await bundleRep(world, shape, 800);

        // Assess: one post per alert; the table holds exactly those messages and no lease
        expect(rep.failedRuns).toEqual([]);
        expect(rep).toMatchObject({ posts: 3, duplicates: 0, lost: 0, followUpSends: 0 });
        expect(rep.stateProblems).toEqual([]);
        expect(rep.firedBy.reduce((a, b) => a + b, 0)).toBe(3);
      } finally {
        await closeBundleWorld(world);
      }
    },
    90_000,
  );
});

describe("the check function's bundle, a tick and then the SQS messages it sent", () => {
  it("queues the agent's instant with DelaySeconds; the message, delivered at its instant and again, fires once", async () => {
    // Prepare: a warm container of the bundle with a due queue on an SQS peer, and an agent on lunch
    // whose 15-minute threshold falls 20 s after the tick.
    const world = await startBundleWorld({ bundle, dir, sim, channel: BUNDLE_TEST_CONFIG.slack.channel });
    const sqs = await startSqsPeer();
    const tableName = await world.dynamo.createAlertTable();
    const env = {
      ...bundleEnv(world, tableName),
      DUE_QUEUE_URL: sqs.queueUrl,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    };
    const tickMs = Math.floor(Date.now() / 1000) * 1000;
    const dueMs = tickMs + 20_000;
    sim.setAgents([
      {
        userId: "u-due",
        firstName: "Soon",
        lastName: "Due",
        email: "soon@example.com",
        segments: [
          { primaryStatus: "AWAY", secondaryStatus: "LUNCH", startMs: dueMs - 15 * 60_000, endMs: null },
        ],
      },
    ]);
    const container = await startWarmBundle(bundle, dir, env);
    const posts = () =>
      world.slack.calls.filter(
        (c) => c.method === "chat.postMessage" && (c.response as { ok: boolean }).ok && !c.args.thread_ts,
      );
    try {
      // Act 1: the schedule's tick.
      const tick = await container.invoke(tickMs, SCHEDULE_EVENT, 60_000);

      // Assess 1: nothing posted yet; one message queued, delayed to the instant (never early).
      expect(tick.error).toBeUndefined();
      expect(summaryOf(tick.lines)).toMatchObject({ trigger: "schedule" });
      expect(posts()).toHaveLength(0);
      expect(sqs.messages).toHaveLength(1);
      const message = sqs.messages[0] as SqsMessage;
      expect(message.delaySeconds).toBeGreaterThanOrEqual(Math.ceil((dueMs - message.sentMs) / 1000));
      expect(message.delaySeconds).toBeLessThanOrEqual(21);

      // Act 2: the event source mapping hands the message over at its instant, then once more (SQS
      // delivers at least once: a second receive after a lost reply).
      const first = await container.invoke(dueMs, sqsEventOf(sqs, [message], 1), 60_000);
      const again = await container.invoke(dueMs + 2_000, sqsEventOf(sqs, [message], 2), 60_000);

      // Assess 2: the due run fired and posted the alert; the second delivery changed nothing.
      expect(first.error).toBeUndefined();
      expect(again.error).toBeUndefined();
      expect(summaryOf(first.lines)).toMatchObject({ trigger: "due" });
      expect(firedIn(first.lines)).toBe(1);
      expect(firedIn(again.lines)).toBe(0);
      expect(posts()).toHaveLength(1);
      const dueRead = sim.requests.at(-1)?.body as { filter?: { agents?: string[] } } | undefined;
      expect(dueRead?.filter?.agents).toEqual(["soon@example.com"]);
    } finally {
      await container.close();
      await sqs.close();
      await closeBundleWorld(world);
    }
  }, 90_000);
});

/** The SQS event Lambda's event source mapping hands the function for these messages. */
function sqsEventOf(sqs: SqsPeer, messages: SqsMessage[], receiveCount: number) {
  return {
    Records: messages.map((m) => ({
      messageId: m.messageId,
      receiptHandle: `handle-${m.messageId}-${receiveCount}`,
      body: m.body,
      attributes: {
        ApproximateReceiveCount: String(receiveCount),
        SentTimestamp: String(m.sentMs),
        ApproximateFirstReceiveTimestamp: String(m.visibleMs),
      },
      messageAttributes: {},
      md5OfBody: m.md5OfBody,
      eventSource: "aws:sqs",
      eventSourceARN: sqs.queueArn,
      awsRegion: "us-east-1",
    })),
  };
}

/** The invocation's `run summary` log line. */
function summaryOf(lines: readonly string[]): Record<string, unknown> | undefined {
  const line = lines.find((l) => l.includes('"message":"run summary"'));
  return line === undefined ? undefined : (JSON.parse(line) as Record<string, unknown>);
}

/** Alerts the invocation fired, from its summary's counts (a run without a summary line fails the test). */
function firedIn(lines: readonly string[]): number {
  const summary = summaryOf(lines);
  if (summary === undefined) throw new Error(`no run summary line in:\n${lines.join("\n")}`);
  return (summary.counts as { transitions?: { fired?: number } } | undefined)?.transitions?.fired ?? 0;
}

/** Runs an ES module snippet in a fresh node in `dir` with exactly `env`, without blocking this process. */
function runNode(dir: string, script: string, env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
  });
  return collect(child);
}
