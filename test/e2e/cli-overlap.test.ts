/**
 * Exactly once under overlap, as a user meets it: two or three `check` processes on one state file,
 * started together or a second apart, with a slow Slack. Each alert is posted once, and the message
 * the state remembers is the one that was posted (so its resolve updates it).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const TOKEN = "xoxb-overlap-token";
/** Slack answering in ~800 ms, as the probe that found the double posts had it. */
const SLOW = { delayMs: 800 };

const stuck = (n: number, back: string | null): SimAgent =>
  person(n, [
    s("AVAILABLE", "AVAILABLE", "03:30", "05:00"),
    s("AWAY", "LUNCH", "05:00", back),
    ...(back === null ? [] : [s("AVAILABLE", "AVAILABLE", back, null)]),
  ]);

let sim: Simulator;
let slack: FakeSlack;
let dir: string;
let configPath: string;

beforeAll(async () => {
  sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents: [
      stuck(1, null),
      stuck(2, null),
      stuck(3, null),
      person(4, [s("AVAILABLE", "AVAILABLE", "03:30", null)]),
    ],
    rateLimitPerMinute: 10_000,
  });
  slack = await startFakeSlack({ token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), "asa-overlap-"));
  configPath = join(dir, "config.yaml");
  writeFileSync(
    configPath,
    `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
schedule:
  every: 5m
rules:
  - name: Long break
    secondaryStatus: [LUNCH]
    threshold: 15m
slack:
  channel: C-OVERLAP
  rollup: 0
`,
  );
});

afterAll(async () => {
  await Promise.all([sim?.close(), slack?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({
  SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
  SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
  SLACK_BOT_TOKEN: TOKEN,
  SLACK_API_URL: slack.url,
});

const check = (statePath: string, at: string) =>
  runCli(["check", "--config", configPath, "--now", iso(at), "--state", statePath, "--json"], env());

/** Top-level posts into the channel since call index `from`. */
const topPostsSince = (from: number) =>
  slack.calls
    .slice(from)
    .filter(
      (c) =>
        c.method === "chat.postMessage" &&
        c.args.channel === "C-OVERLAP" &&
        c.args.thread_ts === undefined &&
        (c.response as { ok: boolean }).ok,
    );

interface StoredAlert {
  userId: string;
  slackTs?: string;
  lease?: unknown;
}

describe("overlapping check runs on one state file", () => {
  it.each([
    { runs: 2, apartMs: 0 },
    { runs: 2, apartMs: 1_000 },
    { runs: 3, apartMs: 0 },
  ])("$runs runs started $apartMs ms apart post each of 3 alerts once", async ({ runs, apartMs }) => {
    // Prepare: a fresh state file, a slow Slack for every call these runs make.
    const statePath = join(dir, `state-${runs}-${apartMs}.json`);
    const from = slack.calls.length;
    slack.failNext("chat.postMessage", ...Array.from({ length: 12 }, () => SLOW));
    sim.setNow(utc("05:30"));

    // Act
    const started = [];
    for (let i = 0; i < runs; i++) {
      started.push(check(statePath, "05:30"));
      if (apartMs > 0) await sleep(apartMs);
    }
    const results = await Promise.all(started);

    // Assess: every run completed; three posts, one per agent; the state holds exactly those messages.
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const posts = topPostsSince(from);
    const postedTs = posts.map((p) => (p.response as { ts: string }).ts).sort();
    expect(posts.map((p) => String(p.args.text)).filter((t) => t.includes("agent1@"))).toHaveLength(1);
    expect(posts).toHaveLength(3);
    const stored = (JSON.parse(readFileSync(statePath, "utf8")) as { alerts: StoredAlert[] }).alerts;
    expect(stored.map((a) => a.userId).sort()).toEqual(["u-1", "u-2", "u-3"]);
    expect(stored.map((a) => a.slackTs).sort()).toEqual(postedTs);
    expect(stored.every((a) => a.lease === undefined)).toBe(true);

    // And the next run sends nothing new: nothing was left pending or doubled.
    const before = slack.calls.length;
    const next = await check(statePath, "05:31");
    expect(next.code, next.stderr).toBe(0);
    expect(topPostsSince(before)).toHaveLength(0);
  });
});
