import { describe, expect, it } from "vitest";
import type { AlertRecord } from "../../functions/domain/alert.js";
import {
  boardCall,
  boardContentKey,
  boardModel,
  boardSnapshot,
  statusMix,
} from "../../functions/domain/board.js";
import {
  type ChannelCounts,
  countAgent,
  decodePages,
  emptyCounts,
  encodePages,
  mergePages,
} from "../../functions/domain/board-counts.js";
import { config, t } from "./builders.js";

const NOW = t("14:05");
const EVERY = 5 * 60_000;

function open(
  userId: string,
  rule: "Long break" | "Stuck in BUSY",
  sinceHhmm: string,
  extra: Partial<AlertRecord> = {},
) {
  const long = rule === "Long break";
  return {
    id: `${userId}#${rule}#${sinceHhmm}`,
    userId,
    email: `${userId}@example.com`,
    name: `Agent ${userId}`,
    ruleKey: long ? "long-break" : "stuck-in-busy",
    ruleName: rule,
    primaryStatus: long ? "AWAY" : "BUSY",
    secondaryStatus: long ? "LUNCH" : "BUSY",
    sinceMs: t(sinceHhmm),
    thresholdSeconds: long ? 900 : 1800,
    severity: "warning",
    state: "open",
    firedMs: NOW,
    lastNotifiedMs: NOW,
    version: 1,
    expiresAt: 0,
    ...extra,
  } satisfies AlertRecord;
}

/** 41 agents: 20 AVAILABLE, 10 BUSY, 6 AWAY (4 LUNCH, 2 NBK), 5 logged out. */
function counts41(): ChannelCounts {
  const c = emptyCounts();
  for (let i = 0; i < 20; i++) countAgent(c, { primary: "AVAILABLE", secondary: "" });
  for (let i = 0; i < 10; i++) countAgent(c, { primary: "BUSY", secondary: "BUSY" });
  for (let i = 0; i < 4; i++) countAgent(c, { primary: "AWAY", secondary: "LUNCH" });
  for (let i = 0; i < 2; i++) countAgent(c, { primary: "away", secondary: "nbk" });
  for (let i = 0; i < 4; i++) countAgent(c, undefined);
  countAgent(c, { primary: "OFFLINE", secondary: "" });
  return c;
}

const cfg = config();

function snap(records: AlertRecord[], due: Parameters<typeof boardSnapshot>[1]["due"] = []) {
  return boardSnapshot(cfg, {
    channel: "C-DEFAULT",
    nowMs: NOW,
    counts: counts41(),
    open: records,
    due,
    everyMs: EVERY,
  });
}

describe("the board's model", () => {
  it("says exactly who is stuck, by rule in config order, as of the run's local time", () => {
    // Stuck in BUSY listed first among the records: the count still follows the config's order.
    const records = [
      open("b1", "Stuck in BUSY", "13:00"),
      open("l1", "Long break", "13:40"),
      open("l2", "Long break", "13:10"),
    ];
    const model = boardModel(snap(records));
    expect(model.text).toBe("Now stuck: 3 of 41 agents (Long break 2, Stuck in BUSY 1) · as of 14:05");
    expect(model.rules).toEqual([
      { name: "Long break", count: 2 },
      { name: "Stuck in BUSY", count: 1 },
    ]);
  });

  it("says none when nobody is stuck, still counting every agent read", () => {
    expect(boardModel(snap([])).text).toBe("Now stuck: none of 41 agents · as of 14:05");
  });

  it("lists the longest past its threshold first, with marks", () => {
    const records = [
      open("l1", "Long break", "13:40"), // 25m elapsed, 10m over
      open("b1", "Stuck in BUSY", "13:00", { acknowledgedBy: "U1" }), // 65m elapsed, 35m over
      open("l2", "Long break", "13:10", { excusedBy: "U2" }), // 55m elapsed, 40m over
      open("l3", "Long break", "13:45", { snoozedBy: "U3", snoozedUntilMs: NOW + 60_000 }), // 5m over
    ];
    const model = boardModel(snap(records));
    expect(model.lines.map((l) => [l.userId, l.overdueSeconds, l.mark])).toEqual([
      ["l2", 2400, "excused"],
      ["b1", 2100, "acknowledged"],
      ["l1", 600, undefined],
      ["l3", 300, "snoozed"],
    ]);
    expect(model.lines[1]?.elapsedSeconds).toBe(65 * 60);
  });

  it("puts a team's rules before the global ones in its channel's counts", () => {
    const teamCfg = config({
      teams: [
        {
          name: "Tier 2",
          agents: ["*@tier2.example.com"],
          channel: "C-T2",
          rules: [{ name: "Tier 2 long call", primaryStatus: "BUSY", threshold: "45m" }],
        },
      ],
    });
    const records = [
      open("l1", "Long break", "13:40", { email: "l1@tier2.example.com" }),
      open("t1", "Stuck in BUSY", "13:00", {
        ruleName: "Tier 2 long call",
        ruleKey: "tier-2:tier-2-long-call",
        email: "t1@tier2.example.com",
        thresholdSeconds: 2700,
      }),
    ];
    const s = boardSnapshot(teamCfg, {
      channel: "C-T2",
      nowMs: NOW,
      counts: counts41(),
      open: records,
      due: [],
      everyMs: EVERY,
    });
    expect(boardModel(s).text).toBe(
      "Now stuck: 2 of 41 agents (Tier 2 long call 1, Long break 1) · as of 14:05",
    );
  });

  it("shows the status mix of the channel's agents", () => {
    expect(statusMix(counts41())).toBe("AVAILABLE 20 · BUSY 10 · AWAY 6 (LUNCH 4, NBK 2) · logged out 5");
    expect(boardModel(snap([])).mix).toBe("AVAILABLE 20 · BUSY 10 · AWAY 6 (LUNCH 4, NBK 2) · logged out 5");
  });

  it("shows 30 lines of 1,000 open alerts, then …and 970 more", () => {
    const records = Array.from({ length: 1000 }, (_, i) =>
      open(`u${String(i).padStart(4, "0")}`, "Long break", "13:00", { sinceMs: t("13:00") + i * 1000 }),
    );
    const model = boardModel(snap(records));
    expect(model.lines).toHaveLength(30);
    expect(model.more).toBe(970);
    expect(model.stuckCount).toBe(1000);
    expect(model.lines[0]?.userId).toBe("u0000");
    expect(model.text).toBe("Now stuck: 1000 of 41 agents (Long break 1000) · as of 14:05");
  });

  it("lists as coming up the agents whose first alert falls due within the next interval", () => {
    const seen = (userId: string) => ({
      userId,
      email: `${userId}@example.com`,
      name: `Agent ${userId}`,
      primaryStatus: "AWAY",
      secondaryStatus: "LUNCH",
    });
    const due = [
      {
        entry: { userId: "c2", email: "c2@example.com", at: "2023-03-10T14:09:00Z", kind: "fire" as const },
        agent: seen("c2"),
      },
      {
        entry: { userId: "c1", email: "c1@example.com", at: "2023-03-10T14:06:30Z", kind: "fire" as const },
        agent: seen("c1"),
      },
      {
        entry: { userId: "n1", email: "n1@example.com", at: "2023-03-10T14:06:00Z", kind: "nudge" as const },
        agent: seen("n1"),
      },
      {
        entry: { userId: "far", email: "far@example.com", at: "2023-03-10T14:11:00Z", kind: "fire" as const },
        agent: seen("far"),
      },
    ];
    const model = boardModel(snap([], due));
    expect(model.comingUp.map((c) => [c.userId, c.inMinutes])).toEqual([
      ["c1", 2],
      ["c2", 4],
    ]);
  });

  it("narrows both lists to a name or e-mail, case-insensitively", () => {
    const records = [
      open("priya", "Long break", "13:40", { name: "Priya Sharma" }),
      open("ravi", "Long break", "13:30"),
    ];
    const model = boardModel(snap(records), "SHARMA");
    expect(model.lines.map((l) => l.userId)).toEqual(["priya"]);
    expect(model.more).toBe(0);
    expect(model.filter).toBe("SHARMA");
    expect(boardModel(snap(records), "ravi@").lines.map((l) => l.userId)).toEqual(["ravi"]);
  });

  it("keys its content on lines and counts, not on the clock", () => {
    const records = [open("l1", "Long break", "13:40")];
    const a = boardModel(
      boardSnapshot(cfg, {
        channel: "C-DEFAULT",
        nowMs: NOW,
        counts: counts41(),
        open: records,
        due: [],
        everyMs: EVERY,
      }),
    );
    const b = boardModel(
      boardSnapshot(cfg, {
        channel: "C-DEFAULT",
        nowMs: NOW + 120_000,
        counts: counts41(),
        open: records,
        due: [],
        everyMs: EVERY,
      }),
    );
    expect(boardContentKey(a)).toBe(boardContentKey(b));
    const c = boardModel(snap([open("l1", "Long break", "13:40", { severity: "critical" })]));
    expect(boardContentKey(c)).not.toBe(boardContentKey(a));
  });
});

describe("when the board is drawn", () => {
  it("posts first, updates on a change, never twice a minute, and redraws the clock once an interval", () => {
    expect(boardCall(undefined, "k", NOW, EVERY)).toBe("post");
    const drawn = { channel: "C", ts: "1.1", drawnKey: "k", drawnMs: NOW };
    expect(boardCall(drawn, "k2", NOW + 30_000, EVERY)).toBe("none");
    expect(boardCall(drawn, "k2", NOW + 60_000, EVERY)).toBe("update");
    expect(boardCall(drawn, "k", NOW + 60_000, EVERY)).toBe("none");
    expect(boardCall(drawn, "k", NOW + 4 * 60_000, EVERY)).toBe("none");
    expect(boardCall(drawn, "k", NOW + EVERY, EVERY)).toBe("update");
  });
});

describe("the roster as last read, per page", () => {
  const page = (available: number, lunch = 0): ChannelCounts => {
    const c = emptyCounts();
    for (let i = 0; i < available; i++) countAgent(c, { primary: "AVAILABLE", secondary: "" });
    for (let i = 0; i < lunch; i++) countAgent(c, { primary: "AWAY", secondary: "LUNCH" });
    countAgent(c, undefined);
    return c;
  };

  it("replaces the pages a tick read, keeps the others, and drops pages past the roster's end", () => {
    const kept = new Map([
      [0, page(49)],
      [50, page(48, 1)],
      [100, page(10)],
    ]);
    const merged = mergePages(kept, new Map([[50, page(40, 9)]]), { whole: false, rosterEnd: 150 });
    expect([...merged.keys()]).toEqual([0, 50, 100]);
    expect(merged.get(50)).toEqual(page(40, 9));
    expect([...mergePages(kept, new Map([[0, page(5)]]), { whole: true }).keys()]).toEqual([0]);
    expect([...mergePages(kept, new Map(), { whole: false, rosterEnd: 100 }).keys()]).toEqual([0, 50]);
  });

  it("keeps the pages compact and reads them back exactly", () => {
    const pages = new Map(Array.from({ length: 240 }, (_, i) => [i * 50, page(30, i % 7)] as const));
    const encoded = encodePages(pages);
    expect(decodePages(encoded)).toEqual(pages);
    // 12,000 agents on 240 pages: a few KB, not one object per page.
    expect(JSON.stringify(encoded).length).toBeLessThan(6_000);
    expect(decodePages(undefined).size).toBe(0);
  });
});
