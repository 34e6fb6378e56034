/**
 * The state file's lock: a file created exclusively next to it (`PATH.lock`) naming its owner, so two
 * processes on one file (cron, a manual run, `watch`) take turns. A lock left by a crashed run is
 * taken over: when older than `staleMs`, or at once when its owner was a process on this machine
 * that is gone. Real elapsed time throughout, never a store's clock.
 */
import { randomUUID } from "node:crypto";
import { open, readFile, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import * as z from "zod";
import { errorCode, StateFileError } from "./state-file.js";

interface LockOwner {
  token: string;
  pid: number;
  host: string;
  since: string;
}

const lockOwnerSchema = z.object({ token: z.string(), pid: z.number(), host: z.string() });

export interface StateFileLockOptions {
  /** How long taking the lock waits for another process's before giving up. */
  timeoutMs: number;
  /** A lock older than this is left over from a crashed run and is taken over. */
  staleMs: number;
  /** Pause between attempts. */
  retryMs: number;
}

export class StateFileLock {
  readonly #statePath: string;
  readonly #lockPath: string;
  readonly #timeoutMs: number;
  readonly #staleMs: number;
  readonly #retryMs: number;

  constructor(statePath: string, options: StateFileLockOptions) {
    this.#statePath = statePath;
    this.#lockPath = `${statePath}.lock`;
    this.#timeoutMs = options.timeoutMs;
    this.#staleMs = options.staleMs;
    this.#retryMs = options.retryMs;
  }

  /** Takes the lock file; resolves to its release. */
  async take(): Promise<() => Promise<void>> {
    const owner: LockOwner = {
      token: randomUUID(),
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
    };
    // The lock is about real elapsed time, never the store's clock (which may be another instant).
    const deadline = Date.now() + this.#timeoutMs;
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
            this.#statePath,
            `cannot create the lock file ${this.#lockPath} (${errorCode(error)})`,
            { cause: error },
          );
        }
      }
      await this.#breakIfStale();
      if (Date.now() >= deadline) {
        throw new StateFileError(
          this.#statePath,
          `could not lock it within ${this.#timeoutMs / 1000}s: another run holds ${this.#lockPath}` +
            ` (delete that file if no other run is active)`,
        );
      }
      // A little jitter so two waiting processes do not retry in lockstep.
      await sleep(this.#retryMs + Math.floor(Math.random() * this.#retryMs));
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
    if (Date.now() - mtimeMs > this.#staleMs) return true;
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
      if (breaker && Date.now() - breaker.mtimeMs > this.#staleMs) {
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
