/**
 * The Lambda bundle as `cdk deploy` ships it (one synthesis, the real NodejsFunction bundling): it
 * loads on its own, with no node_modules anywhere above it, in the environment the stack gives the
 * function, exports the handler, carries the config, and carries no secret.
 */
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BUNDLE_TEST_CONFIG,
  copyBundleOutsideRepo,
  type LambdaBundle,
  lambdaEnvironment,
  nodeModulesAbove,
  probeImport,
  synthesizeLambdaBundle,
} from "../bench/lambda-bundle.js";
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
