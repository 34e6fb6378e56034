/**
 * The Lambda bundle as `cdk deploy` ships it (one synthesis, the real NodejsFunction bundling): it
 * loads on its own, with no node_modules anywhere above it, in the environment the stack gives the
 * function, exports the handler, carries the config, and carries no secret.
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
  synthesizeLambdaBundle,
} from "../bench/lambda-bundle.js";
import { type CliResult, collect } from "../e2e/run-cli.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { DEMO_CREDENTIALS } from "../fakes/smartassist/simulator.js";

let bundle: LambdaBundle;
let dir: string;
let code: string;

beforeAll(() => {
  bundle = synthesizeLambdaBundle(BUNDLE_TEST_CONFIG);
  dir = copyBundleOutsideRepo(bundle);
  code = readFileSync(join(dir, bundle.entryFile), "utf8");
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (bundle) rmSync(bundle.outdir, { recursive: true, force: true });
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

  it("carries the config compiled in (its accountId)", () => {
    expect(code).toContain(BUNDLE_TEST_CONFIG.smartassist.accountId);
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

/** Runs an ES module snippet in a fresh node in `dir` with exactly `env`, without blocking this process. */
function runNode(dir: string, script: string, env: Record<string, string>): Promise<CliResult> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
  });
  return collect(child);
}
