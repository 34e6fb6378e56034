/**
 * What every SharedRateLimiter must do, run against each adapter with its real local peer. `open()`
 * gives another instance on the same shared window: another process on the state file, another
 * Lambda invocation on the table (the in-memory one gives the same instance: it is one process).
 */
import { describe, expect, it } from "vitest";
import { COUNTED_SPAN_MS, RATE_WINDOW_MS } from "../../functions/domain/rate-window.js";
import type { SharedRateLimiter } from "../../functions/ports.js";

export const LIMITER_T0 = Date.parse("2023-03-10T08:30:00Z");

export interface LimiterClock {
  now: () => number;
  set(ms: number): void;
}

export interface LimiterFixture {
  open(): SharedRateLimiter;
}

/** The most instants in any 60 s window, by brute force over every window start. */
export function maxInAnyMinute(times: readonly number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (const start of sorted) {
    max = Math.max(max, sorted.filter((t) => t >= start && t < start + RATE_WINDOW_MS).length);
  }
  return max;
}

export function rateLimiterContract(
  name: string,
  fixture: (clock: LimiterClock) => Promise<LimiterFixture>,
): void {
  const clockAt = (start: number): LimiterClock => {
    let now = start;
    return {
      now: () => now,
      set: (ms) => {
        now = ms;
      },
    };
  };

  describe(`${name} as a shared rate limiter`, () => {
    it("gives three concurrent instances reserving 40 each at most 50 in any 60 s window, and the rest later", async () => {
      const clock = clockAt(LIMITER_T0);
      const shared = await fixture(clock);
      const instances = [shared.open(), shared.open(), shared.open()];
      const got = await Promise.all(
        instances.map((l) =>
          l.reserve({ count: 40, perMinute: 50, notAfterMs: Number.POSITIVE_INFINITY, class: "priority" }),
        ),
      );
      const all = got.flat();
      expect(got.map((g) => g.length)).toEqual([40, 40, 40]);
      expect(maxInAnyMinute(all)).toBeLessThanOrEqual(50);
      expect(all.filter((t) => t === LIMITER_T0)).toHaveLength(50);
      expect(all.filter((t) => t === LIMITER_T0 + COUNTED_SPAN_MS)).toHaveLength(50);
      expect(all.filter((t) => t === LIMITER_T0 + 2 * COUNTED_SPAN_MS)).toHaveLength(20);
    });

    it("keeps the limit when many small batches from several instances interleave", async () => {
      const clock = clockAt(LIMITER_T0);
      const shared = await fixture(clock);
      const all: number[] = [];
      await Promise.all(
        [0, 1, 2].map(async (i) => {
          const limiter = shared.open();
          for (let batch = 0; batch < 8; batch++) {
            const cls = (i + batch) % 2 === 0 ? "priority" : "rotation";
            all.push(
              ...(await limiter.reserve({
                count: 4,
                perMinute: 20,
                notAfterMs: Number.POSITIVE_INFINITY,
                class: cls,
              })),
            );
          }
        }),
      );
      expect(all).toHaveLength(96);
      expect(maxInAnyMinute(all)).toBeLessThanOrEqual(20);
    });

    it("returns fewer, or none, when the window has no room before the bound", async () => {
      const clock = clockAt(LIMITER_T0);
      const shared = await fixture(clock);
      const a = shared.open();
      const b = shared.open();
      expect(
        await a.reserve({ count: 8, perMinute: 10, notAfterMs: LIMITER_T0 + 1, class: "priority" }),
      ).toHaveLength(8);
      clock.set(LIMITER_T0 + 20_000);
      expect(
        await b.reserve({ count: 5, perMinute: 10, notAfterMs: LIMITER_T0 + 60_000, class: "priority" }),
      ).toEqual([LIMITER_T0 + 20_000, LIMITER_T0 + 20_000]);
      expect(
        await a.reserve({ count: 5, perMinute: 10, notAfterMs: LIMITER_T0 + 60_000, class: "priority" }),
      ).toEqual([]);
      // Once the first starts stop counting, there is room again.
      clock.set(LIMITER_T0 + COUNTED_SPAN_MS);
      expect(
        await b.reserve({ count: 10, perMinute: 10, notAfterMs: LIMITER_T0 + 80_000, class: "priority" }),
      ).toHaveLength(8);
    });

    it("leaves the rotation's headroom to priority requests of another instance", async () => {
      const clock = clockAt(LIMITER_T0);
      const shared = await fixture(clock);
      const rotation = await shared.open().reserve({
        count: 50,
        perMinute: 50,
        notAfterMs: LIMITER_T0 + 60_000,
        class: "rotation",
        headroom: 6,
      });
      expect(rotation).toHaveLength(44);
      const priority = await shared
        .open()
        .reserve({ count: 10, perMinute: 50, notAfterMs: LIMITER_T0 + 60_000, class: "priority" });
      expect(priority).toHaveLength(6);
    });
  });
}
