/**
 * `simulate`: serves the SmartAssist simulator (a test tool) on loopback with a generated day, for
 * manual runs of `check`. Loaded only by that command; never part of the Lambda bundle.
 */

import { generateDays } from "../../test/fakes/smartassist/day.js";
import { DEMO_CREDENTIALS, startSimulator } from "../../test/fakes/smartassist/simulator.js";
import { shiftLocalDate } from "../domain/local-date.js";
import { localDate } from "../domain/time.js";

export interface SimulateOptions {
  port: number;
  agents: number;
  seed: number;
  timezone: string;
  latencyMs: number;
}

/** Past days served besides today, so that `replay --date` of a recent day finds a day to replay. */
export const SIMULATED_PAST_DAYS = 7;

export async function serveSimulator(options: SimulateOptions): Promise<void> {
  const today = localDate(options.timezone, Date.now());
  const first = shiftLocalDate(today, -SIMULATED_PAST_DAYS);
  const agents = generateDays({
    seed: options.seed,
    agents: options.agents,
    timezone: options.timezone,
    dates: Array.from({ length: SIMULATED_PAST_DAYS + 1 }, (_, i) => shiftLocalDate(first, i)),
  });
  const sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents,
    port: options.port,
    latencyMs: options.latencyMs,
  });
  process.stdout.write(
    [
      `SmartAssist simulator on ${sim.url}: ${options.agents} agents, generated days ${first} to ${today} (today, so far) in ${options.timezone} (seed ${options.seed}).`,
      "",
      "Point a config at it:",
      `  timezone: ${options.timezone}`,
      "  smartassist:",
      `    host: ${sim.url}`,
      `    accountId: "${DEMO_CREDENTIALS.accountId}"`,
      `    iId: "${DEMO_CREDENTIALS.iId}"`,
      "",
      "and run with these credentials (the simulator's own, not real ones):",
      `  export SMARTASSIST_CLIENT_ID=${DEMO_CREDENTIALS.clientId}`,
      `  export SMARTASSIST_CLIENT_SECRET=${DEMO_CREDENTIALS.clientSecret}`,
      "  npm run cli -- check --config your.config.yaml --dry-run",
      `  npm run cli -- replay --config your.config.yaml --date ${shiftLocalDate(today, -1)}`,
      "",
      "Ctrl-C stops it.",
      "",
    ].join("\n"),
  );
  await new Promise<void>((resolve) => {
    const stop = () => {
      void sim.close().then(resolve);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
