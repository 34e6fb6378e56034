/**
 * Alert state in memory for long simulations (`replay`): the MemoryAlertStore's semantics (the same
 * write condition, expiry, clock, order) without its defensive copies, and with its records kept
 * indexed as they are written (live-records.ts), so a run asks for one agent's records, the active
 * ones or those Slack owes something without the store walking every record of the day. Records are
 * frozen as they are written and handed out as they are: a caller that mutated one would throw (ESM
 * is strict mode) instead of changing the store behind its back.
 *
 * Nothing is forgotten before its expiry, as in the live stores: a resolved record is what stops the
 * same episode from firing twice (an episode resumed after a short gap carries its first start).
 */
import type { AlertRecord } from "../../domain/alert.js";
import type { Cursor } from "../../domain/coverage.js";
import { isActive, type LiveRecords } from "../../domain/live-records.js";
import { isRollupMember, owesSlack } from "../../domain/rollup.js";
import type { AlertStore } from "../../ports.js";
import {
  conditionHolds,
  isLive,
  nowSeconds,
  readClock,
  type StoreClock,
  withoutUndefined,
} from "./memory-store.js";

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

/** One id's place: its record as last written, and when the id was first written (the store's order). */
interface Entry {
  record: AlertRecord;
  seq: number;
}

const bySeq = (a: Entry, b: Entry) => a.seq - b.seq;

const NO_RECORDS: readonly AlertRecord[] = Object.freeze([]);

/**
 * One agent's records, as a list handed out as it is, and the earliest expiry among them: until that
 * second nothing in the list has expired, so asking for it touches no record (a run asks once for
 * every agent it reads, a replayed day millions of times).
 */
interface UserRecords {
  entries: Entry[];
  records: readonly AlertRecord[];
  expiresAt: number;
}

export class FrozenAlertStore implements AlertStore {
  readonly #records = new Map<string, Entry>();
  readonly #byUser = new Map<string, UserRecords>();
  readonly #active = new Set<Entry>();
  readonly #owing = new Set<Entry>();
  readonly #rollups = new Map<string, Set<Entry>>();
  #cursor: Cursor | undefined;
  readonly #index: LiveRecords;

  constructor(private readonly clock: StoreClock) {
    const now = () => readClock(this.clock);
    const live = (entries: Iterable<Entry>) => {
      const nowMs = now();
      const out: AlertRecord[] = [];
      for (const e of entries) if (isLive(e.record, nowMs)) out.push(e.record);
      return out;
    };
    const sorted = (entries: Iterable<Entry>) => live([...entries].sort(bySeq));
    this.#index = {
      forUser: (userId) => {
        const user = this.#byUser.get(userId);
        // One list for every agent without records: the same list each time (decide.ts remembers by it).
        if (!user) return NO_RECORDS;
        return user.expiresAt > nowSeconds(now()) ? user.records : live(user.entries);
      },
      get: (id) => {
        const e = this.#records.get(id);
        return e && isLive(e.record, now()) ? e.record : undefined;
      },
      active: () => sorted(this.#active),
      owing: () => sorted(this.#owing),
      rollupMembers: (id) => sorted(this.#rollups.get(id) ?? []),
      all: () => live(this.#records.values()),
      position: (id) => this.#records.get(id)?.seq,
    };
  }

  async load(): Promise<AlertRecord[]> {
    return this.#index.all();
  }

  async loadIndexed(): Promise<LiveRecords> {
    return this.#index;
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    return this.#index.get(id);
  }

  async put(record: AlertRecord, expectedVersion: number | null): Promise<boolean> {
    const entry = this.#records.get(record.id);
    if (!conditionHolds(entry?.record, expectedVersion, readClock(this.clock))) return false;
    const stored = frozen(record);
    if (entry) {
      this.#unindex(entry);
      entry.record = stored;
      this.#reindex(entry);
    } else {
      const added: Entry = { record: stored, seq: this.#records.size };
      this.#records.set(stored.id, added);
      const user = this.#byUser.get(stored.userId);
      if (user) user.entries.push(added);
      else this.#byUser.set(stored.userId, { entries: [added], records: [], expiresAt: 0 });
      this.#reindex(added);
    }
    const user = this.#byUser.get(stored.userId) as UserRecords;
    // One pass over the entries (not a map over the frozen list: V8 walks a frozen array slowly).
    const records: AlertRecord[] = [];
    let expiresAt = Number.POSITIVE_INFINITY;
    for (const e of user.entries) {
      records.push(e.record);
      expiresAt = Math.min(expiresAt, e.record.expiresAt);
    }
    user.records = Object.freeze(records);
    user.expiresAt = expiresAt;
    return true;
  }

  #unindex(entry: Entry): void {
    const { rollupId } = entry.record;
    if (rollupId !== undefined) this.#rollups.get(rollupId)?.delete(entry);
  }

  #reindex(entry: Entry): void {
    const r = entry.record;
    // An entry that stays active (or owing) keeps its place in the set: the lists come out sorted by
    // `seq` either way, and a set left mostly in that order sorts in about one pass (an open alert
    // is rewritten often, and the active list is asked for on every tick).
    if (isActive(r)) this.#active.add(entry);
    else this.#active.delete(entry);
    if (owesSlack(r)) this.#owing.add(entry);
    else this.#owing.delete(entry);
    if (isRollupMember(r)) {
      const id = r.rollupId as string;
      const members = this.#rollups.get(id);
      if (members) members.add(entry);
      else this.#rollups.set(id, new Set([entry]));
    }
  }

  async loadCursor(): Promise<Cursor | undefined> {
    return this.#cursor && { ...this.#cursor };
  }

  async saveCursor(cursor: Cursor): Promise<void> {
    this.#cursor = { ...cursor };
  }
}
