/**
 * decide.ts: the lifecycle's decision and the next due instant, remembered on a served agent while it
 * is quiet. Whatever is remembered must be exactly what deciding afresh gives (a live page's rows
 * carry no slot and are decided afresh every time), at every instant, nudge and alert boundaries to
 * the millisecond included, in a zone with a DST change, with snoozes, and with records of every
 * state.
 */
import { describe, expect, it } from "vitest";
import { type AlertActionRequest, applyAction } from "../../functions/domain/actions.js";
import { type Agent, parseAgentRow } from "../../functions/domain/agent.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import type { AppConfig } from "../../functions/domain/config.js";
import { type AgentOutcome, decideWithDue, quietUntil } from "../../functions/domain/decide.js";
import { nextDue } from "../../functions/domain/due.js";
import { currentEpisode } from "../../functions/domain/episodes.js";
import {
  applyWrites,
  decideAgent,
  decideRun,
  OPEN_RECORD_TTL_SECONDS,
  REMINDER_TOLERANCE_MS,
} from "../../functions/domain/lifecycle.js";
import { withMemo } from "../../functions/domain/memo.js";
import { rulesFor, teamFor } from "../../functions/domain/rules.js";
import { mulberry32 } from "../fakes/smartassist/day.js";
import { formatLocal } from "../fakes/smartassist/timeline.js";
import { config } from "./builders.js";

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

type RawSegment = Record<string, string>;
const rowOf = (status: RawSegment[]) => ({
  userId: "u-1",
  firstName: "Priya",
  lastName: "S",
  email: "u-1@example.com",
  status,
});

/** As a capture serves it: every segment and the row frozen with a slot. */
const served = (status: RawSegment[], offSet: number): Agent => {
  const row = deepFreeze(withMemo(rowOf(status.map((s) => withMemo({ ...s })))));
  return parseAgentRow(row, offSet).agent as Agent;
};
/** As a live page brings it: no slot, decided afresh. */
const live = (status: RawSegment[], offSet: number): Agent =>
  parseAgentRow(rowOf(status.map((s) => ({ ...s }))), offSet).agent as Agent;

/** What a run gets without any memo. */
function afresh(agent: Agent, records: readonly AlertRecord[], cfg: AppConfig, now: number) {
  const writes = decideAgent(agent, records, cfg, now).writes;
  const after = writes.length === 0 ? records : applyWrites(records, writes);
  return { writes, after, next: nextDue(agent, after, cfg, now) };
}

/** The outcome's own fields (a remembered one carries its bounds beside them). */
const outcomeOf = ({ writes, after, next }: AgentOutcome) => ({ writes, after, next });

const STATUSES: Array<[string, string]> = [
  ["AVAILABLE", "AVAILABLE"],
  ["BUSY", "BUSY"],
  ["AWAY", "BREAK"],
  ["AWAY", "LUNCH"],
  ["AWAY", "NBK"],
];

/** A timeline from `fromMs` whose last segment is open at `openAtMs` or later. */
function timeline(
  random: () => number,
  fromMs: number,
  offSet: number,
): { status: RawSegment[]; endMs: number } {
  const status: RawSegment[] = [];
  let t = fromMs;
  const count = 1 + Math.floor(random() * 5);
  for (let k = 0; k < count; k++) {
    const [primaryStatus, secondaryStatus] = STATUSES[Math.floor(random() * STATUSES.length)] as [
      string,
      string,
    ];
    const open = k === count - 1;
    const end = t + Math.floor(60 + random() * 1800) * 1000;
    status.push({
      primaryStatus,
      secondaryStatus,
      startTime: formatLocal(t, offSet),
      endTime: open ? "-" : formatLocal(end, offSet),
    });
    // Sometimes a gap: within the 60 s that joins an episode, or past it.
    t = end + (random() < 0.3 ? Math.floor(random() * 120) * 1000 : 0);
  }
  return { status, endMs: t };
}

/**
 * A record as the day may leave it: ended, or left open (or nudged) with what Slack's buttons did
 * to it — snoozed (over or not), acknowledged, excused, reminders already sent, an expiry near its
 * daily refresh.
 */
function varied(r: AlertRecord, random: () => number, atMs: number): AlertRecord {
  const roll = random();
  if (roll < 0.2) return { ...r, state: "resolved", endedMs: atMs };
  if (roll < 0.3) return { ...r, state: "averted", endedMs: atMs };
  if (r.state !== "open") return r;
  const act = (request: AlertActionRequest): AlertRecord => {
    const done = applyAction(r, request);
    return done.ok ? done.record : r;
  };
  const at = atMs + Math.floor(random() * 600) * 1000;
  const pick = random();
  const acted =
    pick < 0.2
      ? act({
          kind: "snooze",
          seconds: [900, 1800, 3600][Math.floor(random() * 3)] ?? 900,
          by: "U1",
          nowMs: at,
        })
      : pick < 0.35
        ? act({ kind: "acknowledge", by: "U1", nowMs: at })
        : pick < 0.45
          ? act({ kind: "excuse", by: "U1", nowMs: at })
          : pick < 0.6
            ? { ...r, remindedSlots: 1 + Math.floor(random() * 3) }
            : r;
  // Now and then an expiry written long ago: refreshed within the hour.
  return random() < 0.15
    ? { ...acted, expiresAt: Math.floor(atMs / 1000) + OPEN_RECORD_TTL_SECONDS - 24 * 3600 + 1800 }
    : acted;
}

/** Each record's own moments, to the millisecond either side: snooze ends, reminder slots, expiry refresh. */
function recordMarks(records: readonly AlertRecord[]): number[] {
  const around = (at: number) => [at - 1000, at - 1, at, at + 1, at + 999];
  return records.flatMap((r) => {
    const at: number[] = [(r.expiresAt + 24 * 3600 - OPEN_RECORD_TTL_SECONDS) * 1000];
    if (r.snoozedUntilMs !== undefined) at.push(r.snoozedUntilMs);
    const repeat = (r.repeatSeconds ?? 0) * 1000;
    for (const base of [r.firedMs, r.snoozedUntilMs ?? r.firedMs])
      for (let k = 1; repeat > 0 && k <= 5; k++) at.push(base + k * repeat - REMINDER_TOLERANCE_MS);
    return at.flatMap(around);
  });
}

const CONFIGS: Array<{ name: string; cfg: AppConfig; offSet: number; fromMs: number }> = [
  { name: "no nudge", cfg: config(), offSet: 0, fromMs: Date.parse("2023-03-10T08:00:00Z") },
  {
    name: "a nudge, reminders",
    cfg: config({
      repeat: "10m",
      rules: [
        {
          name: "Long break",
          secondaryStatus: ["LUNCH", "BREAK"],
          threshold: "15m",
          critical: "25m",
          nudge: "10m",
        },
        { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "20m" },
      ],
    }),
    offSet: 0,
    fromMs: Date.parse("2023-03-10T08:00:00Z"),
  },
  {
    // New York springs forward at 07:00 UTC on 2026-03-08: the day's instants cross it.
    name: "a team, over a DST change",
    cfg: config({
      timezone: "America/New_York",
      teams: [
        {
          name: "Tier 2",
          agents: ["u-*@example.com"],
          channel: "C-T2",
          rules: [{ name: "Tier 2 call", primaryStatus: "BUSY", threshold: "12m", nudge: "8m" }],
        },
      ],
    }),
    offSet: 300,
    fromMs: Date.parse("2026-03-08T05:30:00Z"),
  },
];

describe("decideWithDue", () => {
  for (const { name, cfg, offSet, fromMs } of CONFIGS)
    it(`gives what deciding afresh gives, remembered or not (${name})`, () => {
      const random = mulberry32(7);
      let remembered = 0;
      for (let c = 0; c < 300; c++) {
        const { status, endMs } = timeline(random, fromMs, offSet);
        const memoAgent = served(status, offSet);
        const liveAgent = live(status, offSet);
        // Records as the lifecycle made them at an earlier instant, some then ended, all frozen.
        const madeAt = endMs + Math.floor(random() * 3600) * 1000;
        const made = decideRun([], [liveAgent], cfg, madeAt).records;
        const records = deepFreeze(made.map((r) => varied(r, random, madeAt)));
        // Instants: random steps, and each moment that matters to the millisecond either side.
        const episode = currentEpisode(memoAgent.segments, rulesFor(cfg, teamFor(cfg, memoAgent.email)));
        const start = episode?.startMs ?? endMs;
        const { nudgeSeconds = 0, thresholdSeconds = 0, criticalSeconds = 0 } = episode?.rule ?? {};
        const marks = [nudgeSeconds, thresholdSeconds, criticalSeconds].flatMap((seconds) => {
          const at = start + seconds * 1000;
          return [at - 1000, at - 1, at, at + 1, at + 999];
        });
        let now = Math.min(endMs, start) - 30_000;
        const instants: number[] = [];
        while (now < endMs + 3_600_000) {
          instants.push(now);
          now += Math.floor(random() * 400_000) + (random() < 0.2 ? 0.5 : 0);
        }
        instants.push(...marks, ...recordMarks(records));
        instants.sort((a, b) => a - b);
        let previous: unknown;
        for (const at of instants) {
          const got = decideWithDue(memoAgent, records, cfg, at);
          expect(outcomeOf(got)).toEqual(afresh(liveAgent, records, cfg, at));
          if (got === previous) remembered++;
          previous = got;
        }
      }
      // The memo is used, not only harmless.
      expect(remembered).toBeGreaterThan(100);
    });

  it("an open record is remembered between its own moments: a snooze ending, an escalation, a reminder", () => {
    // Prepare: a lunch from 12:00 (alert 15m, critical 30m, reminders every 10m), fired at 12:15,
    // snoozed at 12:16 for 15 minutes.
    const cfg = config({ repeat: "10m" });
    const status = [
      { primaryStatus: "AWAY", secondaryStatus: "LUNCH", startTime: "2023-03-10T12:00:00", endTime: "-" },
    ];
    const memoAgent = served(status, 0);
    const liveAgent = live(status, 0);
    const fired = decideRun([], [liveAgent], cfg, Date.parse("2023-03-10T12:15:00Z")).records;
    const snoozed = applyAction(fired[0] as AlertRecord, {
      kind: "snooze",
      seconds: 900,
      by: "U1",
      nowMs: Date.parse("2023-03-10T12:16:00Z"),
    });
    if (!snoozed.ok) throw new Error("snooze refused");
    let records: readonly AlertRecord[] = deepFreeze([snoozed.record]);
    // Act and assess: every 7 s for an hour, the records as each decision leaves them.
    const writtenAt: number[] = [];
    let remembered = 0;
    let previous: AgentOutcome | undefined;
    for (let at = Date.parse("2023-03-10T12:16:00Z"); at < Date.parse("2023-03-10T13:16:00Z"); at += 7_000) {
      const got = decideWithDue(memoAgent, records, cfg, at);
      expect(outcomeOf(got)).toEqual(afresh(liveAgent, records, cfg, at));
      if (previous !== undefined && got.after === previous.after && got.writes.length === 0) remembered++;
      previous = got;
      if (got.writes.length > 0) {
        writtenAt.push(at);
        records = deepFreeze([...got.after]);
      }
    }
    // The escalation at the snooze's end (12:31), then reminders 10 minutes apart from there, each
    // up to 15 s early: on the 7 s grid from 12:16:00, the first read at or after 12:31:00, then
    // 12:40:45, 12:50:45, 13:00:45 and 13:10:45.
    expect(writtenAt.map((ms) => new Date(ms).toISOString().slice(11, 19))).toEqual([
      "12:31:03",
      "12:40:51",
      "12:50:46",
      "13:00:48",
      "13:10:50",
    ]);
    expect(remembered).toBeGreaterThan(400);
    expect(quietUntil(memoAgent, deepFreeze([snoozed.record]), cfg, Date.parse("2023-03-10T12:16:00Z"))).toBe(
      Date.parse("2023-03-10T12:31:00Z"),
    );
  });

  it("remembers only over a frozen list of frozen records, and only for the same list and config", () => {
    const cfg = config({
      rules: [{ name: "Long break", secondaryStatus: ["LUNCH"], threshold: "15m", nudge: "10m" }],
    });
    const status = [
      { primaryStatus: "AWAY", secondaryStatus: "LUNCH", startTime: "2023-03-10T12:00:00", endTime: "-" },
    ];
    const agent = served(status, 0);
    const at = Date.parse("2023-03-10T12:01:00Z");
    const none: AlertRecord[] = [];
    const first = decideWithDue(agent, none, cfg, at);
    expect(decideWithDue(agent, none, cfg, at + 60_000)).not.toBe(first);
    const frozen = Object.freeze<AlertRecord[]>([]);
    const kept = decideWithDue(agent, frozen, cfg, at);
    expect(decideWithDue(agent, frozen, cfg, at + 60_000)).toBe(kept);
    expect(decideWithDue(agent, Object.freeze<AlertRecord[]>([]), cfg, at + 60_000)).not.toBe(kept);
    expect(decideWithDue(agent, frozen, config(), at + 60_000)).not.toBe(kept);
    // Until the nudge, to the millisecond.
    expect(quietUntil(agent, frozen, cfg, at)).toBe(Date.parse("2023-03-10T12:10:00Z"));
    expect(decideWithDue(agent, frozen, cfg, Date.parse("2023-03-10T12:10:00Z")).writes).toHaveLength(1);
  });
});
