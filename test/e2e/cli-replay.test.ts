/**
 * `replay` end to end, as a user runs it: the day read from the SmartAssist simulator and saved,
 * then replayed from the capture (the same JSON, no request), against another config; Slack never
 * called; exit 2 for a bad date, a missing capture, a capture of another date, a bad config.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ReplayJson } from "../../functions/cli/replay.js";
import { localDate, localTimeOfDay } from "../../functions/domain/time.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";
import { runCli } from "./run-cli.js";
import { person, STORY_DAY, seg as s, utc } from "./story.js";

// 2023-03-10 in India (UTC+05:30); times below are UTC. The local day ends at 18:30Z.
const CENTER: SimAgent[] = [
  // LUNCH 52 min: fires 08:15, reminded 08:35, escalates 08:30, back 08:52 → 37 min past threshold.
  person(1, [
    s("AVAILABLE", "AVAILABLE", "03:30", "08:00"),
    s("AWAY", "LUNCH", "08:00", "08:52"),
    s("AVAILABLE", "AVAILABLE", "08:52", null),
  ]),
  // BUSY from 08:10 to the end of the day: fires 08:40, counts to midnight → 590 min, 29 reminders.
  person(2, [s("AVAILABLE", "AVAILABLE", "03:30", "08:10"), s("BUSY", "BUSY", "08:10", null)]),
  // BREAK 30 min: fires 03:45, back at 04:00 exactly (critical is not reached) → 15 min.
  person(5, [s("AWAY", "BREAK", "03:30", "04:00"), s("AVAILABLE", "AVAILABLE", "04:00", null)]),
  ...Array.from({ length: 30 }, (_, i) => person(10 + i, [s("AVAILABLE", "AVAILABLE", "03:30", null)])),
];

const TOKEN = "xoxb-e2e-token";
let sim: Simulator;
let slack: FakeSlack;
let dir: string;

function writeConfig(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, body);
  return path;
}

function config(threshold = "15m", critical = "30m"): string {
  return `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
  pageSize: 10
schedule:
  every: 5m
rules:
  - name: Long break
    secondaryStatus: [NBK, LUNCH, BREAK]
    threshold: ${threshold}
    critical: ${critical}
  - name: Stuck in BUSY
    primaryStatus: BUSY
    threshold: 30m
repeat: 20m
slack:
  channel: C-OPS
`;
}

const env = () => ({
  SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
  SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
  SLACK_BOT_TOKEN: TOKEN,
  SLACK_API_URL: slack.url,
});

beforeAll(async () => {
  sim = await startSimulator({ ...DEMO_CREDENTIALS, agents: CENTER, rateLimitPerMinute: 10_000 });
  // The API as it answers the day after: every segment of the day known.
  sim.setNow(utc("23:59"));
  slack = await startFakeSlack({ token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), "asa-replay-"));
});

afterAll(async () => {
  await Promise.all([sim.close(), slack.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("replay", () => {
  it("--save reads the day once; --from gives the same JSON without a request; nothing goes to Slack", async () => {
    const a = writeConfig("a.yaml", config());
    const capture = join(dir, "day.json");
    const saved = await runCli(
      ["replay", "--config", a, "--date", STORY_DAY, "--save", capture, "--json"],
      env(),
    );
    expect(saved.stderr).toContain("agent(s)");
    expect(saved.code).toBe(0);
    const requests = sim.requests.length;
    const pages = sim.requests.filter((r) => r.offset !== null);
    // 33 agents in pages of 10 (and pages asked for ahead of the roster's end, as in every run).
    expect(pages.map((r) => Number(r.offset))).toEqual(expect.arrayContaining([0, 10, 20, 30]));
    for (const r of pages)
      expect(r.body).toMatchObject({
        filter: { dateFilter: { startDate: STORY_DAY, endDate: STORY_DAY, timeZoneOffSet: -330 } },
      });

    const file = JSON.parse(readFileSync(capture, "utf8"));
    expect(file).toMatchObject({
      version: 1,
      date: STORY_DAY,
      timezone: "Asia/Kolkata",
      timeZoneOffSet: -330,
    });
    expect(file.rows).toHaveLength(CENTER.length);
    // When it was read: this day was over by then (the simulator answers as of its end), so it is
    // replayed whole.
    expect(Date.parse(file.readAt)).toBeGreaterThan(Date.now() - 60_000);

    const again = await runCli(
      ["replay", "--config", a, "--date", STORY_DAY, "--from", capture, "--json"],
      env(),
    );
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(saved.stdout);
    expect(sim.requests.length).toBe(requests);
    expect(slack.calls).toHaveLength(0);
    expect(again.stderr).not.toContain("malformed");
    // Not a terminal: one closing line per config, with the runs the day took.
    expect(again.stderr).toMatch(/^replayed .*a\.yaml: 1440 ticks and \d+ due re-checks in [\d.]+ s$/m);

    // A malformed row in the day is skipped and said, not the day: the other agents still count.
    const broken = join(dir, "broken-day.json");
    const rows = [...file.rows];
    rows[0] = { ...rows[0], userId: "" };
    writeFileSync(broken, JSON.stringify({ ...file, rows }));
    const skipping = await runCli(
      ["replay", "--config", a, "--date", STORY_DAY, "--from", broken, "--json"],
      env(),
    );
    expect(skipping.code).toBe(0);
    expect(skipping.stderr).toContain("1 malformed input(s), skipped as a run skips them");
    expect(skipping.stderr).toMatch(/\(no userId\): (missing|invalid) userId/);
    expect((JSON.parse(skipping.stdout) as ReplayJson).configs[0]?.totals.alerts).toBe(2);

    const json = JSON.parse(saved.stdout) as ReplayJson;
    expect(Object.keys(json)).toEqual(["date", "timezone", "agents", "configs"]);
    expect(json).toMatchObject({ date: STORY_DAY, timezone: "Asia/Kolkata", agents: CENTER.length });
    expect(json.configs[0]).toEqual({
      config: a,
      totals: {
        alerts: 3,
        nudges: 0,
        averted: 0,
        escalations: 1,
        reminders: 30,
        rollups: 0,
        // Three alerts; the escalation's reply; 30 reminders; two resolves' replies.
        messages: 36,
        minutesPastThreshold: 37 + 590 + 15,
      },
      byRule: [
        {
          rule: "Long break",
          alerts: 2,
          nudges: 0,
          averted: 0,
          escalations: 1,
          reminders: 1,
          minutesPastThreshold: 52,
        },
        {
          rule: "Stuck in BUSY",
          alerts: 1,
          nudges: 0,
          averted: 0,
          escalations: 0,
          reminders: 29,
          minutesPastThreshold: 590,
        },
      ],
      byHour: Array.from({ length: 24 }, (_, hour) => ({
        hour,
        // 03:45Z is 09:15 local; 08:15Z and 08:40Z are 13:45 and 14:10.
        alerts: hour === 9 || hour === 13 || hour === 14 ? 1 : 0,
      })),
    });
  });

  it("--against prints both configs with the difference; --png draws the chart", async () => {
    const a = writeConfig("a2.yaml", config());
    const b = writeConfig("b2.yaml", config("45m", "50m"));
    const capture = join(dir, "day2.json");
    expect(
      (await runCli(["replay", "--config", a, "--date", STORY_DAY, "--save", capture], env())).code,
    ).toBe(0);
    const png = join(dir, "chart.png");
    const r = await runCli(
      ["replay", "--config", a, "--against", b, "--date", STORY_DAY, "--from", capture, "--png", png],
      env(),
    );
    expect(r.stderr).toContain("chart written to");
    expect(r.code).toBe(0);
    // The second config ran in a second process beside the first (no note that it fell back).
    expect(r.stderr).not.toContain("note:");
    expect(r.stderr).toMatch(new RegExp(`replayed ${b}: 1440 ticks`));
    expect(r.stderr).toMatch(new RegExp(`replayed ${a}: 1440 ticks`));
    expect(r.stdout).toMatch(/alerts\s+3\s+2\s+-1/);
    expect(r.stdout).toContain("difference");
    expect(readFileSync(png).subarray(1, 4).toString()).toBe("PNG");
    const json = await runCli(
      ["replay", "--config", a, "--against", b, "--date", STORY_DAY, "--from", capture, "--json"],
      env(),
    );
    const parsed = JSON.parse(json.stdout) as ReplayJson;
    expect(parsed.configs.map((c) => c.config)).toEqual([a, b]);
    expect(parsed.configs[1]?.totals.alerts).toBe(2);
  });

  it("exit 2: a bad date, a date in the future, a missing capture, a capture of another date, a bad config, a path that cannot be written", async () => {
    const a = writeConfig("a3.yaml", config());
    const capture = join(dir, "day3.json");
    expect(
      (await runCli(["replay", "--config", a, "--date", STORY_DAY, "--save", capture], env())).code,
    ).toBe(0);
    const before = sim.requests.length;

    const bad = await runCli(["replay", "--config", a, "--date", "2023-02-30"], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--date");
    const future = await runCli(["replay", "--config", a, "--date", "2999-01-01"], env());
    expect(future.code).toBe(2);
    expect(future.stderr).toContain("in the future");
    const missing = await runCli(
      ["replay", "--config", a, "--date", STORY_DAY, "--from", join(dir, "none.json")],
      env(),
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such capture");
    const other = await runCli(["replay", "--config", a, "--date", "2023-03-11", "--from", capture], env());
    expect(other.code).toBe(2);
    expect(other.stderr).toContain("the capture is of 2023-03-10");
    const zone = writeConfig("zone.yaml", config().replace("Asia/Kolkata", "Europe/London"));
    const otherZone = await runCli(
      ["replay", "--config", zone, "--date", STORY_DAY, "--from", capture],
      env(),
    );
    expect(otherZone.code).toBe(2);
    expect(otherZone.stderr).toContain("the capture is in Asia/Kolkata");
    const broken = writeConfig("broken.yaml", config().replace("threshold: 30m", "threshold: soon"));
    const badAgainst = await runCli(
      ["replay", "--config", a, "--against", broken, "--date", STORY_DAY, "--from", capture],
      env(),
    );
    expect(badAgainst.code).toBe(2);
    expect(badAgainst.stderr).toContain(`--against ${broken}`);
    // A capture or chart that could not be written is refused before the day is read, not after.
    const nowhere = join(dir, "no-such-dir", "day.json");
    const badSave = await runCli(["replay", "--config", a, "--date", STORY_DAY, "--save", nowhere], env());
    expect(badSave.code).toBe(2);
    expect(badSave.stderr).toContain(`--save ${nowhere}: cannot be written (its directory`);
    expect(badSave.stderr).not.toContain("reading");
    const badPng = await runCli(
      ["replay", "--config", a, "--date", STORY_DAY, "--from", capture, "--png", dir],
      env(),
    );
    expect(badPng.code).toBe(2);
    expect(badPng.stderr).toContain(`--png ${dir}: cannot be written (it is a directory)`);
    expect(sim.requests.length).toBe(before);
  });

  it("exit 1 when the day cannot be read", async () => {
    const a = writeConfig("down.yaml", config().replace(sim.url, "http://127.0.0.1:9"));
    const r = await runCli(["replay", "--config", a, "--date", STORY_DAY], env());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("could not be read");
  });
});

describe("replay of today", () => {
  it("runs the day up to when it was read: an agent still at lunch is not assumed there until midnight", async () => {
    // Prepare: a zone where it is mid-day now (so the episode is all today's), the API on the real
    // clock, one agent at lunch for the last 40 minutes.
    const hourIn = (zone: string) => Number(localTimeOfDay(zone, Date.now()).slice(0, 2));
    const zone =
      hourIn("Asia/Kolkata") >= 2 && hourIn("Asia/Kolkata") < 22 ? "Asia/Kolkata" : "America/New_York";
    const now = Math.floor(Date.now() / 1000) * 1000;
    const at = (ms: number) => ({ startMs: ms });
    const live = await startSimulator({
      ...DEMO_CREDENTIALS,
      rateLimitPerMinute: 10_000,
      agents: [
        person(1, [
          {
            primaryStatus: "AVAILABLE",
            secondaryStatus: "AVAILABLE",
            ...at(now - 90 * 60_000),
            endMs: now - 40 * 60_000,
          },
          { primaryStatus: "AWAY", secondaryStatus: "LUNCH", ...at(now - 40 * 60_000), endMs: null },
        ]),
      ],
    });
    try {
      const a = writeConfig(
        "today.yaml",
        config().replace(sim.url, live.url).replace("timezone: Asia/Kolkata", `timezone: ${zone}`),
      );

      // Act
      const today = localDate(zone, Date.now());
      const r = await runCli(["replay", "--config", a, "--date", today], env());
      const json = await runCli(["replay", "--config", a, "--date", today, "--json"], env());

      // Assess: fired at 15 min, escalated at 30, reminded at 35 (repeat 20m), 25 min past its
      // threshold when read (to midnight it would be hours, and a reminder every 20 minutes).
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Replay of \S+ \(\S+\) until \d\d:\d\d \(when it was read\)/);
      const totals = (JSON.parse(json.stdout) as ReplayJson).configs[0]?.totals;
      expect(totals).toMatchObject({ alerts: 1, reminders: 1, escalations: 1 });
      expect(totals?.minutesPastThreshold).toBeGreaterThanOrEqual(25);
      expect(totals?.minutesPastThreshold).toBeLessThanOrEqual(26);
    } finally {
      await live.close();
    }
  });
});
