import { describe, expect, it } from "vitest";
import {
  COUNTED_SPAN_MS,
  RATE_WINDOW_MS,
  type RequestClass,
  reserveSlots,
  START_GRACE_MS,
} from "../../functions/domain/rate-window.js";

const T0 = Date.parse("2023-03-10T08:30:00Z");

/** The most instants in any half-open window of `windowMs`, by brute force over every window start. */
function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let max = 0;
  for (const start of sorted) {
    max = Math.max(max, sorted.filter((t) => t >= start && t < start + windowMs).length);
  }
  return max;
}

/** The most instants in any window of `windowMs` that contains `at` (integer ms), by brute force. */
function fullestWindowContaining(times: readonly number[], at: number, windowMs: number): number {
  // The count only changes where an instant enters or leaves the window: try every such start.
  const starts = new Set<number>([at, at - windowMs + 1]);
  for (const t of times) {
    starts.add(t);
    starts.add(t + 1);
    starts.add(t - windowMs + 1);
  }
  let max = 0;
  for (const w of starts) {
    if (w > at || w + windowMs <= at) continue;
    max = Math.max(max, times.filter((t) => t >= w && t < w + windowMs).length);
  }
  return max;
}

/** A small seeded generator (mulberry32): the same interleavings on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("reserveSlots", () => {
  it("reserves now while the window has room", () => {
    const { reserved, times } = reserveSlots({
      times: [],
      perMinute: 50,
      nowMs: T0,
      notAfterMs: T0 + 60_000,
      count: 3,
      class: "priority",
    });
    expect(reserved).toEqual([T0, T0, T0]);
    expect(times).toEqual([T0, T0, T0]);
  });

  it("spaces a batch a round trip per round of requests in flight, and never earlier than the window allows", () => {
    const spaced = reserveSlots({
      times: [],
      perMinute: 50,
      nowMs: T0,
      notAfterMs: T0 + 60_000,
      count: 10,
      class: "rotation",
      spacing: { perRound: 4, roundMs: 250 },
    });
    expect(spaced.reserved).toEqual([
      T0,
      T0,
      T0,
      T0,
      T0 + 250,
      T0 + 250,
      T0 + 250,
      T0 + 250,
      T0 + 500,
      T0 + 500,
    ]);
    // A spent window still decides: the spacing only ever moves a slot later.
    const full = reserveSlots({
      times: Array.from({ length: 50 }, (_, i) => T0 - 30_000 + i * 100),
      perMinute: 50,
      nowMs: T0,
      notAfterMs: T0 + 60_000,
      count: 3,
      class: "priority",
      spacing: { perRound: 1, roundMs: 10 },
    });
    expect(full.reserved).toEqual([
      T0 - 30_000 + COUNTED_SPAN_MS,
      T0 - 30_000 + 100 + COUNTED_SPAN_MS,
      T0 - 30_000 + 200 + COUNTED_SPAN_MS,
    ]);
  });

  it("places the rest where the earliest starts stop counting, one window plus the start grace later", () => {
    expect(COUNTED_SPAN_MS).toBe(RATE_WINDOW_MS + START_GRACE_MS);
    const { reserved } = reserveSlots({
      times: [],
      perMinute: 50,
      nowMs: T0,
      notAfterMs: Number.POSITIVE_INFINITY,
      count: 120,
      class: "priority",
    });
    expect(reserved.slice(0, 50).every((t) => t === T0)).toBe(true);
    expect(reserved.slice(50, 100).every((t) => t === T0 + COUNTED_SPAN_MS)).toBe(true);
    expect(reserved.slice(100).every((t) => t === T0 + 2 * COUNTED_SPAN_MS)).toBe(true);
  });

  it("slides: a window half spent at its start and half 30 s later frees in two steps", () => {
    const half = (at: number) => Array.from({ length: 25 }, () => at);
    const { reserved } = reserveSlots({
      times: [...half(T0), ...half(T0 + 30_000)],
      perMinute: 50,
      nowMs: T0 + 40_000,
      notAfterMs: Number.POSITIVE_INFINITY,
      count: 30,
      class: "priority",
    });
    expect(reserved.slice(0, 25)).toEqual(half(T0 + COUNTED_SPAN_MS));
    expect(reserved.slice(25)).toEqual(Array.from({ length: 5 }, () => T0 + 30_000 + COUNTED_SPAN_MS));
  });

  it("does not let twice the limit through across a minute's edge, as a fixed per-minute counter would", () => {
    // 50 requests in the last second of a minute: the next minute has no room until they stop counting.
    const late = Array.from({ length: 50 }, (_, i) => T0 + 59_000 + i * 10);
    const { reserved } = reserveSlots({
      times: late,
      perMinute: 50,
      nowMs: T0 + 60_000,
      notAfterMs: Number.POSITIVE_INFINITY,
      count: 50,
      class: "priority",
    });
    expect(reserved[0]).toBe(T0 + 59_000 + COUNTED_SPAN_MS);
    expect(maxInAnyWindow([...late, ...reserved], RATE_WINDOW_MS)).toBe(50);
  });

  it("returns fewer when the bound comes first, and none when nothing fits before it", () => {
    const full = Array.from({ length: 48 }, () => T0);
    const some = reserveSlots({
      times: full,
      perMinute: 50,
      nowMs: T0 + 10_000,
      notAfterMs: T0 + 60_000,
      count: 5,
      class: "priority",
    });
    expect(some.reserved).toEqual([T0 + 10_000, T0 + 10_000]);
    const none = reserveSlots({
      times: some.times,
      perMinute: 50,
      nowMs: T0 + 10_000,
      notAfterMs: T0 + 60_000,
      count: 5,
      class: "priority",
    });
    expect(none.reserved).toEqual([]);
    expect(none.times).toEqual(some.times);
  });

  it("prunes instants that no longer count, keeps reservations made for later", () => {
    const { times } = reserveSlots({
      times: [T0 - COUNTED_SPAN_MS, T0 - COUNTED_SPAN_MS + 1, T0 + 5_000],
      perMinute: 50,
      nowMs: T0,
      notAfterMs: T0 + 1,
      count: 1,
      class: "priority",
    });
    expect(times).toEqual([T0 - COUNTED_SPAN_MS + 1, T0, T0 + 5_000]);
  });

  it("counts reservations made for later: a slot now must not overfill the window they are in", () => {
    const ahead = Array.from({ length: 50 }, () => T0 + 30_000);
    const { reserved } = reserveSlots({
      times: ahead,
      perMinute: 50,
      nowMs: T0,
      notAfterMs: Number.POSITIVE_INFINITY,
      count: 1,
      class: "priority",
    });
    expect(reserved).toEqual([T0 + 30_000 + COUNTED_SPAN_MS]);
  });

  it("accepts instants in any order", () => {
    const { times } = reserveSlots({
      times: [T0 + 3, T0 + 1, T0 + 2],
      perMinute: 50,
      nowMs: T0 + 4,
      notAfterMs: T0 + 5,
      count: 1,
      class: "priority",
    });
    expect(times).toEqual([T0 + 1, T0 + 2, T0 + 3, T0 + 4]);
  });

  it("leaves the rotation's headroom to priority requests", () => {
    const spent = Array.from({ length: 40 }, () => T0);
    const rotation = reserveSlots({
      times: spent,
      perMinute: 50,
      nowMs: T0 + 1_000,
      notAfterMs: T0 + 60_000,
      count: 20,
      class: "rotation",
      headroom: 5,
    });
    // The rotation takes 5 (up to 45), not 10.
    expect(rotation.reserved).toHaveLength(5);
    const priority = reserveSlots({
      times: rotation.times,
      perMinute: 50,
      nowMs: T0 + 2_000,
      notAfterMs: T0 + 60_000,
      count: 20,
      class: "priority",
    });
    expect(priority.reserved).toEqual(Array.from({ length: 5 }, () => T0 + 2_000));
    // Without headroom the rotation may use the whole window.
    expect(
      reserveSlots({
        times: spent,
        perMinute: 50,
        nowMs: T0 + 1_000,
        notAfterMs: T0 + 60_000,
        count: 20,
        class: "rotation",
      }).reserved,
    ).toHaveLength(10);
  });

  it("gives the rotation nothing when the headroom is the whole budget", () => {
    const { reserved } = reserveSlots({
      times: [],
      perMinute: 5,
      nowMs: T0,
      notAfterMs: Number.POSITIVE_INFINITY,
      count: 3,
      class: "rotation",
      headroom: 5,
    });
    expect(reserved).toEqual([]);
  });

  it("never lets several invocations' reservations exceed the limit in any 60 s window (random interleavings)", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const random = seeded(seed);
      const perMinute = 1 + Math.floor(random() * 60);
      const invocations = 2 + Math.floor(random() * 4);
      let times: number[] = [];
      let now = T0;
      const reservedAll: Array<{ at: number; late: number }> = [];
      const steps = 40 + Math.floor(random() * 60);
      for (let step = 0; step < steps; step++) {
        // Any invocation's turn comes next; the shared window serialises them in real time.
        now += Math.floor(random() * random() * 20_000);
        const invocation = Math.floor(random() * invocations);
        const cls: RequestClass = random() < 0.4 ? "priority" : "rotation";
        const headroom = cls === "rotation" ? Math.floor(random() * Math.min(10, perMinute)) : 0;
        const notAfterMs =
          random() < 0.3 ? Number.POSITIVE_INFINITY : now + Math.floor(random() * 3 * RATE_WINDOW_MS);
        const count = 1 + Math.floor(random() * (invocation + 1) * 12);
        const before = times;
        const result = reserveSlots({
          times,
          perMinute,
          nowMs: now,
          notAfterMs,
          count,
          class: cls,
          headroom,
        });
        times = result.times;
        expect(result.reserved.length).toBeLessThanOrEqual(count);
        for (let i = 0; i < result.reserved.length; i++) {
          const at = result.reserved[i] as number;
          expect(at).toBeGreaterThanOrEqual(now);
          expect(at).toBeLessThan(notAfterMs);
          if (i > 0) expect(at).toBeGreaterThanOrEqual(result.reserved[i - 1] as number);
          // The request may really start anywhere in its grace: try both ends and between.
          reservedAll.push({
            at,
            late: [0, START_GRACE_MS, Math.floor(random() * START_GRACE_MS)][i % 3] ?? 0,
          });
        }
        const cap = cls === "rotation" ? perMinute - headroom : perMinute;
        for (const at of result.reserved) {
          // Every counted span holding a rotation slot keeps the headroom free.
          expect(fullestWindowContaining(times, at, COUNTED_SPAN_MS)).toBeLessThanOrEqual(cap);
        }
        // Earliest: one millisecond before the first slot would not have fitted.
        const first = result.reserved[0];
        if (first !== undefined && first > now) {
          expect(fullestWindowContaining([...before, first - 1], first - 1, COUNTED_SPAN_MS)).toBeGreaterThan(
            cap,
          );
        }
      }
      expect(maxInAnyWindow(times, COUNTED_SPAN_MS)).toBeLessThanOrEqual(perMinute);
      // The property that matters: the real starts, each within its grace, in any 60 s window.
      const starts = reservedAll.map((r) => r.at + r.late);
      expect(maxInAnyWindow(starts, RATE_WINDOW_MS)).toBeLessThanOrEqual(perMinute);
      expect(reservedAll.length).toBeGreaterThan(0);
    }
  });
});
