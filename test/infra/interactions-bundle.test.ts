/**
 * The `interactions` bundle as `cdk deploy` ships it, invoked as Lambda would: the template's handler
 * and environment, a fresh `node` with no node_modules reachable, the real AWS SDK inside the bundle
 * pointed (AWS_ENDPOINT_URL_*) at local peers — dynalite for DynamoDB, a small loopback stand-in for
 * Secrets Manager and EventBridge — and a Function URL event carrying a signed click.
 */
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formBody } from "../../functions/adapters/slack/interaction-payload.js";
import { signSlackRequest } from "../../functions/adapters/slack/signature.js";
import { DynamoDbAlertStore } from "../../functions/adapters/state/dynamodb-store.js";
import {
  BUNDLE_TEST_CONFIG,
  copyBundleOutsideRepo,
  type LambdaBundle,
  lambdaEnvironment,
  nodeModulesAbove,
  synthesizeLambdaBundle,
} from "../bench/lambda-bundle.js";
import { collect } from "../e2e/run-cli.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { lunchAlert } from "../fixtures/lunch-alert.js";

const TOKEN = "xoxb-bundle-test";
const SIGNING_SECRET = "bundle-test-signing-secret";

let bundle: LambdaBundle;
let dir: string;
let dynamo: LocalDynamo;
let slack: FakeSlack;
let aws: Server;
let awsUrl: string;
const putEvents: unknown[] = [];

/** Secrets Manager and EventBridge speak AWS JSON 1.1 over POST /: just what the function calls. */
function startAwsStandIn(): Promise<Server> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => {
      body += d.toString();
    });
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const input = JSON.parse(body || "{}") as Record<string, unknown>;
      let out: unknown;
      if (target === "secretsmanager.GetSecretValue") {
        out = {
          ARN: String(input.SecretId),
          Name: "agent-status-alerts",
          SecretString: JSON.stringify({
            clientId: "cs-bundle",
            clientSecret: "smartassist-secret",
            slackBotToken: TOKEN,
            slackSigningSecret: SIGNING_SECRET,
          }),
        };
      } else if (target === "AWSEvents.PutEvents") {
        const entries = (input.Entries as unknown[]) ?? [];
        putEvents.push(...entries);
        out = { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `e-${i}` })) };
      } else {
        res.writeHead(400, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify({ __type: "UnknownOperationException" }));
        return;
      }
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(out));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

/** Runs `handler(event)` from the bundle in a fresh node, as Lambda's runtime would, and returns the result. */
async function invoke(
  env: Record<string, string>,
  event: unknown,
): Promise<{ result: unknown; stderr: string }> {
  const script = join(dir, "invoke.mjs");
  writeFileSync(
    script,
    `const { ${bundle.handlerName}: handler } = await import("./${bundle.entryFile}");
const event = JSON.parse(process.env.TEST_EVENT);
const result = await handler(event, { getRemainingTimeInMillis: () => 10000 });
process.stdout.write("\\n" + JSON.stringify(result) + "\\n");`,
  );
  const child = spawn(process.execPath, [script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env, TEST_EVENT: JSON.stringify(event) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { stdout, stderr } = await collect(child);
  const last = stdout.trim().split("\n").pop() ?? "null";
  try {
    return { result: JSON.parse(last), stderr };
  } catch {
    return { result: null, stderr: `${stderr}\n${stdout}` };
  }
}

function clickEvent(alertId: string, secret = SIGNING_SECRET) {
  const body = formBody({
    type: "block_actions",
    user: { id: "U0BUNDLE" },
    actions: [{ action_id: "alert.ack", block_id: alertId, type: "button" }],
  });
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    version: "2.0",
    rawPath: "/slack/interactions",
    rawQueryString: "",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signSlackRequest(secret, timestamp, body),
    },
    requestContext: { http: { method: "POST", path: "/slack/interactions" } },
    body: Buffer.from(body).toString("base64"),
    isBase64Encoded: true,
  };
}

beforeAll(async () => {
  [dynamo, slack, aws] = await Promise.all([
    startDynalite(),
    startFakeSlack({ token: TOKEN }),
    startAwsStandIn(),
  ]);
  awsUrl = `http://127.0.0.1:${(aws.address() as AddressInfo).port}`;
  bundle = synthesizeLambdaBundle(
    BUNDLE_TEST_CONFIG,
    undefined,
    (stack) => stack.interactionsFunction.function,
  );
  dir = copyBundleOutsideRepo(bundle);
}, 240_000);

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (bundle) rmSync(bundle.outdir, { recursive: true, force: true });
  await Promise.all([dynamo?.close(), slack?.close(), new Promise((r) => aws?.close(r))]);
});

describe("the interactions bundle, invoked as Lambda would", () => {
  it("acknowledges a signed click and refuses a forged one, with no node_modules beside it", async () => {
    // Prepare: an open alert in the table, posted to the fake Slack.
    expect(nodeModulesAbove(dir)).toEqual([]);
    const tableName = await dynamo.createAlertTable();
    const store = new DynamoDbAlertStore({ tableName, client: dynamo.client, nowMs: Date.now });
    const nowMs = Date.now();
    const posted = (await fetch(`${slack.url}chat.postMessage`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ channel: "C0123456789", text: "alert" }),
    }).then((r) => r.json())) as { ts: string };
    const alert = lunchAlert({
      sinceMs: nowMs - 20 * 60_000,
      firedMs: nowMs - 5 * 60_000,
      expiresAt: Math.floor(nowMs / 1000) + 3600,
      channel: "C0123456789",
      slackTs: posted.ts,
    });
    await store.put(alert, null);
    const env = {
      ...lambdaEnvironment(bundle),
      TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: awsUrl,
      AWS_ENDPOINT_URL_EVENTBRIDGE: awsUrl,
      SLACK_API_URL: slack.url,
      POWERTOOLS_METRICS_DISABLED: "true",
    };

    // Act
    const forged = await invoke(env, clickEvent(alert.id, "forged-secret"));
    const signed = await invoke(env, clickEvent(alert.id));

    // Assess
    expect(forged.result, forged.stderr).toMatchObject({ statusCode: 401 });
    expect(signed.result, signed.stderr).toMatchObject({ statusCode: 200 });
    expect(await store.get(alert.id)).toMatchObject({ acknowledgedBy: "U0BUNDLE" });
    expect(putEvents).toContainEqual(
      expect.objectContaining({
        DetailType: "Agent Status Alert Acknowledged",
        Source: "agent-status-alerts",
      }),
    );
    expect(`${forged.stderr}${signed.stderr}`).not.toContain(SIGNING_SECRET);
  }, 120_000);
});
