/**
 * Slack's limits never lose an alert, through the CLI as an operator runs it (`check ... --json`,
 * the state file, the SmartAssist simulator, the fake Slack enforcing Block Kit's limits): an agent
 * with a 1,000-character name and a 300-character user id is alerted, escalated and resolved; and a
 * post Slack refuses as built goes out as plain text in the same run, and is not owed again.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunSummary } from "../../functions/domain/alert.js";
import { blockKitViolations } from "../fakes/slack/block-kit-limits.js";
import { type FakeSlack, type RecordedSlackCall, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";
import { runCli } from "./run-cli.js";
import { iso, seg as s, utc } from "./story.js";

const TOKEN = "xoxb-e2e-limits";
const LONG_ID = `u-${"9".repeat(300)}`;
const LONG_FIRST = `Bartholomew${"-Featherstonehaugh".repeat(55)}`;

/** On lunch from 08:00 to 08:50: past the threshold at 08:20, critical at 08:35, over at 08:50. */
const lunch = [
  s("AVAILABLE", "AVAILABLE", "03:30", "08:00"),
  s("AWAY", "LUNCH", "08:00", "08:50"),
  s("AVAILABLE", "AVAILABLE", "08:50", null),
];
const CENTER: SimAgent[] = [
  {
    userId: LONG_ID,
    firstName: LONG_FIRST,
    lastName: "Smith",
    email: "long.name@example.com",
    segments: lunch,
  },
  { userId: "u-2", firstName: "Priya", lastName: "Sharma", email: "priya@example.com", segments: lunch },
];

let sim: Simulator;
let slack: FakeSlack;
let dir: string;
let config: string;
let state: string;

beforeAll(async () => {
  sim = await startSimulator({ ...DEMO_CREDENTIALS, agents: CENTER, rateLimitPerMinute: 10_000 });
  slack = await startFakeSlack({ token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), "asa-limits-"));
  config = join(dir, "config.yaml");
  writeFileSync(
    config,
    `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
schedule:
  every: 5m
rules:
  - name: Long break
    secondaryStatus: [NBK, LUNCH, BREAK]
    threshold: 15m
    critical: 30m
repeat: 30m
slack:
  channel: C0LIMITS1
`,
  );
});

afterAll(async () => {
  await Promise.all([sim.close(), slack.close()]);
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  slack.calls.length = 0;
  state = join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
});

async function check(at: string) {
  sim.setNow(utc(at));
  const before = slack.calls.length;
  const result = await runCli(["check", "--config", config, "--state", state, "--now", iso(at), "--json"], {
    SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_API_URL: slack.url,
  });
  expect(result.code, result.stderr).toBe(0);
  return {
    summary: JSON.parse(result.stdout) as RunSummary,
    calls: slack.calls.slice(before),
    stderr: result.stderr,
  };
}

const answer = (c: RecordedSlackCall) => (c.response as { ok?: boolean; error?: string }).error ?? "ok";
const messageCalls = (calls: RecordedSlackCall[]) =>
  calls.filter((c) => c.method === "chat.postMessage" || c.method === "chat.update");

describe("Slack's limits never lose an alert", () => {
  it("alerts, escalates and resolves an agent with a 1,000-character name and a 300-character user id", async () => {
    // Act
    const runs = [await check("08:20"), await check("08:35"), await check("08:50")];

    // Assess: every message Slack took, none refused, each inside every limit.
    const [fired, escalated, resolved] = runs;
    expect(fired?.summary.firing.map((f) => f.userId).sort()).toEqual([LONG_ID, "u-2"].sort());
    expect(escalated?.summary.transitions.filter((t) => t.type === "escalated")).toHaveLength(2);
    expect(resolved?.summary.transitions.filter((t) => t.type === "resolved")).toHaveLength(2);
    const sent = messageCalls(runs.flatMap((r) => r.calls));
    expect(sent.map(answer).every((a) => a === "ok")).toBe(true);
    for (const call of sent) expect(blockKitViolations(call.args)).toEqual([]);
    // Top, escalation reply, resolve reply each; the two tops updated twice (critical, over).
    expect(sent.filter((c) => c.method === "chat.postMessage")).toHaveLength(6);
    expect(sent.filter((c) => c.method === "chat.update")).toHaveLength(4);
    const long = slack.messages().find((m) => m.thread_ts === undefined && m.text.includes("Bartholomew"));
    expect(long?.text).toContain("Bartholomew-Featherstonehaugh");
    expect(long?.text).toContain("…");
    expect(long?.text).toContain("was AWAY / LUNCH for 50m");
    // While it fired, its buttons were keyed by a short hash of the 300-character alert id.
    const firstPost = fired?.calls.find(
      (c) => c.method === "chat.postMessage" && String(c.args.text).includes("Bartholomew"),
    );
    expect(JSON.stringify(firstPost?.args.attachments)).toMatch(/"block_id":"h#[A-Za-z0-9_-]{43}"/);
  });

  it("a post Slack refuses as built goes out as plain text in the same run, and is not owed again", async () => {
    // Prepare: Slack refuses the first post's blocks (it counts differently from us, say).
    slack.failNext("chat.postMessage", { error: "msg_blocks_too_long" });

    // Act
    const first = await check("08:20");
    const next = await check("08:25");

    // Assess
    const posts = first.calls.filter((c) => c.method === "chat.postMessage");
    expect(posts.map(answer)).toEqual(["msg_blocks_too_long", "ok", "ok"]);
    expect(posts[1]?.args.attachments).toBeUndefined();
    expect(posts[1]?.args.text).toBe(posts[0]?.args.text);
    expect(first.stderr).toContain("sending it as plain text");
    const records = JSON.parse(readFileSync(state, "utf8")) as unknown;
    const ts = JSON.stringify(records).match(/"slackTs":"\d+\.\d+"/g) ?? [];
    expect(ts).toHaveLength(2);
    expect(next.calls.filter((c) => c.method === "chat.postMessage")).toEqual([]);
  });
});
