/**
 * What the config refuses (issue 14): each refusal names the file, the field and what to write
 * instead. And every config that was valid stays valid.
 */
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadConfigFile, readRawConfig } from "../../functions/config-file.js";
import { ConfigError, parseConfig } from "../../functions/domain/config.js";
import { BASE_CONFIG } from "./builders.js";

const FILE = "alerts.config.yaml";

/** The one problem the config has; fails when it is accepted. */
function refusal(overrides: Record<string, unknown>): string {
  try {
    parseConfig({ ...BASE_CONFIG, ...overrides }, FILE);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message.startsWith(`${FILE}: `)).toBe(true);
    const { problems } = error as ConfigError;
    expect(problems).toHaveLength(1);
    return problems[0] as string;
  }
  throw new Error("expected the config to be refused");
}

function busy(extra: Record<string, unknown>): Record<string, unknown> {
  return { rules: [{ name: "Busy", primaryStatus: "BUSY", threshold: "30m", ...extra }] };
}

describe("durations stay within their ranges", () => {
  it("an overflowing threshold is an error naming the limit, never Infinity", () => {
    expect(refusal(busy({ threshold: "99999999999999999999h" }))).toBe(
      'rules[0].threshold: must be at most 24h (got "99999999999999999999h")',
    );
    // 400 digits read as Infinity: refused the same way, the echo cut short.
    expect(refusal(busy({ threshold: `${"9".repeat(400)}h` }))).toBe(
      `rules[0].threshold: must be at most 24h (got "${"9".repeat(39)}…")`,
    );
  });

  it.each([
    ["threshold", { threshold: "25h" }, 'rules[0].threshold: must be at most 24h (got "25h")'],
    ["critical", { critical: "2d" }, 'rules[0].critical: must be at most 24h (got "2d")'],
    ["nudge", { threshold: "24h", nudge: "1d1s" }, 'rules[0].nudge: must be at most 24h (got "1d1s")'],
    ["repeat", { repeat: "48h" }, 'rules[0].repeat: must be at most 24h (got "48h")'],
  ])("a rule's %s is at most 24h", (_key, extra, expected) => {
    expect(refusal(busy(extra))).toBe(expected);
  });

  it("the top-level and a team's repeat and nudge are at most 24h", () => {
    expect(refusal({ repeat: "25h" })).toBe('repeat: must be at most 24h (got "25h")');
    expect(refusal({ nudge: "30h" })).toBe('nudge: must be at most 24h (got "30h")');
    expect(refusal({ teams: [{ name: "T2", agents: ["*@t2.example.com"], repeat: "2d" }] })).toBe(
      'teams[0].repeat: must be at most 24h (got "2d")',
    );
  });

  it("24h itself is accepted", () => {
    const { config } = parseConfig({ ...BASE_CONFIG, ...busy({ threshold: "23h", critical: "24h" }) }, FILE);
    expect(config.rules[0]?.criticalSeconds).toBe(86_400);
  });

  it("schedule.every is whole minutes from 1m to 1h", () => {
    expect(refusal({ schedule: { every: "99999999999m" } })).toBe(
      'schedule.every: must be at most 1h (got "99999999999m")',
    );
    expect(refusal({ schedule: { every: "61m" } })).toBe('schedule.every: must be at most 1h (got "61m")');
    expect(refusal({ schedule: { every: "30s" } })).toBe('schedule.every: must be at least 1m (got "30s")');
    expect(refusal({ schedule: { every: "90s" } })).toBe(
      'schedule.every: expected whole minutes (got "90s")',
    );
    expect(
      parseConfig({ ...BASE_CONFIG, schedule: { every: "1h" } }, FILE).config.schedule.everySeconds,
    ).toBe(3600);
  });

  it("history.retention is at most 400d", () => {
    expect(refusal({ history: { retention: "401d" } })).toBe(
      'history.retention: must be at most 400d (got "401d")',
    );
  });

  it("smartassist.timeout is at most 2m", () => {
    expect(refusal({ smartassist: { ...BASE_CONFIG.smartassist, timeout: "5m" } })).toBe(
      'smartassist.timeout: must be at most 2m (got "5m")',
    );
  });

  it("keeps the relations between a rule's durations, naming the threshold", () => {
    expect(refusal(busy({ critical: "20m" }))).toBe("rules[0].critical: must be longer than threshold (30m)");
    expect(refusal(busy({ nudge: "30m" }))).toBe("rules[0].nudge: must be shorter than threshold (30m)");
  });
});

describe("schedule.precision", () => {
  it("defaults to 10s", () => {
    expect(parseConfig(BASE_CONFIG, FILE).config.schedule.precisionSeconds).toBe(10);
  });

  it("is read from the file", () => {
    const { config } = parseConfig({ ...BASE_CONFIG, schedule: { every: "5m", precision: "30s" } }, FILE);
    expect(config.schedule).toEqual({ everySeconds: 300, precisionSeconds: 30 });
  });

  it("is from 1s to 1m", () => {
    expect(refusal({ schedule: { every: "5m", precision: "2m" } })).toBe(
      'schedule.precision: must be at most 1m (got "2m")',
    );
    expect(refusal({ schedule: { every: "5m", precision: "0s" } })).toBe(
      'schedule.precision: must be at least 1s (got "0s")',
    );
  });
});

describe("activeHours", () => {
  it("refuses a window shorter than schedule.every, naming both", () => {
    expect(refusal({ schedule: { every: "5m", activeHours: { from: "08:00", to: "08:03" } } })).toBe(
      "schedule.activeHours: the window 08:00–08:03 (3m) is shorter than schedule.every (5m): widen it to at least 5m, or shorten schedule.every",
    );
  });

  it("measures an overnight window across midnight", () => {
    expect(refusal({ schedule: { every: "5m", activeHours: { from: "23:58", to: "00:01" } } })).toMatch(
      /^schedule\.activeHours: the window 23:58–00:01 \(3m\) is shorter than schedule\.every \(5m\)/,
    );
    const overnight = { every: "1h", activeHours: { from: "22:00", to: "06:00" } };
    expect(parseConfig({ ...BASE_CONFIG, schedule: overnight }, FILE).config.schedule.activeHours).toEqual({
      from: "22:00",
      to: "06:00",
    });
  });

  it("accepts a window exactly one interval long", () => {
    const schedule = { every: "5m", activeHours: { from: "08:00", to: "08:05" } };
    expect(() => parseConfig({ ...BASE_CONFIG, schedule }, FILE)).not.toThrow();
  });
});

describe("timezone", () => {
  it.each([
    ["EST", "America/New_York"],
    ["est", "America/New_York"],
    ["IST", "Asia/Kolkata (or Europe/Dublin, Asia/Jerusalem)"],
    ["PST", "America/Los_Angeles"],
    ["CET", "Europe/Paris or Europe/Berlin"],
    ["EST5EDT", "America/New_York"],
    ["GMT", "Europe/London for UK time (it keeps summer time), or UTC"],
  ])("refuses the abbreviation %s, naming the zone to write", (zone, suggestion) => {
    const problem = refusal({ timezone: zone });
    expect(problem).toMatch(
      new RegExp(`^timezone: "${zone}" is an abbreviation, not an IANA zone \\(abbreviations are ambiguous`),
    );
    expect(problem).toContain(`: write the contact center's Region/City zone, such as ${suggestion}`);
  });

  it("EST is refused although the runtime would read it as America/Panama", () => {
    expect(refusal({ timezone: "EST" })).toBe(
      `timezone: "EST" is an abbreviation, not an IANA zone (abbreviations are ambiguous and miss daylight-saving changes): write the contact center's Region/City zone, such as America/New_York`,
    );
  });

  it.each([
    ["GMT+5", "UTC+05:00", "Asia/Karachi or Asia/Tashkent"],
    ["UTC+05:30", "UTC+05:30", "Asia/Kolkata"],
    ["+05:30", "UTC+05:30", "Asia/Kolkata"],
    ["UTC-3", "UTC−03:00", "America/Sao_Paulo or America/Argentina/Buenos_Aires"],
  ])("refuses the fixed offset %s with a named zone at that offset", (zone, offset, suggestion) => {
    expect(refusal({ timezone: zone })).toBe(
      `timezone: "${zone}" is a fixed offset (${offset}), which misses daylight-saving changes: write the contact center's Region/City zone, such as ${suggestion} (${offset})`,
    );
  });

  it("reads the Etc/GMT offsets with their inverted sign", () => {
    expect(refusal({ timezone: "Etc/GMT-5" })).toBe(
      `timezone: "Etc/GMT-5" is a fixed offset (UTC+05:00; Etc/GMT signs are inverted), which misses daylight-saving changes: write the contact center's Region/City zone, such as Asia/Karachi or Asia/Tashkent (UTC+05:00)`,
    );
    expect(refusal({ timezone: "Etc/GMT+5" })).toContain(
      "(UTC−05:00; Etc/GMT signs are inverted), which misses daylight-saving changes: write the contact center's Region/City zone, such as America/New_York",
    );
  });

  it("says when no common zone is at a fixed offset", () => {
    expect(refusal({ timezone: "GMT+5:17" })).toBe(
      `timezone: "GMT+5:17" is a fixed offset (UTC+05:17), which misses daylight-saving changes: write the contact center's Region/City zone (no common zone is at UTC+05:17)`,
    );
  });

  it("accepts UTC and Etc/UTC, and asks for that spelling for UTC's other names", () => {
    expect(parseConfig({ ...BASE_CONFIG, timezone: "UTC" }, FILE).config.timezone).toBe("UTC");
    expect(parseConfig({ ...BASE_CONFIG, timezone: "Etc/UTC" }, FILE).config.timezone).toBe("Etc/UTC");
    for (const zone of ["Zulu", "Etc/GMT", "UCT", "UTC+0"])
      expect(refusal({ timezone: zone })).toBe(
        `timezone: "${zone}" is another name for UTC: write UTC (or the contact center's Region/City zone, if it keeps daylight saving)`,
      );
  });

  it("accepts Region/City zones, the tz database's older names among them", () => {
    for (const zone of ["Asia/Kolkata", "America/New_York", "America/Argentina/Buenos_Aires", "US/Eastern"])
      expect(parseConfig({ ...BASE_CONFIG, timezone: zone }, FILE).config.timezone).toBe(zone);
  });

  it("names an unknown zone with the shape expected", () => {
    expect(refusal({ timezone: "Mars/Base" })).toBe(
      'timezone: unknown IANA time zone "Mars/Base" (expected a Region/City name like Asia/Kolkata)',
    );
  });
});

describe("primaryStatus", () => {
  it("refuses a value that is not a status type, naming the accepted ones and the nearest", () => {
    expect(refusal(busy({ primaryStatus: "BUZY" }))).toBe(
      'rules[0].primaryStatus: "BUZY" is not a status type (AVAILABLE, BUSY, AWAY, OFFLINE): did you mean BUSY?',
    );
  });

  it("names the bad entry of a list, a transposition included", () => {
    expect(refusal(busy({ primaryStatus: ["away", "AVALIABLE"] }))).toBe(
      'rules[0].primaryStatus[1]: "AVALIABLE" is not a status type (AVAILABLE, BUSY, AWAY, OFFLINE): did you mean AVAILABLE?',
    );
  });

  it("sends a specific status to secondaryStatus", () => {
    expect(refusal(busy({ primaryStatus: "LUNCH" }))).toBe(
      'rules[0].primaryStatus: "LUNCH" is not a status type (AVAILABLE, BUSY, AWAY, OFFLINE): a specific status such as "LUNCH" goes under secondaryStatus',
    );
  });

  it("accepts the status types in any case, and any secondaryStatus", () => {
    const { config } = parseConfig(
      { ...BASE_CONFIG, ...busy({ primaryStatus: ["busy", "Away"], secondaryStatus: "BUZY" }) },
      FILE,
    );
    expect(config.rules[0]).toMatchObject({ primaryStatus: ["BUSY", "AWAY"], secondaryStatus: ["BUZY"] });
  });

  it("checks team rules too", () => {
    const teams = [
      {
        name: "T2",
        agents: ["*@t2.example.com"],
        rules: [{ name: "Off", primaryStatus: "OFLINE", threshold: "1h" }],
      },
    ];
    expect(refusal({ teams })).toBe(
      'teams[0].rules[0].primaryStatus: "OFLINE" is not a status type (AVAILABLE, BUSY, AWAY, OFFLINE): did you mean OFFLINE?',
    );
  });
});

describe("unknown keys one typo from a known key", () => {
  it("critcal is an error naming critical", () => {
    expect(refusal(busy({ critcal: "1h" }))).toBe("rules[0].critcal: unknown key: did you mean critical?");
  });

  it.each([
    [busy({ threshlod: "1h" }), "rules[0].threshlod: unknown key: did you mean threshold?"],
    [busy({ Threshold: "1h" }), "rules[0].Threshold: unknown key: did you mean threshold?"],
    [{ reapeat: "30m" }, "reapeat: unknown key: did you mean repeat?"],
    [{ slack: { channel: "C1", bord: true } }, "slack.bord: unknown key: did you mean board?"],
    [
      { teams: [{ name: "T2", agents: ["*@t2.example.com"], rule: [] }] },
      "teams[0].rule: unknown key: did you mean rules?",
    ],
    [
      { schedule: { every: "5m", precison: "5s" } },
      "schedule.precison: unknown key: did you mean precision?",
    ],
  ])("%j", (overrides, expected) => {
    expect(refusal(overrides)).toBe(expected);
  });

  it("other unknown keys stay warnings", () => {
    const { warnings } = parseConfig({ ...BASE_CONFIG, ...busy({ comment: "x" }), owner: "ops" }, FILE);
    expect(warnings).toEqual([
      `${FILE}: rules[0].comment: unknown key (ignored)`,
      `${FILE}: owner: unknown key (ignored)`,
    ]);
  });
});

describe("names", () => {
  it("a rule name is at most 100 characters", () => {
    expect(refusal(busy({ name: "x".repeat(101) }))).toBe(
      "rules[0].name: must be at most 100 characters (got 101)",
    );
    expect(() => parseConfig({ ...BASE_CONFIG, ...busy({ name: "é".repeat(100) }) }, FILE)).not.toThrow();
  });

  it("a team name is at most 100 characters", () => {
    expect(refusal({ teams: [{ name: "t".repeat(120), agents: ["*@t2.example.com"] }] })).toBe(
      "teams[0].name: must be at most 100 characters (got 120)",
    );
  });
});

describe("slack.board and slack.pinBoard", () => {
  it("default to false", () => {
    const { config } = parseConfig(BASE_CONFIG, FILE);
    expect(config.slack).toMatchObject({ board: false, pinBoard: false });
  });

  it("are read from the file", () => {
    const { config, warnings } = parseConfig(
      { ...BASE_CONFIG, slack: { channel: "C1", board: true, pinBoard: true } },
      FILE,
    );
    expect(config.slack).toMatchObject({ board: true, pinBoard: true });
    expect(warnings).toEqual([]);
  });

  it("are booleans", () => {
    expect(refusal({ slack: { channel: "C1", board: "yes" } })).toBe("slack.board: expected true or false");
  });

  it("warns that pinBoard alone does nothing", () => {
    const { warnings } = parseConfig({ ...BASE_CONFIG, slack: { channel: "C1", pinBoard: true } }, FILE);
    expect(warnings).toEqual([`${FILE}: slack.pinBoard: true has no effect without slack.board: true`]);
  });
});

describe("configs that were valid stay valid", () => {
  const template = fileURLToPath(new URL("../../alerts.config.yaml", import.meta.url));

  it("the template, which turns the board on", () => {
    const { config, warnings } = loadConfigFile(template);
    expect(warnings).toEqual([]);
    expect(config.slack.board).toBe(true);
    expect(config.schedule.precisionSeconds).toBe(10);
  });

  it("the demo's (the template pointed at the simulator)", () => {
    const raw = readRawConfig(template) as Record<string, unknown>;
    const smartassist = raw.smartassist as Record<string, unknown>;
    const demo = {
      ...raw,
      timezone: "Asia/Kolkata",
      smartassist: { ...smartassist, host: "http://127.0.0.1:8787", accountId: "demo", iId: "st-demo" },
    };
    expect(parseConfig(demo, "alerts.config.yaml (demo)").warnings).toEqual([]);
  });

  it("the unit tests' base config", () => {
    expect(parseConfig(BASE_CONFIG, "test.yaml").warnings).toEqual([]);
  });
});
