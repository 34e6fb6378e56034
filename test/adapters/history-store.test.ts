/**
 * The HistoryStore every state store implements (memory, JSON file, DynamoDB on dynalite): ended
 * episodes kept beside the alert state, found by local start date, never loaded as open alerts.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALERT_TABLE, DynamoDbAlertStore } from "../../functions/adapters/state/dynamodb-store.js";
import { JsonFileAlertStore } from "../../functions/adapters/state/json-file-store.js";
import { MemoryAlertStore } from "../../functions/adapters/state/memory-store.js";
import { type HistoryEntry, historyEntryFor } from "../../functions/domain/history.js";
import type { AlertStore, HistoryStore } from "../../functions/ports.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
import { makeRecord, NOW_MS } from "./alert-store-contract.js";

type Store = AlertStore & HistoryStore;
const ZONE = "Asia/Kolkata";
const RETENTION = 35 * 86_400;

let local: LocalDynamo;
const dirs: string[] = [];

beforeAll(async () => {
  local = await startDynalite();
});

afterAll(async () => {
  await local.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), "asa-history-"));
  dirs.push(dir);
  return join(dir, "state.json");
}

/** An ended episode that started `hoursAgo` before NOW (16:00Z = 21:30 in Kolkata). */
function ended(hoursAgo: number, overrides: Partial<Parameters<typeof makeRecord>[0]> = {}): HistoryEntry {
  const sinceMs = NOW_MS - hoursAgo * 3_600_000;
  const record = makeRecord({
    sinceMs,
    firedMs: sinceMs + 15 * 60_000,
    state: "resolved",
    endedMs: sinceMs + 40 * 60_000,
    ...overrides,
  });
  return historyEntryFor(record, ZONE, RETENTION);
}

const stores: Array<[string, () => Promise<Store>]> = [
  ["MemoryAlertStore", async () => new MemoryAlertStore({ nowMs: NOW_MS })],
  ["JsonFileAlertStore", async () => new JsonFileAlertStore(tempPath(), { nowMs: NOW_MS })],
  [
    "DynamoDbAlertStore",
    async () =>
      new DynamoDbAlertStore({
        tableName: await local.createAlertTable(),
        client: local.client,
        nowMs: NOW_MS,
        scanPageSize: 3,
      }),
  ],
];

describe.each(stores)("%s: HistoryStore", (_name, create) => {
  it("finds a day's ended episodes by their local start date, and only those", async () => {
    // Prepare
    const store = await create();
    const today = ended(2); // 19:30 local, 2024-03-10
    const lateLastNight = ended(22.25); // 23:15 local on 2024-03-09, crossed midnight
    const yesterday = ended(30);
    // Act
    for (const e of [today, lateLastNight, yesterday]) await store.record(e);
    const onTenth = await store.historyOn("2024-03-10");
    const onNinth = await store.historyOn("2024-03-09");
    // Assess
    expect(onTenth).toEqual([today]);
    expect(onNinth.map((e) => e.id).sort()).toEqual([lateLastNight.id, yesterday.id].sort());
    expect(await store.historyOn("2024-03-11")).toEqual([]);
  });

  it("keeps one entry per episode however often it is written", async () => {
    // Prepare
    const store = await create();
    const entry = ended(2);
    // Act
    await store.record(entry);
    await store.record({ ...entry, acknowledgedBy: "U0ACK", acknowledgedMs: entry.firedMs + 60_000 });
    // Assess
    const day = await store.historyOn(entry.localDate);
    expect(day).toHaveLength(1);
    expect(day[0]?.acknowledgedBy).toBe("U0ACK");
  });

  it("keeps the Slack actions and the excuse with the entry", async () => {
    // Prepare
    const store = await create();
    const entry = ended(3, {
      excusedBy: "U0SUP",
      excusedMs: NOW_MS - 2.5 * 3_600_000,
      snoozes: [{ by: "U0SUP", atMs: NOW_MS - 2.9 * 3_600_000, untilMs: NOW_MS - 2.6 * 3_600_000 }],
    });
    // Act
    await store.record(entry);
    // Assess
    const [back] = await store.historyOn(entry.localDate);
    expect(back).toEqual(entry);
    expect(back?.excused).toBe(true);
  });

  it("never hands history to the check run's load(), and alert writes keep the history", async () => {
    // Prepare
    const store = await create();
    const open = makeRecord();
    const entry = ended(2);
    // Act
    await store.record(entry);
    await store.put(open, null);
    await store.put({ ...open, version: 2 }, 1);
    // Assess
    expect((await store.load()).map((r) => r.id)).toEqual([open.id]);
    expect(await store.historyOn(entry.localDate)).toEqual([entry]);
  });
});

describe("JsonFileAlertStore history in the file", () => {
  it("loads an older state file without `history` as having none", async () => {
    // Prepare
    const path = tempPath();
    const open = makeRecord();
    writeFileSync(path, JSON.stringify({ version: 1, alerts: [open] }));
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    // Act
    const history = await store.historyOn("2024-03-10");
    const alerts = await store.load();
    // Assess
    expect(history).toEqual([]);
    expect(alerts).toEqual([open]);
  });

  it("writes history as a top-level array beside alerts, and drops entries past their retention", async () => {
    // Prepare
    const path = tempPath();
    const old = ended(24 * 40); // ended 40 days ago: past a 35-day retention
    const recent = ended(2);
    // Act
    await new JsonFileAlertStore(path, { nowMs: NOW_MS - 40 * 86_400_000 }).record(old);
    await new JsonFileAlertStore(path, { nowMs: NOW_MS }).record(recent);
    // Assess
    const file = JSON.parse(readFileSync(path, "utf8")) as {
      version: number;
      alerts: unknown[];
      history: HistoryEntry[];
    };
    expect(file.version).toBe(1);
    expect(file.alerts).toEqual([]);
    expect(file.history.map((e) => e.id)).toEqual([recent.id]);
  });
});

describe("DynamoDbAlertStore history items", () => {
  it("are separate items keyed apart from the alert, carrying the index key and a TTL", async () => {
    // Prepare
    const tableName = await local.createAlertTable();
    const store = new DynamoDbAlertStore({ tableName, client: local.client, nowMs: NOW_MS });
    const record = makeRecord({ state: "resolved", endedMs: NOW_MS });
    const entry = historyEntryFor(record, ZONE, RETENTION);
    // Act
    await store.put(record, null);
    await store.record(entry);
    // Assess
    const all = await DynamoDBDocumentClient.from(local.client).send(
      new ScanCommand({ TableName: tableName }),
    );
    const history = all.Items?.find((i) => String(i.id).startsWith("history#"));
    expect(all.Items).toHaveLength(2);
    expect(history?.[ALERT_TABLE.historyIndex.partitionKey]).toBe(entry.localDate);
    expect(history?.expiresAt).toBe(Math.floor(NOW_MS / 1000) + RETENTION);
    expect(history?.alertId).toBe(record.id);
  });
});
