/**
 * `simulate`: serves the SmartAssist simulator (a test tool) on loopback with a generated day, for
 * manual runs of `check`. Loaded only by that command; never part of the Lambda bundle.
 */

import { generateDay } from "../../test/fakes/smartassist/day.js";
import { DEMO_CREDENTIALS, startSimulator } from "../../test/fakes/smartassist/simulator.js";
import { localDate } from "../domain/time.js";

export interface SimulateOptions {
  port: number;
  agents: number;
  seed: number;
  timezone: string;
  latencyMs: number;
}

export async function serveSimulator(options: SimulateOptions): Promise<void> {
  const today = localDate(options.timezone, Date.now());
  const agents = generateDay({
    seed: options.seed,
    agents: options.agents,
    timezone: options.timezone,
    date: today,
  });
  const sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents,
    port: options.port,
    latencyMs: options.latencyMs,
  });
  process.stdout.write(
    [
      `SmartAssist simulator on ${sim.url}: ${options.agents} agents, a generated ${today} in ${options.timezone} (seed ${options.seed}).`,
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
