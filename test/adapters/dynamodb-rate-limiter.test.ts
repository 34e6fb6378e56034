import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbRateLimiter, LIMITER_ID } from "../../functions/adapters/state/dynamodb-rate-limiter.js";
import { DynamoDbAlertStore } from "../../functions/adapters/state/dynamodb-store.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
import { makeRecord, NOW_MS, NOW_S } from "./alert-store-contract.js";
import { LIMITER_T0, maxInAnyMinute, rateLimiterContract } from "./rate-limiter-contract.js";

let local: LocalDynamo;

beforeAll(async () => {
  local = await startDynalite();
});

afterAll(async () => {
  await local.close();
});

/** A client of its own on the local table, counting the commands it sends by name. */
function countingClient(before?: (command: string) => Promise<void>): {
  client: DynamoDBClient;
  sent: string[];
} {
  const client = new DynamoDBClient({
    endpoint: local.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const sent: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String(context.commandName);
      await before?.(command);
      sent.push(command);
      return next(args);
    },
    { step: "initialize", name: "countCommands" },
  );
  return { client, sent };
}

// Each instance stands for another Lambda invocation on the same table.
rateLimiterContract("DynamoDbRateLimiter", async (clock) => {
  const tableName = await local.createAlertTable();
  return { open: () => new DynamoDbRateLimiter({ tableName, client: local.client, nowMs: clock.now }) };
});

describe("DynamoDbRateLimiter", () => {
  it("costs one consistent read and one conditional write per reservation, however many slots", async () => {
    // Prepare
    const tableName = await local.createAlertTable();
    const { client, sent } = countingClient();
    const limiter = new DynamoDbRateLimiter({ tableName, client, nowMs: () => LIMITER_T0 });
    // Act
    const reserved = await limiter.reserve({
      count: 40,
      perMinute: 50,
      notAfterMs: Number.POSITIVE_INFINITY,
      class: "rotation",
    });
    // Assess
    expect(reserved).toHaveLength(40);
    expect(sent).toEqual(["GetItemCommand", "PutItemCommand"]);
    client.destroy();
  });

  it("keeps one item, #limiter, with the window and a version, no expiry, that the alert store's load() skips", async () => {
    // Prepare
    const tableName = await local.createAlertTable();
    const limiter = new DynamoDbRateLimiter({ tableName, client: local.client, nowMs: () => LIMITER_T0 });
    const store = new DynamoDbAlertStore({ tableName, client: local.client, nowMs: NOW_MS });
    const record = makeRecord();
    await store.put(record, null);
    // Act
    await limiter.reserve({ count: 2, perMinute: 50, notAfterMs: LIMITER_T0 + 1, class: "priority" });
    await limiter.reserve({ count: 1, perMinute: 50, notAfterMs: LIMITER_T0 + 1, class: "priority" });
    // Assess
    const item = await local.client.send(
      new GetItemCommand({ TableName: tableName, Key: { id: { S: LIMITER_ID } }, ConsistentRead: true }),
    );
    expect(item.Item?.version).toEqual({ N: "2" });
    expect(item.Item?.times?.L).toHaveLength(3);
    expect(item.Item && "expiresAt" in item.Item).toBe(false);
    expect(await store.load()).toEqual([record]);
  });

  it("never loads an item under a reserved `#` id as an alert, even one with a live expiry", async () => {
    // Prepare
    const tableName = await local.createAlertTable();
    const store = new DynamoDbAlertStore({ tableName, client: local.client, nowMs: NOW_MS });
    await DynamoDBDocumentClient.from(local.client).send(
      new PutCommand({ TableName: tableName, Item: { id: "#board", expiresAt: NOW_S + 3600, version: 1 } }),
    );
    // Act
    const loaded = await store.load();
    // Assess
    expect(loaded).toEqual([]);
  });

  it("starts over from a fresh read when another invocation wrote between its read and its write", async () => {
    // Prepare
    const tableName = await local.createAlertTable();
    const other = new DynamoDbRateLimiter({ tableName, client: local.client, nowMs: () => LIMITER_T0 });
    let interfered = false;
    const { client, sent } = countingClient(async (command) => {
      if (command === "PutItemCommand" && !interfered) {
        interfered = true;
        // Another invocation's reservation lands after our read, before our write.
        await other.reserve({ count: 30, perMinute: 50, notAfterMs: LIMITER_T0 + 1, class: "priority" });
      }
    });
    const limiter = new DynamoDbRateLimiter({ tableName, client, nowMs: () => LIMITER_T0, random: () => 0 });
    // Act
    const reserved = await limiter.reserve({
      count: 30,
      perMinute: 50,
      notAfterMs: Number.POSITIVE_INFINITY,
      class: "priority",
    });
    // Assess
    expect(sent).toEqual(["GetItemCommand", "PutItemCommand", "GetItemCommand", "PutItemCommand"]);
    expect(reserved.filter((t) => t === LIMITER_T0)).toHaveLength(20);
    expect(maxInAnyMinute([...reserved, ...Array.from({ length: 30 }, () => LIMITER_T0)])).toBe(50);
    client.destroy();
  });

  it("gives up, naming the table, when other invocations keep writing first", async () => {
    // Prepare
    const tableName = await local.createAlertTable();
    const other = new DynamoDbRateLimiter({ tableName, client: local.client, nowMs: () => LIMITER_T0 });
    const { client } = countingClient(async (command) => {
      if (command === "PutItemCommand") {
        await other.reserve({ count: 1, perMinute: 1_000, notAfterMs: LIMITER_T0 + 1, class: "priority" });
      }
    });
    const limiter = new DynamoDbRateLimiter({
      tableName,
      client,
      nowMs: () => LIMITER_T0,
      random: () => 0,
      maxAttempts: 3,
    });
    // Act
    const reserving = limiter.reserve({
      count: 1,
      perMinute: 1_000,
      notAfterMs: LIMITER_T0 + 1,
      class: "priority",
    });
    // Assess
    await expect(reserving).rejects.toThrow(`DynamoDB table ${tableName}: 3 conflicting writes in a row`);
    client.destroy();
  });
});
