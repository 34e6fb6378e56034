import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../functions/adapters/smartassist/client.js";
import type { Clock } from "../../functions/adapters/smartassist/clock.js";
import { Pacer } from "../../functions/adapters/smartassist/pacer.js";

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
