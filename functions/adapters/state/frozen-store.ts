/**
 * Alert state in memory for long simulations (`replay`): the MemoryAlertStore's semantics (the same
 * write condition, expiry, clock) without its defensive copies. Records are frozen as they are
 * written and handed out as they are, so a caller that mutated one would throw (ESM is strict mode)
 * instead of changing the store behind its back; a simulated day loads the store thousands of times,
 * and copying every record on every load is what made it slow. Expired records are dropped on load:
 * to every caller an expired record is already absent.
 */
import type { AlertRecord } from "../../domain/alert.js";
import type { Cursor } from "../../domain/coverage.js";
import type { AlertStore } from "../../ports.js";
import { conditionHolds, isLive, readClock, type StoreClock, withoutUndefined } from "./memory-store.js";

function frozen(record: AlertRecord): AlertRecord {
  const clean = withoutUndefined(record);
  for (const value of Object.values(clean))
    if (typeof value === "object" && value !== null) deepFreeze(value);
  return Object.freeze(clean);
}

function deepFreeze(value: object): void {
  for (const inner of Object.values(value))
    if (typeof inner === "object" && inner !== null) deepFreeze(inner as object);
  Object.freeze(value);
}

export interface FrozenStoreOptions {
  /**
   * Forget an ended episode's record (resolved and its end shown in Slack, or averted; never a
   * roll-up's member, nor one under a lease) this long after it ended, instead of at its TTL (two
   * days). Only for a fixed timeline, such as a replayed capture: there an episode that ended can
   * never be an agent's current episode again (a later run's segments cannot reach back across the
   * segment that ended it), so the record is never consulted again, and every run of a long day
   * would otherwise walk every record of the day. Off by default.
   */
  forgetEndedAfterMs?: number;
}

/** Ended, with nothing left to send for it. */
function finished(record: AlertRecord): boolean {
  if (record.rollupId !== undefined || record.lease !== undefined) return false;
  if (record.state === "averted") return true;
  return record.state === "resolved" && record.resolveNotified === true;
}

export class FrozenAlertStore implements AlertStore {
  readonly #records = new Map<string, AlertRecord>();
  #cursor: Cursor | undefined;
  readonly #forgetAfterMs: number | undefined;

  constructor(
    private readonly clock: StoreClock,
    options: FrozenStoreOptions = {},
  ) {
    this.#forgetAfterMs = options.forgetEndedAfterMs;
  }

  async load(): Promise<AlertRecord[]> {
    const nowMs = readClock(this.clock);
    const forget = this.#forgetAfterMs;
    const live: AlertRecord[] = [];
    for (const [id, record] of this.#records) {
      const gone =
        !isLive(record, nowMs) ||
        (forget !== undefined &&
          finished(record) &&
          (record.endedMs ?? record.lastNotifiedMs) + forget < nowMs);
      if (gone) this.#records.delete(id);
      else live.push(record);
    }
    return live;
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    const record = this.#records.get(id);
    return record && isLive(record, readClock(this.clock)) ? record : undefined;
  }

  async put(record: AlertRecord, expectedVersion: number | null): Promise<boolean> {
    if (!conditionHolds(this.#records.get(record.id), expectedVersion, readClock(this.clock))) return false;
    this.#records.set(record.id, frozen(record));
    return true;
  }

  async loadCursor(): Promise<Cursor | undefined> {
    return this.#cursor && { ...this.#cursor };
  }

  async saveCursor(cursor: Cursor): Promise<void> {
    this.#cursor = { ...cursor };
  }
}
