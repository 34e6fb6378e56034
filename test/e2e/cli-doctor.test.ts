/**
 * `npm run cli -- doctor` in a child process, as a user runs it: the lines, `--json`, `--send-test`
 * and the exit statuses (0 all passed, 1 a check failed, 2 bad usage or an invalid config).
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DoctorReport } from "../../functions/domain/doctor.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";
import { type CliResult, runCli } from "./run-cli.js";

const TOKEN = "xoxb-cli-doctor-token-0001";
const SIGNING = "cli-doctor-signing-secret-0001";
const CHANNEL = "C0123456789";

let sim: Simulator;
let slack: FakeSlack;
let dir: string;
let configPath: string;

beforeAll(async () => {
  const agents: SimAgent[] = Array.from({ length: 120 }, (_, i) => ({
    userId: `u-${i}`,
    firstName: "Agent",
    lastName: String(i),
    email: `agent${i}@example.com`,
    segments: [],
  }));
  sim = await startSimulator({ ...DEMO_CREDENTIALS, agents, rateLimitPerMinute: 10_000 });
  slack = await startFakeSlack({
    token: TOKEN,
    workspace: { channels: { [CHANNEL]: { name: "ops-alerts" } } },
  });
  dir = mkdtempSync(join(tmpdir(), "asa-cli-doctor-"));
  configPath = join(dir, "alerts.yaml");
  writeFileSync(
    configPath,
    `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
rules:
  - name: Stuck in BUSY
    primaryStatus: BUSY
    threshold: 30m
slack:
  channel: ${CHANNEL}
`,
  );
});

afterAll(async () => {
  await Promise.all([sim?.close(), slack?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const env = (): Record<string, string> => ({
  SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
  SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
  SLACK_BOT_TOKEN: TOKEN,
  SLACK_SIGNING_SECRET: SIGNING,
  SLACK_API_URL: slack.url,
});

function noSecrets(result: CliResult): void {
  for (const secret of [TOKEN, SIGNING, DEMO_CREDENTIALS.clientSecret]) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
}

describe("doctor (CLI)", () => {
  it("all passed: one ✓ line per check, exit 0, nothing on stderr", async () => {
    const result = await runCli(["doctor", "--config", configPath], env());
    noSecrets(result);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines.map((l) => l.split(" — ")[0])).toEqual([
      "✓ config",
      "✓ smartassist.credentials",
      "✓ smartassist.api",
      "✓ smartassist.roster",
      "✓ slack.token",
      "✓ slack.scopes",
      `✓ slack.channel ${CHANNEL}`,
      "✓ slack.responders",
      "✓ slack.signingSecret",
    ]);
    expect(lines[3]).toMatch(
      /^✓ smartassist\.roster — 120 agents \(3 pages of 50; found with \d+ requests in .*\): fits in one run/,
    );
    expect(result.stderr).toBe("");
  });

  it("--json: exactly {ok, checks: [{name, ok, detail}]} on stdout; a failed check exits 1", async () => {
    const { SLACK_SIGNING_SECRET: _s, ...withoutSigning } = env();
    const result = await runCli(["doctor", "--config", configPath, "--json"], withoutSigning);
    noSecrets(result);
    expect(result.code).toBe(1);
    expect(result.stdout.trim().split("\n")).toHaveLength(1);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(Object.keys(report)).toEqual(["ok", "checks"]);
    expect(report.ok).toBe(false);
    for (const check of report.checks) expect(Object.keys(check)).toEqual(["name", "ok", "detail"]);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["slack.signingSecret"]);
    expect(result.stderr).toBe("error: 1 of 9 checks failed: slack.signingSecret\n");
  });

  it("missing credentials: failed checks (exit 1), not a usage error", async () => {
    const result = await runCli(["doctor", "--config", configPath], { SLACK_API_URL: slack.url });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^✗ smartassist\.credentials — SMARTASSIST_CLIENT_ID is not set; SMARTASSIST_CLIENT_SECRET is not set; set /m,
    );
    expect(result.stdout).toMatch(/^✗ slack\.token — SLACK_BOT_TOKEN is not set/m);
  });

  it("--send-test posts to the channel and adds its line", async () => {
    const before = slack.calls.filter((c) => c.method === "chat.postMessage").length;
    const result = await runCli(["doctor", "--config", configPath, "--send-test"], env());
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim().split("\n").at(-1)).toMatch(
      new RegExp(
        `^✓ slack\\.test ${CHANNEL} — a test message was posted to the default channel \\(ts \\d+\\.\\d+\\)$`,
      ),
    );
    expect(slack.calls.filter((c) => c.method === "chat.postMessage").length).toBe(before + 1);
  });

  it("an invalid config: the config line, failed, exit 2", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "timezone: EST\nrules: []\n");
    const result = await runCli(["doctor", "--config", bad, "--json"], env());
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(report.checks).toHaveLength(1);
    expect(report.checks[0]).toMatchObject({ name: "config", ok: false });
    expect(report.checks[0]?.detail).toContain(bad);
  });

  it("bad usage exits 2", async () => {
    expect((await runCli(["doctor"], env())).code).toBe(2);
    expect((await runCli(["doctor", "--config", configPath, "--sendtest"], env())).code).toBe(2);
  });
});
