/**
 * Paces posts into each Slack channel. Slack documents chat.postMessage at about one message a
 * second per channel (short bursts tolerated, not promised); a storm posted as fast as the client
 * can go meets 429s after the first few. So posts into one channel, thread replies included, take
 * turns: each reserves the next free slot, `intervalMs` after the previous one, and a Retry-After
 * from Slack pushes the channel's next slot back. A slot past the caller's deadline is refused, not
 * waited for: what does not fit the run stays pending for the next one.
 */
export interface ChannelPacerOptions {
  /**
   * Gap between two posts into one channel. A little over Slack's one a second, so that jitter
   * between two requests' arrival never makes them look closer than that.
   */
  intervalMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_POST_INTERVAL_MS = 1_100;

export class ChannelPacer {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #sleep: (ms: number) => Promise<void>;
  /** channel → the earliest instant the next post may start. */
  readonly #next = new Map<string, number>();

  constructor(options: ChannelPacerOptions = {}) {
    this.#intervalMs = options.intervalMs ?? DEFAULT_POST_INTERVAL_MS;
    this.#now = options.now ?? Date.now;
    this.#sleep =
      options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms))));
  }

  /**
   * Waits for the channel's next slot and takes it, resolving to the slot's start; false (nothing
   * taken) when that slot would start at or after `deadlineMs`.
   */
  async acquire(channel: string, deadlineMs = Number.POSITIVE_INFINITY): Promise<number | false> {
    const now = this.#now();
    const at = Math.max(now, this.#next.get(channel) ?? 0);
    if (at >= deadlineMs) return false;
    // Reserve before sleeping, so callers sharing a channel queue up in order.
    this.#next.set(channel, at + this.#intervalMs);
    if (at > now) await this.#sleep(at - now);
    return at;
  }

  /** The post that took the slot starting at `slot` never reached Slack: free it, if no one queued behind. */
  giveBack(channel: string, slot: number): void {
    if (this.#next.get(channel) === slot + this.#intervalMs) this.#next.set(channel, slot);
  }

  /** Slack answered 429 for this channel: no post before `untilMs`. */
  holdUntil(channel: string, untilMs: number): void {
    this.#next.set(channel, Math.max(this.#next.get(channel) ?? 0, untilMs));
  }

  /** When the channel's next post may start (for logs and tests). */
  nextSlot(channel: string): number {
    return Math.max(this.#now(), this.#next.get(channel) ?? 0);
  }
}
