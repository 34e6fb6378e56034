/** The zones the config suggests instead of an abbreviation or a fixed offset must be right. */
import { describe, expect, it } from "vitest";
import { isValidTimeZone, utcOffsetMinutes } from "../../functions/domain/time.js";
import { ABBREVIATIONS, ZONES_AT_OFFSET, zoneNameProblem } from "../../functions/domain/zone-names.js";

/** Region/City names inside a suggestion such as "Europe/Paris or Europe/Berlin". */
function zonesIn(text: string): string[] {
  return text.match(/[A-Z][A-Za-z]+\/[A-Za-z_/]+/g) ?? [];
}

/** The zone's standard offset: the smaller of January's and July's (summer time adds, north or south). */
function standardOffset(zone: string): number {
  return Math.min(
    utcOffsetMinutes(zone, Date.parse("2024-01-15T12:00:00Z")),
    utcOffsetMinutes(zone, Date.parse("2024-07-15T12:00:00Z")),
  );
}

describe("suggested zones", () => {
  it("every zone suggested for a fixed offset is a real zone at that standard offset", () => {
    for (const [offset, suggestion] of ZONES_AT_OFFSET) {
      const zones = zonesIn(suggestion);
      expect(zones.length, suggestion).toBeGreaterThan(0);
      for (const zone of zones) {
        expect(isValidTimeZone(zone), zone).toBe(true);
        expect(standardOffset(zone), zone).toBe(offset);
      }
    }
  });

  it("every zone suggested for an abbreviation is a real Region/City zone the config accepts", () => {
    for (const suggestion of Object.values(ABBREVIATIONS)) {
      for (const zone of zonesIn(suggestion)) {
        expect(isValidTimeZone(zone), zone).toBe(true);
        expect(zoneNameProblem(zone), zone).toBeUndefined();
      }
    }
  });
});

describe("zoneNameProblem", () => {
  it("leaves Region/City zones, their older names and UTC alone", () => {
    for (const zone of ["Asia/Kolkata", "America/Indiana/Indianapolis", "Asia/Calcutta", "US/Pacific", "UTC"])
      expect(zoneNameProblem(zone), zone).toBeUndefined();
  });

  it("refuses an uppercase abbreviation it has no suggestion for, pointing at the shape to write", () => {
    expect(zoneNameProblem("XYZT")).toBe(
      `"XYZT" is an abbreviation, not an IANA zone (abbreviations are ambiguous and miss daylight-saving changes): write the contact center's Region/City zone (like Asia/Kolkata or America/New_York)`,
    );
  });
});
