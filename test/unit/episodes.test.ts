import { describe, expect, it } from "vitest";
import { currentEpisode, episodeEnd, openSegment } from "../../functions/domain/episodes.js";
import { matchRule, rulesFor, teamFor } from "../../functions/domain/rules.js";
import { config, seg, t } from "./builders.js";

const cfg = config();
const rules = cfg.rules;

describe("matchRule", () => {
  it("matches secondary status case-insensitively, first rule wins", () => {
    expect(matchRule(rules, "AWAY", "lunch")?.name).toBe("Long break");
    expect(matchRule(rules, "busy", "BUSY")?.name).toBe("Stuck in BUSY");
    // A BUSY agent with a break code matches the first rule in file order.
    expect(matchRule(rules, "BUSY", "NBK")?.name).toBe("Long break");
    expect(matchRule(rules, "AVAILABLE", "AVAILABLE")).toBeUndefined();
  });

  it("needs both statuses when a rule names both", () => {
    const both = config({
      rules: [{ name: "x", primaryStatus: "AWAY", secondaryStatus: "TRAINING", threshold: "1h" }],
    });
    expect(matchRule(both.rules, "AWAY", "Training")?.name).toBe("x");
    expect(matchRule(both.rules, "BUSY", "TRAINING")).toBeUndefined();
  });
});

describe("teams", () => {
  const withTeam = config({
    teams: [
      {
        name: "Tier 2",
        agents: ["*@tier2.example.com"],
        channel: "C-T2",
        rules: [{ name: "Long call", primaryStatus: "BUSY", threshold: "45m" }],
      },
      { name: "VIP", agents: ["boss@example.com"], channel: "C-VIP" },
    ],
  });

  it("finds the first team whose pattern matches the e-mail, case-insensitively", () => {
    expect(teamFor(withTeam, "Asha@Tier2.Example.com")?.name).toBe("Tier 2");
    expect(teamFor(withTeam, "boss@example.com")?.name).toBe("VIP");
    expect(teamFor(withTeam, "someone@example.com")).toBeUndefined();
  });

  it("puts team rules before the global ones", () => {
    const team = teamFor(withTeam, "a@tier2.example.com");
    expect(rulesFor(withTeam, team).map((r) => r.key)).toEqual([
      "Tier 2/Long call",
      "Long break",
      "Stuck in BUSY",
    ]);
    expect(matchRule(rulesFor(withTeam, team), "BUSY", "BUSY")?.key).toBe("Tier 2/Long call");
    expect(rulesFor(withTeam, teamFor(withTeam, "boss@example.com")).map((r) => r.key)).toEqual([
      "Long break",
      "Stuck in BUSY",
    ]);
  });
});

describe("currentEpisode", () => {
  it("is undefined for a logged-out agent (no open segment) or no data", () => {
    expect(currentEpisode([seg("BUSY", "BUSY", "09:00", "10:00")], rules)).toBeUndefined();
    expect(currentEpisode([], rules)).toBeUndefined();
  });

  it("is undefined when the open segment matches no rule", () => {
    expect(
      currentEpisode(
        [seg("BUSY", "BUSY", "09:00", "10:00"), seg("AVAILABLE", "AVAILABLE", "10:00", null)],
        rules,
      ),
    ).toBeUndefined();
  });

  it("merges back-to-back segments of the same rule (gap up to 60 s)", () => {
    const episode = currentEpisode(
      [
        seg("AVAILABLE", "AVAILABLE", "08:00", "09:00"),
        seg("BUSY", "BUSY", "09:00", "09:20"),
        seg("BUSY", "BUSY", "09:21", null),
      ],
      rules,
    );
    expect(episode).toMatchObject({ startMs: t("09:00"), startIsKnown: true, primaryStatus: "BUSY" });
    expect(episode?.rule.name).toBe("Stuck in BUSY");
  });

  it("merges different statuses that match the same rule (LUNCH then BREAK)", () => {
    const episode = currentEpisode(
      [seg("AWAY", "LUNCH", "12:00", "12:30"), seg("AWAY", "BREAK", "12:30:30", null)],
      rules,
    );
    expect(episode).toMatchObject({ startMs: t("12:00"), secondaryStatus: "BREAK", startIsKnown: false });
  });

  it("starts a new episode after a gap over 60 s (a logout) or a different rule", () => {
    expect(
      currentEpisode([seg("BUSY", "BUSY", "09:00", "09:20"), seg("BUSY", "BUSY", "09:21:01", null)], rules)
        ?.startMs,
    ).toBe(t("09:21:01"));
    expect(
      currentEpisode([seg("AWAY", "LUNCH", "09:00", "09:20"), seg("BUSY", "BUSY", "09:20", null)], rules),
    ).toMatchObject({
      startMs: t("09:20"),
      startIsKnown: true,
    });
  });

  it("uses the latest open segment when stale open ones linger", () => {
    const open = openSegment([seg("BUSY", "BUSY", "08:00", null), seg("AWAY", "LUNCH", "12:00", null)]);
    expect(open?.secondaryStatus).toBe("LUNCH");
  });
});

describe("episodeEnd", () => {
  it("is the end of the last segment of the episode under way at `since`", () => {
    const segments = [
      seg("BUSY", "BUSY", "09:00", "09:40"),
      seg("BUSY", "BUSY", "09:40", "09:50"),
      seg("AVAILABLE", "AVAILABLE", "09:50", "10:00"),
      seg("BUSY", "BUSY", "10:00", null),
    ];
    const busy = rules[1];
    if (!busy) throw new Error("rule missing");
    expect(episodeEnd(segments, busy, rules, t("09:00"))).toBe(t("09:50"));
  });
});
