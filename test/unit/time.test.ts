import { describe, expect, it } from "vitest";
import {
  isValidTimeZone,
  localDate,
  parseLocalTime,
  queryWindow,
  timeZoneOffSet,
  utcOffsetMinutes,
} from "../../functions/domain/time.js";

const at = (iso: string) => Date.parse(iso);

describe("timeZoneOffSet (minutes to add to local time to get UTC)", () => {
  it.each([
    ["Asia/Kolkata", "2023-03-10T12:00:00Z", -330],
    ["Asia/Kathmandu", "2023-03-10T12:00:00Z", -345],
    ["UTC", "2023-03-10T12:00:00Z", 0],
    ["Europe/London", "2023-07-01T12:00:00Z", -60],
    ["Pacific/Chatham", "2023-07-01T12:00:00Z", -765],
    ["America/St_Johns", "2023-01-15T12:00:00Z", 210],
  ])("%s at %s is %i", (zone, instant, expected) => {
    expect(timeZoneOffSet(zone, at(instant))).toBe(expected);
  });

  it("New York is 300 before the March DST change and 240 after it", () => {
    // 2023-03-12 02:00 EST became 03:00 EDT, i.e. at 07:00 UTC.
    expect(timeZoneOffSet("America/New_York", at("2023-03-12T06:59:59Z"))).toBe(300);
    expect(timeZoneOffSet("America/New_York", at("2023-03-12T07:00:00Z"))).toBe(240);
  });

  it("New York is 240 before the November DST change and 300 after it", () => {
    // 2023-11-05 02:00 EDT went back to 01:00 EST, i.e. at 06:00 UTC.
    expect(timeZoneOffSet("America/New_York", at("2023-11-05T05:59:59Z"))).toBe(240);
    expect(timeZoneOffSet("America/New_York", at("2023-11-05T06:00:00Z"))).toBe(300);
  });

  it("is the inverse of the UTC offset", () => {
    expect(utcOffsetMinutes("Asia/Kolkata", at("2023-03-10T12:00:00Z"))).toBe(330);
  });
});

describe("localDate", () => {
  it("is the previous day west of UTC in the early UTC hours", () => {
    expect(localDate("America/New_York", at("2023-03-11T03:00:00Z"))).toBe("2023-03-10");
    expect(localDate("America/Los_Angeles", at("2023-03-11T07:59:59Z"))).toBe("2023-03-10");
  });

  it("is already the next day east of UTC", () => {
    expect(localDate("Asia/Kolkata", at("2023-03-10T18:30:00Z"))).toBe("2023-03-11");
    expect(localDate("Asia/Kolkata", at("2023-03-10T18:29:59Z"))).toBe("2023-03-10");
  });
});

describe("queryWindow", () => {
  it("reaches back to yesterday just after local midnight", () => {
    // 00:10 in India; 15 m threshold + 5 m interval reaches 23:50 of the day before.
    const window = queryWindow("Asia/Kolkata", at("2023-03-10T18:40:00Z"), 900, 300);
    expect(window).toEqual({ startDate: "2023-03-10", endDate: "2023-03-11", timeZoneOffSet: -330 });
  });

  it("is one day once the look-back stays after midnight", () => {
    const window = queryWindow("Asia/Kolkata", at("2023-03-10T18:50:00Z"), 900, 300);
    expect(window).toEqual({ startDate: "2023-03-11", endDate: "2023-03-11", timeZoneOffSet: -330 });
  });

  it("reaches back to the previous date at the requested offset right after a fall-back (Azores)", () => {
    // Atlantic/Azores went back from 01:00 (UTC+0) to 00:00 (UTC−1) at 2023-10-29T01:00Z. At 01:10Z
    // the request is made at UTC−1 (timeZoneOffSet 60); the look-back instant, 00:50Z, was already
    // 00:50 on the 29th on the zone's clock, but is 23:50 on the 28th at the requested offset, the
    // date the API gives a segment that started then.
    const window = queryWindow("Atlantic/Azores", at("2023-10-29T01:10:00Z"), 900, 300);
    expect(window).toEqual({ startDate: "2023-10-28", endDate: "2023-10-29", timeZoneOffSet: 60 });
    expect(parseLocalTime("2023-10-28T23:50:00", window.timeZoneOffSet)).toBe(at("2023-10-29T00:50:00Z"));
  });

  it("reaches back to the previous date at the requested offset right after a fall-back (Havana)", () => {
    // America/Havana went back from 01:00 CDT (UTC−4) to 00:00 CST (UTC−5) at 2023-11-05T05:00Z.
    const window = queryWindow("America/Havana", at("2023-11-05T05:10:00Z"), 900, 300);
    expect(window).toEqual({ startDate: "2023-11-04", endDate: "2023-11-05", timeZoneOffSet: 300 });
  });

  it("keeps one date once the look-back is past the fall-back", () => {
    const window = queryWindow("Atlantic/Azores", at("2023-10-29T01:30:00Z"), 900, 300);
    expect(window).toEqual({ startDate: "2023-10-29", endDate: "2023-10-29", timeZoneOffSet: 60 });
  });

  it("uses the offset in force at the run's instant in New York", () => {
    const window = queryWindow("America/New_York", at("2023-03-12T15:00:00Z"), 1800, 300);
    expect(window).toEqual({ startDate: "2023-03-12", endDate: "2023-03-12", timeZoneOffSet: 240 });
  });
});

describe("parseLocalTime", () => {
  it("turns the API's zone-less local time into UTC with the request's offset", () => {
    expect(new Date(parseLocalTime("2023-03-10T21:37:42", -330) as number).toISOString()).toBe(
      "2023-03-10T16:07:42.000Z",
    );
    expect(new Date(parseLocalTime("2023-03-10T09:00:00", 300) as number).toISOString()).toBe(
      "2023-03-10T14:00:00.000Z",
    );
  });

  it("keeps a zone the text carries", () => {
    expect(parseLocalTime("2023-03-10T21:37:42Z", -330)).toBe(at("2023-03-10T21:37:42Z"));
    expect(parseLocalTime("2023-03-10T21:37:42+05:30", 0)).toBe(at("2023-03-10T16:07:42Z"));
  });

  it("refuses a year below 100 instead of reading 0099 as 1999", () => {
    // Date.UTC maps years 0..99 to 1900..1999; no SmartAssist time is that old, so it is unparseable.
    for (const text of [
      "0099-03-10T10:00:00",
      "0099-03-10T10:00:00.5",
      "0001-01-01 00:00",
      "0050-06-01T00:00:00Z",
    ])
      expect(parseLocalTime(text, -330), text).toBeUndefined();
    expect(parseLocalTime("0100-03-10T10:00:00", 0)).toBe(Date.parse("0100-03-10T10:00:00Z"));
  });

  it.each(["", "-", "yesterday", "2023-02-30T10:00:00", "2023-03-10T24:00:00", "2023-13-01T00:00:00"])(
    "rejects %j",
    (text) => {
      expect(parseLocalTime(text, -330)).toBeUndefined();
    },
  );
});

describe("isValidTimeZone", () => {
  it("knows IANA names and rejects others", () => {
    expect(isValidTimeZone("Asia/Kolkata")).toBe(true);
    expect(isValidTimeZone("Mars/Olympus_Mons")).toBe(false);
  });
});
