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

/**
 * Recent readings per zone, by whole second. A run reads the same few instants over and over (an
 * alert's start in each of its messages, the run's own now), and each fresh reading is an Intl call
 * of several microseconds; a replayed day makes hundreds of thousands of them.
 */
const recentParts = new Map<string, Map<number, Readonly<LocalParts>>>();
const RECENT_PARTS = 4096;

/** The wall-clock reading in `zone` at `instantMs` (seconds precision). */
export function localParts(zone: string, instantMs: number): Readonly<LocalParts> {
  const second = Math.floor(instantMs / 1000);
  let recent = recentParts.get(zone);
  if (!recent) {
    recent = new Map();
    recentParts.set(zone, recent);
  }
  const known = recent.get(second);
  if (known) return known;
  const parts = Object.freeze(readLocalParts(zone, instantMs));
  if (recent.size >= RECENT_PARTS) recent.clear();
  recent.set(second, parts);
  return parts;
}

/**
 * One Intl reading. `format` and the six numbers read off its text (en-US, h23: `12/02/2026,
 * 14:03:07`, month day year hour minute second) cost a third of `formatToParts`;
 * test/unit/time.test.ts checks the two agree.
 */
function readLocalParts(zone: string, instantMs: number): LocalParts {
  const text = formatterFor(zone).format(new Date(instantMs));
  const n = [0, 0, 0, 0, 0, 0];
  let field = -1;
  let inDigits = false;
  for (let i = 0; i < text.length && field < 6; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit >= 0 && digit <= 9) {
      if (!inDigits) {
        field++;
        inDigits = true;
        if (field === 6) break;
      }
      n[field] = (n[field] as number) * 10 + digit;
    } else inDigits = false;
  }
  const [month, day, year, hour, minute, second] = n as [number, number, number, number, number, number];
  return { year, month, day, hour, minute, second };
}

/** The reading as Intl lays it out in parts: what readLocalParts must agree with (tests). */
export function localPartsByParts(zone: string, instantMs: number): LocalParts {
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

/** The calendar date (`yyyy-mm-dd`) at that instant on a clock `minutesEast` of UTC. */
function dateAtOffset(instantMs: number, minutesEast: number): string {
  const d = new Date(instantMs + minutesEast * 60_000);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * The dates to ask for: from the local date of (now − largest threshold − one schedule interval) to
 * today's local date, so an episode that began before local midnight is still seen.
 *
 * The API dates every time at the one offset the request names (the offset now). Just after a
 * fall-back that offset is behind the zone's at the look-back instant, so where the clocks go back
 * at midnight or 1 am (America/Havana, Atlantic/Azores) the look-back can fall on the previous date
 * at the requested offset while the zone's own clock already read the new date then: the window
 * starts at the earlier of the two, or an episode that began just before would not be returned.
 */
export function queryWindow(
  zone: string,
  nowMs: number,
  largestThresholdSeconds: number,
  scheduleIntervalSeconds: number,
): QueryWindow {
  const lookBackMs = nowMs - (largestThresholdSeconds + scheduleIntervalSeconds) * 1000;
  const zoneDate = localDate(zone, lookBackMs);
  const requestDate = dateAtOffset(lookBackMs, utcOffsetMinutes(zone, nowMs));
  return {
    // yyyy-mm-dd strings sort as the dates do.
    startDate: [zoneDate, requestDate].sort()[0] as string,
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
 * Returns undefined for anything that is not a real date and time, and for a year below 100
 * (`0099-03-10T10:00:00`): a garbled value the API cannot mean, passed over as unparseable.
 *
 * The API's own shape, exactly `yyyy-mm-ddTHH:mm:ss`, takes a fast path without a regex (a large
 * center is a million of these per run); anything else goes to parseLocalTimeByPattern, and the
 * two agree on every input (test/unit/time.test.ts checks it).
 */
export function parseLocalTime(text: string, offSet: number): number | undefined {
  if (text.length === 19) {
    const wall = exactWallClock(text);
    if (!Number.isNaN(wall)) return wall + offSet * 60_000;
  }
  return parseLocalTimeByPattern(text, offSet);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for the value of an ASCII digit's code minus 48 ('0'). */
function isDigit(value: number): boolean {
  return value >>> 0 <= 9;
}

/**
 * A real date and time written exactly `yyyy-mm-ddTHH:mm:ss` (or a space for the T), read as if it
 * were UTC; NaN for anything else, which the general parser then decides (an invalid date, another
 * shape, or a year below 100, which it refuses). Written out without a regex, substrings
 * or a call into Date: a large center is a million of these per run.
 */
function exactWallClock(text: string): number {
  const separator = text.charCodeAt(10);
  if (
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    (separator !== 84 && separator !== 32) || // T or space
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58
  )
    return Number.NaN;
  const y0 = text.charCodeAt(0) - 48;
  const y1 = text.charCodeAt(1) - 48;
  const y2 = text.charCodeAt(2) - 48;
  const y3 = text.charCodeAt(3) - 48;
  const mo0 = text.charCodeAt(5) - 48;
  const mo1 = text.charCodeAt(6) - 48;
  const d0 = text.charCodeAt(8) - 48;
  const d1 = text.charCodeAt(9) - 48;
  const h0 = text.charCodeAt(11) - 48;
  const h1 = text.charCodeAt(12) - 48;
  const mi0 = text.charCodeAt(14) - 48;
  const mi1 = text.charCodeAt(15) - 48;
  const s0 = text.charCodeAt(17) - 48;
  const s1 = text.charCodeAt(18) - 48;
  if (
    !(isDigit(y0) && isDigit(y1) && isDigit(y2) && isDigit(y3) && isDigit(mo0) && isDigit(mo1)) ||
    !(isDigit(d0) && isDigit(d1) && isDigit(h0) && isDigit(h1)) ||
    !(isDigit(mi0) && isDigit(mi1) && isDigit(s0) && isDigit(s1))
  )
    return Number.NaN;
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const month = mo0 * 10 + mo1;
  const day = d0 * 10 + d1;
  const hour = h0 * 10 + h1;
  const minute = mi0 * 10 + mi1;
  const second = s0 * 10 + s1;
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return Number.NaN;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 ? (leap ? 29 : 28) : (DAYS_IN_MONTH[month - 1] as number))) return Number.NaN;
  return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000;
}

/**
 * Days from 1970-01-01 to that proleptic Gregorian date (year ≥ 100), as Date.UTC counts them, in
 * integer arithmetic (H. Hinnant's days_from_civil): cheaper than a call into Date.UTC.
 */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const shiftedMonth = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * shiftedMonth + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The general parser (any accepted shape, zones, fractions); parseLocalTime's fast path agrees with it. */
export function parseLocalTimeByPattern(text: string, offSet: number): number | undefined {
  const match = LOCAL_TIME.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s ?? 0);
  // Years below 100 are refused, not read as written: no SmartAssist time is that old, and Date.UTC
  // would silently read 0099 as 1999.
  if (year < 100) return undefined;
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
