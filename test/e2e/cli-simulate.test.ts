/**
 * `simulate` as a newcomer uses it: started from the CLI, it prints where it listens and how to point a
 * config at it, and it answers past days as the API does, so `replay --date` of yesterday has a day
 * to replay. A zone a config would refuse is refused here too.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { ReplayJson } from "../../functions/cli/replay.js";
import { shiftLocalDate } from "../../functions/domain/local-date.js";
import { localDate } from "../../functions/domain/time.js";
import { DEMO_CREDENTIALS, demoSmartAssistYaml } from "../fakes/smartassist/simulator.js";
import { collect, runCli } from "./run-cli.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "asa-simulate-"));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("simulate", () => {
  it("serves yesterday too: replay --date of yesterday counts that day's alerts", async () => {
    // Prepare: the simulator from the CLI on a free port, its URL read from what it prints.
    const child = spawn(TSX, ["functions/cli/main.ts", "simulate", "--port", "0", "--agents", "60"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const done = collect(child);
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let text = "";
        child.stdout?.on("data", (d: Buffer) => {
          text += d.toString();
          const found = /on (http:\/\/127\.0\.0\.1:\d+):/.exec(text);
          if (found?.[1]) resolve(found[1]);
        });
        child.on("close", () => reject(new Error(`simulate ended early: ${text}`)));
      });
      const yesterday = shiftLocalDate(localDate("Asia/Kolkata", Date.now()), -1);
      const config = join(dir, "sim.yaml");
      writeFileSync(
        config,
        `timezone: Asia/Kolkata
${demoSmartAssistYaml(url)}
rules:
  - name: Long break
    secondaryStatus: [NBK, LUNCH, BREAK]
    threshold: 15m
slack:
  channel: C-OPS
`,
      );

      // Act
      const r = await runCli(["replay", "--config", config, "--date", yesterday, "--json"], {
        SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
        SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
      });

      // Assess: a whole working day of 60 agents (lunches of 30–45 minutes) has long breaks in it.
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout) as ReplayJson;
      expect(json).toMatchObject({ date: yesterday, agents: 60 });
      expect(json.configs[0]?.totals.alerts).toBeGreaterThan(10);
    } finally {
      child.kill("SIGTERM");
      await done;
    }
  });

  it("refuses a zone a config would refuse, naming the one to write", async () => {
    const r = await runCli(["simulate", "--timezone", "EST"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--timezone:");
    expect(r.stderr).toContain("America/New_York");
    const unknown = await runCli(["simulate", "--timezone", "Mars/Base"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown IANA time zone "Mars/Base"');
  });
});
