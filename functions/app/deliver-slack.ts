/**
 * A run's Slack delivery: per-episode actions, and roll-ups where a channel has a storm (rollup.ts).
 *
 * Exactly once under overlap: before sending what a record owes, the run takes a lease on it with a
 * conditional write (lease.ts); a record another run holds a live lease on is left alone; the write
 * that records the send ends the lease (a send that failed clears it, so the next run retries at
 * once). A write that meets a concurrent change (a click) re-reads the record and records the send
 * onto it while the lease is still ours, so a send is never forgotten and made again.
 */
import type { AlertRecord } from "../domain/alert.js";
import { afterDelivery, type SlackAction } from "../domain/delivery.js";
import {
  heldLongEnough,
  LEASE_MS,
  leasedBy,
  leasedByOther,
  withLease,
  withoutLease,
} from "../domain/lease.js";
import {
  afterRollup,
  hasWork,
  membersToWrite,
  planSlack,
  type RollupWork,
  restrictTo,
} from "../domain/rollup.js";
import type { AlertNotifier, AlertStore } from "../ports.js";
import { mapBounded } from "./bounded.js";
import type { Log } from "./logger.js";
import type { RunBudget } from "./run-budget.js";

/** State writes in flight at once (see run-check.ts). */
const WRITE_CONCURRENCY = 16;
/** A roll-up is several paced calls (its post, list replies, update): its members' lease covers them all. */
const ROLLUP_LEASE_MS = 4 * LEASE_MS;
/** Attempts to record a send that meets concurrent writes (a click, say) before leaving it to the lease. */
const RECORD_ATTEMPTS = 3;

export interface DeliveryDeps {
  store: AlertStore;
  notifier?: AlertNotifier;
  log: Log;
}

export interface DeliveryContext {
  /** Who this run is, in the leases it takes. */
  runId: string;
  /** The real clock (leases are about real time, whatever instant the run evaluates as). */
  wallMs: () => number;
  budget?: RunBudget | undefined;
}

export interface DeliveryReport {
  delivered: number;
  failed: number;
  pending: number;
  /** Nudges skipped because the agent has no Slack account (found by e-mail). */
  nudgesSkipped: number;
  /** Alerts whose delivery did not start before the deadline. */
  left: number;
  /** Records left alone because another run held a live lease on them. */
  leasedElsewhere: number;
}

/** A delivery that sent nothing (a dry run). */
export function noDelivery(): DeliveryReport {
  return { delivered: 0, failed: 0, pending: 0, nudgesSkipped: 0, left: 0, leasedElsewhere: 0 };
}

/** Two deliveries of one run, counted together. */
export function sumDeliveries(a: DeliveryReport | undefined, b: DeliveryReport): DeliveryReport {
  if (!a) return b;
  return {
    delivered: a.delivered + b.delivered,
    failed: a.failed + b.failed,
    pending: a.pending + b.pending,
    nudgesSkipped: a.nudgesSkipped + b.nudgesSkipped,
    left: a.left + b.left,
    leasedElsewhere: a.leasedElsewhere + b.leasedElsewhere,
  };
}

/** How one delivery went: "stop" (Slack unavailable) and "budget" (out of time) end the channel's turn. */
type Status = "ok" | "failed" | "stop" | "budget";

function stopOrFailed(outcome: { error?: string; transient?: boolean }): Status {
  // The notifier refuses a post whose turn in the channel would come after the run's deadline.
  if (outcome.error === "paced_past_deadline") return "budget";
  return outcome.transient ? "stop" : "failed";
}

type DeliveryItem = { kind: "single"; action: SlackAction } | { kind: "rollup"; work: RollupWork };

/** Alerts an item stands for (for the pending count). */
function alertsIn(item: DeliveryItem): number {
  if (item.kind === "single") return item.action.kind === "remind" ? 0 : 1;
  return membersToWrite(item.work).length;
}

/**
 * Sends what Slack still lacks. `records` are every record the run holds after its decisions;
 * `owned` those this run wrote (the rest come from earlier runs and go first in their channel);
 * `reminded` the ids whose reminder this run decided. Channels go in parallel, each paced by the
 * notifier. At the delivery deadline the rest is left pending (counted in `left`).
 */
export async function deliverSlack(
  /** `slack.rollup`: more new alerts than this in one channel become one roll-up (0: never). */
  rollup: number,
  records: AlertRecord[],
  owned: ReadonlySet<string>,
  reminded: ReadonlySet<string>,
  deps: DeliveryDeps,
  context: DeliveryContext,
): Promise<DeliveryReport> {
  const result = noDelivery();
  const { notifier, store, log } = deps;
  const { runId, wallMs } = context;
  const plan = planSlack(records, reminded, notifier?.deliverRollup ? rollup : 0);
  const items: DeliveryItem[] = [
    ...plan.rollups.map((work): DeliveryItem => ({ kind: "rollup", work })),
    ...plan.actions.map((action): DeliveryItem => ({ kind: "single", action })),
  ];
  if (!notifier) {
    result.pending = items.reduce((n, item) => n + alertsIn(item), 0);
    return result;
  }
  const fromEarlierRun = (item: DeliveryItem) =>
    item.kind === "single"
      ? !owned.has(item.action.record.id)
      : membersToWrite(item.work).some((r) => !owned.has(r.id));
  const byChannel = new Map<string, DeliveryItem[]>();
  for (const item of items) {
    const channel = item.kind === "single" ? (item.action.record.channel ?? "") : item.work.channel;
    const list = byChannel.get(channel);
    if (list) list.push(item);
    else byChannel.set(channel, [item]);
  }
  const leases = new Leases(store, runId, wallMs);
  const deadline = context.budget?.deliveryDeadlineMs;

  const deliverSingle = async (original: SlackAction): Promise<Status> => {
    const record = await leases.take(original.record, LEASE_MS);
    if (record === "elsewhere") {
      result.leasedElsewhere++;
      return "ok";
    }
    if (!record) return "ok";
    const action: SlackAction = { kind: original.kind, record };
    const outcome = await notifier.deliver(action);
    if (!outcome.ok) {
      await leases.release(record);
      const status = stopOrFailed(outcome);
      if (status === "budget") return "budget";
      result.failed++;
      log.warn("Slack delivery failed; it will be retried on the next run", {
        alert: record.id,
        action: action.kind,
        error: outcome.error,
      });
      return status;
    }
    if (outcome.nudge === "not-in-slack") {
      result.nudgesSkipped++;
      log.info("agent not found in Slack; nudge skipped", { alert: record.id });
    }
    const ts = outcome.ts ?? record.slackTs ?? "";
    const channel = outcome.channel ?? record.channel ?? "";
    const recorded = await leases.record(record, (onto) =>
      afterDelivery(action, ts, channel, outcome.nudge, onto),
    );
    if (recorded) result.delivered++;
    else
      log.warn("a Slack send could not be recorded: the lease lapsed or was taken over", {
        alert: record.id,
        action: action.kind,
      });
    return "ok";
  };

  const deliverRollup = async (planned: RollupWork): Promise<Status> => {
    const deliverRollupWork = notifier.deliverRollup?.bind(notifier);
    if (!deliverRollupWork) return "ok";
    // Reminded members need no state change, but their grouped reply is a send like any other.
    const toLease = [...membersToWrite(planned)];
    const writing = new Set(toLease.map((r) => r.id));
    for (const r of planned.reminded) if (owned.has(r.id) && !writing.has(r.id)) toLease.push(r);
    const taken = await mapBounded(toLease, WRITE_CONCURRENCY, (r) => leases.take(r, ROLLUP_LEASE_MS));
    const mine = new Set<string>();
    for (const r of taken) {
      if (r === "elsewhere") result.leasedElsewhere++;
      else if (r) mine.add(r.id);
    }
    const work = restrictTo(planned, mine);
    if ((work.ts === undefined && work.members.length === 0) || !hasWork(work)) {
      await leases.releaseAll(mine);
      return "ok";
    }
    const outcome = await deliverRollupWork(work);
    // Whatever went through is recorded, even past the deadline: an unrecorded post would be made twice.
    const updates = afterRollup(work, outcome, leases.held);
    const written = await mapBounded(updates, WRITE_CONCURRENCY, (u) =>
      leases.record(u.record, (onto) => {
        if (onto.version === u.expectedVersion) return u.record;
        // Recorded onto what the store now holds (a click in between), from the same outcome.
        const redone = afterRollup(work, outcome, new Map([[onto.id, onto]])).find(
          (x) => x.record.id === onto.id,
        );
        return redone?.record;
      }),
    );
    const recorded = new Set<string>();
    for (const [index, update] of updates.entries()) {
      if (!written[index]) continue;
      recorded.add(update.record.id);
      result.delivered++;
    }
    // Members whose state this send did not change keep no lease either.
    await leases.releaseAll([...mine].filter((id) => !recorded.has(id)));
    if (outcome.error === undefined) return "ok";
    const status = stopOrFailed(outcome);
    if (status === "budget") return "budget";
    result.failed++;
    log.warn("Slack delivery of a roll-up failed; the rest of it will be retried on the next run", {
      rollup: work.id,
      channel: work.channel,
      error: outcome.error,
    });
    return status;
  };

  const runChannel = async (channel: string, list: DeliveryItem[]) => {
    // What an earlier run could not send goes first (stable: otherwise in the plan's order).
    const ordered = [...list.filter(fromEarlierRun), ...list.filter((item) => !fromEarlierRun(item))];
    for (const [index, item] of ordered.entries()) {
      if (deadline !== undefined && Date.now() >= deadline) {
        const rest = ordered.slice(index).reduce((n, i) => n + alertsIn(i), 0);
        result.left += rest;
        result.pending += rest;
        return;
      }
      const status =
        item.kind === "single" ? await deliverSingle(item.action) : await deliverRollup(item.work);
      if (status === "stop" || status === "budget") {
        // Slack is down, throttling past the bound, or the budget is spent: the rest of this channel
        // waits for the next run instead of each alert spending its own retry budget here.
        // Out of time, the item itself was not sent either; a Slack failure counted it as failed.
        const rest = ordered
          .slice(status === "budget" ? index : index + 1)
          .reduce((n, i) => n + alertsIn(i), 0);
        result.pending += rest;
        if (status === "budget") result.left += rest;
        log.warn(
          status === "budget"
            ? "the run's budget leaves no time for more posts in this channel; the rest wait for the next run"
            : "Slack is unavailable; remaining deliveries wait for the next run",
          { channel, remaining: ordered.length - index - 1 },
        );
        return;
      }
    }
  };
  await Promise.all([...byChannel].map(([channel, list]) => runChannel(channel, list)));
  await leases.releaseUnreached(records);
  return result;
}

/**
 * The leases one run takes and ends, and the versions it holds (each next write expects the held
 * version, so a concurrent change is always noticed).
 */
class Leases {
  readonly held = new Map<string, AlertRecord>();

  constructor(
    private readonly store: AlertStore,
    private readonly runId: string,
    private readonly wallMs: () => number,
  ) {}

  /**
   * The record with this run's lease, once written; "elsewhere" when another run holds a live one;
   * undefined when the record changed under us (the run that changed it owns its next step).
   */
  async take(record: AlertRecord, ms: number): Promise<AlertRecord | "elsewhere" | undefined> {
    const current = this.held.get(record.id) ?? record;
    if (leasedByOther(current, this.runId, this.wallMs())) return "elsewhere";
    // The run's decision write took the lease already (withDeliveryLease), with time enough left.
    if (heldLongEnough(current, this.runId, this.wallMs(), ms)) {
      this.held.set(current.id, current);
      return current;
    }
    const leased = withLease(current, this.runId, this.wallMs(), ms);
    if (!(await this.store.put(leased, current.version))) return undefined;
    this.held.set(leased.id, leased);
    return leased;
  }

  /**
   * Writes what a send established, ending the lease: `build` makes it from the held record; on a
   * conflict the record is read again and, while the lease is still ours, `redo` rebuilds it onto
   * what the store holds. False when the lease lapsed and went to another run.
   */
  async record(start: AlertRecord, build: (onto: AlertRecord) => AlertRecord | undefined): Promise<boolean> {
    let onto = this.held.get(start.id) ?? start;
    for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt++) {
      const next = build(onto);
      if (next === undefined) return false;
      if (await this.store.put(next, onto.version)) {
        this.held.set(next.id, next);
        return true;
      }
      const fresh = await this.store.get(start.id);
      if (!fresh || !leasedBy(fresh, this.runId, this.wallMs())) return false;
      onto = fresh;
    }
    return false;
  }

  /** Ends the lease without a send to record (the send failed, or there was nothing to send). */
  async release(record: AlertRecord): Promise<void> {
    await this.record(record, (onto) =>
      onto.lease?.by === this.runId ? { ...withoutLease(onto), version: onto.version + 1 } : undefined,
    );
  }

  /**
   * Ends the leases the run's decision writes took on records this delivery never reached (out of
   * time, Slack unavailable): the next run, even one a few seconds later, sends them at once.
   */
  async releaseUnreached(records: readonly AlertRecord[]): Promise<void> {
    const now = this.wallMs();
    const unreached = records.filter((r) => !this.held.has(r.id) && leasedBy(r, this.runId, now));
    await mapBounded(unreached, WRITE_CONCURRENCY, (r) => this.release(r));
  }

  async releaseAll(ids: Iterable<string>): Promise<void> {
    const records = [...ids].flatMap((id) => {
      const r = this.held.get(id);
      return r ? [r] : [];
    });
    await mapBounded(records, WRITE_CONCURRENCY, (r) => this.release(r));
  }
}
