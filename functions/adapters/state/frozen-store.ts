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

export class FrozenAlertStore implements AlertStore {
  readonly #records = new Map<string, AlertRecord>();
  #cursor: Cursor | undefined;

  constructor(private readonly clock: StoreClock) {}

  async load(): Promise<AlertRecord[]> {
    const nowMs = readClock(this.clock);
    const live: AlertRecord[] = [];
    for (const [id, record] of this.#records) {
      if (isLive(record, nowMs)) live.push(record);
      else this.#records.delete(id);
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
