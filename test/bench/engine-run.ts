/**
 * One engine measurement, in a fresh child process of the bench: the real runCheck with the real
 * SmartAssistClient against the simulator child, a MemoryAlertStore and (in "counted" mode) a
 * counting notifier and event publisher. Reports over IPC, then exits.
 *
 *   argv[2]: JSON EngineRunSpec      out: EngineRunReport (or { type: "error" })
 *
 * "timed": dry run, no notifier: the wall time of runCheck alone (client construction and module
 * loading are before the clock starts) and the process's peak RSS.
 * "counted": two real runs (now, then one schedule interval later) with store, Slack and event calls
 * counted: what scales with alerts and what with agents.
 */
import { SmartAssistClient } from "../../functions/adapters/smartassist/client.js";
import { MemoryAlertStore } from "../../functions/adapters/state/memory-store.js";
import { silentLog } from "../../functions/app/logger.js";
import { runCheck } from "../../functions/app/run-check.js";
import type { AlertRecord, Transition } from "../../functions/domain/alert.js";
import { parseConfig } from "../../functions/domain/config.js";
import type { Cursor } from "../../functions/domain/coverage.js";
import type { SlackAction } from "../../functions/domain/delivery.js";
import type { AlertNotifier, AlertStore, DeliveryResult, EventPublisher } from "../../functions/ports.js";
import { DEMO_CREDENTIALS } from "../fakes/smartassist/simulator.js";

export interface EngineRunSpec {
  mode: "timed" | "counted";
  /** The config as a file would hold it; smartassist.host is the simulator. */
  rawConfig: Record<string, unknown>;
  nowMs: number;
  /** counted mode: the second run's instant (the bench moves the simulator's clock there first). */
  secondNowMs?: number;
  /**
   * timed mode: after the measured (cold) run, run again in the same process with the same client and
   * a new store, as a warm Lambda container would (compiled code, open connections): its wall time too.
   */
  warmRun?: boolean;
}

export interface CallCounts {
  storeLoads: number;
  storePuts: number;
  storePutsApplied: number;
  slackCalls: number;
  slackByKind: Record<string, number>;
  eventBatches: number;
  eventEntries: number;
  transitions: number;
  firing: number;
  checkedAgents: number;
  wallMs: number;
}

export interface EngineRunReport {
  type: "report";
  wallMs: number;
  checkedAgents: number;
  pages: number;
  requests: number;
  failedPages: number;
  rateLimited: number;
  retries: number;
  firing: number;
  transitions: number;
  skipped: number;
  /** Mean and worst request latency as the client measured it. */
  latencyMeanMs: number;
  latencyMaxMs: number;
  /** The same run again in the same process (spec.warmRun), with the same client and a new store. */
  warmWallMs?: number;
  /** RSS just before runCheck (modules loaded, client built). */
  rssBeforeBytes: number;
  /** process.resourceUsage().maxRSS: the peak over the child's whole life. */
  peakRssBytes: number;
  heapUsedAfterBytes: number;
  /** CPU time (user + system) of the run. */
  cpuMs: number;
  counted?: CallCounts[];
}

/** Asks the bench (the parent) to move the simulator's clock; resolves once it has. */
function setSimulatorNow(nowMs: number): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: unknown) => {
      if ((message as { type?: string }).type === "simNowSet") {
        process.off("message", onMessage);
        resolve();
      }
    };
    process.on("message", onMessage);
    process.send?.({ type: "setSimNow", nowMs });
  });
}

class CountingStore implements AlertStore {
  loads = 0;
  puts = 0;
  applied = 0;
  constructor(private readonly inner: AlertStore) {}
  async load(): Promise<AlertRecord[]> {
    this.loads++;
    return this.inner.load();
  }
  get(id: string): Promise<AlertRecord | undefined> {
    return this.inner.get(id);
  }
  async put(record: AlertRecord, expectedVersion: number | null): Promise<boolean> {
    this.puts++;
    const ok = await this.inner.put(record, expectedVersion);
    if (ok) this.applied++;
    return ok;
  }
  loadCursor(): Promise<Cursor | undefined> {
    return this.inner.loadCursor();
  }
  saveCursor(cursor: Cursor): Promise<void> {
    return this.inner.saveCursor(cursor);
  }
}

class CountingNotifier implements AlertNotifier {
  calls = 0;
  byKind: Record<string, number> = {};
  private ts = 0;
  async deliver(action: SlackAction): Promise<DeliveryResult> {
    this.calls++;
    this.byKind[action.kind] = (this.byKind[action.kind] ?? 0) + 1;
    const result: DeliveryResult = { ok: true, ts: action.record.slackTs ?? `1700000000.${++this.ts}` };
    const channel = action.record.channel;
    if (channel !== undefined) result.channel = channel;
    return result;
  }
}

class CountingEvents implements EventPublisher {
  batches = 0;
  entries = 0;
  async publish(transitions: Transition[]): Promise<{ failed: number }> {
    this.batches += Math.ceil(transitions.length / 10);
    this.entries += transitions.length;
    return { failed: 0 };
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? "{}") as EngineRunSpec;
  const { config } = parseConfig(spec.rawConfig, "bench config");
  const client = new SmartAssistClient({
    ...config.smartassist,
    credentials: { clientId: DEMO_CREDENTIALS.clientId, clientSecret: DEMO_CREDENTIALS.clientSecret },
  });

  if (spec.mode === "timed") {
    const store = new MemoryAlertStore({ nowMs: spec.nowMs });
    const rssBefore = process.memoryUsage().rss;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const result = await runCheck(
      config,
      { source: client, store, log: silentLog },
      {
        nowMs: spec.nowMs,
        dryRun: true,
      },
    );
    const wallMs = performance.now() - started;
    const used = process.cpuUsage(cpu);
    const report: EngineRunReport = {
      type: "report",
      wallMs,
      checkedAgents: result.summary.checkedAgents,
      pages: result.fetch.pages,
      requests: result.fetch.requests,
      failedPages: result.fetch.failedPages.length,
      rateLimited: result.fetch.rateLimited,
      retries: result.fetch.retries,
      firing: result.summary.firing.length,
      transitions: result.summary.transitions.length,
      skipped: result.summary.skipped.length,
      latencyMeanMs: result.fetch.latencyMs.total / Math.max(1, result.fetch.latencyMs.count),
      latencyMaxMs: result.fetch.latencyMs.max,
      rssBeforeBytes: rssBefore,
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      heapUsedAfterBytes: process.memoryUsage().heapUsed,
      cpuMs: (used.user + used.system) / 1000,
    };
    if (spec.warmRun) {
      // As the Lambda does in a warm container: the same client (it remembers the center's size),
      // a fresh store.
      const store = new MemoryAlertStore({ nowMs: spec.nowMs });
      const warmStarted = performance.now();
      await runCheck(config, { source: client, store, log: silentLog }, { nowMs: spec.nowMs, dryRun: true });
      report.warmWallMs = performance.now() - warmStarted;
    }
    process.send?.(report, () => process.exit(0));
    return;
  }

  // counted: real (not dry) runs, one interval apart, on one store.
  let storeNow = spec.nowMs;
  const memory = new MemoryAlertStore({ nowMs: () => storeNow });
  const counted: CallCounts[] = [];
  let last: Awaited<ReturnType<typeof runCheck>> | undefined;
  const instants = [spec.nowMs, ...(spec.secondNowMs === undefined ? [] : [spec.secondNowMs])];
  for (const nowMs of instants) {
    if (nowMs !== spec.nowMs) await setSimulatorNow(nowMs);
    storeNow = nowMs;
    const store = new CountingStore(memory);
    const notifier = new CountingNotifier();
    const events = new CountingEvents();
    const started = performance.now();
    last = await runCheck(config, { source: client, store, notifier, events, log: silentLog }, { nowMs });
    counted.push({
      storeLoads: store.loads,
      storePuts: store.puts,
      storePutsApplied: store.applied,
      slackCalls: notifier.calls,
      slackByKind: notifier.byKind,
      eventBatches: events.batches,
      eventEntries: events.entries,
      transitions: last.summary.transitions.length,
      firing: last.summary.firing.length,
      checkedAgents: last.summary.checkedAgents,
      wallMs: performance.now() - started,
    });
  }
  const report: EngineRunReport = {
    type: "report",
    wallMs: counted.reduce((sum, c) => sum + c.wallMs, 0),
    checkedAgents: last?.summary.checkedAgents ?? 0,
    pages: last?.fetch.pages ?? 0,
    requests: last?.fetch.requests ?? 0,
    failedPages: last?.fetch.failedPages.length ?? 0,
    rateLimited: last?.fetch.rateLimited ?? 0,
    retries: last?.fetch.retries ?? 0,
    firing: last?.summary.firing.length ?? 0,
    transitions: last?.summary.transitions.length ?? 0,
    skipped: last?.summary.skipped.length ?? 0,
    latencyMeanMs: 0,
    latencyMaxMs: 0,
    rssBeforeBytes: 0,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    heapUsedAfterBytes: process.memoryUsage().heapUsed,
    cpuMs: 0,
    counted,
  };
  process.send?.(report, () => process.exit(0));
}

// The bench went away: do not outlive it.
process.on("disconnect", () => process.exit(1));

main().catch((error: unknown) => {
  process.send?.({ type: "error", message: error instanceof Error ? error.message : String(error) }, () =>
    process.exit(1),
  );
});
