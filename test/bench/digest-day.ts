/**
 * A simulated working day for the digest: a generated center on the SmartAssist simulator, `check`
 * every 10 minutes from 08:00 to 19:00 local (the CLI's engine, state in a JSON file), then the CLI's
 * own `report --png`. Makes the README's example chart:
 *
 *   npx tsx test/bench/digest-day.ts docs/digest-example.png
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { localCheck } from "../../functions/cli/check.js";
import { stderrLog } from "../../functions/cli/stderr-log.js";
import { parseConfig } from "../../functions/domain/config.js";
import { generateDay } from "../fakes/smartassist/day.js";
import { DEMO_CREDENTIALS, startSimulator } from "../fakes/smartassist/simulator.js";

const ZONE = "Asia/Kolkata";
const DATE = "2025-06-10";
const out = resolve(process.argv[2] ?? join(tmpdir(), "digest-day.png"));
const local = (hhmm: string) => Date.parse(`${DATE}T${hhmm}:00+05:30`);

const raw = {
  timezone: ZONE,
  smartassist: { host: "", accountId: DEMO_CREDENTIALS.accountId, iId: DEMO_CREDENTIALS.iId },
  schedule: { every: "10m" },
  rules: [
    { name: "Long break", secondaryStatus: ["NBK", "BREAK"], threshold: "15m", critical: "30m" },
    { name: "Lunch overrun", secondaryStatus: ["LUNCH"], threshold: "40m" },
    { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m", critical: "1h" },
    { name: "Away too long", primaryStatus: "AWAY", threshold: "20m" },
  ],
  slack: { channel: "C0123456789" },
};

const sim = await startSimulator({
  ...DEMO_CREDENTIALS,
  agents: generateDay({ seed: 7, agents: 250, timezone: ZONE, date: DATE }),
  rateLimitPerMinute: 100_000,
});
const dir = mkdtempSync(join(tmpdir(), "asa-digest-day-"));
try {
  const config = { ...raw, smartassist: { ...raw.smartassist, host: sim.url } };
  const configPath = join(dir, "config.json");
  writeFileSync(configPath, JSON.stringify(config));
  const statePath = join(dir, "state.json");
  const env = {
    SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
  };
  for (let at = local("08:00"); at <= local("19:00"); at += 10 * 60_000) {
    sim.setNow(at);
    await localCheck({
      config: parseConfig(config, "digest day").config,
      nowMs: at,
      statePath,
      dryRun: false,
      env,
      log: stderrLog("error"),
    });
  }
  const report = spawnSync(
    "npx",
    [
      "tsx",
      "functions/cli/main.ts",
      "report",
      "--config",
      configPath,
      "--state",
      statePath,
      "--now",
      new Date(local("19:00")).toISOString(),
      "--png",
      out,
    ],
    { encoding: "utf8" },
  );
  process.stdout.write(report.stdout);
  process.stderr.write(report.stderr);
  process.exitCode = report.status ?? 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
  await sim.close();
}
