/**
 * `watch` on the real clock, as a team without Lambda runs it: against the SmartAssist simulator and a
 * fake Slack, an agent whose threshold falls a few seconds after the start is alerted by a due re-check
 * within seconds of that instant (not at the next minute's tick); `--json` prints the transition with
 * its trigger; SIGTERM ends it with exit 0.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";
import { collect, runCli } from "./run-cli.js";
import { person } from "./story.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
const TOKEN = "xoxb-watch-token";
/** The threshold falls this long after the watch starts. */
const LEAD_MS = 8_000;

let sim: Simulator;
let slack: FakeSlack;
let dir: string;
let dueAtMs: number;

beforeAll(async () => {
  const now = Date.now();
  const since = Math.floor((now - 15 * 60_000 + LEAD_MS) / 1000) * 1000;
  dueAtMs = since + 15 * 60_000;
  sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents: [
      person(1, [
        { primaryStatus: "AVAILABLE", secondaryStatus: "AVAILABLE", startMs: since - 3600_000, endMs: since },
        { primaryStatus: "AWAY", secondaryStatus: "LUNCH", startMs: since, endMs: null },
      ]),
      person(2, [
        { primaryStatus: "AVAILABLE", secondaryStatus: "AVAILABLE", startMs: now - 3600_000, endMs: null },
      ]),
    ],
    rateLimitPerMinute: 10_000,
  });
  slack = await startFakeSlack({ token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), "asa-watch-"));
});

afterAll(async () => {
  await Promise.all([sim?.close(), slack?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** The watch's config (re-checks to the second), pointed at the simulator, written as `name`. */
function writeConfig(name: string): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
schedule:
  every: 5m
  precision: 1s
rules:
  - name: Long break
    secondaryStatus: [LUNCH]
    threshold: 15m
slack:
  channel: C-WATCH
`,
  );
  return path;
}

describe("watch", () => {
  it("alerts at the threshold through a due re-check, prints it with its trigger, and stops on SIGTERM", async () => {
    const config = writeConfig("config.yaml");
    const child = spawn(
      TSX,
      ["functions/cli/main.ts", "watch", "--config", config, "--state", join(dir, "s.json"), "--json"],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
          SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
          SLACK_BOT_TOKEN: TOKEN,
          SLACK_API_URL: slack.url,
        },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    const done = collect(child);
    let stdout = "";
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    // Wait for the alert (bounded), then stop the watch.
    const until = Date.now() + LEAD_MS + 20_000;
    while (!stdout.includes('"fired"') && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    child.kill("SIGTERM");
    const result = await done;

    expect(result.code, result.stderr).toBe(0);
    const fired = result.stdout
      .trim()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { type: string; userId: string; trigger: string });
    expect(fired).toEqual([expect.objectContaining({ type: "fired", userId: "u-1", trigger: "due" })]);
    const post = slack.calls.find((c) => c.method === "chat.postMessage" && c.args.channel === "C-WATCH");
    expect(post).toBeDefined();
    // On time: never before the threshold, and within a few seconds of it (a tick would be up to a minute late).
    const lateMs = (post?.at ?? 0) - dueAtMs;
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(10_000);
  }, 60_000);

  it("without credentials exits 2 naming them, before it says it is watching", async () => {
    const config = writeConfig("no-credentials.yaml");
    const result = await runCli(["watch", "--config", config, "--state", join(dir, "none.json")]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("SMARTASSIST_CLIENT_ID, SMARTASSIST_CLIENT_SECRET");
    expect(result.stderr).not.toContain("watching");
  }, 30_000);
});
