/**
 * A seeded, realistic contact-center day for the simulator: the same seed gives the same agents and
 * timelines, so tests, the demo and the benchmark are reproducible.
 *
 * Most agents work an 8–9 h shift starting 07:00–11:00 local: AVAILABLE and BUSY (calls of 2–15
 * min) alternate, with AWAY breaks (LUNCH 30–45 min, BREAK 10–15, NBK 5–20, sometimes TRAINING),
 * an occasional transfer (two BUSY back to back) and short logged-out gaps. Their last segment
 * closes at the end of the shift. Mixed in, so that a check around mid-day (13:00–15:00 local)
 * finds work to do:
 *   ~3% stuck:      an open BUSY, LUNCH or NBK that never ends, begun 1.5–4 h into the shift;
 *   ~5% logged out: a short shift (2–4 h) that ended, last segment closed;
 *   ~2% no status:  `segments: null` (the row has no `status` key);
 *   ~2% empty day:  `segments: []`.
 * Times are whole seconds (the API has no finer grain).
 */
import { shiftLocalDate } from "../../../functions/domain/local-date.js";
import { isValidTimeZone, utcOffsetMinutes } from "../../../functions/domain/time.js";
import { dateToUtcMidnight, type SimAgent, type SimSegment } from "./timeline.js";

export interface DayOptions {
  seed?: number;
  agents: number;
  /** IANA zone of the center. */
  timezone: string;
  /** Local date, yyyy-mm-dd. */
  date: string;
  /** Default varies 12–24; when given, exactly that many segments for every agent that has a status. */
  segmentsPerAgent?: number;
  /** E-mail domain (default example.com); some agents are on `tier2.<domain>`. */
  domain?: string;
}

/** mulberry32: a tiny, good-enough 32-bit PRNG, deterministic for a seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

type Rng = () => number;

function between(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)] as T;
}

const FIRST_NAMES = [
  "Alice",
  "Bruno",
  "Chen",
  "Dana",
  "Emeka",
  "Fatima",
  "Gabriel",
  "Hana",
  "Ivan",
  "Julia",
  "Kenji",
  "Leila",
  "Mateo",
  "Nadia",
  "Omar",
  "Priya",
  "Quinn",
  "Rosa",
  "Samir",
  "Tara",
  "Umar",
  "Vera",
  "Wei",
  "Ximena",
  "Yusuf",
  "Zoe",
  "Arjun",
  "Beatriz",
  "Connor",
  "Divya",
] as const;

const LAST_NAMES = [
  "Adams",
  "Bakker",
  "Costa",
  "Dubois",
  "Eze",
  "Fischer",
  "Garcia",
  "Haddad",
  "Ito",
  "Jensen",
  "Kowalski",
  "Lopez",
  "Mensah",
  "Nguyen",
  "Okafor",
  "Patel",
  "Quispe",
  "Rossi",
  "Santos",
  "Tanaka",
  "Usman",
  "Varga",
  "Wang",
  "Yilmaz",
  "Zhang",
  "Iyer",
  "Murphy",
  "Novak",
  "Silva",
  "Khan",
] as const;

/**
 * Local minutes of `date` in `zone` → UTC ms, DST-aware: the zone's offset is worked out once for
 * every local hour of the day (two passes settle the guess across a transition), so the hot loop
 * does no Intl work.
 */
function localClock(zone: string, date: string): (minuteOfDay: number) => number {
  const midnight = dateToUtcMidnight(date);
  const offsetsMs: number[] = [];
  for (let h = 0; h < 24; h++) {
    const wall = midnight + h * 3_600_000;
    let guess = wall - utcOffsetMinutes(zone, wall) * 60_000;
    guess = wall - utcOffsetMinutes(zone, guess) * 60_000;
    offsetsMs.push(wall - guess);
  }
  return (minuteOfDay) =>
    midnight + minuteOfDay * 60_000 - (offsetsMs[Math.min(23, Math.floor(minuteOfDay / 60))] as number);
}

const AVAILABLE = 0;
const BUSY = 1;
const LUNCH = 2;
const BREAK = 3;
const NBK = 4;
const TRAINING = 5;

const STATUS: ReadonlyArray<readonly [primary: string, secondary: string]> = [
  ["AVAILABLE", "AVAILABLE"],
  ["BUSY", "BUSY"],
  ["AWAY", "LUNCH"],
  ["AWAY", "BREAK"],
  ["AWAY", "NBK"],
  ["AWAY", "TRAINING"],
];

/** Seconds for a segment of that kind (AVAILABLE is filled in later from what time is left). */
function naturalSeconds(rng: Rng, kind: number): number {
  switch (kind) {
    case BUSY:
      return between(rng, 120, 900);
    case LUNCH:
      return between(rng, 1800, 2700);
    case BREAK:
      return between(rng, 600, 900);
    case NBK:
      return between(rng, 300, 1200);
    case TRAINING:
      return between(rng, 1800, 3600);
    default:
      return 0;
  }
}

/** The shape of a shift of `count` segments: AVAILABLE/BUSY alternate, breaks replace some BUSY. */
function planKinds(rng: Rng, count: number, spanSeconds: number): number[] {
  const kinds: number[] = [];
  for (let i = 0; i < count; i++) kinds.push(i % 2 === 0 ? AVAILABLE : BUSY);
  // Breaks go on odd slots, so an AVAILABLE sits on either side, as after a real break.
  const oddNear = (fraction: number) => {
    const i = Math.floor(count * fraction);
    return i % 2 === 1 ? i : i + 1;
  };
  const free = (i: number) => i > 0 && i < count && kinds[i] === BUSY;
  if (count >= 6 && spanSeconds >= 4 * 3600 && free(oddNear(0.5))) kinds[oddNear(0.5)] = LUNCH;
  if (count >= 10) {
    if (free(oddNear(0.25))) kinds[oddNear(0.25)] = BREAK;
    if (free(oddNear(0.78))) kinds[oddNear(0.78)] = BREAK;
  }
  if (count >= 8 && rng() < 0.08) {
    const i = oddNear(0.1 + rng() * 0.8);
    if (free(i)) kinds[i] = TRAINING;
  }
  for (let i = 1; i < count; i++) {
    if (kinds[i] === BUSY && rng() < 0.06) kinds[i] = NBK;
    // A transfer: the call continues as a second BUSY segment straight after the first.
    else if (kinds[i] === AVAILABLE && kinds[i - 1] === BUSY && rng() < 0.04) kinds[i] = BUSY;
  }
  return kinds;
}

/**
 * `count` segments from `fromMs`, aiming to end at `toMs`: breaks and calls take their natural
 * length, AVAILABLE shares what is left (at least 30 s each, so a dense plan runs over instead).
 */
function fillShift(rng: Rng, count: number, fromMs: number, toMs: number): SimSegment[] {
  const span = Math.max(0, Math.round((toMs - fromMs) / 1000));
  const kinds = planKinds(rng, count, span);
  const seconds: number[] = [];
  const gaps: number[] = [];
  let fixed = 0;
  let weights = 0;
  for (let i = 0; i < count; i++) {
    const kind = kinds[i] as number;
    const natural = naturalSeconds(rng, kind);
    // AVAILABLE carries its weight for now; it becomes seconds once the budget is known.
    const weight = kind === AVAILABLE ? 0.3 + rng() * 1.4 : 0;
    seconds.push(kind === AVAILABLE ? weight : natural);
    fixed += natural;
    weights += weight;
    // A short logout between segments: a gap, not a segment.
    const gap = i > 0 && rng() < 0.04 ? between(rng, 90, 600) : 0;
    gaps.push(gap);
    fixed += gap;
  }
  const left = span - fixed;
  const segments: SimSegment[] = [];
  let t = fromMs;
  for (let i = 0; i < count; i++) {
    const kind = kinds[i] as number;
    let length = seconds[i] as number;
    if (kind === AVAILABLE) {
      length = Math.max(30, weights > 0 ? Math.round((left * length) / weights) : 30);
    }
    t += (gaps[i] as number) * 1000;
    const status = STATUS[kind] as readonly [string, string];
    segments.push({
      primaryStatus: status[0],
      secondaryStatus: status[1],
      startMs: t,
      endMs: t + length * 1000,
    });
    t += length * 1000;
  }
  return segments;
}

export function generateDay(options: DayOptions): SimAgent[] {
  if (!isValidTimeZone(options.timezone)) throw new Error(`unknown time zone: ${options.timezone}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.date)) throw new Error(`date must be yyyy-mm-dd: ${options.date}`);
  if (!Number.isInteger(options.agents) || options.agents < 0)
    throw new Error("agents must be a whole number");
  const rng = mulberry32(options.seed ?? 1);
  const clock = localClock(options.timezone, options.date);
  const domain = options.domain ?? "example.com";
  const agents: SimAgent[] = [];

  for (let n = 1; n <= options.agents; n++) {
    const firstName = pick(rng, FIRST_NAMES);
    const lastName = pick(rng, LAST_NAMES);
    const agentDomain = rng() < 0.15 ? `tier2.${domain}` : domain;
    const agent: SimAgent = {
      userId: `u-${String(n).padStart(6, "0")}`,
      firstName,
      lastName,
      email: `${firstName}.${lastName}.${n}@${agentDomain}`.toLowerCase(),
      segments: [],
    };
    if (rng() < 0.3) agent.customId = `EMP-${String(10_000 + n)}`;

    const count = options.segmentsPerAgent ?? between(rng, 12, 24);
    const shiftStart = clock(between(rng, 7 * 60, 11 * 60 - 1)) + between(rng, 0, 59) * 1000;
    const kind = rng();
    if (kind < 0.02) {
      agent.segments = null;
    } else if (kind < 0.04 || count <= 0) {
      agent.segments = [];
    } else if (kind < 0.07) {
      // Stuck: the day so far, then a status that never ends.
      const stuckAt = shiftStart + between(rng, 90, 240) * 60_000;
      const before = fillShift(rng, count - 1, shiftStart, stuckAt);
      const last = before[before.length - 1];
      const startMs = Math.max(stuckAt, last?.endMs ?? shiftStart);
      const roll = rng();
      const status = STATUS[roll < 0.5 ? BUSY : roll < 0.75 ? LUNCH : NBK] as readonly [string, string];
      before.push({ primaryStatus: status[0], secondaryStatus: status[1], startMs, endMs: null });
      agent.segments = before;
    } else if (kind < 0.12) {
      // Went home early: a short shift, then logged out.
      agent.segments = fillShift(rng, count, shiftStart, shiftStart + between(rng, 120, 240) * 60_000);
    } else {
      agent.segments = fillShift(rng, count, shiftStart, shiftStart + between(rng, 480, 540) * 60_000);
    }
    agents.push(agent);
  }
  return agents;
}

/**
 * Several days of one center, for a simulator that answers any recent date the way the real API
 * does (`replay --date` of yesterday). Each date is `generateDay` of that date with the same seed:
 * the same agents (names, e-mails, custom ids) and the same shape of day every day, so the day a
 * `simulate` served as today is the one a later `simulate` serves for that date. A day's segment
 * that never ends (a stuck agent) is closed at the next local midnight on every day but the last:
 * a past day's status does not run on into the next.
 */
export function generateDays(options: Omit<DayOptions, "date"> & { dates: readonly string[] }): SimAgent[] {
  const dates = [...options.dates].sort();
  const last = dates[dates.length - 1];
  if (last === undefined) throw new Error("dates must name at least one date");
  const { dates: _all, ...common } = options;
  const merged = generateDay({ ...common, date: last });
  const earlier = dates.slice(0, -1).map((date) => ({
    days: generateDay({ ...common, date }),
    endMs: localClock(options.timezone, shiftLocalDate(date, 1))(0),
  }));
  return merged.map((agent, i) => {
    if (agent.segments === null) return agent;
    const segments: SimSegment[] = [];
    for (const { days, endMs } of earlier)
      for (const s of days[i]?.segments ?? []) segments.push(s.endMs === null ? { ...s, endMs } : s);
    segments.push(...agent.segments);
    return { ...agent, segments };
  });
}
