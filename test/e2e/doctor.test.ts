/**
 * The doctor against real loopback peers: the SmartAssist simulator and the fake Slack Web API, through
 * the CLI's wiring (cli/doctor.ts, in this process) and the Lambda's (lambda/doctor-invoke.ts, with
 * Secrets Manager mocked). One test per failing check; no output ever holds a secret.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { silentLog } from "../../functions/app/logger.js";
import { localDoctor } from "../../functions/cli/doctor.js";
import { parseConfig } from "../../functions/domain/config.js";
import type { Check, DoctorReport } from "../../functions/domain/doctor.js";
import { createDoctorInvoke } from "../../functions/lambda/doctor-invoke.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { DEFAULT_FAKE_SCOPES } from "../fakes/slack/fake-slack-workspace.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";

const TOKEN = "xoxb-doctor-test-token-0001";
const SIGNING = "doctor-test-signing-secret-0001";
const WRONG_SECRET = "not-the-client-secret-0001";
const SECRETS = [TOKEN, SIGNING, DEMO_CREDENTIALS.clientSecret, WRONG_SECRET];
const DEFAULT_CHANNEL = "C0123456789";
const TEAM_CHANNEL = "C0999999999";

function agents(n: number): SimAgent[] {
  return Array.from({ length: n }, (_, i) => ({
    userId: `u-${i}`,
    firstName: "Agent",
    lastName: String(i),
    email: `agent${i}@example.com`,
    segments: [],
  }));
}

let big: Simulator;
let small: Simulator;
let slack: FakeSlack;
let dir: string;

beforeAll(async () => {
  // 10,000 agents at the simulator's default pace (60/min) for the healthy run; a small center with a
  // loose limit for the many failure runs, so they cannot rate-limit each other.
  big = await startSimulator({ ...DEMO_CREDENTIALS, agents: agents(10_000) });
  small = await startSimulator({ ...DEMO_CREDENTIALS, agents: agents(60), rateLimitPerMinute: 10_000 });
  slack = await startFakeSlack({
    token: TOKEN,
    users: { "priya@example.com": "U0123ABCD" },
    usergroups: { S0456EFGH: ["U0123ABCD", "U0222BBBB"] },
    workspace: {
      channels: { [DEFAULT_CHANNEL]: { name: "ops-alerts" }, [TEAM_CHANNEL]: { name: "tier2-alerts" } },
      groupHandles: { S0456EFGH: "supervisors" },
    },
  });
  dir = mkdtempSync(join(tmpdir(), "asa-doctor-"));
});

afterAll(async () => {
  await Promise.all([big?.close(), small?.close(), slack?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

afterEach(() => {
  slack.workspace.scopes = [...DEFAULT_FAKE_SCOPES];
  slack.workspace.channels.set(DEFAULT_CHANNEL, { name: "ops-alerts" });
  small.setIIdRefusal(undefined);
});

function configText(
  host: string,
  extra: { smartassist?: string; slack?: string; top?: string } = {},
): string {
  return `timezone: Asia/Kolkata
${demoSmartAssistYaml(host)}
${extra.smartassist ?? ""}
schedule:
  every: 5m
rules:
  - name: Long break
    secondaryStatus: [NBK, LUNCH, BREAK]
    threshold: 15m
    nudge: 10m
slack:
  channel: ${DEFAULT_CHANNEL}
  responders: [U0123ABCD, S0456EFGH]
${extra.slack ?? ""}
digest:
  at: "18:30"
teams:
  - name: Tier 2
    agents: ["*@tier2.example.com"]
    channel: ${TEAM_CHANNEL}
${extra.top ?? ""}`;
}

function writeConfig(text: string): string {
  const path = join(dir, `doctor-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(path, text);
  return path;
}

const goodEnv = (): NodeJS.ProcessEnv => ({
  SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
  SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
  SLACK_BOT_TOKEN: TOKEN,
  SLACK_SIGNING_SECRET: SIGNING,
  SLACK_API_URL: slack.url,
});

interface Run {
  code: number;
  report: DoctorReport;
  text: string;
  stderr: string;
  ms: number;
}

/** The CLI's doctor in this process: the JSON report, and the text lines of a second, identical run. */
async function doctor(
  config: string,
  options: { env?: NodeJS.ProcessEnv; sendTest?: boolean; text?: boolean } = {},
): Promise<Run> {
  const path = writeConfig(config);
  let out = "";
  let stderr = "";
  const started = performance.now();
  const code = await localDoctor({
    configPath: path,
    sendTest: options.sendTest === true,
    json: options.text !== true,
    env: options.env ?? goodEnv(),
    out: (t) => {
      out += t;
    },
    err: (t) => {
      stderr += t;
    },
  });
  const ms = performance.now() - started;
  for (const secret of SECRETS) {
    expect(out).not.toContain(secret);
    expect(stderr).not.toContain(secret);
  }
  if (options.text) return { code, report: { ok: code === 0, checks: [] }, text: out, stderr, ms };
  return { code, report: JSON.parse(out) as DoctorReport, text: out, stderr, ms };
}

function check(run: Run, name: string): Check {
  const found = run.report.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no check ${name} in ${run.report.checks.map((c) => c.name).join(", ")}`);
  return found;
}

const NAMES = [
  "config",
  "smartassist.credentials",
  "smartassist.api",
  "smartassist.roster",
  "slack.token",
  "slack.scopes",
  `slack.channel ${DEFAULT_CHANNEL}`,
  `slack.channel ${TEAM_CHANNEL}`,
  "slack.responders",
  "slack.signingSecret",
];

describe("doctor, healthy", () => {
  it("passes every check in order on a 10,000-agent roster: ≤ 16 SmartAssist requests, ≤ 10 s, nothing posted", async () => {
    // Prepare
    const before = big.requests.length;
    const posts = slack.calls.filter((c) => c.method === "chat.postMessage").length;
    // Act
    const run = await doctor(configText(big.url));
    // Assess
    expect(run.report.checks.map((c) => c.name)).toEqual(NAMES);
    expect(run.report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(run.report.ok).toBe(true);
    expect(run.code).toBe(0);
    const requests = big.requests.length - before;
    expect(requests).toBeLessThanOrEqual(16);
    expect(big.requests.slice(before).every((r) => r.status === 200)).toBe(true);
    expect(run.ms).toBeLessThan(10_000);
    expect(check(run, "smartassist.roster").detail).toMatch(
      new RegExp(
        `^10,000 agents \\(200 pages of 50; found with ${requests} requests in .*\\): fits in one run`,
      ),
    );
    expect(check(run, "slack.scopes").detail).toContain("files:write (the digest)");
    expect(slack.calls.filter((c) => c.method === "chat.postMessage").length).toBe(posts);
  });

  it("prints one ✓ line per check as text", async () => {
    const run = await doctor(configText(small.url), { text: true });
    const lines = run.text.trim().split("\n");
    expect(lines).toHaveLength(NAMES.length);
    lines.forEach((line, i) => {
      expect(line.startsWith(`✓ ${NAMES[i]} — `), line).toBe(true);
    });
    expect(run.code).toBe(0);
  });

  it("--send-test posts one message to each channel, and says so", async () => {
    const before = slack.calls.length;
    const run = await doctor(configText(small.url), { sendTest: true });
    expect(run.report.checks.slice(-2).map((c) => [c.name, c.ok])).toEqual([
      [`slack.test ${DEFAULT_CHANNEL}`, true],
      [`slack.test ${TEAM_CHANNEL}`, true],
    ]);
    const posted = slack.calls
      .slice(before)
      .filter((c) => c.method === "chat.postMessage" && c.status === 200);
    expect(posted.map((c) => c.args.channel)).toEqual([DEFAULT_CHANNEL, TEAM_CHANNEL]);
    expect(String(posted[0]?.args.text)).toContain("agent-status-alerts doctor: a test message");
  });

  it("reads a roster too large for one run as read in rotation", async () => {
    // 10,000 agents (200 pages) at 20 requests/min: 100 requests a 5-minute run.
    const run = await doctor(configText(big.url, { smartassist: "  requestsPerMinute: 20" }));
    const roster = check(run, "smartassist.roster");
    expect(roster.ok).toBe(true);
    expect(roster.detail).toMatch(/read in rotation every 2 runs/);
  });
});

describe("doctor, one failing check at a time (exit 1)", () => {
  it("a wrong client secret: HTTP 401, credentials refused", async () => {
    const run = await doctor(configText(small.url), {
      env: { ...goodEnv(), SMARTASSIST_CLIENT_SECRET: WRONG_SECRET },
    });
    expect(run.code).toBe(1);
    expect(check(run, "smartassist.api")).toMatchObject({ ok: false });
    expect(check(run, "smartassist.api").detail).toMatch(
      /^HTTP 401, credentials refused: Invalid or expired token; check that SMARTASSIST_CLIENT_ID and SMARTASSIST_CLIENT_SECRET/,
    );
    expect(check(run, "smartassist.roster").detail).toBe("not checked: smartassist.api failed");
    expect(run.stderr).toContain("smartassist.api, smartassist.roster");
  });

  it("an unknown account: HTTP 404, named", async () => {
    const text = configText(small.url).replace(DEMO_CREDENTIALS.accountId, "63f07d26f04465685dfffff0");
    const run = await doctor(text);
    expect(check(run, "smartassist.api").detail).toMatch(
      /^HTTP 404, unknown account 63f07d26f04465685dfffff0: Account not found; check smartassist.accountId/,
    );
  });

  it("an unknown host (no such API there): HTTP 404, unknown account or host", async () => {
    const run = await doctor(configText(`${small.url}/not-kore`));
    expect(check(run, "smartassist.api").detail).toMatch(
      /^HTTP 404, unknown account or host: Not found: 127\.0\.0\.1:\d+ has no/,
    );
  });

  it("a refused iId", async () => {
    small.setIIdRefusal(404);
    const text = configText(small.url).replace(
      DEMO_CREDENTIALS.iId,
      "st-00000000-0000-0000-0000-000000000000",
    );
    const run = await doctor(text);
    expect(check(run, "smartassist.api").detail).toMatch(
      /^HTTP 404, the iId st-00000000-0000-0000-0000-000000000000 was refused: Invalid iId.*; set smartassist.iId/,
    );
  });

  it("a dead endpoint: timed out within the check's bound, not the config's 15 s timeout", async () => {
    small.hangNext(1);
    const run = await doctor(configText(small.url));
    expect(check(run, "smartassist.api").detail).toMatch(
      /^no answer from 127\.0\.0\.1:\d+ within 4\.0 s \(timed out\)/,
    );
    expect(run.ms).toBeLessThan(8_000);
  });

  it("nothing listening: connection refused", async () => {
    const closed = await freePort();
    const run = await doctor(configText(`http://127.0.0.1:${closed}`));
    expect(check(run, "smartassist.api").detail).toContain("refused the connection (ECONNREFUSED)");
  });

  it("missing SmartAssist credentials are a failed check, not a usage error", async () => {
    const { SMARTASSIST_CLIENT_SECRET: _s, ...env } = goodEnv();
    const run = await doctor(configText(small.url), { env });
    expect(run.code).toBe(1);
    expect(check(run, "smartassist.credentials").detail).toMatch(
      /^SMARTASSIST_CLIENT_SECRET is not set; set SMARTASSIST_CLIENT_SECRET/,
    );
    expect(check(run, "smartassist.api").detail).toContain("not checked");
    expect(check(run, "slack.token").ok).toBe(true);
  });

  it("a bad Slack token: refused, and the Slack checks that need it are not run", async () => {
    const run = await doctor(configText(small.url), {
      env: { ...goodEnv(), SLACK_BOT_TOKEN: "xoxb-revoked-0000" },
    });
    expect(check(run, "slack.token").detail).toMatch(/^Slack refused SLACK_BOT_TOKEN \(invalid_auth\)/);
    for (const name of ["slack.scopes", `slack.channel ${DEFAULT_CHANNEL}`, "slack.responders"])
      expect(check(run, name)).toMatchObject({
        ok: false,
        detail: "not checked: needs a working slack.token",
      });
    expect(check(run, "smartassist.api").ok).toBe(true);
    expect(run.text).not.toContain("xoxb-revoked-0000");
  });

  it("no Slack token at all", async () => {
    const { SLACK_BOT_TOKEN: _t, ...env } = goodEnv();
    const run = await doctor(configText(small.url), { env });
    expect(check(run, "slack.token").detail).toMatch(/^SLACK_BOT_TOKEN is not set/);
    expect(run.code).toBe(1);
  });

  it("a missing scope is named, with what needs it", async () => {
    slack.workspace.scopes = [
      "chat:write",
      "users:read",
      "users:read.email",
      "im:write",
      "usergroups:read",
      "channels:read",
    ];
    const run = await doctor(configText(small.url));
    expect(check(run, "slack.scopes")).toMatchObject({ ok: false });
    expect(check(run, "slack.scopes").detail).toMatch(
      /^missing files:write \(the digest\); add it under OAuth & Permissions/,
    );
  });

  it("no channels:read: the channel cannot be checked, and the line says what to add", async () => {
    slack.workspace.scopes = DEFAULT_FAKE_SCOPES.filter((s) => s !== "channels:read");
    const run = await doctor(configText(small.url));
    expect(check(run, `slack.channel ${DEFAULT_CHANNEL}`).detail).toContain("the token lacks channels:read");
  });

  it("the bot is not in a channel: /invite @bot", async () => {
    slack.workspace.channels.set(DEFAULT_CHANNEL, { name: "ops-alerts", member: false });
    const run = await doctor(configText(small.url), { sendTest: true });
    expect(check(run, `slack.channel ${DEFAULT_CHANNEL}`)).toEqual({
      name: `slack.channel ${DEFAULT_CHANNEL}`,
      ok: false,
      detail:
        "#ops-alerts, the default channel: the bot is not a member; /invite @agent-status-alerts in #ops-alerts",
    });
    expect(check(run, `slack.channel ${TEAM_CHANNEL}`).ok).toBe(true);
    expect(check(run, `slack.test ${DEFAULT_CHANNEL}`).detail).toBe(
      "not posted (not_in_channel); /invite @agent-status-alerts in that channel",
    );
    expect(check(run, `slack.test ${TEAM_CHANNEL}`).ok).toBe(true);
  });

  it("an unknown channel", async () => {
    const run = await doctor(configText(small.url).replace(TEAM_CHANNEL, "C0NOSUCH00"));
    expect(check(run, "slack.channel C0NOSUCH00").detail).toMatch(/^team Tier 2: not found/);
  });

  it("an unknown responder, user or group", async () => {
    const run = await doctor(
      configText(small.url).replace("[U0123ABCD, S0456EFGH]", "[U0123ABCD, U0999NOPE, S0999NOPE]"),
    );
    expect(check(run, "slack.responders")).toMatchObject({ ok: false });
    expect(check(run, "slack.responders").detail).toBe(
      "U0999NOPE: no such user; S0999NOPE: no such user group; fix slack.responders (user ids U…, user group ids S…)",
    );
  });

  it("a missing signing secret with slack.interactive", async () => {
    const { SLACK_SIGNING_SECRET: _s, ...env } = goodEnv();
    const run = await doctor(configText(small.url), { env });
    expect(run.code).toBe(1);
    expect(check(run, "slack.signingSecret").detail).toMatch(
      /^slack.interactive is true, but SLACK_SIGNING_SECRET is not set/,
    );
    const off = await doctor(configText(small.url, { slack: "  interactive: false" }), { env });
    expect(check(off, "slack.signingSecret")).toMatchObject({
      ok: true,
      detail: "not needed: slack.interactive is false",
    });
  });

  it("an invalid config: the config line alone, failed, exit 2", async () => {
    const run = await doctor(configText(small.url).replace("threshold: 15m", "threshold: soon"));
    expect(run.code).toBe(2);
    expect(run.report).toEqual({
      ok: false,
      checks: [
        {
          name: "config",
          ok: false,
          detail: expect.stringContaining("rules[0].threshold: expected a duration like 15m"),
        },
      ],
    });
  });
});

describe('the check Lambda\'s {"doctor": true}', () => {
  const secretsManager = mockClient(SecretsManagerClient);
  const SECRET_ID = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent-status-alerts-AbCdEf";
  afterEach(() => secretsManager.reset());

  function invoke(secret: Record<string, string> | Error, sendTest = false): Promise<DoctorReport> {
    if (secret instanceof Error) secretsManager.on(GetSecretValueCommand).rejects(secret);
    else secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(secret) });
    const { config, warnings } = parseConfig(
      {
        timezone: "Asia/Kolkata",
        smartassist: { host: small.url, accountId: DEMO_CREDENTIALS.accountId, iId: DEMO_CREDENTIALS.iId },
        rules: [{ name: "Long break", secondaryStatus: "LUNCH", threshold: "15m" }],
        slack: { channel: DEFAULT_CHANNEL },
      },
      "APP_CONFIG",
    );
    const doctorInvoke = createDoctorInvoke({
      config,
      configWarnings: warnings,
      secretId: SECRET_ID,
      secretsClient: new SecretsManagerClient({ region: "us-east-1" }),
      slackApiUrl: slack.url,
      log: silentLog,
    });
    return doctorInvoke({ doctor: true, sendTest });
  }

  const GOOD = {
    clientId: DEMO_CREDENTIALS.clientId,
    clientSecret: DEMO_CREDENTIALS.clientSecret,
    slackBotToken: TOKEN,
    slackSigningSecret: SIGNING,
  };

  it("reads the secret and answers the same JSON, posting nothing", async () => {
    const posts = slack.calls.filter((c) => c.method === "chat.postMessage").length;
    const report = await invoke(GOOD);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.checks[0]).toMatchObject({
      name: "config",
      detail: "the deployed config is valid (1 rule, 0 teams, 1 channel)",
    });
    expect(report.checks.find((c) => c.name === "slack.signingSecret")?.detail).toContain(
      `slackSigningSecret is set in secret ${SECRET_ID}`,
    );
    expect(slack.calls.filter((c) => c.method === "chat.postMessage").length).toBe(posts);
    for (const secret of SECRETS) expect(JSON.stringify(report)).not.toContain(secret);
  });

  it("sendTest: true posts the test message", async () => {
    const report = await invoke(GOOD, true);
    expect(report.checks.at(-1)).toMatchObject({ name: `slack.test ${DEFAULT_CHANNEL}`, ok: true });
  });

  it("placeholders left in the secret: each key named, with the put-secret-value command", async () => {
    const report = await invoke({ ...GOOD, clientSecret: "REPLACE_ME", slackSigningSecret: "REPLACE_ME" });
    const byName = new Map(report.checks.map((c) => [c.name, c]));
    expect(byName.get("smartassist.credentials")?.detail).toMatch(
      new RegExp(
        `^clientSecret still holds a placeholder; put clientSecret .* aws secretsmanager put-secret-value --secret-id ${SECRET_ID}`,
      ),
    );
    expect(byName.get("slack.token")?.ok).toBe(true);
    expect(byName.get("slack.signingSecret")?.detail).toContain(
      "slackSigningSecret still holds a placeholder",
    );
    expect(report.ok).toBe(false);
  });

  it("a secret that cannot be read: every credential check says why", async () => {
    const denied = Object.assign(
      new Error("User is not authorized to perform secretsmanager:GetSecretValue"),
      {
        name: "AccessDeniedException",
      },
    );
    const report = await invoke(denied);
    for (const name of ["smartassist.credentials", "slack.token"]) {
      expect(report.checks.find((c) => c.name === name)?.detail).toContain("AccessDeniedException");
    }
  });
});

/** A loopback port with nothing listening on it (bound, then closed). */
async function freePort(): Promise<number> {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
