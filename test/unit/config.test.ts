import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../../functions/domain/config.js";
import { parseDuration, toDurationString } from "../../functions/domain/duration.js";
import { BASE_CONFIG } from "./builders.js";

function problems(raw: unknown): string[] {
  try {
    parseConfig(raw, "alerts.config.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected the config to be rejected");
}

describe("durations", () => {
  it.each([
    ["90s", 90],
    ["15m", 900],
    ["1h30m", 5400],
    ["2h", 7200],
    ["1h0m30s", 3630],
    ["35d", 35 * 86_400],
  ])("%s is %i seconds", (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });

  it.each(["15", "m", "1.5h", "-5m", "15 minutes", ""])("rejects %j", (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it("writes seconds back in the config's notation", () => {
    expect(toDurationString(5400)).toBe("1h30m");
    expect(toDurationString(90)).toBe("1m30s");
  });
});

describe("parseConfig", () => {
  it("resolves defaults, rules and the largest threshold", () => {
    const { config, warnings } = parseConfig(BASE_CONFIG, "alerts.config.yaml");

    expect(warnings).toEqual([]);
    expect(config.smartassist).toMatchObject({
      pageSize: 50,
      concurrency: 4,
      requestsPerMinute: 50,
      agents: [],
    });
    expect(config.schedule.everySeconds).toBe(300);
    expect(config.rules[0]).toMatchObject({
      name: "Long break",
      secondaryStatus: ["NBK", "LUNCH", "BREAK"],
      thresholdSeconds: 900,
      criticalSeconds: 1800,
      repeatSeconds: 1800,
    });
    expect(config.rules[1]).toMatchObject({ primaryStatus: ["BUSY"], thresholdSeconds: 1800 });
    expect(config.largestThresholdSeconds).toBe(1800);
  });

  it("names the file and the field of a bad duration", () => {
    const raw = { ...BASE_CONFIG, rules: [{ name: "Busy", primaryStatus: "BUSY", threshold: 15 }] };
    expect(problems(raw)).toEqual(["rules[0].threshold: expected a duration like 15m"]);
    expect(() => parseConfig(raw, "alerts.config.yaml")).toThrow(
      /^alerts\.config\.yaml: rules\[0\]\.threshold/,
    );
  });

  it("names a missing required field", () => {
    const { accountId: _dropped, ...smartassist } = BASE_CONFIG.smartassist;
    expect(problems({ ...BASE_CONFIG, smartassist })).toEqual([
      "smartassist.accountId: required, expected the SmartAssist account id",
    ]);
  });

  it.each([
    [{ timezone: "Mars/Base" }, "timezone: unknown IANA time zone"],
    [
      { smartassist: { ...BASE_CONFIG.smartassist, host: "http://platform.kore.ai" } },
      "smartassist.host: must use https",
    ],
    [{ smartassist: { ...BASE_CONFIG.smartassist, pageSize: 100 } }, "smartassist.pageSize"],
    [{ schedule: { every: "90s" } }, "schedule.every: expected whole minutes"],
    [{ rules: [] }, "rules: needs at least one rule"],
    [
      { rules: [{ name: "x", threshold: "5m" }] },
      "rules[0].primaryStatus: needs primaryStatus or secondaryStatus",
    ],
    [
      { rules: [{ name: "x", primaryStatus: "BUSY", threshold: "30m", critical: "10m" }] },
      "rules[0].critical: must be longer than threshold",
    ],
    [
      {
        rules: [
          { name: "x", primaryStatus: "BUSY", threshold: "30m" },
          { name: "X", primaryStatus: "AWAY", threshold: "30m" },
        ],
      },
      'rules[1].name: duplicate rule name "X"',
    ],
  ])("rejects %j", (override, expected) => {
    expect(problems({ ...BASE_CONFIG, ...override }).join("\n")).toContain(expected);
  });

  it("allows http for a loopback host only", () => {
    const raw = {
      ...BASE_CONFIG,
      smartassist: { ...BASE_CONFIG.smartassist, host: "http://127.0.0.1:8787/" },
    };
    expect(parseConfig(raw, "x.yaml").config.smartassist.host).toBe("http://127.0.0.1:8787");
  });

  it("warns about unknown keys that are no typo of a known one, instead of failing", () => {
    const raw = {
      ...BASE_CONFIG,
      rules: [{ name: "Busy", primaryStatus: "BUSY", threshold: "30m", escalateAfter: "1h" }],
    };
    const { config, warnings } = parseConfig(raw, "alerts.config.yaml");
    expect(config.rules[0]?.criticalSeconds).toBeUndefined();
    expect(warnings).toEqual(["alerts.config.yaml: rules[0].escalateAfter: unknown key (ignored)"]);
  });

  it("resolves team rules with their own keys and inherited repeat", () => {
    const raw = {
      ...BASE_CONFIG,
      teams: [
        {
          name: "Tier 2",
          agents: ["*@Tier2.example.com"],
          channel: "C-T2",
          rules: [{ name: "Long call", primaryStatus: "busy", threshold: "45m" }],
        },
      ],
    };
    const { config } = parseConfig(raw, "x.yaml");
    expect(config.teams[0]).toMatchObject({
      name: "Tier 2",
      agents: ["*@tier2.example.com"],
      channel: "C-T2",
    });
    expect(config.teams[0]?.rules[0]).toMatchObject({
      key: "Tier 2/Long call",
      team: "Tier 2",
      primaryStatus: ["BUSY"],
      repeatSeconds: 1800,
    });
    expect(config.largestThresholdSeconds).toBe(2700);
  });

  it("rejects a value that is not a mapping", () => {
    expect(problems(["not", "a", "mapping"])).toEqual(["(top level): expected a mapping of settings"]);
  });
});

describe("interaction, nudge, roll-up, history and digest keys", () => {
  it("defaults: interactive, roll-ups past 10, 35 days of history, no digest, no nudge", () => {
    const { config } = parseConfig(BASE_CONFIG, "alerts.config.yaml");
    expect(config.slack.interactive).toBe(true);
    expect(config.slack.rollup).toBe(10);
    expect(config.slack.responders).toBeUndefined();
    expect(config.history.retentionSeconds).toBe(35 * 86_400);
    expect(config.digest).toBeUndefined();
    expect(config.rules.every((r) => r.nudgeSeconds === undefined)).toBe(true);
  });

  it("a top-level nudge is the default for rules whose threshold is longer", () => {
    const raw = {
      ...BASE_CONFIG,
      nudge: "10m",
      rules: [
        { name: "Long break", secondaryStatus: "LUNCH", threshold: "15m" },
        { name: "Short", primaryStatus: "AWAY", threshold: "5m" },
        { name: "Own nudge", primaryStatus: "BUSY", threshold: "30m", nudge: "20m" },
      ],
      slack: { channel: "C1", responders: ["U0123ABCD", "S0456EFGH"], rollup: 0, interactive: false },
      history: { retention: "7d" },
      digest: { at: "18:30", days: ["mon", "fri"] },
    };
    const { config } = parseConfig(raw, "alerts.config.yaml");
    expect(config.rules.map((r) => r.nudgeSeconds)).toEqual([600, undefined, 1200]);
    expect(config.slack).toMatchObject({
      responders: ["U0123ABCD", "S0456EFGH"],
      rollup: 0,
      interactive: false,
    });
    expect(config.history.retentionSeconds).toBe(7 * 86_400);
    expect(config.digest).toEqual({ at: "18:30", days: ["mon", "fri"] });
  });

  it("names each bad key", () => {
    const found = problems({
      ...BASE_CONFIG,
      rules: [{ name: "R", primaryStatus: "BUSY", threshold: "15m", nudge: "15m" }],
      slack: { responders: ["alice"], rollup: -1, interactive: "yes" },
      digest: { at: "25:00" },
    });
    expect(found).toEqual(
      expect.arrayContaining([
        "rules[0].nudge: must be shorter than threshold (15m)",
        expect.stringMatching(/^slack\.responders\[0\]: expected a Slack user id/),
        expect.stringMatching(/^slack\.rollup: /),
        expect.stringMatching(/^slack\.interactive: expected true or false/),
        expect.stringMatching(/^digest\.at: expected a local time/),
      ]),
    );
  });
});
