/**
 * When the watchdog runs on its own clock (`watch`, as the deployed schedule does): a tick at the start
 * of every minute, within `schedule.activeHours` in the center's zone when set. Pure.
 */
import { localParts } from "./time.js";

const WEEK = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const MINUTES_PER_DAY = 24 * 60;

export interface ActiveHours {
  from: string;
  to: string;
  days?: string[];
}

function minuteOfDay(clock: string): number {
  const [h, m] = clock.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * True when `nowMs` falls in the window. A window with `to` before `from` runs past midnight; its
 * early-morning minutes belong to the day it started (as the stack's cron schedules have it).
 */
export function withinActiveHours(
  activeHours: ActiveHours | undefined,
  zone: string,
  nowMs: number,
): boolean {
  if (!activeHours) return true;
  const local = localParts(zone, nowMs);
  const minute = local.hour * 60 + local.minute;
  const from = minuteOfDay(activeHours.from);
  const length = (minuteOfDay(activeHours.to) - from + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  const offset = (minute - from + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  if (offset >= length) return false;
  if (!activeHours.days) return true;
  const weekday = new Date(Date.UTC(local.year, local.month - 1, local.day)).getUTCDay();
  const startDay = minute >= from ? weekday : (weekday + 6) % 7;
  return activeHours.days.includes(WEEK[startDay] as string);
}

/** The start of the minute after `nowMs` (UTC minutes are the zone's minutes in every real zone). */
export function nextMinuteStart(nowMs: number): number {
  return (Math.floor(nowMs / 60_000) + 1) * 60_000;
}
