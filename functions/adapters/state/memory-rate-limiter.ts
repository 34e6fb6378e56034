/**
 * The shared rate window held in this process: for `watch` (one process, many runs and due re-checks)
 * and a CLI `check` without `--state`. Every client built with the same instance shares the budget.
 */
import { reserveSlots } from "../../domain/rate-window.js";
import type { SharedRateLimiter } from "../../ports.js";

export interface MemoryRateLimiterOptions {
  /** The real clock (UTC ms); a virtual one in tests. */
  nowMs?: () => number;
}

export class MemoryRateLimiter implements SharedRateLimiter {
  readonly #now: () => number;
  #times: number[] = [];

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.#now = options.nowMs ?? Date.now;
  }

  async reserve(request: Parameters<SharedRateLimiter["reserve"]>[0]): Promise<number[]> {
    // Synchronous from the read to the write: two reservations of this process never interleave.
    const { times, reserved } = reserveSlots({ ...request, times: this.#times, nowMs: this.#now() });
    this.#times = times;
    return reserved;
  }

  /** The recorded instants (for tests and diagnostics). */
  get times(): readonly number[] {
    return this.#times;
  }
}
