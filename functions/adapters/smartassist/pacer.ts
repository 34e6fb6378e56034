/**
 * Self-pacing under the account's rate limit: at most `perMinute` requests start in any 60 s window
 * (a sliding log of start times), and everyone waits while the server has asked us to back off.
 * Kore.ai's 60/min is shared by every client of the account, so we keep our own pace below it.
 *
 * With a shared limiter (every invocation's budget in one window: the state file, the state table),
 * each read paces through a lane of its class instead: the lane reserves start instants in batches,
 * hands them out in order, waits until each, and starts a request within START_GRACE_MS of its
 * instant or gives the slot up (it stays counted, so the limit holds even for slots left unused).
 */
import { START_GRACE_MS } from "../../domain/rate-window.js";
import type { RequestClass, SharedRateLimiter } from "../../ports.js";
import type { Clock } from "./clock.js";

const WINDOW_MS = 60_000;

/** What one read asks of the pacer: its class and how many requests it expects to make. */
export interface LaneOptions {
  class: RequestClass;
  /** Requests the read expects (pages known, or a guess): no reservation is larger than what is left. */
  expected: number;
  /** Requests that may start at once at first: 1 when the read starts with one page alone. */
  initialBatch?: number;
  /** For `rotation`: slots left free for priority requests in any window holding a rotation slot. */
  headroom?: number;
}

/** Admission for one read: resolves true when a request may start, false when not before `notAfterMs`. */
export interface PacerLane {
  acquire(signal?: AbortSignal, notAfterMs?: number): Promise<boolean>;
}

export interface SharedPacing {
  limiter: SharedRateLimiter;
  /** The largest batch reserved at once: a few rounds of the requests in flight together. */
  maxBatch: number;
  /** Requests in flight together (concurrency): a batch's slots are spaced a round trip per round. */
  perRound?: number;
  /** The current estimate of a request's round trip (ms; 0 while none is known). */
  roundMs?: () => number;
}

export class Pacer {
  private readonly starts: number[] = [];
  private head = 0;
  private pausedUntil = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
    private readonly shared?: SharedPacing,
  ) {}

  /**
   * A lane for one read. Without a shared limiter it is this pacer's own sliding log, as `acquire`;
   * with one, the lane reserves from the shared window in its class.
   */
  lane(options: LaneOptions): PacerLane {
    if (!this.shared) return { acquire: (signal, notAfterMs) => this.acquire(signal, notAfterMs) };
    return new SharedLane(options, this.shared, this.perMinute, this.clock, () => this.pausedUntil);
  }

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

/**
 * Reserved start instants for one read, taken in arrival order. Batches grow (doubling, up to
 * `maxBatch`) while every slot of the last one was used on time, and halve when some had to be given
 * up: a batch is as large as the requests that can use it within their grace, so it costs one
 * reservation (one write of the shared window) per batch, not per request.
 */
class SharedLane implements PacerLane {
  private slots: number[] = [];
  private next = 0;
  private handed = 0;
  private batch: number;
  private reserved = false;
  private dropped = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly options: LaneOptions,
    private readonly shared: SharedPacing,
    private readonly perMinute: number,
    private readonly clock: Clock,
    private readonly pausedUntil: () => number,
  ) {
    this.batch = clampBatch(options.initialBatch ?? shared.maxBatch, shared.maxBatch);
  }

  acquire(signal?: AbortSignal, notAfterMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    const turn = this.queue.then(() => this.take(signal, notAfterMs));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async take(signal: AbortSignal | undefined, notAfterMs: number): Promise<boolean> {
    for (;;) {
      signal?.throwIfAborted();
      const now = this.clock.now();
      // The server asked everyone to wait (Retry-After): no slot before then is any use.
      const paused = this.pausedUntil();
      if (paused > now) {
        if (paused >= notAfterMs) return false;
        await this.clock.sleep(paused - now, signal);
        continue;
      }
      // A slot whose grace is over is given up: starting later could overfill a window.
      while (this.next < this.slots.length && (this.slots[this.next] as number) + START_GRACE_MS < now) {
        this.next++;
        this.dropped = true;
      }
      const at = this.slots[this.next];
      if (at === undefined) {
        const got = await this.reserve(notAfterMs);
        if (got.length === 0) return false;
        this.slots = got;
        this.next = 0;
        continue;
      }
      if (at >= notAfterMs) return false;
      if (at > now) {
        await this.clock.sleep(at - now, signal);
        continue;
      }
      this.next++;
      this.handed++;
      return true;
    }
  }

  private reserve(notAfterMs: number): Promise<number[]> {
    if (this.reserved) {
      this.batch = clampBatch(
        this.dropped ? Math.floor(this.batch / 2) : this.batch * 2,
        this.shared.maxBatch,
      );
    }
    this.reserved = true;
    this.dropped = false;
    const left = this.options.expected - this.handed;
    // Past what it expected, a rotation is reading a roster larger than it knew (more batches to
    // come); a re-read by e-mail only retries a page now and then.
    const count = left > 0 ? Math.min(this.batch, left) : this.options.class === "rotation" ? this.batch : 1;
    const roundMs = this.shared.roundMs?.() ?? 0;
    return this.shared.limiter.reserve({
      count,
      perMinute: this.perMinute,
      notAfterMs,
      ...(roundMs > 0 && this.shared.perRound
        ? { spacing: { perRound: this.shared.perRound, roundMs } }
        : {}),
      class: this.options.class,
      ...(this.options.headroom !== undefined ? { headroom: this.options.headroom } : {}),
    });
  }
}

function clampBatch(size: number, max: number): number {
  return Math.max(1, Math.min(Math.floor(size), Math.max(1, Math.floor(max))));
}
