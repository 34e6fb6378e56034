/** DynamoDB on loopback (dynalite, in memory) with the alert table shaped as the stack makes it. */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
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
  /** A fresh, empty alert table; returns its name. */
  createAlertTable(): Promise<string>;
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
    async createAlertTable() {
      tables += 1;
      const tableName = `alerts-${tables}`;
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [
            { AttributeName: ALERT_TABLE.partitionKey, AttributeType: "S" },
            { AttributeName: ALERT_TABLE.historyIndex.partitionKey, AttributeType: "S" },
            { AttributeName: ALERT_TABLE.historyIndex.sortKey, AttributeType: "N" },
          ],
          KeySchema: [{ AttributeName: ALERT_TABLE.partitionKey, KeyType: "HASH" }],
          // As the stack makes it: the sparse index over history items.
          GlobalSecondaryIndexes: [
            {
              IndexName: ALERT_TABLE.historyIndex.name,
              KeySchema: [
                { AttributeName: ALERT_TABLE.historyIndex.partitionKey, KeyType: "HASH" },
                { AttributeName: ALERT_TABLE.historyIndex.sortKey, KeyType: "RANGE" },
              ],
              Projection: { ProjectionType: "ALL" },
            },
          ],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      return tableName;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
