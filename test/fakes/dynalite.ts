/** DynamoDB on loopback (dynalite, in memory) with the alert table shaped as the stack makes it. */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchWriteCommand,
  type BatchWriteCommandOutput,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { ALERT_TABLE } from "../../functions/adapters/state/dynamodb-store.js";

interface DynaliteServer {
  listen(port: number, host: string, callback: (error?: Error) => void): void;
  close(callback: () => void): void;
  address(): AddressInfo;
}
// dynalite is CommonJS without types; this is the little of it the tests use.
const dynalite = createRequire(import.meta.url)("dynalite") as (options: {
  createTableMs: number;
}) => DynaliteServer;

export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  /**
   * A fresh, empty alert table shaped as the stack makes it; returns its name. `{ liveIndex: false }`
   * makes it as stacks before the live index did (a table a deployment still has to update).
   */
  createAlertTable(options?: { liveIndex?: boolean }): Promise<string>;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve, reject) =>
    server.listen(0, "127.0.0.1", (error) => (error ? reject(error) : resolve())),
  );
  const endpoint = `http://127.0.0.1:${server.address().port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  let tables = 0;
  return {
    endpoint,
    client,
    async createAlertTable(options = {}) {
      tables += 1;
      const tableName = `alerts-${tables}`;
      const live = options.liveIndex ?? true;
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [
            { AttributeName: ALERT_TABLE.partitionKey, AttributeType: "S" },
            { AttributeName: ALERT_TABLE.historyIndex.partitionKey, AttributeType: "S" },
            { AttributeName: ALERT_TABLE.historyIndex.sortKey, AttributeType: "N" },
            ...(live ? [{ AttributeName: ALERT_TABLE.liveIndex.sortKey, AttributeType: "S" as const }] : []),
          ],
          KeySchema: [{ AttributeName: ALERT_TABLE.partitionKey, KeyType: "HASH" }],
          // As the stack makes it: the sparse indexes over history items and over alert records.
          GlobalSecondaryIndexes: [
            {
              IndexName: ALERT_TABLE.historyIndex.name,
              KeySchema: [
                { AttributeName: ALERT_TABLE.historyIndex.partitionKey, KeyType: "HASH" },
                { AttributeName: ALERT_TABLE.historyIndex.sortKey, KeyType: "RANGE" },
              ],
              Projection: { ProjectionType: "ALL" },
            },
            ...(live
              ? [
                  {
                    IndexName: ALERT_TABLE.liveIndex.name,
                    KeySchema: [
                      { AttributeName: ALERT_TABLE.liveIndex.partitionKey, KeyType: "HASH" as const },
                      { AttributeName: ALERT_TABLE.liveIndex.sortKey, KeyType: "RANGE" as const },
                    ],
                    Projection: { ProjectionType: "ALL" as const },
                  },
                ]
              : []),
          ],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      // dynalite makes a table ACTIVE on a timer, even at createTableMs 0: on a loaded machine a
      // write sent at once can meet ResourceNotFoundException. Wait as a deployment would.
      for (let tries = 0; tries < 200; tries++) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
        if (Table?.TableStatus === "ACTIVE") break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return tableName;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Read and write units a client's requests consumed, as DynamoDB (here dynalite) reports them. */
export interface ConsumedUnits {
  read: number;
  write: number;
  /** Requests counted, by operation (Scan, GetItem, PutItem, ...). */
  requests: Record<string, number>;
}

/**
 * A client of the same endpoint that asks every request for its consumed capacity and adds it up: how
 * the tests count what a store's calls cost (`ReturnConsumedCapacity: TOTAL` on each request).
 */
export function countingClient(local: LocalDynamo): { client: DynamoDBClient; units: ConsumedUnits } {
  const client = new DynamoDBClient({
    endpoint: local.endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  const units: ConsumedUnits = { read: 0, write: 0, requests: {} };
  const writes = new Set([
    "PutItemCommand",
    "UpdateItemCommand",
    "DeleteItemCommand",
    "BatchWriteItemCommand",
  ]);
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ReturnConsumedCapacity?: string };
      input.ReturnConsumedCapacity = "TOTAL";
      const name = context.commandName ?? "?";
      const operation = name.replace(/Command$/, "");
      units.requests[operation] = (units.requests[operation] ?? 0) + 1;
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: unknown }).ConsumedCapacity;
      const list = Array.isArray(consumed) ? consumed : consumed ? [consumed] : [];
      const total = list.reduce((n, c) => n + ((c as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
      if (writes.has(name)) units.write += total;
      else units.read += total;
      return result;
    },
    { step: "initialize", name: "countConsumedCapacity" },
  );
  return { client, units };
}

/** Writes items 25 a request, 8 requests at once (straight to dynalite: seeding, not counted). */
export async function writeAll(
  doc: DynamoDBDocumentClient,
  tableName: string,
  items: Array<Record<string, unknown>>,
): Promise<void> {
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] ?? [];
      let pending: unknown[] | undefined = batch.map((Item) => ({ PutRequest: { Item } }));
      while (pending && pending.length > 0) {
        const out: BatchWriteCommandOutput = await doc.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }),
        );
        pending = out.UnprocessedItems?.[tableName];
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}
