/**
 * Due re-checks in this process (`watch`): a timer per group, fired at the group's instant (never
 * early), handing it to `run`. The same group scheduled twice (a tick and a re-check that both saw it)
 * waits once. `close()` drops what has not fired yet.
 */
import type { DueGroup } from "../../domain/due.js";
import type { DueQueue } from "../../ports.js";

/** Node's timers take at most about 24.8 days; a re-check is minutes away at most. */
const MAX_DELAY_MS = 15 * 60_000;

export class TimerDueQueue implements DueQueue {
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly run: (group: DueGroup) => void,
    private readonly clock: () => number = Date.now,
  ) {}

  async schedule(
    groups: DueGroup[],
    nowMs: number,
  ): Promise<{ scheduled: number; left: number; failed: number }> {
    const result = { scheduled: 0, left: 0, failed: 0 };
    for (const group of groups) {
      const delay = Math.max(0, group.atMs - nowMs);
      if (delay > MAX_DELAY_MS) {
        result.left++;
        continue;
      }
      const key = `${group.atMs}|${group.agents.map((a) => a.userId).join(",")}`;
      if (this.#timers.has(key)) {
        result.scheduled++;
        continue;
      }
      const fire = () => {
        // A timer may fire a little early on some platforms: wait out the rest, never run early.
        const early = group.atMs - this.clock();
        if (early > 0) {
          this.#timers.set(key, setTimeout(fire, early));
          return;
        }
        this.#timers.delete(key);
        this.run(group);
      };
      this.#timers.set(key, setTimeout(fire, delay));
      result.scheduled++;
    }
    return result;
  }

  /** Re-checks waiting for their instant. */
  get pending(): number {
    return this.#timers.size;
  }

  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
  }
}
