import { describe, expect, it } from "vitest";
import { type ActiveHours, cronExpressions, rateExpression } from "../../infra/constructs/schedule.js";

const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const WEEK = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** Values a cron field stands for, for the forms the generator writes: *, ?, a, a-b, a/step, lists. */
function fieldValues(field: string, size: number, offset = 0): Set<number> {
  const toNumber = (text: string) => {
    const named = DAY_NAMES.indexOf(text);
    return named >= 0 ? named + 1 : Number(text);
  };
  const all = Array.from({ length: size }, (_, i) => i + offset);
  if (field === "*" || field === "?") return new Set(all);
  const values = new Set<number>();
  for (const part of field.split(",")) {
    const [range = "", stepText] = part.split("/");
    const [startText = "", endText] = range.split("-");
    const start = toNumber(startText);
    const end =
      endText !== undefined ? toNumber(endText) : stepText !== undefined ? size - 1 + offset : start;
    const step = stepText !== undefined ? Number(stepText) : 1;
    for (let v = start; v <= end; v += step) values.add(v);
  }
  return values;
}

/** Compiles cron(...) into a test of (weekday 0 = sun, local minute of day). */
function compile(expression: string): (weekday: number, minuteOfDay: number) => boolean {
  const match = /^cron\((.+)\)$/.exec(expression);
  if (!match?.[1]) throw new Error(`not a cron expression: ${expression}`);
  const [minute = "", hour = "", dayOfMonth = "", month = "", dayOfWeek = "", year = ""] =
    match[1].split(" ");
  expect(month).toBe("*");
  expect(year).toBe("*");
  // EventBridge requires exactly one of day-of-month and day-of-week to be "?".
  expect([dayOfMonth, dayOfWeek].filter((f) => f === "?")).toHaveLength(1);
  const minutes = fieldValues(minute, 60);
  const hours = fieldValues(hour, 24);
  const weekdays = fieldValues(dayOfWeek, 7, 1);
  return (weekday, minuteOfDay) =>
    minutes.has(minuteOfDay % 60) && hours.has(Math.floor(minuteOfDay / 60)) && weekdays.has(weekday + 1);
}

/** The ticks [from, to) at the step, as "weekday minute" keys, computed the slow and obvious way. */
function expectedTicks(hours: ActiveHours, everyMinutes: number): Set<string> {
  const [fh, fm] = hours.from.split(":").map(Number);
  const [th, tm] = hours.to.split(":").map(Number);
  const from = (fh ?? 0) * 60 + (fm ?? 0);
  const to = (th ?? 0) * 60 + (tm ?? 0);
  const length = to > from ? to - from : to + 1440 - from;
  const days = (hours.days ?? WEEK).map((d) => WEEK.indexOf(d));
  const ticks = new Set<string>();
  for (const day of days) {
    for (let t = from; t < from + length; t += everyMinutes) {
      ticks.add(`${(day + Math.floor(t / 1440)) % 7} ${t % 1440}`);
    }
  }
  return ticks;
}

/** Every minute of a week: each expected tick fires exactly once, nothing else fires. */
function expectExactCoverage(hours: ActiveHours, everyMinutes: number): string[] {
  const expressions = cronExpressions(hours, everyMinutes);
  const compiled = expressions.map(compile);
  const expected = expectedTicks(hours, everyMinutes);
  const problems: string[] = [];
  for (let weekday = 0; weekday < 7; weekday++) {
    for (let minute = 0; minute < 1440; minute++) {
      const count = compiled.filter((fires) => fires(weekday, minute)).length;
      const want = expected.has(`${weekday} ${minute}`) ? 1 : 0;
      if (count !== want) problems.push(`${WEEK[weekday]} ${minute}: fired ${count}, want ${want}`);
    }
  }
  expect(problems.slice(0, 5)).toEqual([]);
  for (const e of expressions) expect(e.length).toBeLessThanOrEqual(256);
  return expressions;
}

describe("rateExpression", () => {
  it("says minutes in EventBridge's words", () => {
    expect(rateExpression(5)).toBe("rate(5 minutes)");
    expect(rateExpression(1)).toBe("rate(1 minute)");
  });
});

describe("cronExpressions", () => {
  it("writes the usual window as one expression", () => {
    const hours = { from: "08:00", to: "22:00", days: ["mon", "tue", "wed", "thu", "fri", "sat"] };
    expect(expectExactCoverage(hours, 5)).toEqual(["cron(0/5 8-21 ? * MON-SAT *)"]);
  });

  it("runs every day when days are omitted", () => {
    expect(expectExactCoverage({ from: "09:00", to: "17:00" }, 15)).toEqual(["cron(0/15 9-16 * * ? *)"]);
  });

  it("covers a window that starts and ends off the hour with several expressions", () => {
    const expressions = expectExactCoverage({ from: "08:30", to: "17:45", days: ["mon", "fri"] }, 5);
    expect(expressions).toEqual([
      "cron(30/5 8 ? * MON,FRI *)",
      "cron(0/5 9-16 ? * MON,FRI *)",
      "cron(0,5,10,15,20,25,30,35,40 17 ? * MON,FRI *)",
    ]);
  });

  it("keeps the step across hours when it does not divide 60", () => {
    expectExactCoverage({ from: "08:10", to: "20:00", days: ["tue", "thu"] }, 7);
    expectExactCoverage({ from: "06:00", to: "23:59" }, 59);
  });

  it("moves the after-midnight part of an overnight window to the next day", () => {
    const expressions = expectExactCoverage({ from: "22:00", to: "06:00", days: ["fri"] }, 10);
    expect(expressions).toEqual(["cron(0/10 0-5 ? * SAT *)", "cron(0/10 22-23 ? * FRI *)"]);
    expectExactCoverage({ from: "22:30", to: "22:20", days: ["sun", "mon"] }, 5);
    expectExactCoverage({ from: "23:00", to: "01:00", days: ["sat", "sun"] }, 1);
  });

  it("handles steps of an hour or more, and a step longer than the window", () => {
    expect(expectExactCoverage({ from: "08:00", to: "18:00" }, 120)).toEqual([
      "cron(0 8,10,12,14,16 * * ? *)",
    ]);
    expect(expectExactCoverage({ from: "07:15", to: "07:45" }, 60)).toEqual(["cron(15 7 * * ? *)"]);
    expectExactCoverage({ from: "00:00", to: "23:59", days: ["wed"] }, 1);
  });

  it("rejects what the config schema would already reject", () => {
    expect(() => cronExpressions({ from: "08:00", to: "08:00" }, 5)).toThrow(/differ/);
    expect(() => cronExpressions({ from: "8:00", to: "09:00" }, 5)).toThrow(/local time/);
    expect(() => cronExpressions({ from: "08:00", to: "09:00", days: ["someday"] }, 5)).toThrow(/day/);
  });
});
