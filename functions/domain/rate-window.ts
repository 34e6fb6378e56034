/**
 * One rate budget shared by every invocation (DESIGN: "One rate budget across everything that runs").
 * Pure: the shared window is a sorted list of request start instants (UTC ms; reservations made for
 * the future included), and reserving places new starts so that no sliding 60 s window ever holds
 * more than `perMinute` of them. A fixed per-minute counter is not enough: it lets twice the limit
 * through across a minute's edge.
 *
 * A recorded instant is when its request may start; the pacer starts it no later than
 * `START_GRACE_MS` after that, or gives the slot up (it still counts). So each instant is counted
 * over a window of 60 s plus that grace: whenever within its grace each request really starts, no
 * 60 s window of real starts holds more than `perMinute`.
 */

/** `priority`: re-reads of open alerts and due re-checks; `rotation`: the roster's pages. */
export type RequestClass = "priority" | "rotation";

/** The account's window: Kore.ai counts requests per minute. */
export const RATE_WINDOW_MS = 60_000;

/**
 * Longest a request may start after its reserved instant; later, its slot is given up. Every recorded
 * instant counts for the window plus this grace, so a tick that uses the window to its cap finds the
 * previous tick's slots free this much past its own minute: the grace is what a full window costs each
 * minute's rotation (a second of it was about a third of a 12,000-agent center's pages). Reservations
 * spaced by the requests' round trip (`spacing`) start on time within a quarter of a second.
 */
export const START_GRACE_MS = 250;

/** The span a recorded instant is counted over: the window plus the start grace. */
export const COUNTED_SPAN_MS = RATE_WINDOW_MS + START_GRACE_MS;

export interface RateReservation {
  /** The shared window's recorded instants, sorted (any order is accepted; they are sorted first). */
  times: readonly number[];
  /** At most this many starts in any 60 s window, every class together. */
  perMinute: number;
  nowMs: number;
  /** No slot at or after this instant: fewer are returned instead. */
  notAfterMs: number;
  count: number;
  class: RequestClass;
  /**
   * For `rotation`: slots the caller keeps free for priority requests it knows are coming. A rotation
   * slot goes only where every window containing it holds at most `perMinute − headroom` starts.
   */
  headroom?: number;
  /**
   * Slots for requests that go `perRound` at a time, each round a round trip (`roundMs`) after the
   * last: slot i no earlier than now + ⌊i ÷ perRound⌋ × roundMs, so each starts within its grace.
   */
  spacing?: { perRound: number; roundMs: number };
}

export interface ReservedSlots {
  /** The window to store: `times` pruned of instants that no longer count, plus `reserved`, sorted. */
  times: number[];
  /** The reserved start instants, earliest first (fewer than asked when the bound came first). */
  reserved: number[];
}

/** Index of the first element of sorted `times` that is ≥ `value` (or > it, when `after`). */
function bound(times: readonly number[], value: number, after = false): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const t = times[mid] as number;
    if (t < value || (after && t === value)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const lowerBound = (times: readonly number[], value: number): number => bound(times, value);
const upperBound = (times: readonly number[], value: number): number => bound(times, value, true);

/**
 * True when a start at `at` leaves every counted span containing it with at most `cap` starts.
 * The fullest span containing `at` begins at a recorded instant in (at − span, at], or at `at`.
 */
function fits(times: readonly number[], at: number, cap: number): boolean {
  if (cap < 1) return false;
  const first = upperBound(times, at - COUNTED_SPAN_MS);
  const self = lowerBound(times, at);
  // Spans beginning at recorded instants before `at`: [p, p + span) holds `at` as well.
  for (let i = first; i < self; i++) {
    const p = times[i] as number;
    if (lowerBound(times, p + COUNTED_SPAN_MS) - i + 1 > cap) return false;
  }
  // The span beginning at `at` (recorded instants equal to `at` included).
  return lowerBound(times, at + COUNTED_SPAN_MS) - self + 1 <= cap;
}

/**
 * Reserves up to `count` start instants: each the earliest instant ≥ now that keeps the rule
 * (candidates: now, and each recorded instant + the counted span, when a start stops counting), and
 * each before `notAfterMs`. Returns the new window to store and the reserved instants.
 */
export function reserveSlots(request: RateReservation): ReservedSlots {
  const { perMinute, nowMs, notAfterMs } = request;
  const sorted = [...request.times].filter(Number.isFinite).sort((a, b) => a - b);
  // Instants whose span ended by now cannot share a span with any start from now on.
  const times = sorted.slice(upperBound(sorted, nowMs - COUNTED_SPAN_MS));
  const cap =
    request.class === "rotation" ? perMinute - Math.max(0, Math.floor(request.headroom ?? 0)) : perMinute;
  const reserved: number[] = [];
  // Adding a start only adds to spans, so each next slot is at or after the previous one.
  let from = nowMs;
  const perRound = Math.max(1, Math.floor(request.spacing?.perRound ?? 1));
  const roundMs = Math.max(0, request.spacing?.roundMs ?? 0);
  while (reserved.length < request.count) {
    from = Math.max(from, nowMs + Math.floor(reserved.length / perRound) * roundMs);
    const slot = earliestSlot(times, from, cap);
    if (slot === undefined || slot >= notAfterMs) break;
    times.splice(upperBound(times, slot), 0, slot);
    reserved.push(slot);
    from = slot;
  }
  return { times, reserved };
}

function earliestSlot(times: readonly number[], from: number, cap: number): number | undefined {
  if (fits(times, from, cap)) return from;
  // Feasibility only returns when a recorded instant stops counting: at that instant + span.
  for (let i = upperBound(times, from - COUNTED_SPAN_MS); i < times.length; i++) {
    const candidate = (times[i] as number) + COUNTED_SPAN_MS;
    if (candidate > from && fits(times, candidate, cap)) return candidate;
  }
  return undefined;
}
