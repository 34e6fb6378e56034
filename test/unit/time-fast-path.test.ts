/**
 * parseLocalTime reads the API's exact `yyyy-mm-ddTHH:mm:ss` without a regex; everything else goes
 * to parseLocalTimeByPattern. The two must agree on every input, valid or not.
 */
import { describe, expect, it } from "vitest";
import { parseLocalTime, parseLocalTimeByPattern } from "../../functions/domain/time.js";
import { mulberry32 } from "../fakes/smartassist/day.js";

const OFFSETS = [-840, -765, -345, -330, -60, 0, 60, 210, 240, 300, 720];

function expectAgreement(text: string): void {
  for (const offSet of OFFSETS) {
    expect(parseLocalTime(text, offSet), `${JSON.stringify(text)} at ${offSet}`).toBe(
      parseLocalTimeByPattern(text, offSet),
    );
  }
}

/** yyyy-mm-ddTHH:mm:ss of that instant, read as UTC (years 0..9999). */
function format(ms: number, separator = "T"): string {
  const d = new Date(ms);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return (
    `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `${separator}${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
  );
}

describe("parseLocalTime's fast path", () => {
  it("reads the API's shape to the same instant as the general parser", () => {
    expect(parseLocalTime("2023-03-10T21:37:42", -330)).toBe(Date.parse("2023-03-10T16:07:42Z"));
    expect(parseLocalTime("2023-03-10 21:37:42", 300)).toBe(Date.parse("2023-03-11T02:37:42Z"));
    expectAgreement("2023-03-10T21:37:42");
  });

  it.each([
    // leap years: divisible by 4, not by 100 unless by 400
    "2024-02-29T12:00:00",
    "2023-02-29T12:00:00",
    "2000-02-29T00:00:00",
    "1900-02-29T00:00:00",
    "2100-02-29T00:00:00",
    "2400-02-29T23:59:59",
    "2023-02-28T23:59:59",
    // month lengths
    "2023-01-31T00:00:00",
    "2023-04-31T00:00:00",
    "2023-06-30T00:00:00",
    "2023-06-31T00:00:00",
    "2023-09-31T00:00:00",
    "2023-11-31T00:00:00",
    "2023-12-31T23:59:59",
    "2023-12-32T00:00:00",
    "2023-00-10T00:00:00",
    "2023-13-10T00:00:00",
    "2023-03-00T00:00:00",
    // clock limits
    "2023-03-10T24:00:00",
    "2023-03-10T23:60:00",
    "2023-03-10T23:59:60",
    "2023-03-10T00:00:00",
    // the epoch and around it, the ends of the 4-digit range
    "1970-01-01T00:00:00",
    "1969-12-31T23:59:59",
    "9999-12-31T23:59:59",
    "0100-03-01T00:00:00",
    "0100-02-29T00:00:00",
    // years below 100 (Date.UTC would read them as 19xx): the general parser refuses them
    "0000-01-01T00:00:00",
    "0001-02-28T00:00:00",
    "0050-02-29T00:00:00",
    "0099-12-31T23:59:59",
    // the right length, not the shape
    "2023-03-10t21:37:42",
    "2023/03/10T21:37:42",
    "2023-03-10T21-37-42",
    "2023-03-10T21:37:4 ",
    " 2023-03-10T21:37:4",
    "+023-03-10T21:37:42",
    "2023-+3-10T21:37:42",
    "2023-03-1aT21:37:42",
    "2023-03-10T2 :37:42",
    "２023-03-10T21:37:42",
    "2023-03-10T21:37:4Z",
    "-------------------",
    "                   ",
    // other lengths (the general parser alone)
    "2023-03-10T21:37",
    "2023-03-10T21:37:42Z",
    "2023-03-10T21:37:42.5",
    " 2023-03-10T21:37:42 ",
    "",
  ])("agrees with the general parser on %j", (text) => {
    expectAgreement(text);
  });

  it("agrees on 5,000 random instants from year 100 to 9999, with T and with a space", () => {
    const random = mulberry32(42);
    const from = Date.UTC(100, 0, 1);
    const to = Date.UTC(9999, 11, 31, 23, 59, 59);
    for (let i = 0; i < 5_000; i++) {
      const ms = Math.floor(from + random() * (to - from));
      const text = format(ms, random() < 0.5 ? "T" : " ");
      expect(parseLocalTime(text, 0)).toBe(Math.floor(ms / 1000) * 1000);
      expectAgreement(text);
    }
  });

  it("agrees on 5,000 random strings of the right length made of date characters", () => {
    const random = mulberry32(7);
    const alphabet = "0123456789-: TZ+./";
    for (let i = 0; i < 5_000; i++) {
      // Mostly near-valid: a real time with one to three characters changed.
      const chars = [...format(Date.UTC(1900 + Math.floor(random() * 300), 0, 1) + random() * 3e10)];
      const changes = 1 + Math.floor(random() * 3);
      for (let c = 0; c < changes; c++) {
        chars[Math.floor(random() * chars.length)] = alphabet[
          Math.floor(random() * alphabet.length)
        ] as string;
      }
      expectAgreement(chars.join(""));
    }
  });

  it("agrees on every day of every month of a leap and a common year, at both ends of the day", () => {
    for (const year of [2023, 2024, 1900, 2000]) {
      for (let month = 1; month <= 12; month++) {
        for (let day = 0; day <= 32; day++) {
          const date = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
          expectAgreement(`${date}T00:00:00`);
          expectAgreement(`${date}T23:59:59`);
        }
      }
    }
  });
});
