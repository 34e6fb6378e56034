/**
 * Which `timezone` values the config refuses although the runtime may accept them, and what to write
 * instead. Pure.
 *
 * The run derives SmartAssist's `timeZoneOffSet` from the zone at every run, so the zone must follow
 * the contact center's daylight saving. An abbreviation does not: the runtime reads `EST` as
 * America/Panama (UTC−05:00 all year, wrong half the year for New York) and `IST` as India, where
 * the writer may have meant Ireland or Israel. A fixed offset (`GMT+5`, `Etc/GMT-5`) never moves.
 * Only a Region/City zone (and UTC, for a center that really keeps UTC) is right all year.
 */

import { quote } from "./spelling.js";
import { isValidTimeZone } from "./time.js";

/** The IANA zones to suggest for an abbreviation, by the abbreviation in upper case. */
export const ABBREVIATIONS: Readonly<Record<string, string>> = {
  // North America; the tz database's own POSIX-style names (EST5EDT) too.
  EST: "America/New_York",
  EDT: "America/New_York",
  ET: "America/New_York",
  EST5EDT: "America/New_York",
  CST: "America/Chicago (or Asia/Shanghai for China)",
  CDT: "America/Chicago",
  CT: "America/Chicago",
  CST6CDT: "America/Chicago",
  MST: "America/Denver (or America/Phoenix for Arizona, which keeps no daylight saving)",
  MDT: "America/Denver",
  MT: "America/Denver",
  MST7MDT: "America/Denver",
  PST: "America/Los_Angeles (or Asia/Manila for the Philippines)",
  PDT: "America/Los_Angeles",
  PT: "America/Los_Angeles",
  PST8PDT: "America/Los_Angeles",
  AKST: "America/Anchorage",
  AKDT: "America/Anchorage",
  HST: "Pacific/Honolulu",
  AST: "America/Halifax (or Asia/Riyadh for Arabia)",
  ADT: "America/Halifax",
  NST: "America/St_Johns",
  NDT: "America/St_Johns",
  // South America
  BRT: "America/Sao_Paulo",
  ART: "America/Argentina/Buenos_Aires",
  // Europe and Africa
  GMT: "Europe/London for UK time (it keeps summer time), or UTC",
  BST: "Europe/London",
  IST: "Asia/Kolkata (or Europe/Dublin, Asia/Jerusalem)",
  WET: "Europe/Lisbon",
  WEST: "Europe/Lisbon",
  CET: "Europe/Paris or Europe/Berlin",
  CEST: "Europe/Paris or Europe/Berlin",
  MET: "Europe/Paris or Europe/Berlin",
  MEST: "Europe/Paris or Europe/Berlin",
  EET: "Europe/Athens or Europe/Helsinki",
  EEST: "Europe/Athens or Europe/Helsinki",
  MSK: "Europe/Moscow",
  WAT: "Africa/Lagos",
  CAT: "Africa/Maputo",
  EAT: "Africa/Nairobi",
  SAST: "Africa/Johannesburg",
  // Asia and Oceania
  GST: "Asia/Dubai",
  PKT: "Asia/Karachi",
  NPT: "Asia/Kathmandu",
  ICT: "Asia/Bangkok",
  WIB: "Asia/Jakarta",
  SGT: "Asia/Singapore",
  HKT: "Asia/Hong_Kong",
  PHT: "Asia/Manila",
  JST: "Asia/Tokyo",
  KST: "Asia/Seoul",
  AWST: "Australia/Perth",
  ACST: "Australia/Adelaide",
  ACDT: "Australia/Adelaide",
  AEST: "Australia/Sydney (or Australia/Brisbane for Queensland)",
  AEDT: "Australia/Sydney",
  NZST: "Pacific/Auckland",
  NZDT: "Pacific/Auckland",
  // The tz database's country-code names: right zones, but written like abbreviations.
  NZ: "Pacific/Auckland",
  "NZ-CHAT": "Pacific/Chatham",
  GB: "Europe/London",
  "GB-EIRE": "Europe/London",
  PRC: "Asia/Shanghai",
  ROC: "Asia/Taipei",
  ROK: "Asia/Seoul",
  "W-SU": "Europe/Moscow",
};

/**
 * Region/City zones to suggest for a fixed offset, by their standard offset in minutes east of UTC
 * (what a `GMT+5` most likely stands for). test/unit/zone-names.test.ts checks each one's offset.
 */
export const ZONES_AT_OFFSET: ReadonlyMap<number, string> = new Map([
  [-660, "Pacific/Pago_Pago"],
  [-600, "Pacific/Honolulu"],
  [-570, "Pacific/Marquesas"],
  [-540, "America/Anchorage"],
  [-480, "America/Los_Angeles"],
  [-420, "America/Denver or America/Phoenix"],
  [-360, "America/Chicago or America/Mexico_City"],
  [-300, "America/New_York or America/Bogota"],
  [-240, "America/Halifax or America/Santo_Domingo"],
  [-210, "America/St_Johns"],
  [-180, "America/Sao_Paulo or America/Argentina/Buenos_Aires"],
  [-120, "America/Noronha"],
  [-60, "Atlantic/Azores or Atlantic/Cape_Verde"],
  [60, "Europe/Paris, Europe/Berlin or Africa/Lagos"],
  [120, "Europe/Athens, Africa/Cairo or Africa/Johannesburg"],
  [180, "Europe/Moscow, Europe/Istanbul or Asia/Riyadh"],
  [210, "Asia/Tehran"],
  [240, "Asia/Dubai"],
  [270, "Asia/Kabul"],
  [300, "Asia/Karachi or Asia/Tashkent"],
  [330, "Asia/Kolkata"],
  [345, "Asia/Kathmandu"],
  [360, "Asia/Dhaka"],
  [390, "Asia/Yangon"],
  [420, "Asia/Bangkok or Asia/Jakarta"],
  [480, "Asia/Singapore, Asia/Shanghai or Australia/Perth"],
  [525, "Australia/Eucla"],
  [540, "Asia/Tokyo or Asia/Seoul"],
  [570, "Australia/Adelaide or Australia/Darwin"],
  [600, "Australia/Sydney or Australia/Brisbane"],
  [630, "Australia/Lord_Howe"],
  [660, "Pacific/Noumea"],
  [720, "Pacific/Auckland or Pacific/Fiji"],
  [765, "Pacific/Chatham"],
  [780, "Pacific/Tongatapu"],
  [840, "Pacific/Kiritimati"],
]);

/** The UTC spellings accepted as they are: UTC is a real zone, and a center may keep it on purpose. */
const UTC_NAMES = new Set(["UTC", "ETC/UTC"]);

/** Other names of UTC in the tz database (GMT, which a UK center may write for London, is above). */
const UTC_ALIASES = new Set([
  "UCT",
  "UT",
  "Z",
  "ZULU",
  "UNIVERSAL",
  "GREENWICH",
  "GMT0",
  "GMT+0",
  "GMT-0",
  "ETC/GMT",
  "ETC/GMT0",
  "ETC/GMT+0",
  "ETC/GMT-0",
  "ETC/UCT",
  "ETC/UNIVERSAL",
  "ETC/ZULU",
  "ETC/GREENWICH",
]);

/** `GMT+5`, `UTC+05:30`, `UTC-3`, `+05:30`, `-0300`, `Etc/GMT-5` (whose sign POSIX inverts). */
const OFFSET = /^(ETC\/)?(?:GMT|UTC|UT)?([+-])(\d{1,2})(?::?(\d{2}))?$/;

/** An abbreviation as people write them: `EST`, `AEST`, and POSIX-style `EST5EDT`. */
const ABBREVIATION = /^[A-Z]{2,5}(?:\d{1,2}(?:[A-Z]{2,5})?)?$/;

const WRITE_ZONE = "write the contact center's Region/City zone";
const UTC_ALIAS =
  "is another name for UTC: write UTC (or the contact center's Region/City zone, if it keeps daylight saving)";

function formatOffset(minutesEast: number): string {
  const sign = minutesEast < 0 ? "−" : "+";
  const abs = Math.abs(minutesEast);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`;
}

/**
 * Why `zone` must not be used, with the zone to write instead; undefined for a Region/City zone or
 * UTC (whether the runtime knows the name is checked apart, by isValidTimeZone).
 */
export function zoneNameProblem(zone: string): string | undefined {
  const upper = zone.trim().toUpperCase();
  if (UTC_NAMES.has(upper)) return undefined;
  const quoted = quote(zone);
  if (UTC_ALIASES.has(upper)) return `${quoted} ${UTC_ALIAS}`;

  const offset = OFFSET.exec(upper.replace(/\s+/g, ""));
  if (offset) {
    const [, etc, sign, hours, minutes] = offset;
    const magnitude = Number(hours) * 60 + Number(minutes ?? 0);
    // Etc/GMT-5 is five hours east of UTC: the tz database keeps POSIX's inverted sign there.
    const east = (sign === "-" ? -1 : 1) * (etc ? -1 : 1) * magnitude;
    if (east === 0) return `${quoted} ${UTC_ALIAS}`;
    const where = formatOffset(east);
    const inverted = etc ? "; Etc/GMT signs are inverted" : "";
    const zones = ZONES_AT_OFFSET.get(east);
    const suggestion = zones ? `, such as ${zones} (${where})` : ` (no common zone is at ${where})`;
    return `${quoted} is a fixed offset (${where}${inverted}), which misses daylight-saving changes: ${WRITE_ZONE}${suggestion}`;
  }

  if (zone.includes("/")) return undefined;
  const known = ABBREVIATIONS[upper];
  if (known !== undefined || ABBREVIATION.test(zone.trim())) {
    const suggestion = known ? `, such as ${known}` : " (like Asia/Kolkata or America/New_York)";
    return `${quoted} is an abbreviation, not an IANA zone (abbreviations are ambiguous and miss daylight-saving changes): ${WRITE_ZONE}${suggestion}`;
  }
  return undefined;
}

/**
 * Why `zone` cannot be a contact center's zone (an abbreviation, a fixed offset, a name the runtime
 * does not know), with what to write instead; undefined for a usable one. The config's `timezone`
 * and `simulate --timezone` ask the same.
 */
export function timeZoneProblem(zone: string): string | undefined {
  const problem = zoneNameProblem(zone);
  if (problem !== undefined) return problem;
  if (!isValidTimeZone(zone))
    return `unknown IANA time zone ${quote(zone)} (expected a Region/City name like Asia/Kolkata)`;
  return undefined;
}
