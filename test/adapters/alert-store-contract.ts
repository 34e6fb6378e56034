/**
 * The behaviour every AlertStore shares (memory, JSON file, DynamoDB), run against each of them, so
 * that what the use case relies on holds whichever store a run is given.
 */
import { describe, expect, it } from "vitest";
import type { AlertRecord } from "../../functions/domain/alert.js";
import type { BoardState } from "../../functions/domain/board.js";
import type { Cursor } from "../../functions/domain/coverage.js";
import type { AlertStore, BoardStore } from "../../functions/ports.js";

export const NOW_MS = Date.parse("2024-03-10T16:00:00.000Z");
export const NOW_S = NOW_MS / 1000;

let serial = 0;

/** A plausible open alert, unique per call unless `id` is given. */
export function makeRecord(overrides: Partial<AlertRecord> = {}): AlertRecord {
  serial += 1;
  const sinceMs = NOW_MS - 20 * 60_000;
  return {
    id: `u-${serial}#rule-0#${new Date(sinceMs).toISOString()}`,
    userId: `u-${serial}`,
    email: `agent${serial}@example.com`,
    name: `Agent ${serial}`,
    ruleKey: "rule-0",
    ruleName: "Long break",
    primaryStatus: "AWAY",
    secondaryStatus: "LUNCH",
    sinceMs,
    thresholdSeconds: 900,
    criticalSeconds: 1800,
    severity: "warning",
    state: "open",
    firedMs: NOW_MS,
    lastNotifiedMs: NOW_MS,
    channel: "C0123456789",
    version: 1,
    expiresAt: NOW_S + 7 * 24 * 3600,
    ...overrides,
  };
}

/** A backing store for one test; `open()` gives another instance on the same data (another run). */
export interface StoreHarness {
  open(): AlertStore & BoardStore;
}

/**
 * Runs the contract. `create(clock)` makes a fresh, empty backing store whose instances read the time
 * from `clock` (tests move it to let records expire).
 */
export function alertStoreContract(
  name: string,
  create: (clock: () => number) => Promise<StoreHarness>,
): void {
  describe(`${name}: AlertStore contract`, () => {
    async function setup(): Promise<{
      store: AlertStore & BoardStore;
      harness: StoreHarness;
      clock: { now: number };
    }> {
      const clock = { now: NOW_MS };
      const harness = await create(() => clock.now);
      return { store: harness.open(), harness, clock };
    }

    it("loads nothing from an empty store", async () => {
      // Prepare
      const { store } = await setup();
      // Act
      const records = await store.load();
      // Assess
      expect(records).toEqual([]);
    });

    it("creates a new record when none exists (expectedVersion null)", async () => {
      // Prepare
      const { store } = await setup();
      const record = makeRecord();
      // Act
      const written = await store.put(record, null);
      // Assess
      expect(written).toBe(true);
      expect(await store.load()).toEqual([record]);
    });

    it("gets one live record by id, a copy, and nothing for an unknown or expired id", async () => {
      // Prepare
      const { store, clock } = await setup();
      const record = makeRecord();
      await store.put(record, null);
      // Act
      const got = await store.get(record.id);
      const unknown = await store.get("u-unknown#Long break#2023-03-10T12:00:00.000Z");
      clock.now = record.expiresAt * 1000;
      const expired = await store.get(record.id);
      // Assess
      expect(got).toEqual(record);
      expect(unknown).toBeUndefined();
      expect(expired).toBeUndefined();
    });

    it("refuses to create a record whose id is already live", async () => {
      // Prepare
      const { store } = await setup();
      const record = makeRecord();
      await store.put(record, null);
      // Act
      const written = await store.put({ ...record, slackTs: "1700000000.000100" }, null);
      // Assess
      expect(written).toBe(false);
      expect(await store.load()).toEqual([record]);
    });

    it("updates a record holding the expected version", async () => {
      // Prepare
      const { store } = await setup();
      const record = makeRecord();
      await store.put(record, null);
      const next = { ...record, version: 2, slackTs: "1700000000.000100", severity: "critical" as const };
      // Act
      const written = await store.put(next, 1);
      // Assess
      expect(written).toBe(true);
      expect(await store.load()).toEqual([next]);
    });

    it("refuses an update whose expected version is stale", async () => {
      // Prepare
      const { store } = await setup();
      const record = makeRecord();
      await store.put(record, null);
      await store.put({ ...record, version: 2 }, 1);
      // Act
      const written = await store.put({ ...record, version: 2, state: "resolved" }, 1);
      // Assess
      expect(written).toBe(false);
      expect(await store.load()).toEqual([{ ...record, version: 2 }]);
    });

    it("refuses an update of a record that does not exist", async () => {
      // Prepare
      const { store } = await setup();
      // Act
      const written = await store.put(makeRecord({ version: 2 }), 1);
      // Assess
      expect(written).toBe(false);
      expect(await store.load()).toEqual([]);
    });

    it("keeps records with different ids apart", async () => {
      // Prepare
      const { store } = await setup();
      const a = makeRecord();
      const b = makeRecord();
      // Act
      const results = [await store.put(a, null), await store.put(b, null)];
      // Assess
      expect(results).toEqual([true, true]);
      expect(byId(await store.load())).toEqual(byId([a, b]));
    });

    it("does not load records once their expiry second has come", async () => {
      // Prepare
      const { store, clock } = await setup();
      const soon = makeRecord({ expiresAt: NOW_S + 60 });
      const later = makeRecord({ expiresAt: NOW_S + 3600 });
      await store.put(soon, null);
      await store.put(later, null);
      // Act
      const before = await store.load();
      clock.now = NOW_MS + 60_000; // exactly soon's expiry
      const after = await store.load();
      // Assess
      expect(byId(before)).toEqual(byId([soon, later]));
      expect(after).toEqual([later]);
    });

    it("treats an expired leftover as absent when creating", async () => {
      // Prepare
      const { store, clock } = await setup();
      const old = makeRecord({ expiresAt: NOW_S + 60 });
      await store.put(old, null);
      clock.now = NOW_MS + 120_000;
      const fresh = { ...old, version: 1, firedMs: clock.now, expiresAt: NOW_S + 7200 };
      // Act
      const written = await store.put(fresh, null);
      // Assess
      expect(written).toBe(true);
      expect(await store.load()).toEqual([fresh]);
    });

    it("refuses to update an expired record, even at the expected version", async () => {
      // Prepare
      const { store, clock } = await setup();
      const old = makeRecord({ expiresAt: NOW_S + 60 });
      await store.put(old, null);
      clock.now = NOW_MS + 120_000;
      // Act
      const written = await store.put({ ...old, version: 2, expiresAt: NOW_S + 7200 }, 1);
      // Assess
      expect(written).toBe(false);
      expect(await store.load()).toEqual([]);
    });

    it("keeps absent optional attributes absent", async () => {
      // Prepare
      const { store } = await setup();
      const record = makeRecord({ slackTs: undefined, endedMs: undefined, resolveNotified: undefined });
      // Act
      await store.put(record, null);
      const [loaded] = await store.load();
      // Assess
      expect(loaded).toBeDefined();
      expect(Object.keys(loaded ?? {})).not.toContain("slackTs");
      expect(Object.keys(loaded ?? {})).not.toContain("endedMs");
      expect(loaded?.channel).toBe("C0123456789");
    });

    it("hands out copies: changing a loaded record changes nothing stored", async () => {
      // Prepare
      const { store } = await setup();
      const record = makeRecord();
      await store.put(record, null);
      const [loaded] = await store.load();
      // Act
      if (loaded) loaded.severity = "critical";
      record.state = "resolved";
      // Assess
      expect((await store.load())[0]?.severity).toBe("warning");
      expect((await store.load())[0]?.state).toBe("open");
    });

    it("loads every record of a large set", async () => {
      // Prepare
      const { store } = await setup();
      const records = Array.from({ length: 60 }, () => makeRecord());
      // Act
      for (const r of records) await store.put(r, null);
      const loaded = await store.load();
      // Assess
      expect(loaded).toHaveLength(60);
      expect(byId(loaded)).toEqual(byId(records));
    });

    it("lets exactly one of two concurrent runs create the same record", async () => {
      // Prepare
      const { harness } = await setup();
      const [runA, runB] = [harness.open(), harness.open()];
      const records = Array.from({ length: 10 }, () => makeRecord());
      // Act
      const outcomes = await Promise.all(
        records.map((r) => Promise.all([runA.put(r, null), runB.put({ ...r, channel: "C-B" }, null)])),
      );
      // Assess
      for (const pair of outcomes) expect(pair.filter(Boolean)).toHaveLength(1);
      const loaded = byId(await runA.load());
      expect(Object.keys(loaded)).toHaveLength(10);
      records.forEach((r, i) => {
        const winnerIsB = outcomes[i]?.[1] === true;
        expect(loaded[r.id]?.channel).toBe(winnerIsB ? "C-B" : "C0123456789");
      });
    });

    it("lets exactly one of two concurrent runs update the same version", async () => {
      // Prepare
      const { harness } = await setup();
      const [runA, runB] = [harness.open(), harness.open()];
      const record = makeRecord();
      await runA.put(record, null);
      const fromA = { ...record, version: 2, severity: "critical" as const };
      const fromB = { ...record, version: 2, state: "resolved" as const };
      // Act
      const [a, b] = await Promise.all([runA.put(fromA, 1), runB.put(fromB, 1)]);
      // Assess
      expect([a, b].filter(Boolean)).toHaveLength(1);
      expect(await runB.load()).toEqual([a ? fromA : fromB]);
    });

    it("holds no cursor until one is saved, then hands it back to another run", async () => {
      // Prepare
      const { store, harness } = await setup();
      const cursor: Cursor = {
        nextOffset: 500,
        rosterPages: null,
        complete: false,
        pagesRead: 10,
        updatedMs: NOW_MS,
      };
      // Act
      const before = await store.loadCursor();
      await store.saveCursor(cursor);
      // Assess
      expect(before).toBeUndefined();
      expect(await harness.open().loadCursor()).toEqual(cursor);
    });

    it("keeps the cursor apart from the alerts: load() never returns it, put() never loses it", async () => {
      // Prepare
      const { store } = await setup();
      const cursor: Cursor = {
        nextOffset: 250,
        rosterPages: 12,
        complete: false,
        pagesRead: 5,
        updatedMs: NOW_MS,
      };
      const record = makeRecord();
      // Act
      await store.saveCursor(cursor);
      await store.put(record, null);
      await store.put({ ...record, version: 2 }, 1);
      // Assess
      expect(await store.load()).toEqual([{ ...record, version: 2 }]);
      expect(await store.loadCursor()).toEqual(cursor);
    });

    it("keeps each channel's board apart from the alerts, for another run to read back", async () => {
      // Prepare
      const { store, harness } = await setup();
      const record = makeRecord();
      const counts = { agents: 41, primary: { AVAILABLE: 40, AWAY: 1 }, away: { LUNCH: 1 }, loggedOut: 0 };
      const board: BoardState = {
        channel: "C0123456789",
        ts: "1710086400.000100",
        drawnKey: "0badc0de-42",
        drawnMs: NOW_MS,
        pages: { legend: ["P:AVAILABLE", "P:AWAY", "A:LUNCH"], rows: [[0, 41, 0, 40, 1, 1]] },
        snapshot: {
          channel: "C0123456789",
          asOfMs: NOW_MS,
          asOf: "21:30",
          counts,
          rules: [{ name: "Long break", count: 1 }],
          stuck: [],
          stuckCount: 1,
          comingUp: [],
          comingUpCount: 0,
        },
      };
      // Act
      const before = await store.loadBoards(["C0123456789"]);
      await store.put(record, null);
      await store.saveBoard(board);
      await store.saveBoard({ channel: "C0TEAM", drawnMs: NOW_MS });
      await store.saveBoard({ ...board, ts: "1710086400.000200" });
      // Assess
      expect(before).toEqual([]);
      const other = harness.open();
      expect(await other.loadBoards(["C0123456789", "C0NONE"])).toEqual([
        { ...board, ts: "1710086400.000200" },
      ]);
      expect(await other.loadBoards(["C0TEAM"])).toEqual([{ channel: "C0TEAM", drawnMs: NOW_MS }]);
      expect(await other.load()).toEqual([record]);
    });

    it("lets the last cursor written win", async () => {
      // Prepare
      const { harness } = await setup();
      const [runA, runB] = [harness.open(), harness.open()];
      const first: Cursor = {
        nextOffset: 100,
        rosterPages: null,
        complete: false,
        pagesRead: 2,
        updatedMs: NOW_MS,
      };
      const second: Cursor = {
        nextOffset: 0,
        rosterPages: 4,
        complete: true,
        pagesRead: 4,
        updatedMs: NOW_MS + 1,
      };
      // Act
      await runA.saveCursor(first);
      await runB.saveCursor(second);
      // Assess
      expect(await runA.loadCursor()).toEqual(second);
    });
  });
}

export function byId(records: AlertRecord[]): Record<string, AlertRecord> {
  return Object.fromEntries(records.map((r) => [r.id, r]));
}
