import { DynamoDBClient, GetItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CURSOR_ID,
  DynamoDbAlertStore,
  RESERVED_ID_PREFIX,
} from "../../functions/adapters/state/dynamodb-store.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
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
    // Prepare
    const tableName = await createTable();
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { id: { S: "junk" }, expiresAt: { N: String(NOW_S + 60) } },
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
  it("sends the conditions and a consistent, filtered, paginated scan", async () => {
    // Prepare
    const mock = mockClient(DynamoDBDocumentClient);
    const record = makeRecord();
    mock
      .on(ScanCommand)
      .resolvesOnce({ Items: [record], LastEvaluatedKey: { id: record.id } })
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
      ConsistentRead: true,
      // The store's own items (`#` ids: the cursor, the rate window) and history items are skipped by
      // the filter, never parsed as alerts.
      FilterExpression: "#exp > :now AND NOT begins_with(#id, :reserved) AND attribute_not_exists(#hd)",
      ExpressionAttributeValues: { ":now": NOW_S, ":reserved": RESERVED_ID_PREFIX },
    });
    expect(scans[1]?.ExclusiveStartKey).toEqual({ id: record.id });
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
