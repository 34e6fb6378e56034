import { describe, expect, it } from "vitest";
import type { Clock } from "../../functions/adapters/smartassist/clock.js";
import { Pacer } from "../../functions/adapters/smartassist/pacer.js";
import { parseRetryAfter } from "../../functions/adapters/smartassist/page-fetcher.js";
import { MemoryRateLimiter } from "../../functions/adapters/state/memory-rate-limiter.js";
import type { SharedRateLimiter } from "../../functions/ports.js";
import { virtualTime } from "../fakes/virtual-time.js";

/** Virtual time: sleeping moves the clock forward at once. The pacer admits one waiter at a time. */
function virtualClock(start = 0): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

function maxInAnyWindow(starts: number[], windowMs: number): number {
  let max = 0;
  for (let i = 0; i < starts.length; i++) {
    let j = i;
    while (j < starts.length && (starts[j] as number) < (starts[i] as number) + windowMs) j++;
    max = Math.max(max, j - i);
  }
  return max;
}

describe("Pacer", () => {
  it("admits at most N requests in any 60 s window", async () => {
    const clock = virtualClock();
    const pacer = new Pacer(50, clock);
    const starts: number[] = [];

    for (let i = 0; i < 130; i++) {
      await pacer.acquire();
      starts.push(clock.now());
    }

    expect(maxInAnyWindow(starts, 60_000)).toBe(50);
    // The first 50 go at once, the next 50 a minute later, the last 30 two minutes later.
    expect(starts[49]).toBe(0);
    expect(starts[50]).toBe(60_000);
    expect(starts[129]).toBe(120_000);
  });

  it("admits concurrent callers in arrival order without exceeding the pace", async () => {
    const clock = virtualClock();
    const pacer = new Pacer(3, clock);
    const order: number[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4, 5, 6].map(async (i) => {
        await pacer.acquire();
        order.push(i);
      }),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(clock.now()).toBe(120_000);
  });

  it("holds everyone while the server asked to back off", async () => {
    const clock = virtualClock(1_000);
    const pacer = new Pacer(50, clock);
    pacer.pauseUntil(31_000);
    await pacer.acquire();
    expect(clock.now()).toBe(31_000);
  });

  it("declines at once when the next slot opens only after the deadline", async () => {
    const clock = virtualClock();
    const pacer = new Pacer(2, clock);
    expect(await pacer.acquire(undefined, 30_000)).toBe(true);
    expect(await pacer.acquire(undefined, 30_000)).toBe(true);
    expect(await pacer.acquire(undefined, 30_000)).toBe(false);
    expect(clock.now()).toBe(0);
  });

  it("tells when the next slot opens without taking it", () => {
    const clock = virtualClock(5_000);
    const pacer = new Pacer(1, clock);
    expect(pacer.nextSlotAt()).toBe(5_000);
  });

  it("stops waiting when the run is aborted", async () => {
    const clock: Clock = {
      now: () => 0,
      sleep: (_ms, signal) =>
        new Promise((_, reject) => signal?.addEventListener("abort", () => reject(signal.reason))),
    };
    const pacer = new Pacer(1, clock);
    await pacer.acquire();
    const abort = new AbortController();
    const waiting = pacer.acquire(abort.signal);
    abort.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("7", 0)).toBe(7_000);
    expect(parseRetryAfter("Fri, 10 Mar 2023 16:00:30 GMT", Date.parse("2023-03-10T16:00:00Z"))).toBe(30_000);
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(parseRetryAfter("soon", 0)).toBeUndefined();
  });
});

describe("Pacer lanes on a shared rate limiter", () => {
  const T0 = Date.parse("2023-03-10T08:30:00Z");

  /** A shared window that also tells how it was asked: one call per batch. */
  function countingLimiter(clock: Clock) {
    const inner = new MemoryRateLimiter({ nowMs: () => clock.now() });
    const calls: Array<Parameters<SharedRateLimiter["reserve"]>[0]> = [];
    const limiter: SharedRateLimiter = {
      reserve: (request) => {
        calls.push(request);
        return inner.reserve(request);
      },
    };
    return { limiter, calls, inner };
  }

  /** `n` requests through `lane`, `concurrency` at a time, each taking `workMs` of virtual time. */
  async function run(
    lane: { acquire(signal?: AbortSignal, notAfterMs?: number): Promise<boolean> },
    clock: Clock,
    n: number,
    options: { concurrency: number; workMs?: number; notAfterMs?: number },
  ): Promise<{ starts: number[]; refused: number }> {
    const starts: number[] = [];
    let refused = 0;
    let next = 0;
    const worker = async () => {
      while (next < n) {
        next++;
        if (!(await lane.acquire(undefined, options.notAfterMs))) {
          refused++;
          continue;
        }
        starts.push(clock.now());
        if (options.workMs) await clock.sleep(options.workMs);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    return { starts, refused };
  }

  it("keeps two clients' requests under the limit in any 60 s window together", async () => {
    const clock = virtualTime(T0);
    const { limiter } = countingLimiter(clock);
    const a = new Pacer(50, clock, { limiter, maxBatch: 4 });
    const b = new Pacer(50, clock, { limiter, maxBatch: 4 });
    const [ra, rb] = await Promise.all([
      run(a.lane({ class: "rotation", expected: 80, initialBatch: 4 }), clock, 80, {
        concurrency: 4,
        workMs: 300,
      }),
      run(b.lane({ class: "priority", expected: 40, initialBatch: 4 }), clock, 40, {
        concurrency: 4,
        workMs: 300,
      }),
    ]);
    const starts = [...ra.starts, ...rb.starts].sort((x, y) => x - y);
    expect(starts).toHaveLength(120);
    expect(maxInAnyWindow(starts, 60_000)).toBeLessThanOrEqual(50);
    // Each pacer alone would have let 50 through at once: together they took three windows.
    expect(starts[starts.length - 1]).toBeGreaterThanOrEqual(T0 + 2 * 60_000);
  });

  it("reserves one batch for the requests that go together, not one per request", async () => {
    const clock = virtualTime(T0);
    const { limiter, calls } = countingLimiter(clock);
    const pacer = new Pacer(50, clock, { limiter, maxBatch: 4 });
    const { starts } = await run(pacer.lane({ class: "priority", expected: 4, initialBatch: 4 }), clock, 4, {
      concurrency: 4,
    });
    expect(starts).toEqual([T0, T0, T0, T0]);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ count: 4, perMinute: 50, class: "priority" });
  });

  it("grows its batches while they are used on time, and asks for no more than the read expects", async () => {
    const clock = virtualTime(T0);
    const { limiter, calls } = countingLimiter(clock);
    const pacer = new Pacer(50, clock, { limiter, maxBatch: 8 });
    await run(pacer.lane({ class: "rotation", expected: 20, initialBatch: 1 }), clock, 20, {
      concurrency: 8,
    });
    expect(calls.map((c) => c.count)).toEqual([1, 2, 4, 8, 5]);
  });

  it("keeps whole batches for a rotation past what it expected, and single slots for a re-read's retries", async () => {
    const clock = virtualTime(T0);
    const { limiter, calls } = countingLimiter(clock);
    const pacer = new Pacer(50, clock, { limiter, maxBatch: 4 });
    await run(pacer.lane({ class: "rotation", expected: 2, initialBatch: 2 }), clock, 10, { concurrency: 4 });
    expect(calls.map((c) => c.count)).toEqual([2, 4, 4]);
    calls.length = 0;
    await run(pacer.lane({ class: "priority", expected: 2, initialBatch: 2 }), clock, 4, { concurrency: 2 });
    expect(calls.map((c) => c.count)).toEqual([2, 1, 1]);
  });

  it("lets priority requests through while the rotation waits for the next window", async () => {
    const clock = virtualTime(T0);
    const { limiter } = countingLimiter(clock);
    const pacer = new Pacer(10, clock, { limiter, maxBatch: 10 });
    const rotation = pacer.lane({ class: "rotation", expected: 20, initialBatch: 10, headroom: 2 });
    const rotationRun = run(rotation, clock, 12, { concurrency: 10 });
    // The rotation took its 8 and sleeps for the rest; a re-check now still finds room at once.
    await new Promise((resolve) => setImmediate(resolve));
    const priority = pacer.lane({ class: "priority", expected: 2, initialBatch: 2 });
    const { starts } = await run(priority, clock, 2, { concurrency: 2 });
    expect(starts).toEqual([T0, T0]);
    const { starts: rotationStarts } = await rotationRun;
    expect(rotationStarts.filter((t) => t === T0)).toHaveLength(8);
    expect(rotationStarts.filter((t) => t > T0)).toHaveLength(4);
  });

  it("is refused at once when nothing can be reserved before the deadline", async () => {
    const clock = virtualTime(T0);
    const { limiter, inner } = countingLimiter(clock);
    await inner.reserve({ count: 2, perMinute: 2, notAfterMs: T0 + 1, class: "priority" });
    const pacer = new Pacer(2, clock, { limiter, maxBatch: 4 });
    const lane = pacer.lane({ class: "rotation", expected: 3 });
    expect(await lane.acquire(undefined, T0 + 30_000)).toBe(false);
    expect(clock.now()).toBe(T0);
    expect(clock.jumps).toEqual([]);
  });

  it("gives up a slot it could not start within its grace, and never starts late", async () => {
    const clock = virtualTime(T0);
    const { limiter, inner } = countingLimiter(clock);
    const pacer = new Pacer(50, clock, { limiter, maxBatch: 4 });
    const lane = pacer.lane({ class: "priority", expected: 4, initialBatch: 4 });
    expect(await lane.acquire()).toBe(true);
    // The other three slots were for T0; the next request comes 5 s later.
    await clock.sleep(5_000);
    expect(await lane.acquire()).toBe(true);
    expect(clock.now()).toBe(T0 + 5_000);
    // Four at T0 (one used, three given up but still counted), then a halved batch at +5 s.
    expect(inner.times).toEqual([T0, T0, T0, T0, T0 + 5_000, T0 + 5_000]);
  });

  it("holds every lane while the server asked to back off", async () => {
    const clock = virtualTime(T0);
    const { limiter } = countingLimiter(clock);
    const pacer = new Pacer(50, clock, { limiter, maxBatch: 4 });
    pacer.pauseUntil(T0 + 30_000);
    const lane = pacer.lane({ class: "priority", expected: 1 });
    expect(await lane.acquire()).toBe(true);
    expect(clock.now()).toBe(T0 + 30_000);
    expect(await pacer.lane({ class: "rotation", expected: 1 }).acquire(undefined, T0 + 60_000)).toBe(true);
    pacer.pauseUntil(T0 + 120_000);
    expect(await pacer.lane({ class: "rotation", expected: 1 }).acquire(undefined, T0 + 60_000)).toBe(false);
  });

  it("without a limiter, a lane is the pacer's own sliding log", async () => {
    const clock = virtualClock();
    const pacer = new Pacer(2, clock);
    const lane = pacer.lane({ class: "rotation", expected: 10 });
    expect(await lane.acquire(undefined, 30_000)).toBe(true);
    expect(await pacer.acquire(undefined, 30_000)).toBe(true);
    expect(await lane.acquire(undefined, 30_000)).toBe(false);
  });
});
