/**
 * `report` end to end: a morning of `check` runs through the CLI (simulator, state file, no Slack),
 * then the day's digest as JSON, CSV, text and PNG, compared with the arithmetic done by hand.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pngSize } from "../../functions/adapters/chart/png.js";
import type { DayReport } from "../../functions/domain/digest.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";
import { runCli } from "./run-cli.js";
import { iso, person, seg as s, utc } from "./story.js";

// 2023-03-10 in India (UTC+05:30). Times below are UTC: 08:00Z is 13:30 local.
/** This file's stories name the agent first. */
const named = (n: number, first: string, segments: SimAgent["segments"]) => person(n, segments, first);

/** Priya at lunch 08:00–08:52 (52 min, 15m threshold: 37 past); Rohan BUSY from 08:10 (30m threshold). */
const CENTER: SimAgent[] = [
  named(1, "Priya", [
    s("AVAILABLE", "AVAILABLE", "03:30", "08:00"),
    s("AWAY", "LUNCH", "08:00", "08:52"),
    s("AVAILABLE", "AVAILABLE", "08:52", null),
  ]),
  named(2, "Rohan", [s("AVAILABLE", "AVAILABLE", "03:30", "08:10"), s("BUSY", "BUSY", "08:10", null)]),
  named(3, "Asha", [s("AVAILABLE", "AVAILABLE", "03:30", null)]),
];

let sim: Simulator;
let dir: string;
let configPath: string;
let statePath: string;

const env = {
  SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
  SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
};

beforeAll(async () => {
  sim = await startSimulator({ ...DEMO_CREDENTIALS, agents: CENTER, rateLimitPerMinute: 10_000 });
  dir = mkdtempSync(join(tmpdir(), "asa-report-"));
  configPath = join(dir, "config.yaml");
  statePath = join(dir, "state.json");
  writeFileSync(
    configPath,
    `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
rules:
  - name: Long break
    secondaryStatus: [NBK, LUNCH, BREAK]
    threshold: 15m
  - name: Stuck in BUSY
    primaryStatus: BUSY
    threshold: 30m
slack:
  channel: C-OPS
`,
  );
  for (const at of ["08:20", "08:40", "09:00"]) {
    sim.setNow(utc(at));
    const run = await runCli(
      ["check", "--config", configPath, "--now", iso(at), "--state", statePath, "--json"],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
  }
}, 120_000);

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

const report = (...args: string[]) =>
  runCli(["report", "--config", configPath, "--state", statePath, ...args]);

describe("report", () => {
  it("--json: the ended lunch from history, the open BUSY up to --now, per DESIGN's shape", async () => {
    // Act
    const run = await report("--now", iso("09:00"), "--json");
    // Assess
    expect(run.code, run.stderr).toBe(0);
    const parsed = JSON.parse(run.stdout) as DayReport;
    expect(parsed).toEqual({
      date: "2023-03-10",
      timezone: "Asia/Kolkata",
      channels: [
        {
          channel: "C-OPS",
          alerts: 2,
          agents: 2,
          minutesPastThreshold: 37 + 20,
          byRule: [
            { rule: "Long break", alerts: 1, minutesPastThreshold: 37 },
            { rule: "Stuck in BUSY", alerts: 1, minutesPastThreshold: 20 },
          ],
          top: [
            { email: "agent1@example.com", name: "Priya Test", alerts: 1, minutesPastThreshold: 37 },
            { email: "agent2@example.com", name: "Rohan Test", alerts: 1, minutesPastThreshold: 20 },
          ],
          longest: { email: "agent1@example.com", rule: "Long break", minutes: 52 },
          medianMinutesToAcknowledge: null,
          weekBefore: { alerts: 0, minutesPastThreshold: 0 },
        },
      ],
    });
  });

  it("--csv: one row per alert, open ones without an end", async () => {
    // Act
    const run = await report("--now", iso("09:00"), "--date", "2023-03-10", "--csv");
    // Assess
    expect(run.code, run.stderr).toBe(0);
    const [header, ...rows] = run.stdout.trim().split("\n");
    expect(header).toBe(
      "date,channel,userId,email,name,rule,primaryStatus,secondaryStatus,start,end,minutes,thresholdMinutes,minutesPastThreshold,severity,acknowledgedBy,acknowledgedAt,excusedBy,open",
    );
    expect(rows).toEqual([
      `2023-03-10,C-OPS,u-1,agent1@example.com,Priya Test,Long break,AWAY,LUNCH,${iso("08:00")},${iso("08:52")},52,15,37,warning,,,,false`,
      `2023-03-10,C-OPS,u-2,agent2@example.com,Rohan Test,Stuck in BUSY,BUSY,BUSY,${iso("08:10")},,50,30,20,warning,,,,true`,
    ]);
  });

  it("--png: writes a 1200×600 PNG chart; text by default names each alert", async () => {
    // Prepare
    const png = join(dir, "chart.png");
    // Act
    const run = await report("--now", iso("09:00"), "--png", png);
    // Assess
    expect(run.code, run.stderr).toBe(0);
    expect(pngSize(readFileSync(png))).toEqual({ width: 1200, height: 600 });
    expect(run.stdout).toContain("C-OPS: 2 alerts, 2 agents, 57 min past threshold");
    expect(run.stdout).toContain("Priya Test <agent1@example.com> Long break");
    expect(run.stdout).toContain("still open");
  }, 60_000);

  it("another date is a quiet day; a missing state file too", async () => {
    // Act
    const quiet = await report("--now", iso("09:00"), "--date", "2023-03-09", "--json");
    const missing = await runCli([
      "report",
      "--config",
      configPath,
      "--state",
      join(dir, "none.json"),
      "--now",
      iso("09:00"),
      "--json",
    ]);
    // Assess
    for (const run of [quiet, missing]) {
      expect(run.code, run.stderr).toBe(0);
      const parsed = JSON.parse(run.stdout) as DayReport;
      expect(parsed.channels).toEqual([
        expect.objectContaining({
          channel: "C-OPS",
          alerts: 0,
          minutesPastThreshold: 0,
          longest: null,
          top: [],
        }),
      ]);
    }
  });

  it("a bad --date exits 2 naming the flag", async () => {
    // Act
    const runs = await Promise.all([report("--date", "2023-02-30"), report("--date", "10/03/2023")]);
    // Assess
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("--date");
      expect(run.stdout).toBe("");
    }
  });
});
