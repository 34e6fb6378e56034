/**
 * What is worked out once and kept beside its value: a frozen row's parse, a frozen segment's parse,
 * a parsed timeline's episode, a zone's wall-clock reading. Each must be what working it out afresh
 * gives, and nothing that can still change is kept.
 */
import { describe, expect, it } from "vitest";
import { parseAgentRow } from "../../functions/domain/agent.js";
import { parseConfig } from "../../functions/domain/config.js";
import { currentEpisode } from "../../functions/domain/episodes.js";
import { withMemo } from "../../functions/domain/memo.js";
import { localParts, localPartsByParts } from "../../functions/domain/time.js";

const INDIA = -330;

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const segments = () => [
  {
    primaryStatus: "AVAILABLE",
    secondaryStatus: "AVAILABLE",
    startTime: "2026-11-30T09:00:00",
    endTime: "2026-11-30T10:00:00",
  },
  { primaryStatus: "AWAY", secondaryStatus: "BREAK", startTime: "2026-11-30T10:00:00", endTime: "-" },
  { primaryStatus: "", secondaryStatus: "X", startTime: "2026-11-30T10:30:00", endTime: "-" },
];
const rowOf = (status: unknown[]) => ({
  userId: "u-1",
  firstName: "Priya",
  lastName: "S",
  email: "p@example.com",
  status,
});

/** A row as a capture serves it: every segment and the row with a slot, all frozen. */
const served = () => deepFreeze(withMemo(rowOf(segments().map((s) => withMemo(s)))));

describe("memo slots", () => {
  it("a frozen row with a slot: parsed once, the same parse as afresh, frozen", () => {
    const row = served();
    const first = parseAgentRow(row, INDIA);
    expect(parseAgentRow(row, INDIA)).toBe(first);
    expect(first).toEqual(parseAgentRow(rowOf(segments()), INDIA));
    expect(first.skipped).toHaveLength(1);
    expect(Object.isFrozen(first.agent?.segments)).toBe(true);
    // Another offset is another parse.
    const other = parseAgentRow(row, 0);
    expect(other).not.toBe(first);
    expect(other).toEqual(parseAgentRow(rowOf(segments()), 0));
  });

  it("a segment served again in a later row is parsed once; the row around it is parsed afresh", () => {
    const shared = segments().map((s) => deepFreeze(withMemo(s)));
    const a = parseAgentRow(deepFreeze(withMemo(rowOf(shared.slice(0, 1)))), INDIA);
    const b = parseAgentRow(deepFreeze(withMemo(rowOf(shared))), INDIA);
    expect(b.agent?.segments[0]).toBe(a.agent?.segments[0]);
    expect(b).toEqual(parseAgentRow(rowOf(segments()), INDIA));
  });

  it("nothing that can change is kept: a row not frozen, or frozen with a list that is not", () => {
    const open = withMemo(rowOf(segments()));
    const first = parseAgentRow(open, INDIA);
    (open.status[1] as { endTime: string }).endTime = "2026-11-30T10:20:00";
    const second = parseAgentRow(open, INDIA);
    expect(second).not.toEqual(first);
    expect(second.agent?.segments[1]?.endMs).not.toBeNull();
    const shallow = Object.freeze(withMemo(rowOf(segments())));
    const before = parseAgentRow(shallow, INDIA);
    (shallow.status[1] as { endTime: string }).endTime = "2026-11-30T10:20:00";
    expect(parseAgentRow(shallow, INDIA)).not.toEqual(before);
  });

  it("a parsed timeline keeps its episode per rule list; a different list is asked afresh", () => {
    const { config } = parseConfig(
      {
        timezone: "Asia/Kolkata",
        smartassist: { host: "https://platform.kore.ai", accountId: "a", iId: "st-1" },
        rules: [{ name: "Long break", secondaryStatus: ["BREAK"], threshold: "15m" }],
        slack: { channel: "C1" },
      },
      "t.yaml",
    );
    const agent = parseAgentRow(served(), INDIA).agent;
    const timeline = agent?.segments ?? [];
    const episode = currentEpisode(timeline, config.rules);
    expect(episode?.rule.name).toBe("Long break");
    expect(currentEpisode(timeline, config.rules)).toBe(episode);
    expect(currentEpisode(timeline, [])).toBeUndefined();
    expect(currentEpisode([...timeline], config.rules)).toEqual(episode);
  });

  it("a zone's reading read off Intl's text agrees with its parts, and a remembered one with a fresh one", () => {
    const zones = [
      "Asia/Kolkata",
      "America/New_York",
      "Australia/Lord_Howe",
      "Pacific/Chatham",
      "UTC",
      "America/St_Johns",
    ];
    for (const zone of zones)
      for (let t = -2e12; t < 4e12; t += 86_400_000 * 97 + 3_601_234) {
        expect(localParts(zone, t)).toEqual(localPartsByParts(zone, t));
        expect(localParts(zone, t)).toEqual(localPartsByParts(zone, t)); // the remembered one
      }
  });
});
