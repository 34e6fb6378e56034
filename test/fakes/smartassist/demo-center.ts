/**
 * A small, hand-shaped center for the demo (`npm start`): 41 agents in Asia/Kolkata whose full-day
 * timelines are laid out around an anchor instant `now`. The timelines run past `now` (they do not
 * stop there): the simulator cuts them at its own "now", so the same agents show the intended picture
 * with the simulator at `now`, and a later one with the simulator at `now + 35 min`.
 *
 * Who is who (with the default rules: Long break 15m/critical 30m, Stuck in BUSY 30m):
 *
 * | agent            | at now                                   | at now + 35 min               |
 * |------------------|------------------------------------------|-------------------------------|
 * | Aarav Sharma     | LUNCH for 22 min → "Long break" fires    | AVAILABLE since +18 → resolves |
 * | Priya Nair       | NBK for 34 min → fires, already critical | NBK 69 min, still firing      |
 * | Rohan Mehta      | BUSY for 41 min → "Stuck in BUSY" fires  | BUSY 76 min, still firing     |
 * | Ananya Iyer      | two BUSY segments 20 s apart, 35 min in all → one episode, fires | 70 min, firing |
 * | Vikram Reddy     | BUSY for 12 min → not yet                | call ended at +6, AVAILABLE   |
 * | Kavya Menon      | BREAK for 5 min, right after a 60-min BUSY → no alert | AVAILABLE since +7 |
 * | Arjun Gupta      | logged out 35 min ago after a 60-min LUNCH → no alert | still logged out |
 * | Sneha Kulkarni   | no `status` at all                       | same                          |
 * | Dev Khanna       | BREAK for 11 min → nudged (a DM); fires at 15 min, at +4, by a due re-check | back since +8 → resolves |
 * | everyone else    | ordinary: calls ≤ 12 min, breaks ≤ 13 min, lunch done before now | same |
 */
import { utcOffsetMinutes } from "../../../functions/domain/time.js";
import { mulberry32 } from "./day.js";
import type { SimAgent, SimSegment } from "./timeline.js";

const MIN = 60_000;

/** The e-mails of the agents the demo's story is about, so tests can assert on them. */
export const DEMO_CAST = {
  longLunch: "aarav.sharma@example.com",
  criticalNbk: "priya.nair@example.com",
  stuckBusy: "rohan.mehta@example.com",
  backToBackBusy: "ananya.iyer@example.com",
  shortBusy: "vikram.reddy@example.com",
  breakAfterLongBusy: "kavya.menon@example.com",
  loggedOutAfterLunch: "arjun.gupta@example.com",
  noStatus: "sneha.kulkarni@example.com",
  nudgedBreak: "dev.khanna@example.com",
} as const;

const CAST_NAMES = [
  ["Aarav", "Sharma"],
  ["Priya", "Nair"],
  ["Rohan", "Mehta"],
  ["Ananya", "Iyer"],
  ["Vikram", "Reddy"],
  ["Kavya", "Menon"],
  ["Arjun", "Gupta"],
  ["Sneha", "Kulkarni"],
  ["Dev", "Khanna"],
] as const;

const ORDINARY_NAMES = [
  ["Aditi", "Rao"],
  ["Rahul", "Verma"],
  ["Meera", "Pillai"],
  ["Karan", "Malhotra"],
  ["Divya", "Krishnan"],
  ["Siddharth", "Joshi"],
  ["Pooja", "Desai"],
  ["Nikhil", "Bhat"],
  ["Lakshmi", "Subramanian"],
  ["Amit", "Chatterjee"],
  ["Neha", "Kapoor"],
  ["Harish", "Naidu"],
  ["Ishita", "Banerjee"],
  ["Manoj", "Patil"],
  ["Riya", "Saxena"],
  ["Suresh", "Kumar"],
  ["Tanvi", "Shetty"],
  ["Varun", "Agarwal"],
  ["Deepa", "Hegde"],
  ["Gaurav", "Singh"],
  ["Shreya", "Mishra"],
  ["Abhishek", "Das"],
  ["Nandini", "Ghosh"],
  ["Prakash", "Yadav"],
  ["Swati", "Jain"],
  ["Rajesh", "Pandey"],
  ["Anjali", "Thakur"],
  ["Kiran", "Sinha"],
  ["Farhan", "Qureshi"],
  ["Zoya", "Shaikh"],
  ["Harpreet", "Gill"],
  ["Mohan", "Srinivasan"],
] as const;

type Rng = () => number;

function between(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

function seg(
  primaryStatus: string,
  secondaryStatus: string,
  startMs: number,
  endMs: number | null,
): SimSegment {
  return { primaryStatus, secondaryStatus, startMs, endMs };
}

/**
 * An ordinary stretch of work in [fromMs, toMs): AVAILABLE alternating with short calls (2–12 min),
 * now and then a BREAK (10–13 min) or NBK (3–9 min), sometimes a short logout gap. AVAILABLE sits
 * between any two of them, so no episode ever reaches a threshold; the last AVAILABLE runs to toMs.
 */
function routine(rng: Rng, fromMs: number, toMs: number, out: SimSegment[]): void {
  let t = fromMs;
  while (t < toMs) {
    const available = between(rng, 2, 12) * MIN + between(rng, 0, 59) * 1000;
    if (t + available + 5 * MIN >= toMs) {
      out.push(seg("AVAILABLE", "AVAILABLE", t, toMs));
      return;
    }
    out.push(seg("AVAILABLE", "AVAILABLE", t, t + available));
    t += available;
    const roll = rng();
    const [primary, secondary, length] =
      roll < 0.08
        ? ["AWAY", "BREAK", between(rng, 600, 780) * 1000]
        : roll < 0.13
          ? ["AWAY", "NBK", between(rng, 180, 540) * 1000]
          : ["BUSY", "BUSY", between(rng, 120, 720) * 1000];
    if (t + length + 2 * MIN > toMs) {
      // No room for it: stretch the AVAILABLE instead.
      (out[out.length - 1] as SimSegment).endMs = toMs;
      return;
    }
    out.push(seg(primary, secondary, t, t + length));
    t += length;
    if (rng() < 0.05 && t + 8 * MIN < toMs) t += between(rng, 120, 240) * 1000;
  }
}

/** Floors an instant to a quarter hour of local time in `zone` (every real offset is whole quarters). */
function localQuarter(zone: string, ms: number): number {
  const offset = utcOffsetMinutes(zone, ms) * MIN;
  return Math.floor((ms + offset) / (15 * MIN)) * 15 * MIN - offset;
}

export function demoCenter(now: number, timezone: string): SimAgent[] {
  // Fixed seed: the demo is the same picture every time for the same `now`.
  const rng = mulberry32(20_230_310);
  const a = Math.floor(now / 1000) * 1000;
  const agents: SimAgent[] = [];
  const shiftStart = (hoursAgoMin: number, hoursAgoMax: number) =>
    localQuarter(timezone, a - between(rng, hoursAgoMin * 60, hoursAgoMax * 60) * MIN);
  const shiftEnd = (start: number) => start + between(rng, 480, 540) * MIN;

  const cast: Array<(start: number) => SimSegment[] | null> = [
    // Aarav: LUNCH since now-22m, back (AVAILABLE) from now+18m to now+40m.
    (start) => {
      const s: SimSegment[] = [];
      routine(rng, start, a - 22 * MIN, s);
      s.push(seg("AWAY", "LUNCH", a - 22 * MIN, a + 18 * MIN));
      // Idle long enough after lunch that the +35 min picture finds him AVAILABLE.
      s.push(seg("AVAILABLE", "AVAILABLE", a + 18 * MIN, a + 40 * MIN));
      s.push(seg("BUSY", "BUSY", a + 40 * MIN, a + 47 * MIN));
      routine(rng, a + 47 * MIN, shiftEnd(start), s);
      return s;
    },
    // Priya: NBK since now-34m, never back.
    (start) => {
      const s: SimSegment[] = [];
      routine(rng, start, a - 34 * MIN, s);
      s.push(seg("AWAY", "NBK", a - 34 * MIN, null));
      return s;
    },
    // Rohan: BUSY since now-41m.
    (start) => {
      const s: SimSegment[] = [];
      routine(rng, start, a - 41 * MIN, s);
      s.push(seg("BUSY", "BUSY", a - 41 * MIN, null));
      return s;
    },
    // Ananya: BUSY now-35m..now-17m, then 20 s later BUSY again: one 35-min episode.
    (start) => {
      const s: SimSegment[] = [];
      routine(rng, start, a - 35 * MIN, s);
      s.push(seg("BUSY", "BUSY", a - 35 * MIN, a - 17 * MIN));
      s.push(seg("BUSY", "BUSY", a - 17 * MIN + 20_000, null));
      return s;
    },
    // Vikram: BUSY since now-12m, ends at now+6m.
    (start) => {
      const s: SimSegment[] = [];
      routine(rng, start, a - 12 * MIN, s);
      s.push(seg("BUSY", "BUSY", a - 12 * MIN, a + 6 * MIN));
      routine(rng, a + 6 * MIN, shiftEnd(start), s);
      return s;
    },
    // Kavya: a 60-min BUSY until now-5m, then straight to BREAK until now+7m.
    (start) => {
      const s: SimSegment[] = [];
      routine(rng, start, a - 65 * MIN, s);
      s.push(seg("BUSY", "BUSY", a - 65 * MIN, a - 5 * MIN));
      s.push(seg("AWAY", "BREAK", a - 5 * MIN, a + 7 * MIN));
      routine(rng, a + 7 * MIN, shiftEnd(start), s);
      return s;
    },
    // Arjun: a 60-min LUNCH until now-35m, then logged out for the day.
    (start) => {
      const s: SimSegment[] = [];
      routine(rng, start, a - 95 * MIN, s);
      s.push(seg("AWAY", "LUNCH", a - 95 * MIN, a - 35 * MIN));
      return s;
    },
    // Sneha: the row has no status key.
    () => null,
    // Dev: BREAK since now-11m (past a 10m nudge, before the 15m threshold), back at now+8m: the
    // demo's due re-check at his threshold (now+4m) alerts on time, not at the next run.
    (start) => {
      const s: SimSegment[] = [];
      routine(rng, start, a - 11 * MIN, s);
      s.push(seg("AWAY", "BREAK", a - 11 * MIN, a + 8 * MIN));
      routine(rng, a + 8 * MIN, shiftEnd(start), s);
      return s;
    },
  ];

  cast.forEach((timeline, i) => {
    const [firstName, lastName] = CAST_NAMES[i] as readonly [string, string];
    agents.push({
      userId: `u-demo-${String(i + 1).padStart(3, "0")}`,
      firstName,
      lastName,
      email: `${firstName}.${lastName}@example.com`.toLowerCase(),
      customId: `EMP-${2041 + i}`,
      segments: timeline(shiftStart(3, 4)),
    });
  });

  ORDINARY_NAMES.forEach(([firstName, lastName], j) => {
    const start = shiftStart(3, 6);
    const lunchAt = start + between(rng, 60, 90) * MIN;
    const lunchEnd = lunchAt + between(rng, 30, 40) * MIN;
    const s: SimSegment[] = [];
    routine(rng, start, lunchAt, s);
    s.push(seg("AWAY", "LUNCH", lunchAt, lunchEnd));
    routine(rng, lunchEnd, shiftEnd(start), s);
    // A few ordinary agents are on the Tier 2 desk, for configs with a team override.
    const domain = j % 8 === 7 ? "tier2.example.com" : "example.com";
    const agent: SimAgent = {
      userId: `u-demo-${String(CAST_NAMES.length + j + 1).padStart(3, "0")}`,
      firstName,
      lastName,
      email: `${firstName}.${lastName}@${domain}`.toLowerCase(),
      segments: s,
    };
    if (j % 3 === 0) agent.customId = `EMP-${3001 + j}`;
    agents.push(agent);
  });
  return agents;
}
