/**
 * The benchmark's SmartAssist simulator, in a child process of its own (so its memory and CPU are
 * not the engine's): generates the largest center once, then serves any prefix of it. Driven by the
 * bench over IPC; it exits when told to, or when its parent goes away.
 *
 *   argv[2]: JSON SimServerStart
 *   in:  SimServerCommand           out: SimServerReply
 */
import { generateDay } from "../fakes/smartassist/day.js";
import { DEMO_CREDENTIALS, type SimAgent, startSimulator } from "../fakes/smartassist/simulator.js";

export interface SimServerStart {
  agents: number;
  segmentsPerAgent: number;
  timezone: string;
  /** Local date of the generated day. */
  date: string;
  seed: number;
  /** The simulator's "as of" instant. */
  nowMs: number;
  latencyMs: number;
}

export type SimServerCommand =
  | {
      type: "configure";
      id: number;
      agents?: number;
      latencyMs?: number;
      nowMs?: number;
      /** Render this request window's rows ahead (see Simulator.warmUp). */
      warm?: { startDate: string; endDate: string; timeZoneOffSet: number };
    }
  /** Forget the recorded requests and start counting CPU time afresh. */
  | { type: "reset"; id: number }
  | { type: "stats"; id: number }
  | { type: "close"; id: number };

export interface SimServerStats {
  requests: number;
  /** Status codes other than 200 seen since the last reset. */
  refused: number;
  /** CPU time (user + system) the simulator process spent since the last reset. */
  cpuMs: number;
  wallMs: number;
  rssBytes: number;
}

export type SimServerReply =
  | { type: "ready"; url: string; agents: number; generateMs: number }
  | { type: "done"; id: number; stats: SimServerStats };

function send(message: SimServerReply): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const start = JSON.parse(process.argv[2] ?? "{}") as SimServerStart;
  const began = performance.now();
  const all: SimAgent[] = generateDay({
    agents: start.agents,
    segmentsPerAgent: start.segmentsPerAgent,
    timezone: start.timezone,
    date: start.date,
    seed: start.seed,
  });
  const generateMs = performance.now() - began;
  const sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents: all,
    now: start.nowMs,
    latencyMs: start.latencyMs,
    // Pacing is out of the way in the engine runs: the simulator's 60/min must not answer 429.
    rateLimitPerMinute: 1_000_000_000,
  });

  let cpu = process.cpuUsage();
  let wall = performance.now();
  const stats = (): SimServerStats => {
    const used = process.cpuUsage(cpu);
    return {
      requests: sim.requests.length,
      refused: sim.requests.filter((r) => r.status !== 200).length,
      cpuMs: (used.user + used.system) / 1000,
      wallMs: performance.now() - wall,
      rssBytes: process.memoryUsage().rss,
    };
  };

  process.on("message", (raw) => {
    const command = raw as SimServerCommand;
    switch (command.type) {
      case "configure":
        // A prefix of the same seeded day: the first N agents are the same whatever the total.
        if (command.agents !== undefined) sim.setAgents(all.slice(0, command.agents));
        if (command.latencyMs !== undefined) sim.setLatency(command.latencyMs);
        if (command.nowMs !== undefined) sim.setNow(command.nowMs);
        if (command.warm !== undefined) sim.warmUp(command.warm);
        break;
      case "reset":
        sim.requests.length = 0;
        cpu = process.cpuUsage();
        wall = performance.now();
        break;
      case "stats":
        break;
      case "close":
        send({ type: "done", id: command.id, stats: stats() });
        void sim.close().then(() => process.exit(0));
        return;
    }
    send({ type: "done", id: command.id, stats: stats() });
  });
  // The bench went away (crashed, Ctrl-C): do not outlive it.
  process.on("disconnect", () => process.exit(0));
  send({ type: "ready", url: sim.url, agents: all.length, generateMs });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
