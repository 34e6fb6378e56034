/**
 * Self-pacing under the account's rate limit: at most `perMinute` requests start in any 60 s window
 * (a sliding log of start times), and everyone waits while the server has asked us to back off.
 * Kore.ai's 60/min is shared by every client of the account, so we keep our own pace below it.
 */
import type { Clock } from "./clock.js";

const WINDOW_MS = 60_000;

export class Pacer {
  private readonly starts: number[] = [];
  private head = 0;
  private pausedUntil = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
  ) {}

  /**
   * Resolves true when a request may start, and counts it; requests are admitted in arrival order.
   * Resolves false, without waiting, when the slot would open only at or after `notAfterMs`.
   */
  acquire(signal?: AbortSignal, notAfterMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const turn = this.queue.then(() => this.waitForSlot(signal, notAfterMs));
    // A rejected turn (aborted) must not block the ones behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** The earliest instant the next request could start, without waiting for it. */
  nextSlotAt(): number {
    const now = this.clock.now();
    this.prune(now);
    const live = this.starts.length - this.head;
    const slot =
      live < this.perMinute ? now : (this.starts[this.starts.length - this.perMinute] as number) + WINDOW_MS;
    return Math.max(slot, this.pausedUntil);
  }

  /** The server said to wait (Retry-After): hold every request until then. */
  pauseUntil(instantMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, instantMs);
  }

  private prune(now: number): void {
    while (this.head < this.starts.length && (this.starts[this.head] as number) <= now - WINDOW_MS)
      this.head++;
    if (this.head > 1024) {
      this.starts.splice(0, this.head);
      this.head = 0;
    }
  }

  private async waitForSlot(signal: AbortSignal | undefined, notAfterMs: number): Promise<boolean> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      const at = this.nextSlotAt();
      if (at >= notAfterMs) return false;
      if (at <= now) {
        this.starts.push(now);
        return true;
      }
      await this.clock.sleep(at - now, signal);
    }
  }
}
