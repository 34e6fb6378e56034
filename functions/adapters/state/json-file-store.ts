/**
 * Alert state in a local JSON file (`--state PATH`):
 * `{"version":1,"alerts":[...],"cursor":{...},"history":[...],"limiter":{"times":[...]},"boards":{...}}`,
 * pretty-printed; `boards` (the board per channel) came last and is absent until there is one.
 * `cursor` (the roster rotation's), `history` (ended episodes, for `report` and the digest) and
 * `limiter` (the SmartAssist rate window every process on this file shares) are absent until there is
 * one; files written before them still load.
 *
 * Two CLI runs may overlap (cron, a manual run), so every put is lock → read → check → write → unlock,
 * with a lock file created exclusively next to the state file, and every write is atomic (temp file in
 * the same directory, fsync, rename): a reader sees the old file or the new one, never half of one.
 */
import { randomUUID } from "node:crypto";
import { mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import * as z from "zod";
import type { AlertRecord } from "../../domain/alert.js";
import { type BoardState, mayClaimBoardPost } from "../../domain/board.js";
import type { Cursor } from "../../domain/coverage.js";
import type { HistoryEntry } from "../../domain/history.js";
import { reserveSlots } from "../../domain/rate-window.js";
import type { AlertStore, BoardStore, HistoryStore, SharedRateLimiter } from "../../ports.js";
import {
  alertRecordSchema,
  boardStateSchema,
  conditionHolds,
  cursorSchema,
  historyEntrySchema,
  isLive,
  readClock,
  type StoreClock,
  withoutUndefined,
} from "./memory-store.js";

export const STATE_FILE_VERSION = 1;

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

/** The state file cannot be read, parsed, locked or written; the message names the path. */
export class StateFileError extends Error {
  constructor(
    readonly path: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`State file ${path}: ${detail}`, options);
    this.name = "StateFileError";
  }
}

// `cursor` came later, beside `alerts`: files written before it still load.
const stateFileSchema = z.object({
  version: z.literal(STATE_FILE_VERSION),
  alerts: z.array(alertRecordSchema),
  cursor: cursorSchema.optional(),
  history: z.array(historyEntrySchema).optional(),
  limiter: z.object({ times: z.array(z.number()) }).optional(),
  boards: z.record(z.string(), boardStateSchema).optional(),
});

interface StateFile {
  alerts: AlertRecord[];
  cursor?: Cursor | undefined;
  history?: HistoryEntry[] | undefined;
  limiter?: { times: number[] } | undefined;
  /** The board per channel (DESIGN.md, "The board"). */
  boards?: Record<string, BoardState> | undefined;
}

interface LockOwner {
  token: string;
  pid: number;
  host: string;
  since: string;
}

interface PendingPut {
  record: AlertRecord;
  expectedVersion: number | null;
  resolve: (applied: boolean) => void;
  reject: (error: unknown) => void;
}

const lockOwnerSchema = z.object({ token: z.string(), pid: z.number(), host: z.string() });

export class JsonFileAlertStore implements AlertStore, HistoryStore, SharedRateLimiter, BoardStore {
  readonly #path: string;
  readonly #lockPath: string;
  readonly #clock: StoreClock;
  readonly #lockTimeoutMs: number;
  readonly #staleLockMs: number;
  readonly #lockRetryMs: number;
  readonly #wallMs: () => number;

  constructor(path: string, options: JsonFileAlertStoreOptions) {
    this.#path = path;
    this.#lockPath = `${path}.lock`;
    this.#clock = options.nowMs;
    this.#lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.#staleLockMs = options.staleLockMs ?? 30_000;
    this.#lockRetryMs = options.lockRetryMs ?? 20;
    this.#wallMs = options.wallMs ?? Date.now;
  }

  get path(): string {
    return this.#path;
  }

  // Reads need no lock: writes replace the file atomically, so a read sees one whole version.
  async load(): Promise<AlertRecord[]> {
    const nowMs = readClock(this.#clock);
    return (await this.#read()).alerts.filter((r) => isLive(r, nowMs));
  }

  async loadCursor(): Promise<Cursor | undefined> {
    return (await this.#read()).cursor;
  }

  async saveCursor(cursor: Cursor): Promise<void> {
    await this.#update(async (state) => {
      await this.#write({ ...state, cursor });
    });
  }

  async loadBoards(channels: readonly string[]): Promise<BoardState[]> {
    const boards = (await this.#read()).boards ?? {};
    return channels.flatMap((c) => (boards[c] ? [boards[c]] : []));
  }

  async saveBoard(board: BoardState): Promise<void> {
    await this.#update(async (state) => {
      await this.#write({ ...state, boards: { ...state.boards, [board.channel]: withoutUndefined(board) } });
    });
  }

  /** Under the file's lock, so two processes cannot both claim the first post. */
  async claimBoardPost(channel: string, by: string, untilMs: number, wallMs: number): Promise<boolean> {
    let claimed = false;
    await this.#update(async (state) => {
      const stored = state.boards?.[channel];
      if (!mayClaimBoardPost(stored, by, wallMs)) return;
      const next: BoardState = { ...(stored ?? { channel }), postingBy: by, postingUntilMs: untilMs };
      await this.#write({ ...state, boards: { ...state.boards, [channel]: next } });
      claimed = true;
    });
    return claimed;
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    const nowMs = readClock(this.#clock);
    return (await this.#read()).alerts.find((r) => r.id === id && isLive(r, nowMs));
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
        await this.#write({ ...state, alerts: next.filter((a) => written.has(a) || isLive(a, nowMs)) });
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
      await this.#write({ ...state, history: next.filter((e) => e === stored || isLive(e, nowMs)) });
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
      if (reserved.length > 0) await this.#write({ ...state, limiter: { times } });
      return reserved;
    });
  }

  // Read as stored: an entry past its retention but not yet pruned still shows, as a DynamoDB
  // item does until TTL deletes it, so a report of an old --date does not depend on today's clock.
  async historyOn(date: string): Promise<HistoryEntry[]> {
    return ((await this.#read()).history ?? []).filter((e) => e.localDate === date);
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
    const unlock = await this.#lock();
    try {
      return await change(await this.#read());
    } finally {
      await unlock();
    }
  }

  async #read(): Promise<StateFile> {
    let text: string;
    try {
      text = await readFile(this.#path, "utf8");
    } catch (error) {
      if (errorCode(error) === "ENOENT") return { alerts: [] };
      throw new StateFileError(this.#path, `cannot read it (${errorCode(error)})`, { cause: error });
    }
    // An empty file (e.g. made with `touch`) holds no state; anything else must be ours, whole.
    if (text.trim() === "") return { alerts: [] };
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new StateFileError(
        this.#path,
        "is not valid JSON; fix it or move it away (it is not overwritten)",
        { cause: error },
      );
    }
    const parsed = stateFileSchema.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.slice(0, 3).map((i) => `${formatPath(i.path)}: ${i.message}`);
      throw new StateFileError(
        this.#path,
        `is not an alert state file (expected {"version":${STATE_FILE_VERSION},"alerts":[...]}): ${problems.join("; ")}`,
      );
    }
    const { alerts, cursor, history, limiter, boards } = parsed.data;
    return {
      alerts,
      ...(boards ? { boards } : {}),
      ...(cursor ? { cursor } : {}),
      ...(history ? { history } : {}),
      ...(limiter ? { limiter } : {}),
    };
  }

  async #write({ alerts, cursor, history, limiter, boards }: StateFile): Promise<void> {
    const dir = dirname(this.#path);
    const tmp = join(dir, `.${basename(this.#path)}.${process.pid}.${randomUUID()}.tmp`);
    // Optional parts only when present: a file without them reads exactly as before they existed.
    const state = {
      version: STATE_FILE_VERSION,
      alerts,
      ...(cursor ? { cursor } : {}),
      ...(history && history.length > 0 ? { history } : {}),
      ...(limiter && limiter.times.length > 0 ? { limiter } : {}),
      ...(boards && Object.keys(boards).length > 0 ? { boards } : {}),
    };
    const text = `${JSON.stringify(state, null, 2)}\n`;
    try {
      const file = await open(tmp, "wx");
      try {
        await file.writeFile(text, "utf8");
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(tmp, this.#path);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw new StateFileError(this.#path, `cannot write it (${errorCode(error)})`, { cause: error });
    }
    await syncDirectory(dir);
  }

  /** Takes the lock file; resolves to its release. */
  async #lock(): Promise<() => Promise<void>> {
    const owner: LockOwner = {
      token: randomUUID(),
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
    };
    // The lock is about real elapsed time, never the store's clock (which may be another instant).
    const deadline = Date.now() + this.#lockTimeoutMs;
    for (;;) {
      try {
        const file = await open(this.#lockPath, "wx");
        try {
          await file.writeFile(JSON.stringify(owner), "utf8");
        } finally {
          await file.close();
        }
        return () => this.#unlock(owner.token);
      } catch (error) {
        if (errorCode(error) !== "EEXIST") {
          throw new StateFileError(
            this.#path,
            `cannot create the lock file ${this.#lockPath} (${errorCode(error)})`,
            { cause: error },
          );
        }
      }
      await this.#breakIfStale();
      if (Date.now() >= deadline) {
        throw new StateFileError(
          this.#path,
          `could not lock it within ${this.#lockTimeoutMs / 1000}s: another run holds ${this.#lockPath}` +
            ` (delete that file if no other run is active)`,
        );
      }
      // A little jitter so two waiting processes do not retry in lockstep.
      await sleep(this.#lockRetryMs + Math.floor(Math.random() * this.#lockRetryMs));
    }
  }

  async #unlock(token: string): Promise<void> {
    // Remove the lock only if it is still ours: had this run stalled past staleLockMs, another run
    // would have taken it over, and removing that one would let a third run in beside it.
    const owner = await this.#lockOwner();
    if (owner?.token === token) await unlink(this.#lockPath).catch(() => undefined);
  }

  async #lockOwner(): Promise<z.infer<typeof lockOwnerSchema> | undefined> {
    try {
      const parsed = lockOwnerSchema.safeParse(JSON.parse(await readFile(this.#lockPath, "utf8")));
      return parsed.success ? parsed.data : undefined;
    } catch {
      // Gone, or caught between its creation and its content being written.
      return undefined;
    }
  }

  async #isStale(mtimeMs: number): Promise<boolean> {
    if (Date.now() - mtimeMs > this.#staleLockMs) return true;
    // A holder on this machine whose process is gone crashed: no need to wait out staleLockMs.
    const owner = await this.#lockOwner();
    return owner !== undefined && owner.host === hostname() && !processAlive(owner.pid);
  }

  /**
   * Removes a stale lock. Breaking is itself serialised by a second exclusive file, and the lock is
   * re-checked under it: otherwise two waiters could both judge the same lock stale, and the slower
   * one would delete the fresh lock the faster one had just taken.
   */
  async #breakIfStale(): Promise<void> {
    const seen = await statOrUndefined(this.#lockPath);
    if (!seen || !(await this.#isStale(seen.mtimeMs))) return;
    const breakerPath = `${this.#lockPath}.break`;
    try {
      await (await open(breakerPath, "wx")).close();
    } catch {
      // Another process is breaking it. Should that one have died right there, clear its marker.
      const breaker = await statOrUndefined(breakerPath);
      if (breaker && Date.now() - breaker.mtimeMs > this.#staleLockMs) {
        await unlink(breakerPath).catch(() => undefined);
      }
      return;
    }
    try {
      const now = await statOrUndefined(this.#lockPath);
      const same = now !== undefined && now.ino === seen.ino && now.mtimeMs === seen.mtimeMs;
      if (same && (await this.#isStale(now.mtimeMs))) await unlink(this.#lockPath).catch(() => undefined);
    } finally {
      await unlink(breakerPath).catch(() => undefined);
    }
  }
}

function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : String(error);
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  const text = path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : `${acc}${acc ? "." : ""}${String(key)}`),
    "",
  );
  return text || "top level";
}

async function statOrUndefined(path: string): Promise<{ ino: number; mtimeMs: number } | undefined> {
  try {
    return await stat(path);
  } catch {
    return undefined;
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(error) === "EPERM";
  }
}

/** Makes the rename itself durable. Best effort: some platforms cannot open a directory for fsync. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // The data is in place either way; only durability across a power cut is at stake.
  }
}
