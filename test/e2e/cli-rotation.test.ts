/**
 * A roster larger than one run can read, through the real CLI: `check` three times with a small pace
 * and a one-minute schedule, following the offsets and e-mail filters the simulator receives, the
 * cursor in the state file, and an open alert whose agent comes back while the rotation is elsewhere.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../functions/domain/alert.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";
import { runCli } from "./run-cli.js";
import { utc } from "./story.js";

const PAGE_SIZE = 10;
const PER_MINUTE = 6;
/** A run spends one request re-reading the open alert and 5 on the rotation: 15 pages is three runs' worth. */
const AGENTS = 150;

function person(n: number, segments: SimAgent["segments"]): SimAgent {
  return {
    userId: `u-${n}`,
    firstName: `Agent${n}`,
    lastName: "Test",
    email: `agent${n}@example.com`,
    segments,
  };
}
const seg = (primaryStatus: string, secondaryStatus: string, start: string, end: string | null) => ({
  primaryStatus,
  secondaryStatus,
  startMs: utc(start),
  endMs: end === null ? null : utc(end),
});

/** u-1 (page 0) goes to lunch at 08:00; `backAt` ends it. Everyone else is available. */
function roster(backAt: string | null): SimAgent[] {
  const lunch = [seg("AVAILABLE", "AVAILABLE", "03:30", "08:00"), seg("AWAY", "LUNCH", "08:00", backAt)];
  if (backAt !== null) lunch.push(seg("AVAILABLE", "AVAILABLE", backAt, null));
  return [
    person(1, lunch),
    ...Array.from({ length: AGENTS - 1 }, (_, i) =>
      person(i + 2, [seg("AVAILABLE", "AVAILABLE", "03:30", null)]),
    ),
  ];
}

let sim: Simulator;
let dir: string;

function emptyRateWindow(state: string): void {
  let file: { limiter?: unknown };
  try {
    file = JSON.parse(readFileSync(state, "utf8")) as { limiter?: unknown };
  } catch {
    return; // no state yet
  }
  delete file.limiter;
  writeFileSync(state, JSON.stringify(file));
}

beforeAll(async () => {
  // The CLI paces itself; the simulator's own limit is out of the way of back-to-back test runs.
  sim = await startSimulator({ ...DEMO_CREDENTIALS, agents: roster(null), rateLimitPerMinute: 10_000 });
  dir = mkdtempSync(join(tmpdir(), "asa-rotation-"));
});

afterAll(async () => {
  await sim.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("check on a roster three times one run's capacity", () => {
  it("reads every agent within three runs, and resolves an open alert in the first run after the agent came back", async () => {
    const config = join(dir, "config.yaml");
    const state = join(dir, "state.json");
    writeFileSync(
      config,
      `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
  pageSize: ${PAGE_SIZE}
  concurrency: 2
  requestsPerMinute: ${PER_MINUTE}
schedule:
  every: 1m
rules:
  - name: Long break
    secondaryStatus: [LUNCH]
    threshold: 15m
`,
    );
    const env = {
      SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
    };
    const run = async (at: string) => {
      sim.setNow(utc(at));
      sim.requests.length = 0;
      // The runs stand for runs minutes apart: by then the previous run's requests no longer count in
      // the state file's shared rate window (kept in real time), so it is emptied as time would.
      emptyRateWindow(state);
      const result = await runCli(
        ["check", "--config", config, "--state", state, "--now", `2023-03-10T${at}:00Z`, "--json"],
        env,
      );
      expect(result.code, result.stderr).toBe(0);
      const requests = sim.requests.map((r) => ({
        offset: Number(r.offset),
        agents: (r.body as { filter: { agents?: string[] } }).filter.agents,
        status: r.status,
      }));
      return { summary: JSON.parse(result.stdout) as RunSummary, stderr: result.stderr, requests };
    };

    const first = await run("08:20");
    const second = await run("08:25");
    sim.setAgents(roster("08:27")); // u-1 is back while the rotation reads pages 11 to 15
    const third = await run("08:30");

    // Each run stops at its budget and starts where the last one stopped; the third reaches the end
    // and, when the page past the end that waited for the pacer was dropped unsent, has one request
    // left to wrap: page 0 again, so the next run starts at 10.
    expect(first.summary.coverage).toEqual({
      complete: false,
      startOffset: 0,
      nextOffset: 60,
      rosterPages: null,
    });
    expect(second.summary.coverage).toEqual({
      complete: false,
      startOffset: 60,
      nextOffset: 110,
      rosterPages: null,
    });
    // Whether the third run's last request wraps to page 0 is a race no client can win every time:
    // with two pages in flight and no total in the API, the page past the end (150) goes out when its
    // slot comes before page 140's answer says hasMore=false (a loaded machine); then that request
    // was the run's last, and the next run starts at 0 instead of 10.
    const rotationOf = (r: typeof third) =>
      r.requests.filter((q) => q.agents === undefined).map((q) => q.offset);
    const wrapped = rotationOf(third).includes(0);
    expect(third.summary.coverage).toEqual({
      complete: false,
      startOffset: 110,
      nextOffset: wrapped ? 10 : 0,
      rosterPages: 15,
    });
    for (const r of [first, second, third]) expect(r.stderr).toMatch(/does not fit in one 1-minute run/);
    expect(third.stderr).toMatch(/a full cycle takes \d+ runs/);

    // Every page of the roster was read by the rotation across the three runs, once (page 0 once more, in
    // the third run's wrap), and none past the end of the roster.
    const rotationOffsets = [first, second, third].flatMap((r) =>
      r.requests.filter((q) => q.agents === undefined && q.status === 200).map((q) => q.offset),
    );
    const covered = new Set(rotationOffsets.filter((offset) => offset < AGENTS));
    expect([...covered].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, i) => i * PAGE_SIZE));
    expect(rotationOffsets).toHaveLength(16);
    expect(rotationOf(third)).toEqual(wrapped ? [110, 120, 130, 140, 0] : [110, 120, 130, 140, 150]);
    // No run asked for more than its pace allows.
    for (const r of [first, second, third]) expect(r.requests.length).toBeLessThanOrEqual(PER_MINUTE);

    // The alert fired on page 0 in the first run; the next runs re-read u-1 by e-mail first.
    expect(first.summary.transitions.map((t) => `${t.type}:${t.userId}`)).toEqual(["fired:u-1"]);
    expect(first.requests.some((q) => q.agents !== undefined)).toBe(false);
    for (const r of [second, third]) expect(r.requests[0]?.agents).toEqual(["agent1@example.com"]);
    expect(second.summary.transitions).toEqual([]);
    expect(second.summary.firing.map((f) => f.userId)).toEqual(["u-1"]);
    // u-1 came back at 08:27; the third run resolves it from the e-mail re-read, before its wrap reaches
    // page 0.
    expect(third.summary.transitions.map((t) => `${t.type}:${t.userId}`)).toEqual(["resolved:u-1"]);
    expect(third.summary.firing).toEqual([]);
    expect(JSON.parse(readFileSync(state, "utf8")).cursor).toMatchObject({
      nextOffset: wrapped ? 10 : 0,
      rosterPages: 15,
    });
  }, 120_000);

  it("does not move the cursor on a dry run", async () => {
    const state = join(dir, "dry-state.json");
    const config = join(dir, "config.yaml");
    sim.setAgents(roster(null));
    sim.setNow(utc("08:20"));
    const env = {
      SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
    };
    const args = ["check", "--config", config, "--state", state, "--now", "2023-03-10T08:20:00Z", "--json"];
    const real = await runCli(args, env);
    expect(real.code, real.stderr).toBe(0);
    const before = readFileSync(state, "utf8");
    const dry = await runCli([...args, "--dry-run"], env);
    expect(dry.code, dry.stderr).toBe(0);
    expect((JSON.parse(dry.stdout) as RunSummary).coverage).toMatchObject({
      startOffset: 60,
      nextOffset: 110,
    });
    expect(readFileSync(state, "utf8")).toBe(before);
  }, 60_000);
});
