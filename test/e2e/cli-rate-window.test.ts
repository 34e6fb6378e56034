/**
 * One rate budget for every `check` on a state file, as a user meets it: two processes started
 * together on one file share `requestsPerMinute` between them (the file's `limiter` window), where
 * each used to spend it whole.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../functions/domain/alert.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";
import { runCli } from "./run-cli.js";
import { person, seg, utc } from "./story.js";

const PER_MINUTE = 5;

let sim: Simulator;
let dir: string;

beforeAll(async () => {
  // 8 pages of 10; the simulator's own limit is out of the way: the test counts what arrives.
  sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents: Array.from({ length: 80 }, (_, i) =>
      person(i + 1, [seg("AVAILABLE", "AVAILABLE", "03:30", null)]),
    ),
    rateLimitPerMinute: 10_000,
    now: utc("08:20"),
  });
  dir = mkdtempSync(join(tmpdir(), "asa-rate-window-"));
});

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("check processes on one state file", () => {
  it("share one rate budget: two at once send no more than requestsPerMinute together", async () => {
    const config = join(dir, "config.yaml");
    const state = join(dir, "state.json");
    writeFileSync(
      config,
      `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
  pageSize: 10
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
    const args = ["check", "--config", config, "--state", state, "--now", "2023-03-10T08:20:00Z", "--json"];
    const runs = await Promise.all([runCli(args, env), runCli(args, env)]);

    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const summaries = runs.map((r) => JSON.parse(r.stdout) as RunSummary);
    // Each alone would have read 5 pages; together they read 5, and each says what it left.
    expect(sim.requests).toHaveLength(PER_MINUTE);
    expect(sim.requests.every((r) => r.status === 200)).toBe(true);
    for (const s of summaries) expect(s.coverage?.complete).toBe(false);
    const file = JSON.parse(readFileSync(state, "utf8")) as { limiter?: { times: number[] } };
    expect(file.limiter?.times.length).toBeGreaterThanOrEqual(PER_MINUTE);
    expect(
      Math.max(...sim.requests.map((r) => r.at)) - Math.min(...sim.requests.map((r) => r.at)),
    ).toBeLessThan(60_000);
  }, 90_000);
});
