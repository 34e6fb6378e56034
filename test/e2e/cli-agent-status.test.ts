/**
 * `/agent-status` end to end: `check` draws the board, `serve` (a real child process) answers signed
 * slash commands at `POST /slack/commands` with an ephemeral copy of it from the state file, narrowed
 * by the command's text; unsigned or stale requests are refused as interactions are.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signSlackRequest } from "../../functions/adapters/slack/signature.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";
import { runCli } from "./run-cli.js";
import { iso, person, seg as s, utc } from "./story.js";

const TOKEN = "xoxb-agent-status-e2e";
const SIGNING_SECRET = "e2e-signing-secret-commands-0123456789";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

const CENTER: SimAgent[] = [
  person(1, [s("AVAILABLE", "AVAILABLE", "03:30", "08:00"), s("AWAY", "LUNCH", "08:00", null)], "Priya"),
  person(2, [s("AVAILABLE", "AVAILABLE", "03:30", "08:00"), s("AWAY", "BREAK", "08:00", null)], "Rohan"),
  person(3, [s("AVAILABLE", "AVAILABLE", "03:30", null)], "Meera"),
];

let sim: Simulator;
let slack: FakeSlack;
let dir: string;
let configPath: string;
let statePath: string;
let server: ChildProcess;
let commandsUrl: string;

const env = () => ({
  SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
  SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
  SLACK_BOT_TOKEN: TOKEN,
  SLACK_API_URL: slack.url,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
});

/** A slash command as Slack sends it, signed now. */
async function command(
  text: string,
  options: { channel?: string; secret?: string; timestamp?: number } = {},
) {
  const body = new URLSearchParams({
    token: "deprecated-verification-token",
    team_id: "T00000001",
    channel_id: options.channel ?? "C-OPS",
    user_id: "U0SUPER",
    command: "/agent-status",
    text,
    response_url: slack.responseUrl(),
    trigger_id: "1.2.3",
  }).toString();
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const started = performance.now();
  const response = await fetch(commandsUrl, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "X-Slack-Request-Timestamp": String(timestamp),
      "X-Slack-Signature": signSlackRequest(options.secret ?? SIGNING_SECRET, timestamp, body),
    },
    body,
  });
  const raw = await response.text();
  const ms = performance.now() - started;
  return { status: response.status, type: response.headers.get("content-type"), raw, ms };
}

beforeAll(async () => {
  [sim, slack] = await Promise.all([
    startSimulator({ ...DEMO_CREDENTIALS, agents: CENTER, rateLimitPerMinute: 10_000 }),
    startFakeSlack({ token: TOKEN }),
  ]);
  dir = mkdtempSync(join(tmpdir(), "agent-status-e2e-"));
  configPath = join(dir, "alerts.config.yaml");
  statePath = join(dir, "state.json");
  writeFileSync(
    configPath,
    `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
schedule:
  every: 5m
rules:
  - name: Long break
    secondaryStatus: [NBK, LUNCH, BREAK]
    threshold: 15m
slack:
  channel: C-OPS
  board: true
`,
  );
  server = spawn(
    TSX,
    ["functions/cli/main.ts", "serve", "--config", configPath, "--state", statePath, "--port", "0"],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env() },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    server.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const found = /listening on (http:\S+)/.exec(out);
      if (found?.[1]) resolve(found[1]);
    });
    server.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
  });
  commandsUrl = new URL("/slack/commands", url).toString();
}, 60_000);

afterAll(async () => {
  server?.kill("SIGTERM");
  await Promise.all([sim?.close(), slack?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("/agent-status", () => {
  it("answers before the first board says there is none yet", async () => {
    const answer = await command("");
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.raw)).toMatchObject({
      response_type: "ephemeral",
      text: expect.stringContaining("No board yet"),
    });
  });

  it("answers with an ephemeral copy of the channel's board, narrowed by its text, within 3 s", async () => {
    sim.setNow(utc("08:20"));
    const run = await runCli(
      ["check", "--config", configPath, "--now", iso("08:20"), "--state", statePath, "--json"],
      env(),
    );
    expect(run.code, run.stderr).toBe(0);
    const board = slack.messages().find((m) => m.text.startsWith("Now stuck:"));
    expect(board?.text).toBe("Now stuck: 2 of 3 agents (Long break 2) · as of 13:50");
    const callsBefore = slack.calls.length;

    const all = await command("");
    expect(all.status).toBe(200);
    expect(all.type).toContain("application/json");
    const body = JSON.parse(all.raw) as { response_type: string; text: string; blocks: unknown[] };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toBe("Now stuck: 2 of 3 agents (Long break 2) · as of 13:50");
    expect(JSON.stringify(body.blocks)).toContain("Priya Test");
    expect(JSON.stringify(body.blocks)).toContain("Rohan Test");
    expect(JSON.stringify(body.blocks)).toContain(
      "AVAILABLE 1 · BUSY 0 · AWAY 2 (BREAK 1, LUNCH 1) · logged out 0",
    );

    // Narrowed by name or e-mail, case-insensitively; typed in another channel: the default board.
    const narrowed = JSON.parse((await command("pRIYA", { channel: "C-ELSEWHERE" })).raw) as {
      blocks: unknown[];
    };
    expect(JSON.stringify(narrowed.blocks)).toContain("Priya Test");
    expect(JSON.stringify(narrowed.blocks)).not.toContain("Rohan Test");
    const byEmail = JSON.parse((await command("agent2@")).raw) as { blocks: unknown[] };
    expect(JSON.stringify(byEmail.blocks)).toContain("Rohan Test");
    expect(JSON.stringify(byEmail.blocks)).not.toContain("Priya Test");

    // From the snapshot alone: no SmartAssist request, no Slack call.
    expect(slack.calls.length).toBe(callsBefore);
    const times = [];
    for (let i = 0; i < 20; i++) times.push((await command("")).ms);
    times.sort((a, b) => a - b);
    console.log(
      `/agent-status via serve: p50 ${times[10]?.toFixed(1)} ms, max ${times[19]?.toFixed(1)} ms (20 requests)`,
    );
    expect(times[19]).toBeLessThan(3000);
  });

  it("refuses a wrong signature or a stale timestamp with 401, as interactions do", async () => {
    expect((await command("", { secret: "not-the-secret" })).status).toBe(401);
    expect((await command("", { timestamp: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
  });
});
