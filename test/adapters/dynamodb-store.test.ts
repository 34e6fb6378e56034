import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbRateLimiter } from "../../functions/adapters/state/dynamodb-rate-limiter.js";
import {
  ALERT_TABLE,
  CURSOR_ID,
  DynamoDbAlertStore,
  historyItemOf,
  RESERVED_ID_PREFIX,
} from "../../functions/adapters/state/dynamodb-store.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { historyEntryFor } from "../../functions/domain/history.js";
import {
  countingClient,
  type LocalDynamo,
  startDynalite,
  writeAll as writeItems,
} from "../fakes/dynalite.js";
import { alertStoreContract, byId, makeRecord, NOW_MS, NOW_S } from "./alert-store-contract.js";

let local: LocalDynamo;
let client: DynamoDBClient;

beforeAll(async () => {
  local = await startDynalite();
  client = local.client;
});

afterAll(async () => {
  await local.close();
});

/** A fresh table shaped as the stack makes it (partition key `id`). */
const createTable = () => local.createAlertTable();

alertStoreContract("DynamoDbAlertStore", async (clock) => {
  const tableName = await createTable();
  // A small scan page, so that the contract's larger sets are read over several pages.
  return { open: () => new DynamoDbAlertStore({ tableName, client, nowMs: clock, scanPageSize: 7 }) };
});

describe("DynamoDbAlertStore", () => {
  it("keeps the cursor as its own item, id #cursor, with an expiry, that load() skips", async () => {
    // Prepare
    const tableName = await createTable();
    const store = new DynamoDbAlertStore({ tableName, client, nowMs: NOW_MS });
    const cursor = { nextOffset: 750, rosterPages: 40, complete: false, pagesRead: 15, updatedMs: NOW_MS };
    // Act
    await store.saveCursor(cursor);
    // Assess
    const item = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { id: { S: CURSOR_ID } }, ConsistentRead: true }),
    );
    expect(item.Item?.nextOffset).toEqual({ N: "750" });
    expect(Number(item.Item?.expiresAt?.N)).toBeGreaterThan(NOW_S);
    expect(await store.load()).toEqual([]);
    expect(await store.loadCursor()).toEqual(cursor);
  });

  it("stores plain attributes, leaving undefined ones out, even given a bare DocumentClient", async () => {
    // Prepare
    const tableName = await createTable();
    const doc = DynamoDBDocumentClient.from(client); // no removeUndefinedValues
    const store = new DynamoDbAlertStore({ tableName, client: doc, nowMs: NOW_MS });
    const record = makeRecord({ slackTs: undefined });
    // Act
    const written = await store.put(record, null);
    // Assess
    expect(written).toBe(true);
    const raw = await client.send(
      new GetItemCommand({ TableName: tableName, Key: { id: { S: record.id } } }),
    );
    expect(raw.Item?.expiresAt).toEqual({ N: String(record.expiresAt) });
    expect(raw.Item?.version).toEqual({ N: "1" });
    expect(raw.Item && "slackTs" in raw.Item).toBe(false);
  });

  it("does not load items TTL has not deleted yet but that have expired", async () => {
    // Prepare
    const tableName = await createTable();
    const live = makeRecord();
    const expired = makeRecord({ expiresAt: NOW_S - 3600 });
    for (const r of [live, expired]) {
      await DynamoDBDocumentClient.from(client).send(new PutCommand({ TableName: tableName, Item: r }));
    }
    const store = new DynamoDbAlertStore({ tableName, client, nowMs: NOW_MS });
    // Act
    const loaded = await store.load();
    // Assess
    expect(loaded).toEqual([live]);
  });

  it("loadSome reads the live records among the ids by key, 100 a request, leaving out missing, expired and reserved ones", async () => {
    // Prepare: 250 live records, one expired, one history item; 600 records the re-check does not name.
    const tableName = await createTable();
    const doc = DynamoDBDocumentClient.from(client);
    const named = Array.from({ length: 250 }, () => makeRecord());
    const expired = makeRecord({ expiresAt: NOW_S - 60 });
    const others = Array.from({ length: 600 }, () => makeRecord());
    const history = historyItem(1);
    for (const item of [...named, expired, ...others, history])
      await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    const counted = countingClient(local);
    const store = new DynamoDbAlertStore({ tableName, client: counted.client, nowMs: NOW_MS });
    const ids = [
      ...named.map((r) => r.id),
      expired.id,
      String(history.id),
      CURSOR_ID,
      "u-nobody#rule-0#x",
      named[0]?.id ?? "",
    ];

    // Act
    const loaded = await store.loadSome(ids);

    // Assess: exactly the named live ones, in 3 requests (254 distinct keys less the reserved one),
    // consistent reads of ~1 unit a small item, far below a scan of every live record.
    expect(byId(loaded)).toEqual(byId(named));
    expect(store.lastLoadPath).toBe("by-id");
    expect(counted.units.requests.BatchGetItem).toBe(3);
    expect(counted.units.read).toBeLessThanOrEqual(260);
    const scanUnits = counted.units.read;
    await store.load();
    expect(counted.units.read - scanUnits).toBeGreaterThan(0);
    expect(await store.loadSome([])).toEqual([]);
    counted.client.destroy();
  }, 60_000);

  it("an ended episode that owes nothing leaves the live index: load() skips it, get() reads it, its id refuses a claim", async () => {
    // Prepare: 300 resolved and shown, 300 averted; one resolved whose resolve is still owed; one resolved
    // roll-up member; one open alert.
    const tableName = await createTable();
    const counted = countingClient(local);
    const store = new DynamoDbAlertStore({ tableName, client: counted.client, nowMs: NOW_MS });
    const ended = { state: "resolved" as const, endedMs: NOW_MS - 60_000, channel: "C1", slackTs: "1.1" };
    const settled = [
      ...Array.from({ length: 300 }, () => makeRecord({ ...ended, resolveNotified: true })),
      ...Array.from({ length: 300 }, () => makeRecord({ state: "averted", endedMs: NOW_MS - 60_000 })),
    ];
    const owed = makeRecord({ ...ended });
    const member = makeRecord({ ...ended, resolveNotified: true, rollupId: "rollup#1", rollupTs: "2.2" });
    const open = makeRecord();
    const before = counted.units.read;
    await store.put(open, null);
    await store.put(owed, null);
    await store.put(member, null);
    const withoutSettled = await store.load();
    const unitsWithout = counted.units.read - before;
    for (const r of settled) expect(await store.put(r, null)).toBe(true);

    // Act
    const mid = counted.units.read;
    const loaded = await store.load();
    const unitsWith = counted.units.read - mid;

    // Assess
    expect(byId(loaded)).toEqual(byId([open, owed, member]));
    expect(byId(withoutSettled)).toEqual(byId(loaded));
    expect(unitsWith).toBeLessThanOrEqual(unitsWithout * 1.1 + 0.5);
    const first = settled[0] as AlertRecord;
    expect(await store.get(first.id)).toEqual(first);
    expect(await store.get(settled[300]?.id ?? "")).toMatchObject({ state: "averted" });
    expect(await store.put({ ...first, state: "open", version: 1 }, null)).toBe(false);
    expect(await store.loadSome([first.id, owed.id])).toEqual([owed]);
    // Its resolve shown later, the owed one leaves too.
    expect(await store.put({ ...owed, resolveNotified: true, version: owed.version + 1 }, owed.version)).toBe(
      true,
    );
    expect(byId(await store.load())).toEqual(byId([open, member]));
    counted.client.destroy();
  }, 60_000);

  it("claims each of many new records exactly once across many concurrent runs", async () => {
    // Prepare
    const tableName = await createTable();
    const runs = Array.from(
      { length: 4 },
      () => new DynamoDbAlertStore({ tableName, client, nowMs: NOW_MS }),
    );
    const records = Array.from({ length: 20 }, () => makeRecord());
    // Act
    const outcomes = await Promise.all(records.map((r) => Promise.all(runs.map((run) => run.put(r, null)))));
    // Assess
    for (const perRecord of outcomes) expect(perRecord.filter(Boolean)).toHaveLength(1);
    expect(byId((await runs[0]?.load()) ?? [])).toEqual(byId(records));
  });

  it("throws a message naming the table when it does not exist", async () => {
    // Prepare
    const store = new DynamoDbAlertStore({ tableName: "no-such-table", client, nowMs: NOW_MS });
    // Act
    const loading = store.load();
    const putting = store.put(makeRecord({ id: "x" }), null);
    // Assess
    await expect(loading).rejects.toThrow(
      /^Cannot read alerts from DynamoDB table no-such-table: ResourceNotFoundException/,
    );
    await expect(putting).rejects.toThrow(
      /^Cannot write alert x to DynamoDB table no-such-table: ResourceNotFoundException/,
    );
  });

  it("refuses to load an item that is not an alert record, naming it", async () => {
    // Prepare: it has a state, so it is in the live index, but nothing else a record needs
    const tableName = await createTable();
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { id: { S: "junk" }, state: { S: "open" }, expiresAt: { N: String(NOW_S + 60) } },
      }),
    );
    const store = new DynamoDbAlertStore({ tableName, client, nowMs: NOW_MS });
    // Act
    const loading = store.load();
    // Assess
    await expect(loading).rejects.toThrow(
      `DynamoDB table ${tableName} holds an item that is not an alert record`,
    );
    await expect(loading).rejects.toThrow('"junk"');
  });
});

describe("DynamoDbAlertStore requests", () => {
  it("sends the conditions and an eventually consistent, filtered, paginated scan of the live index", async () => {
    // Prepare
    const mock = mockClient(DynamoDBDocumentClient);
    const record = makeRecord();
    mock
      .on(ScanCommand)
      .resolvesOnce({ Items: [record], LastEvaluatedKey: { id: record.id, state: "open" } })
      .resolvesOnce({ Items: [] });
    mock.on(PutCommand).resolves({});
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
    const store = new DynamoDbAlertStore({ tableName: "alerts", client: doc, nowMs: NOW_MS + 999 });
    // Act
    const loaded = await store.load();
    await store.put(record, null);
    await store.put({ ...record, version: 2 }, 1);
    // Assess
    expect(loaded).toEqual([record]);
    const scans = mock.commandCalls(ScanCommand).map((c) => c.args[0].input);
    expect(scans).toHaveLength(2);
    expect(scans[0]).toMatchObject({
      TableName: "alerts",
      IndexName: "live-records",
      // The store's own items (`#` ids: the cursor, the boards, the rate window) have no `state`, so
      // they are not in the index; the filter would skip one anyway, never parsed as an alert.
      FilterExpression: "#exp > :now AND NOT begins_with(#id, :reserved)",
      ExpressionAttributeValues: { ":now": NOW_S, ":reserved": RESERVED_ID_PREFIX },
    });
    // A global secondary index cannot be read consistently: half the read units.
    expect(scans[0]?.ConsistentRead).toBeUndefined();
    expect(scans[1]?.ExclusiveStartKey).toEqual({ id: record.id, state: "open" });
    expect(store.lastLoadPath).toBe("live-index");
    const puts = mock.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(puts[0]).toMatchObject({
      ConditionExpression: "attribute_not_exists(#id) OR #exp <= :now",
      ExpressionAttributeNames: { "#id": "id", "#exp": "expiresAt" },
      ExpressionAttributeValues: { ":now": NOW_S },
    });
    expect(puts[1]).toMatchObject({
      ConditionExpression: "#v = :expected AND #exp > :now",
      ExpressionAttributeValues: { ":expected": 1, ":now": NOW_S },
    });
    mock.restore();
  });

  it("reads the table with a consistent scan while the live index is still being built", async () => {
    // Prepare
    const mock = mockClient(DynamoDBDocumentClient);
    const record = makeRecord();
    const backfilling = Object.assign(
      new Error("Cannot read from backfilling global secondary index: live-records"),
      { name: "ValidationException" },
    );
    mock.on(ScanCommand).callsFake((input: { IndexName?: string }) => {
      if (input.IndexName !== undefined) throw backfilling;
      return { Items: [record] };
    });
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
    const store = new DynamoDbAlertStore({ tableName: "alerts", client: doc, nowMs: NOW_MS });
    // Act
    const loaded = await store.load();
    // Assess
    expect(loaded).toEqual([record]);
    expect(store.lastLoadPath).toBe("table-scan");
    const fallback = mock.commandCalls(ScanCommand).map((c) => c.args[0].input)[1];
    expect(fallback).toMatchObject({
      TableName: "alerts",
      ConsistentRead: true,
      FilterExpression:
        "#exp > :now AND attribute_exists(#st) AND NOT begins_with(#id, :reserved) AND attribute_not_exists(#hd)",
    });
    expect(fallback?.IndexName).toBeUndefined();
    mock.restore();
  });

  it("does not fall back on other errors", async () => {
    // Prepare
    const mock = mockClient(DynamoDBDocumentClient);
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    mock.on(ScanCommand).rejects(throttled);
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
    const store = new DynamoDbAlertStore({ tableName: "alerts", client: doc, nowMs: NOW_MS });
    // Act
    const loading = store.load();
    // Assess
    await expect(loading).rejects.toThrow(
      "Cannot read alerts from DynamoDB table alerts: ThrottlingException: Rate exceeded",
    );
    expect(mock.commandCalls(ScanCommand)).toHaveLength(1);
    mock.restore();
  });

  it("reports a failed condition as false and rethrows anything else", async () => {
    // Prepare
    const mock = mockClient(DynamoDBDocumentClient);
    const conditionFailed = Object.assign(new Error("The conditional request failed"), {
      name: "ConditionalCheckFailedException",
    });
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
    mock.on(PutCommand).rejectsOnce(conditionFailed).rejectsOnce(throttled);
    const doc = DynamoDBDocumentClient.from(new DynamoDBClient({ region: "us-east-1" }));
    const store = new DynamoDbAlertStore({ tableName: "alerts", client: doc, nowMs: NOW_MS });
    // Act
    const first = await store.put(makeRecord({ id: "a" }), null);
    const second = store.put(makeRecord({ id: "b" }), null);
    // Assess
    expect(first).toBe(false);
    await expect(second).rejects.toThrow(
      "Cannot write alert b to DynamoDB table alerts: ThrottlingException: Rate exceeded",
    );
    mock.restore();
  });
});

/** An ended episode's history item, as record() writes it, `daysAgo` days before NOW. */
function historyItem(daysAgo: number): Record<string, unknown> {
  const sinceMs = NOW_MS - daysAgo * 86_400_000;
  const record = makeRecord({
    sinceMs,
    firedMs: sinceMs + 15 * 60_000,
    state: "resolved",
    endedMs: sinceMs + 40 * 60_000,
    acknowledgedBy: "U0123ABCD",
    acknowledgedMs: sinceMs + 20 * 60_000,
  });
  return historyItemOf(historyEntryFor(record, "Asia/Kolkata", 35 * 86_400));
}

/** Writes items 25 a request (BatchWriteItem's limit), several requests at once. */
function writeAll(tableName: string, items: Array<Record<string, unknown>>): Promise<void> {
  return writeItems(DynamoDBDocumentClient.from(client), tableName, items);
}

/** What a center's table holds besides history: open alerts and resolved records still kept. */
function liveRecords(): AlertRecord[] {
  return [
    ...Array.from({ length: 50 }, () => makeRecord({ slackTs: "1700000000.000100" })),
    ...Array.from({ length: 100 }, () =>
      makeRecord({
        state: "resolved",
        endedMs: NOW_MS - 3_600_000,
        slackTs: "1700000000.000200",
        resolveNotified: true,
        expiresAt: NOW_S + 86_400,
      }),
    ),
  ];
}

describe("DynamoDbAlertStore: live records apart from history", () => {
  it("reads the same units in load() with 0 and with 10,000 history items", async () => {
    // Prepare: two tables with the same live records, one of them with 35 days of ~290 episodes (the
    // bench's cost section measures 35,000 through the Lambda bundle; writing them here would take a minute)
    const records = liveRecords();
    const empty = await createTable();
    const full = await createTable();
    await writeAll(
      empty,
      records.map((r) => ({ ...r })),
    );
    await writeAll(full, [
      ...records.map((r) => ({ ...r })),
      ...Array.from({ length: 10_000 }, (_, i) => historyItem(1 + (i % 35))),
    ]);
    await new DynamoDbAlertStore({ tableName: full, client, nowMs: NOW_MS }).saveCursor({
      nextOffset: 0,
      rosterPages: 240,
      complete: true,
      pagesRead: 240,
      updatedMs: NOW_MS,
    });
    const counted = countingClient(local);
    const measure = async (tableName: string) => {
      const before = counted.units.read;
      const store = new DynamoDbAlertStore({ tableName, client: counted.client, nowMs: NOW_MS });
      const loaded = await store.load();
      return { loaded, units: counted.units.read - before, path: store.lastLoadPath };
    };
    // Act
    const withoutHistory = await measure(empty);
    const withHistory = await measure(full);
    // Assess
    expect(byId(withHistory.loaded)).toEqual(byId(records));
    expect(byId(withoutHistory.loaded)).toEqual(byId(records));
    expect(withHistory.path).toBe("live-index");
    expect(withoutHistory.units).toBeGreaterThan(0);
    expect(withHistory.units / withoutHistory.units).toBeGreaterThanOrEqual(0.9);
    expect(withHistory.units / withoutHistory.units).toBeLessThanOrEqual(1.1);
    counted.client.destroy();
  }, 120_000);

  it("loads alert records the previous version wrote, from the live index, and never its history", async () => {
    // Prepare: items exactly as the store before the live index wrote them, straight into the table
    // (DynamoDB fills a new index from the items already in the table, as dynalite does on write)
    const tableName = await createTable();
    const open = makeRecord();
    const nudged = makeRecord({ state: "nudged", nudgedMs: NOW_MS });
    const doc = DynamoDBDocumentClient.from(client);
    for (const item of [open, nudged, historyItem(0), historyItem(3)]) {
      await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    }
    await doc.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          id: CURSOR_ID,
          nextOffset: 50,
          rosterPages: 3,
          complete: false,
          pagesRead: 1,
          updatedMs: NOW_MS,
          expiresAt: NOW_S + 60,
        },
      }),
    );
    const store = new DynamoDbAlertStore({ tableName, client, nowMs: NOW_MS });
    // Act
    const loaded = await store.load();
    // Assess
    expect(store.lastLoadPath).toBe("live-index");
    expect(byId(loaded)).toEqual(byId([open, nudged]));
    const indexed = await doc.send(
      new ScanCommand({ TableName: tableName, IndexName: ALERT_TABLE.liveIndex.name }),
    );
    expect(indexed.Items?.map((i) => i.id).sort()).toEqual([open.id, nudged.id].sort());
  });

  it("on a table made before the live index, reads every open alert with a consistent scan", async () => {
    // Prepare: the table as the previous stack made it, with the previous version's items
    const tableName = await local.createAlertTable({ liveIndex: false });
    const open = makeRecord();
    const doc = DynamoDBDocumentClient.from(client);
    for (const item of [open, historyItem(1)])
      await doc.send(new PutCommand({ TableName: tableName, Item: item }));
    const store = new DynamoDbAlertStore({ tableName, client, nowMs: NOW_MS });
    await store.saveCursor({
      nextOffset: 0,
      rosterPages: 1,
      complete: true,
      pagesRead: 1,
      updatedMs: NOW_MS,
    });
    // Act
    const loaded = await store.load();
    const written = await store.put({ ...open, version: 2, slackTs: "1700000000.000300" }, 1);
    // Assess
    expect(store.lastLoadPath).toBe("table-scan");
    expect(loaded).toEqual([open]);
    expect(written).toBe(true);
    expect(await store.load()).toEqual([{ ...open, version: 2, slackTs: "1700000000.000300" }]);
  });

  it.each([
    { liveIndex: true, path: "live-index" },
    { liveIndex: false, path: "table-scan" },
  ])(
    "loads none of the store's own `#` items (cursor, boards, rate window) via the $path",
    async ({ liveIndex, path }) => {
      // Prepare: an open alert beside every kind of `#` item the table holds
      const tableName = await local.createAlertTable({ liveIndex });
      const store = new DynamoDbAlertStore({ tableName, client, nowMs: NOW_MS });
      const open = makeRecord();
      await store.put(open, null);
      await store.saveCursor({
        nextOffset: 0,
        rosterPages: 1,
        complete: true,
        pagesRead: 1,
        updatedMs: NOW_MS,
      });
      await store.saveBoard({ channel: "C-OPS", ts: "1700000000.000100", drawnKey: "k", drawnMs: NOW_MS });
      expect(await store.claimBoardPost("C-NEW", "run-1", NOW_MS + 60_000, NOW_MS)).toBe(true);
      const limiter = new DynamoDbRateLimiter({ tableName, client, nowMs: () => NOW_MS });
      await limiter.reserve({ count: 3, perMinute: 50, notAfterMs: NOW_MS + 1, class: "priority" });
      const items = await DynamoDBDocumentClient.from(client).send(
        new ScanCommand({ TableName: tableName, ConsistentRead: true }),
      );
      const reserved = items.Items?.map((i) => String(i.id)).filter((id) =>
        id.startsWith(RESERVED_ID_PREFIX),
      );
      expect(reserved?.sort()).toEqual(["#board#C-NEW", "#board#C-OPS", "#cursor", "#limiter"]);
      // Act
      const loaded = await store.load();
      // Assess
      expect(store.lastLoadPath).toBe(path);
      expect(loaded).toEqual([open]);
      expect(await store.loadBoards(["C-OPS"])).toMatchObject([
        { channel: "C-OPS", ts: "1700000000.000100" },
      ]);
    },
  );

  it("keeps a history entry out of the live index even when the object handed in carries a state", async () => {
    // Prepare
    const tableName = await createTable();
    const store = new DynamoDbAlertStore({ tableName, client, nowMs: NOW_MS });
    const record = makeRecord({ state: "resolved", endedMs: NOW_MS });
    const entry = { ...historyEntryFor(record, "Asia/Kolkata", 86_400), state: "resolved" };
    // Act
    await store.record(entry);
    // Assess
    expect(await store.load()).toEqual([]);
    expect(await store.historyOn(entry.localDate)).toHaveLength(1);
  });
});
