/**
 * The CLI end to end, as a new user runs it: `check --config FILE --now ISO --state PATH --json`
 * against the SmartAssist simulator and a fake Slack on loopback, several runs with advancing --now.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunSummary } from "../../functions/domain/alert.js";
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

// 2023-03-10 in India (UTC+05:30). Times below are UTC.
const TOKEN = "xoxb-e2e-token";

/** The story: Lunch (u-1) from 08:00 to 08:52; BUSY (u-2) from 08:10 on; others ordinary or odd. */
const CENTER: SimAgent[] = [
  person(
    1,
    [
      s("AVAILABLE", "AVAILABLE", "03:30", "08:00"),
      s("AWAY", "LUNCH", "08:00", "08:52"),
      s("AVAILABLE", "AVAILABLE", "08:52", null),
    ],
    "Priya",
  ),
  person(
    2,
    [
      s("AVAILABLE", "AVAILABLE", "03:30", "08:10"),
      s("BUSY", "BUSY", "08:10", "08:30"),
      s("BUSY", "BUSY", "08:30", null),
    ],
    "Rohan",
  ),
  person(3, [s("AVAILABLE", "AVAILABLE", "03:30", null)]),
  person(4, null),
  person(5, [s("AWAY", "BREAK", "03:30", "04:00")]),
  ...Array.from({ length: 60 }, (_, i) => person(10 + i, [s("AVAILABLE", "AVAILABLE", "03:30", null)])),
];

let sim: Simulator;
let slack: FakeSlack;
let dir: string;
let configPath: string;
let statePath: string;

function writeConfig(extra = ""): string {
  const path = join(dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(
    path,
    `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
  pageSize: 25
  concurrency: 2
schedule:
  every: 5m
rules:
  - name: Long break
    secondaryStatus: [NBK, LUNCH, BREAK]
    threshold: 15m
    critical: 30m
  - name: Stuck in BUSY
    primaryStatus: BUSY
    threshold: 30m
repeat: 20m
slack:
  channel: C-OPS
${extra}`,
  );
  return path;
}

const env = () => ({
  SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
  SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
  SLACK_BOT_TOKEN: TOKEN,
  SLACK_API_URL: slack.url,
});

async function check(at: string, extra: string[] = [], config = configPath) {
  sim.setNow(utc(at));
  const result = await runCli(
    ["check", "--config", config, "--now", iso(at), "--state", statePath, "--json", ...extra],
    env(),
  );
  return { ...result, summary: result.code === 0 ? (JSON.parse(result.stdout) as RunSummary) : undefined };
}

const posts = () =>
  slack.calls.filter((c) => c.method === "chat.postMessage" && (c.response as { ok: boolean }).ok);

beforeAll(async () => {
  // Dozens of short CLI runs in a minute would meet the account's real 60/min; not what this file tests.
  sim = await startSimulator({ ...DEMO_CREDENTIALS, agents: CENTER, rateLimitPerMinute: 10_000 });
  slack = await startFakeSlack({ token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), "asa-e2e-"));
});

afterAll(async () => {
  await Promise.all([sim.close(), slack.close()]);
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  sim.requests.length = 0;
  slack.calls.length = 0;
  configPath = writeConfig();
  statePath = join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
});

describe("check --json", () => {
  it("prints exactly the run summary on stdout and asks SmartAssist as DESIGN.md says", async () => {
    const { code, stdout, summary } = await check("08:20");

    expect(code).toBe(0);
    expect(stdout.trim().split("\n")).toHaveLength(1);
    expect(summary).toMatchObject({ checkedAgents: 65, pages: 3, skipped: [] });
    expect(summary?.firing).toEqual([
      {
        userId: "u-1",
        email: "agent1@example.com",
        name: "Priya Test",
        rule: "Long break",
        primaryStatus: "AWAY",
        secondaryStatus: "LUNCH",
        since: "2023-03-10T08:00:00.000Z",
        elapsedSeconds: 1200,
        thresholdSeconds: 900,
        severity: "warning",
      },
    ]);
    expect(summary?.transitions).toMatchObject([
      {
        type: "fired",
        userId: "u-1",
        since: "2023-03-10T08:00:00.000Z",
        elapsedSeconds: 1200,
        severity: "warning",
      },
    ]);

    // 13:50 in India: one date, offset -330; limit 25 as configured; offsets 0, 25, 50.
    expect(sim.requests.every((r) => r.status === 200 && r.limit === "25")).toBe(true);
    const offsets = sim.requests.map((r) => Number(r.offset));
    expect(offsets[0]).toBe(0);
    expect([...offsets].sort((a, b) => a - b).slice(0, 3)).toEqual([0, 25, 50]);
    expect(new Set(offsets).size).toBe(offsets.length);
    expect(sim.requests[0]?.body).toEqual({
      filter: { dateFilter: { startDate: "2023-03-10", endDate: "2023-03-10", timeZoneOffSet: -330 } },
    });
    expect(sim.requests[0]?.headers.iid).toBe(DEMO_CREDENTIALS.iId);
  });

  it("lists the due re-checks a run would schedule, each at the agent's own second", async () => {
    // 08:12: Priya's lunch (since 08:00) reaches its 15m threshold at 08:15:00, within the interval;
    // Rohan's BUSY (since 08:10) reaches 30m at 08:40, after the next read: not listed.
    const early = await check("08:12", ["--dry-run"]);
    expect(early.code, early.stderr).toBe(0);
    expect(early.summary?.due).toEqual([
      { userId: "u-1", email: "agent1@example.com", at: "2023-03-10T08:15:00Z", kind: "fire" },
    ]);
    // 08:16: Priya's alert is open: its resolve watch a minute ahead comes before the 08:30 escalation.
    const open = await check("08:16", ["--dry-run"]);
    expect(open.summary?.due).toEqual([
      { userId: "u-1", email: "agent1@example.com", at: "2023-03-10T08:17:00Z", kind: "resolve-watch" },
    ]);
  });

  it("reports a malformed row in skipped and still checks everyone else", async () => {
    const broken = await startSimulator({
      ...DEMO_CREDENTIALS,
      agents: CENTER,
      now: utc("08:20"),
      malformed: [
        {
          index: 2,
          row: {
            userId: "u-3",
            email: "agent3@example.com",
            status: [{ primaryStatus: "BUSY", startTime: "garbage", endTime: "-" }],
          },
        },
      ],
    });
    try {
      const config = writeConfig().replace(/\.yaml$/, "-b.yaml");
      writeFileSync(config, readFileSync(configPath, "utf8").replace(sim.url, broken.url));
      const result = await runCli(
        ["check", "--config", config, "--now", iso("08:20"), "--dry-run", "--json"],
        env(),
      );
      const summary = JSON.parse(result.stdout) as RunSummary;
      expect(result.code).toBe(0);
      expect(summary.checkedAgents).toBe(65);
      expect(summary.skipped).toEqual([
        { userId: "u-3", email: "agent3@example.com", reason: "unparseable startTime" },
      ]);
      expect(summary.firing.map((f) => f.userId)).toEqual(["u-1"]);
    } finally {
      await broken.close();
    }
  });
});

describe("the alert lifecycle across runs", () => {
  it("posts one message per episode, reminds and escalates in its thread, resolves it in place", async () => {
    const runs: Record<string, RunSummary | undefined> = {};
    for (const at of [
      "08:10",
      "08:15",
      "08:15",
      "08:20",
      "08:30",
      "08:35",
      "08:40",
      "08:45",
      "08:50",
      "08:55",
      "09:00",
    ]) {
      const { code, summary, stderr } = await check(at);
      expect(code, stderr).toBe(0);
      runs[at] = summary;
    }
    const types = (at: string) => runs[at]?.transitions.map((t) => `${t.type}:${t.userId}`);
    expect(types("08:10")).toEqual([]);
    expect(types("08:15")).toEqual([]); // the second 08:15 run: already fired by the first
    expect(types("08:30")).toEqual(["escalated:u-1"]);
    expect(types("08:35")).toEqual(["reminded:u-1"]); // 20m (repeat) after it fired
    expect(types("08:40")).toEqual(["fired:u-2"]);
    expect(types("08:50")).toEqual([]);
    expect(types("08:55")).toEqual(["resolved:u-1"]);
    expect(types("09:00")).toEqual(["reminded:u-2"]);

    const tops = posts().filter((c) => c.args.thread_ts === undefined);
    expect(tops.map((c) => String(c.args.text).match(/Priya|Rohan/)?.[0])).toEqual(["Priya", "Rohan"]);
    const view = slack.messages();
    const priya = view.find((m) => m.thread_ts === undefined && m.text.includes("Priya"));
    const replies = view.filter((m) => m.thread_ts === priya?.ts);
    expect(replies).toHaveLength(3); // escalation, reminder, resolve
    expect(priya?.updates.length).toBe(2); // severity critical, then ended
    expect(priya?.updates.at(-1)?.text).toMatch(/Resolved/);
    expect(priya?.updates.at(-1)?.text).toMatch(/52m/);
    expect(runs["09:00"]?.firing.map((f) => f.userId)).toEqual(["u-2"]);
  }, 90_000); // eleven CLI runs, on two shared cores

  it("delivers a post that failed once on the next run, once", async () => {
    slack.failNext(
      "chat.postMessage",
      { error: "internal_error", status: 500 },
      { status: 500 },
      { status: 500 },
    );
    const first = await check("08:20");
    expect(first.code).toBe(0);
    expect(first.summary?.transitions.map((t) => t.type)).toEqual(["fired"]);
    expect(posts()).toHaveLength(0);

    const second = await check("08:25");
    expect(second.summary?.transitions).toEqual([]);
    expect(posts()).toHaveLength(1);
    await check("08:26");
    expect(posts()).toHaveLength(1);
  });

  it("stops delivering for the run when Slack is down, and sends everything on the next run", async () => {
    slack.failNext("*", { status: 503 }, { status: 503 }, { status: 503 });
    const first = await check("08:45");
    expect(first.summary?.transitions.map((t) => `${t.type}:${t.userId}`).sort()).toEqual([
      "fired:u-1",
      "fired:u-2",
    ]);
    // One delivery spent its retries (3 calls); the other was not attempted.
    expect(slack.calls.filter((c) => c.method === "chat.postMessage")).toHaveLength(3);
    expect(first.stderr).toMatch(/Slack is unavailable/);

    await check("08:46");
    expect(posts()).toHaveLength(2);
  });

  it("--dry-run posts nothing and keeps no state", async () => {
    const dry = await check("08:20", ["--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.summary?.transitions.map((t) => t.type)).toEqual(["fired"]);
    expect(slack.calls).toHaveLength(0);
    expect(() => readFileSync(statePath)).toThrow();
    // A real run afterwards still fires: the dry run changed nothing.
    const real = await check("08:20");
    expect(real.summary?.transitions.map((t) => t.type)).toEqual(["fired"]);
    expect(posts()).toHaveLength(1);
  });
});

describe("exit statuses", () => {
  it("exits 2 naming the file and field of a bad config", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, readFileSync(configPath, "utf8").replace("threshold: 15m", "threshold: 15"));
    const result = await runCli(["check", "--config", bad, "--json"], env());
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`${bad}: rules[0].threshold: expected a duration like 15m`);
  });

  it("exits 2 for bad usage and for missing credentials", async () => {
    expect((await runCli(["check"], env())).code).toBe(2);
    expect((await runCli(["check", "--config", configPath, "--now", "noon"], env())).code).toBe(2);
    expect((await runCli(["frobnicate"], env())).code).toBe(2);
    const noCreds = await runCli(["check", "--config", configPath], { SLACK_BOT_TOKEN: TOKEN });
    expect(noCreds.code).toBe(2);
    expect(noCreds.stderr).toMatch(/SMARTASSIST_CLIENT_ID/);
  });

  it("exits 1 with a one-line cause when the credentials are refused", async () => {
    const result = await runCli(["check", "--config", configPath, "--json"], {
      ...env(),
      SMARTASSIST_CLIENT_SECRET: "not-the-secret",
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(
      result.stderr
        .trim()
        .split("\n")
        .filter((l) => l.startsWith("error:")),
    ).toHaveLength(1);
    expect(result.stderr).toMatch(/refused the credentials/);
    expect(result.stderr).not.toContain("not-the-secret");
  });

  it("exits 1 when SmartAssist is unreachable", async () => {
    const gone = join(dir, "gone.yaml");
    writeFileSync(gone, readFileSync(configPath, "utf8").replace(sim.url, "http://127.0.0.1:9"));
    const result = await runCli(["check", "--config", gone, "--json"], env());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/unreachable/);
  });
});

describe("validate", () => {
  it("prints the resolved rules", async () => {
    const result = await runCli(["validate", "--config", configPath]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '1. "Long break": secondaryStatus NBK|LUNCH|BREAK; threshold 15m, critical 30m, repeat 20m',
    );
    expect(result.stdout).toContain('2. "Stuck in BUSY": primaryStatus BUSY; threshold 30m, repeat 20m');
  });
});
