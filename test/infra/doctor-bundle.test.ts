/**
 * The check function's bundle answering `aws lambda invoke --payload '{"doctor": true}'`, invoked as
 * Lambda would: synthesized with a config whose host is the SmartAssist simulator, a fresh `node` with
 * no node_modules reachable, the bundle's own AWS SDK pointed at a loopback Secrets Manager stand-in,
 * Slack at the fake. The answer is the doctor's JSON; nothing is posted unless `"sendTest": true`.
 */
import { spawn } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DoctorReport } from "../../functions/domain/doctor.js";
import {
  BUNDLE_TEST_CONFIG,
  copyBundleOutsideRepo,
  type LambdaBundle,
  lambdaEnvironment,
  nodeModulesAbove,
  synthesizeLambdaBundle,
} from "../bench/lambda-bundle.js";
import { collect } from "../e2e/run-cli.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { DEMO_CREDENTIALS, type Simulator, startSimulator } from "../fakes/smartassist/simulator.js";

const TOKEN = "xoxb-doctor-bundle-0001";
const SIGNING = "doctor-bundle-signing-0001";
const CHANNEL = BUNDLE_TEST_CONFIG.slack.channel;

let sim: Simulator;
let slack: FakeSlack;
let secrets: Server;
let bundle: LambdaBundle;
let dir: string;
let env: Record<string, string>;

/** Secrets Manager's JSON protocol, GetSecretValue only: the one call the doctor makes. */
function startSecretsStandIn(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(
        JSON.stringify({
          ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent-status-alerts-AbCdEf",
          Name: "agent-status-alerts",
          SecretString: JSON.stringify({
            clientId: DEMO_CREDENTIALS.clientId,
            clientSecret: DEMO_CREDENTIALS.clientSecret,
            slackBotToken: TOKEN,
            slackSigningSecret: SIGNING,
          }),
        }),
      );
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

beforeAll(async () => {
  const agents = Array.from({ length: 75 }, (_, i) => ({
    userId: `u-${i}`,
    firstName: "Agent",
    lastName: String(i),
    email: `agent${i}@example.com`,
    segments: [],
  }));
  [sim, slack, secrets] = await Promise.all([
    startSimulator({ ...DEMO_CREDENTIALS, agents }),
    startFakeSlack({ token: TOKEN, workspace: { channels: { [CHANNEL]: { name: "ops-alerts" } } } }),
    startSecretsStandIn(),
  ]);
  // The config is compiled into the bundle: its host must be the simulator's, known before synthesis.
  const { digest: _digest, ...withoutDigest } = BUNDLE_TEST_CONFIG;
  bundle = synthesizeLambdaBundle({
    ...withoutDigest,
    smartassist: {
      ...BUNDLE_TEST_CONFIG.smartassist,
      host: sim.url,
      accountId: DEMO_CREDENTIALS.accountId,
      iId: DEMO_CREDENTIALS.iId,
    },
  });
  dir = copyBundleOutsideRepo(bundle);
  env = {
    ...lambdaEnvironment(bundle),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: `http://127.0.0.1:${(secrets.address() as AddressInfo).port}`,
    SLACK_API_URL: slack.url,
    POWERTOOLS_METRICS_DISABLED: "true",
  };
}, 240_000);

afterAll(async () => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (bundle) rmSync(bundle.outdir, { recursive: true, force: true });
  await Promise.all([sim?.close(), slack?.close(), new Promise((r) => secrets?.close(r))]);
});

/** `handler(event)` from the bundle in a fresh node, as Lambda's runtime calls it. */
async function invoke(
  event: unknown,
): Promise<{ result: DoctorReport | null; stdout: string; stderr: string }> {
  const script = join(dir, "invoke-doctor.mjs");
  writeFileSync(
    script,
    `const { ${bundle.handlerName}: handler } = await import("./${bundle.entryFile}");
const result = await handler(JSON.parse(process.env.TEST_EVENT), { getRemainingTimeInMillis: () => 60000 });
process.stdout.write("\\n" + JSON.stringify(result) + "\\n");`,
  );
  const child = spawn(process.execPath, [script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env, TEST_EVENT: JSON.stringify(event) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const { stdout, stderr } = await collect(child);
  try {
    return { result: JSON.parse(stdout.trim().split("\n").pop() ?? "null") as DoctorReport, stdout, stderr };
  } catch {
    return { result: null, stdout, stderr };
  }
}

describe('the check bundle, invoked with {"doctor": true}', () => {
  it("answers the doctor's JSON from the secret, posting nothing; with sendTest, posts the test message", async () => {
    expect(nodeModulesAbove(dir)).toEqual([]);
    const posts = () => slack.calls.filter((c) => c.method === "chat.postMessage").length;

    const plain = await invoke({ doctor: true });
    expect(plain.result, plain.stderr).not.toBeNull();
    expect(plain.result?.checks.filter((c) => !c.ok)).toEqual([]);
    expect(plain.result?.ok).toBe(true);
    expect(plain.result?.checks.map((c) => c.name)).toEqual([
      "config",
      "smartassist.credentials",
      "smartassist.api",
      "smartassist.roster",
      "slack.token",
      "slack.scopes",
      `slack.channel ${CHANNEL}`,
      "slack.responders",
      "slack.signingSecret",
    ]);
    expect(plain.result?.checks[3]?.detail).toMatch(/^75 agents \(2 pages of 50;/);
    expect(posts()).toBe(0);

    const withTest = await invoke({ doctor: true, sendTest: true });
    expect(withTest.result?.checks.at(-1)).toMatchObject({ name: `slack.test ${CHANNEL}`, ok: true });
    expect(posts()).toBe(1);

    for (const run of [plain, withTest])
      for (const secret of [TOKEN, SIGNING, DEMO_CREDENTIALS.clientSecret]) {
        expect(run.stdout).not.toContain(secret);
        expect(run.stderr).not.toContain(secret);
      }
  }, 120_000);
});
