/**
 * Alert state in a local JSON file (`--state PATH`):
 * `{"version":1,"alerts":[...],"cursor":{...},"history":[...],"limiter":{"times":[...]},"boards":{...}}`,
 * pretty-printed; `boards` (the board per channel) came last and is absent until there is one.
 * `cursor` (the roster rotation's), `history` (ended episodes, for `report` and the digest) and
 * `limiter` (the SmartAssist rate window every process on this file shares) are absent until there is
 * one; files written before them still load.
 *
 * Two CLI runs may overlap (cron, a manual run), so every put is lock → read → check → write → unlock,
 * with a lock file created exclusively next to the state file (state-file-lock.ts), and every write is
 * atomic (state-file.ts): a reader sees the old file or the new one, never half of one.
 */
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { AlertRecord } from "../../domain/alert.js";
import { type BoardState, mayClaimBoardPost } from "../../domain/board.js";
import type { Cursor } from "../../domain/coverage.js";
import type { HistoryEntry } from "../../domain/history.js";
import { reserveSlots } from "../../domain/rate-window.js";
import type { AlertStore, BoardStore, HistoryStore, SharedRateLimiter } from "../../ports.js";
import { conditionHolds, isLive, readClock, type StoreClock, withoutUndefined } from "./memory-store.js";
import { errorCode, readStateFile, type StateFile, StateFileError, writeStateFile } from "./state-file.js";
import { StateFileLock } from "./state-file-lock.js";

export { STATE_FILE_VERSION, StateFileError } from "./state-file.js";

export interface JsonFileAlertStoreOptions {
  nowMs: StoreClock;
  /** How long a put waits for another process's lock before giving up. */
  lockTimeoutMs?: number;
  /** A lock older than this is left over from a crashed run and is taken over. */
  staleLockMs?: number;
  /** Pause between attempts to take the lock. */
  lockRetryMs?: number;
  /** The real clock for the shared rate window (default Date.now): `nowMs` may be another instant. */
  wallMs?: () => number;
}

interface PendingPut {
  record: AlertRecord;
  expectedVersion: number | null;
  resolve: (applied: boolean) => void;
  reject: (error: unknown) => void;
}

export class JsonFileAlertStore implements AlertStore, HistoryStore, SharedRateLimiter, BoardStore {
  readonly #path: string;
  readonly #lock: StateFileLock;
  readonly #clock: StoreClock;
  readonly #wallMs: () => number;

  constructor(path: string, options: JsonFileAlertStoreOptions) {
    this.#path = path;
    this.#lock = new StateFileLock(path, {
      timeoutMs: options.lockTimeoutMs ?? 10_000,
      staleMs: options.staleLockMs ?? 30_000,
      retryMs: options.lockRetryMs ?? 20,
    });
    this.#clock = options.nowMs;
    this.#wallMs = options.wallMs ?? Date.now;
  }

  get path(): string {
    return this.#path;
  }

  // Reads need no lock: writes replace the file atomically, so a read sees one whole version.
  async load(): Promise<AlertRecord[]> {
    const nowMs = readClock(this.#clock);
    return (await readStateFile(this.#path)).alerts.filter((r) => isLive(r, nowMs));
  }

  async loadCursor(): Promise<Cursor | undefined> {
    return (await readStateFile(this.#path)).cursor;
  }

  async saveCursor(cursor: Cursor): Promise<void> {
    await this.#update(async (state) => {
      await writeStateFile(this.#path, { ...state, cursor });
    });
  }

  async loadBoards(channels: readonly string[]): Promise<BoardState[]> {
    const boards = (await readStateFile(this.#path)).boards ?? {};
    return channels.flatMap((c) => (boards[c] ? [boards[c]] : []));
  }

  async saveBoard(board: BoardState): Promise<void> {
    await this.#update(async (state) => {
      await writeStateFile(this.#path, {
        ...state,
        boards: { ...state.boards, [board.channel]: withoutUndefined(board) },
      });
    });
  }

  /** Under the file's lock, so two processes cannot both claim the first post. */
  async claimBoardPost(channel: string, by: string, untilMs: number, wallMs: number): Promise<boolean> {
    let claimed = false;
    await this.#update(async (state) => {
      const stored = state.boards?.[channel];
      if (!mayClaimBoardPost(stored, by, wallMs)) return;
      const next: BoardState = { ...(stored ?? { channel }), postingBy: by, postingUntilMs: untilMs };
      await writeStateFile(this.#path, { ...state, boards: { ...state.boards, [channel]: next } });
      claimed = true;
    });
    return claimed;
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    const nowMs = readClock(this.#clock);
    return (await readStateFile(this.#path)).alerts.find((r) => r.id === id && isLive(r, nowMs));
  }

  /**
   * Puts made while a write is under way wait for it and then go together: one lock, one read, one
   * write for all of them (each still checked on its own, in the order they were made). A run's
   * writes in flight at once then cost a few file writes, not one each, and never spin on the lock.
   */
  put(record: AlertRecord, expectedVersion: number | null): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.#queue.push({ record, expectedVersion, resolve, reject });
      if (!this.#flushing) this.#flushing = this.#flush();
    });
  }

  readonly #queue: PendingPut[] = [];
  #flushing: Promise<void> | undefined;

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0);
      try {
        const results = await this.#putBatch(batch);
        batch.forEach((p, i) => {
          p.resolve(results[i] ?? false);
        });
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.#flushing = undefined;
  }

  #putBatch(batch: readonly PendingPut[]): Promise<boolean[]> {
    return this.#update(async (state) => {
      const { alerts } = state;
      const nowMs = readClock(this.#clock);
      const index = new Map(alerts.map((a, i) => [a.id, i]));
      const next = [...alerts];
      const written = new Set<AlertRecord>();
      const results = batch.map(({ record, expectedVersion }) => {
        const at = index.get(record.id);
        const current = at === undefined ? undefined : next[at];
        if (!conditionHolds(current, expectedVersion, nowMs)) return false;
        const stored = withoutUndefined(record);
        written.add(stored);
        // Keep the file's order (stable diffs for people who read it).
        if (at === undefined) {
          index.set(record.id, next.length);
          next.push(stored);
        } else {
          next[at] = stored;
        }
        return true;
      });
      // Prune what has expired, never what was just written.
      if (written.size > 0)
        await writeStateFile(this.#path, {
          ...state,
          alerts: next.filter((a) => written.has(a) || isLive(a, nowMs)),
        });
      return results;
    });
  }

  async record(entry: HistoryEntry): Promise<void> {
    await this.#update(async (state) => {
      const nowMs = readClock(this.#clock);
      const history = state.history ?? [];
      const stored = withoutUndefined(entry);
      const known = history.some((e) => e.id === entry.id);
      const next = known ? history.map((e) => (e.id === entry.id ? stored : e)) : [...history, stored];
      // Past their retention, entries go the next time history is written (as TTL deletes them).
      await writeStateFile(this.#path, {
        ...state,
        history: next.filter((e) => e === stored || isLive(e, nowMs)),
      });
    });
  }

  /**
   * The shared SmartAssist rate window, under the file's lock: every process on this state file
   * reserves its request slots from the same `limiter.times`, one lock and one write per batch.
   */
  async reserve(request: Parameters<SharedRateLimiter["reserve"]>[0]): Promise<number[]> {
    if (request.count <= 0) return [];
    return this.#update(async (state) => {
      // Read under the lock: a wait for it must not leave the slots behind the clock.
      const { times, reserved } = reserveSlots({
        ...request,
        times: state.limiter?.times ?? [],
        nowMs: this.#wallMs(),
      });
      if (reserved.length > 0) await writeStateFile(this.#path, { ...state, limiter: { times } });
      return reserved;
    });
  }

  // Read as stored: an entry past its retention but not yet pruned still shows, as a DynamoDB
  // item does until TTL deletes it, so a report of an old --date does not depend on today's clock.
  async historyOn(date: string): Promise<HistoryEntry[]> {
    return ((await readStateFile(this.#path)).history ?? []).filter((e) => e.localDate === date);
  }

  /** lock → read → change → unlock. */
  async #update<T>(change: (state: StateFile) => Promise<T>): Promise<T> {
    const dir = dirname(this.#path);
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      throw new StateFileError(this.#path, `cannot create the directory ${dir} (${errorCode(error)})`, {
        cause: error,
      });
    }
    const unlock = await this.#lock.take();
    try {
      return await change(await readStateFile(this.#path));
    } finally {
      await unlock();
    }
  }
}
