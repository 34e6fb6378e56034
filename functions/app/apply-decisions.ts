/**
 * A run's decided writes, made: many in flight, each still conditional (a write another run made
 * first means that run acts, not this one); then the transitions, in decision order, each only if
 * its own write applied. An episode this run ended goes to history once, by the run whose write
 * ended it.
 */
import type { Transition } from "../domain/alert.js";
import type { AppConfig } from "../domain/config.js";
import { withDeliveryLease } from "../domain/delivery.js";
import { historyEntryFor } from "../domain/history.js";
import { LEASE_MS } from "../domain/lease.js";
import type { AlertWrite } from "../domain/lifecycle.js";
import type { AlertStore, HistoryStore } from "../ports.js";
import { mapBounded } from "./bounded.js";
import type { Log } from "./logger.js";
import type { HeldRecords } from "./run-records.js";

/**
 * State writes in flight at once. Enough to hide a store's round trip (DynamoDB: a few ms each, so a
 * storm's hundreds of writes take a fraction of a second instead of seconds), few enough not to meet
 * the table's or the file lock's limits.
 */
export const STATE_WRITE_CONCURRENCY = 16;

/** What the run's writes so far established: shared by the run's batches of writes. */
export interface RunDecisions {
  held: HeldRecords;
  transitions: Transition[];
  /** Records this run wrote (the rest come from earlier runs and go first in their channel). */
  owned: Set<string>;
  /** Records whose reminder this run decided. */
  reminded: Set<string>;
}

export interface ApplyContext {
  config: AppConfig;
  store: AlertStore;
  history?: HistoryStore | undefined;
  log: Log;
  dryRun: boolean;
  /** False once the run's write deadline has passed: the writes not started are left. */
  mayWrite: () => boolean;
  /** The run's lease, carried by each decided record that owes Slack work (withDeliveryLease). */
  lease?: { runId: string; wallMs: () => number };
}

/** Makes `writes` and records what they established in `into`; resolves to the writes left unmade. */
export async function applyDecisions(
  writes: readonly AlertWrite[],
  into: RunDecisions,
  context: ApplyContext,
): Promise<number> {
  const { store, log, lease } = context;
  const leased = writes.map((w): AlertWrite => {
    if (!lease || context.dryRun) return w;
    const by = { by: lease.runId, untilMs: lease.wallMs() + LEASE_MS };
    return { ...w, record: withDeliveryLease(w.record, w.transition?.type === "reminded", by) };
  });
  const applied = context.dryRun
    ? leased.map(() => true)
    : await mapBounded(leased, STATE_WRITE_CONCURRENCY, (w) => store.put(w.record, w.expectedVersion), {
        mayStart: context.mayWrite,
      });
  let writesLeft = 0;
  for (const [index, write] of leased.entries()) {
    const done = applied[index];
    if (done === undefined) {
      writesLeft++;
      continue;
    }
    if (!done) {
      log.info("another run already holds this alert", { alert: write.record.id });
      continue;
    }
    const before = into.held.before(write.record.id);
    into.held.applied(write.record);
    into.owned.add(write.record.id);
    // The run whose write ended the episode (resolved, or excused and now over) records it, once.
    if (!context.dryRun && before?.state === "open" && write.record.state === "resolved")
      await keepHistory(write, context);
    if (write.transition) into.transitions.push(write.transition);
    if (write.transition?.type === "reminded") into.reminded.add(write.record.id);
  }
  return writesLeft;
}

/**
 * A history write that fails loses that episode from the digest, not an alert: warn and go on, so
 * Slack and the events still happen.
 */
async function keepHistory(write: AlertWrite, context: ApplyContext): Promise<void> {
  const { config, history, log } = context;
  if (!history) return;
  try {
    await history.record(historyEntryFor(write.record, config.timezone, config.history.retentionSeconds));
  } catch (error) {
    log.warn("could not keep the ended alert in history; the digest will miss it", {
      alert: write.record.id,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
