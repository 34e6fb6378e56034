/**
 * A storm through the CLI, as an operator runs it: 300 agents pass the threshold at once, one
 * channel, the fake Slack enforcing chat.postMessage's per-channel limit. Then the runs that follow,
 * until every agent is back.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../functions/domain/alert.js";
import { type FakeSlack, type RecordedSlackCall, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";
import { runCli } from "./run-cli.js";
import { utc } from "./story.js";

const TOKEN = "xoxb-e2e-storm";
const N = 300;

/** Agents 1..N away on break from 08:00; the first 200 back at 08:40, the rest at 08:52. */
const CENTER: SimAgent[] = Array.from({ length: N }, (_, i) => ({
  userId: `u-${i + 1}`,
  firstName: `Storm${i + 1}`,
  lastName: "Agent",
  email: `storm${i + 1}@example.com`,
  segments: [
    { primaryStatus: "AVAILABLE", secondaryStatus: "AVAILABLE", startMs: utc("03:30"), endMs: utc("08:00") },
    {
      primaryStatus: "AWAY",
      secondaryStatus: "BREAK",
      startMs: utc("08:00"),
      endMs: utc(i < 200 ? "08:40" : "08:52"),
    },
    {
      primaryStatus: "AVAILABLE",
      secondaryStatus: "AVAILABLE",
      startMs: utc(i < 200 ? "08:40" : "08:52"),
      endMs: null,
    },
  ],
}));

let sim: Simulator;
let slack: FakeSlack;
let dir: string;
let config: string;
let state: string;

beforeAll(async () => {
  sim = await startSimulator({ ...DEMO_CREDENTIALS, agents: CENTER, rateLimitPerMinute: 100_000 });
  slack = await startFakeSlack({ token: TOKEN, rateLimit: { perSecond: 1, burst: 3 } });
  dir = mkdtempSync(join(tmpdir(), "asa-storm-"));
  config = join(dir, "config.yaml");
  state = join(dir, "state.json");
  writeFileSync(
    config,
    `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
  requestsPerMinute: 100000
schedule:
  every: 5m
rules:
  - name: Long break
    secondaryStatus: [NBK, LUNCH, BREAK]
    threshold: 15m
    critical: 30m
repeat: 30m
slack:
  channel: C0STORM01
`,
  );
});

afterAll(async () => {
  await Promise.all([sim.close(), slack.close()]);
  rmSync(dir, { recursive: true, force: true });
});

async function check(at: string) {
  sim.setNow(utc(at));
  const before = slack.calls.length;
  const started = Date.now();
  const result = await runCli(
    ["check", "--config", config, "--state", state, "--now", new Date(utc(at)).toISOString(), "--json"],
    {
      SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_API_URL: slack.url,
    },
  );
  expect(result.code, result.stderr).toBe(0);
  return {
    ms: Date.now() - started,
    summary: JSON.parse(result.stdout) as RunSummary,
    calls: slack.calls.slice(before),
    stderr: result.stderr,
  };
}

const ok = (c: RecordedSlackCall) => c.status === 200 && (c.response as { ok?: boolean }).ok === true;
const posts = (calls: RecordedSlackCall[]) => calls.filter((c) => c.method === "chat.postMessage" && ok(c));
const tops = (calls: RecordedSlackCall[]) => posts(calls).filter((c) => c.args.thread_ts === undefined);
const replies = (calls: RecordedSlackCall[]) => posts(calls).filter((c) => c.args.thread_ts !== undefined);

/**
 * A run's thread replies are one grouped reply: a single message, or (past Slack's ~12,000
 * characters of block text a message) its parts in order, each saying `part k of n`.
 */
function expectOneGroupedReply(calls: RecordedSlackCall[], head: string): void {
  const texts = replies(calls).map((c) => String(c.args.text));
  expect(texts.length).toBeGreaterThanOrEqual(1);
  for (const [i, text] of texts.entries()) {
    expect(text.startsWith(head), text.slice(0, 80)).toBe(true);
    if (texts.length > 1) expect(text).toContain(`(part ${i + 1} of ${texts.length})`);
  }
}

describe("a 300-agent storm through the CLI", () => {
  it("posts one roll-up naming everyone, keeps it up to date, and ends it in place", async () => {
    const storm = await check("08:20");
    expect(storm.summary.transitions.filter((t) => t.type === "fired")).toHaveLength(N);
    expect(storm.summary.firing).toHaveLength(N);
    expect(tops(storm.calls)).toHaveLength(1);
    expect(storm.calls.filter((c) => c.status === 429).length).toBeLessThanOrEqual(1);
    expect(storm.ms).toBeLessThan(30_000);
    const rollupTs = (tops(storm.calls)[0]?.response as { ts?: string } | undefined)?.ts;
    const text = slack
      .messages()
      .map((m) => `${m.text} ${JSON.stringify(m.blocks)}`)
      .join("\n");
    for (let i = 1; i <= N; i++) expect(text).toMatch(new RegExp(`Storm${i}\\b`));

    // Nothing new: nothing posted.
    const quiet = await check("08:25");
    expect(quiet.calls).toEqual([]);

    // All past critical: one update and one grouped reply, no per-agent message.
    const critical = await check("08:35");
    expect(critical.summary.transitions.filter((t) => t.type === "escalated")).toHaveLength(N);
    expect(tops(critical.calls)).toEqual([]);
    expectOneGroupedReply(critical.calls, `Now CRITICAL: ${N} agents`);
    expect(critical.calls.filter((c) => c.method === "chat.update" && ok(c))).toHaveLength(1);

    // 200 back: the roll-up says so in place, one grouped reply.
    const most = await check("08:45");
    expect(most.summary.transitions.filter((t) => t.type === "resolved")).toHaveLength(200);
    expectOneGroupedReply(most.calls, "Over: 200 agents");
    const roll = () => slack.messages().find((m) => m.ts === rollupTs);
    expect(roll()?.text).toContain(`100 of ${N} still firing`);

    // 08:50 (30m after firing) reminds the 100 still away, in one reply; 08:55 ends it.
    const remind = await check("08:50");
    expect(remind.summary.transitions.filter((t) => t.type === "reminded")).toHaveLength(100);
    expectOneGroupedReply(remind.calls, "Still going: 100 agents");
    const end = await check("08:55");
    expect(end.summary.transitions.filter((t) => t.type === "resolved")).toHaveLength(100);
    expect(end.summary.firing).toEqual([]);
    expect(roll()?.text).toContain(`all ${N} over`);
    expectOneGroupedReply(end.calls, "Over: 100 agents");

    // Over all runs: one top-level message, never an alert twice, at most one 429.
    expect(tops(slack.calls)).toHaveLength(1);
    expect(slack.rateLimited()).toBeLessThanOrEqual(1);
    const after = await check("09:00");
    expect(after.calls).toEqual([]);
  }, 240_000);
});
