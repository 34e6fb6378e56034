/**
 * Time-zone math for the SmartAssist API. Pure: every function takes the instant it reasons about.
 *
 * SmartAssist's `timeZoneOffSet` follows JavaScript's getTimezoneOffset() sign: minutes to add to
 * local time to get UTC. India (UTC+05:30) is -330; New York is 300 in winter and 240 in summer.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** True when the runtime knows this IANA zone name. */
export function isValidTimeZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock reading in `zone` at `instantMs` (seconds precision). */
export function localParts(zone: string, instantMs: number): LocalParts {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(instantMs))) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 0,
    day: parts.day ?? 0,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
  };
}

/** Minutes east of UTC in `zone` at that instant (India +330, New York -300/-240). */
export function utcOffsetMinutes(zone: string, instantMs: number): number {
  const p = localParts(zone, instantMs);
  const wallAsUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
  const wholeSecondInstant = Math.floor(instantMs / 1000) * 1000;
  return Math.round((wallAsUtc - wholeSecondInstant) / 60_000);
}

/** SmartAssist's `timeZoneOffSet` for `zone` at that instant: the UTC offset with its sign inverted. */
export function timeZoneOffSet(zone: string, instantMs: number): number {
  const offset = utcOffsetMinutes(zone, instantMs);
  return offset === 0 ? 0 : -offset;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** The local calendar date (`yyyy-mm-dd`) in `zone` at that instant. */
export function localDate(zone: string, instantMs: number): string {
  const p = localParts(zone, instantMs);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

/** Local date and time in `zone`, for people: `2023-03-10 21:37`. */
export function localDateTime(zone: string, instantMs: number): string {
  const p = localParts(zone, instantMs);
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** Local time of day in `zone`, for people: `21:37`. */
export function localTimeOfDay(zone: string, instantMs: number): string {
  const p = localParts(zone, instantMs);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

export interface QueryWindow {
  startDate: string;
  endDate: string;
  timeZoneOffSet: number;
}

/**
 * The dates to ask for: from the local date of (now − largest threshold − one schedule interval) to
 * today's local date, so an episode that began before local midnight is still seen.
 */
export function queryWindow(
  zone: string,
  nowMs: number,
  largestThresholdSeconds: number,
  scheduleIntervalSeconds: number,
): QueryWindow {
  const lookBackMs = (largestThresholdSeconds + scheduleIntervalSeconds) * 1000;
  return {
    startDate: localDate(zone, nowMs - lookBackMs),
    endDate: localDate(zone, nowMs),
    timeZoneOffSet: timeZoneOffSet(zone, nowMs),
  };
}

const LOCAL_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses the API's zone-less local time (`2023-03-10T21:37:42`) into a UTC instant, using the
 * `timeZoneOffSet` the request was made with. A time that carries its own zone keeps it.
 * Returns undefined for anything that is not a real date and time.
 */
export function parseLocalTime(text: string, offSet: number): number | undefined {
  const match = LOCAL_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  const millis = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  if (zone === undefined) return wallAsUtc + offSet * 60_000;
  if (zone === "Z") return wallAsUtc;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const east = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  return wallAsUtc - east * 60_000;
}
