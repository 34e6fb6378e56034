/**
 * Calendar dates as the CLI, the replay captures and the digest write them (`YYYY-MM-DD`): checked,
 * shifted by whole days, named by weekday. Calendar arithmetic only, no zone: time.ts's localDate
 * says which date an instant falls on.
 */

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `YYYY-MM-DD` naming a real calendar date, returned as is; undefined for anything else. */
export function parseLocalDate(text: string): string | undefined {
  const match = DATE.exec(text);
  if (!match) return undefined;
  const [, y, m, d] = match;
  const ms = Date.UTC(Number(y), Number(m) - 1, Number(d));
  const back = new Date(ms);
  // Date.UTC rolls 2025-02-30 over into March: a real date survives the round trip unchanged.
  if (
    back.getUTCFullYear() !== Number(y) ||
    back.getUTCMonth() + 1 !== Number(m) ||
    back.getUTCDate() !== Number(d)
  )
    return undefined;
  return text;
}

/** The calendar date `days` after `date` (negative: before). Calendar arithmetic: no zone involved. */
export function shiftLocalDate(date: string, days: number): string {
  const match = DATE.exec(date);
  if (!match) throw new Error(`not a date: ${date}`);
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) + days * DAY_MS;
  return new Date(ms).toISOString().slice(0, 10);
}

/** The weekday of a calendar date as the config spells days (`mon`, `tue`, ...). */
export function weekdayOf(date: string): string {
  const names = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
  return names[new Date(`${date}T00:00:00Z`).getUTCDay()] ?? "sun";
}
