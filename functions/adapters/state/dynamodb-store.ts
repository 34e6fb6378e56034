/**
 * Alert state in DynamoDB: one item per alert record, keyed by `id`, deleted by TTL on `expiresAt`.
 * A first alert is claimed with a conditional put, so two concurrent runs cannot both post it.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  ScanCommand,
  type ScanCommandOutput,
} from "@aws-sdk/lib-dynamodb";
import type { AlertRecord } from "../../domain/alert.js";
import type { Cursor } from "../../domain/coverage.js";
import type { AlertStore } from "../../ports.js";
import {
  alertRecordSchema,
  CURSOR_TTL_SECONDS,
  cursorSchema,
  nowSeconds,
  readClock,
  type StoreClock,
  withoutUndefined,
} from "./memory-store.js";

/** The table's shape, shared with the CDK stack so that code and infrastructure cannot drift. */
export const ALERT_TABLE = { partitionKey: "id", ttlAttribute: "expiresAt" } as const;

/**
 * The roster rotation's cursor is one more item in the same table, under an id no alert can have
 * (alert ids start with a user id); load() skips it.
 */
export const CURSOR_ID = "#cursor";

export interface DynamoDbAlertStoreOptions {
  tableName: string;
  /** A DocumentClient is used as is; a plain client is wrapped (removeUndefinedValues). */
  client?: DynamoDBDocumentClient | DynamoDBClient;
  nowMs: StoreClock;
  /** Items per Scan request (the default lets DynamoDB fill 1 MB pages); tests page with small ones. */
  scanPageSize?: number;
}

// Placeholders for every attribute name, so no reserved word can ever break an expression.
const NAMES = { "#id": ALERT_TABLE.partitionKey, "#exp": ALERT_TABLE.ttlAttribute, "#v": "version" };

export class DynamoDbAlertStore implements AlertStore {
  readonly #tableName: string;
  readonly #doc: DynamoDBDocumentClient;
  readonly #clock: StoreClock;
  readonly #scanPageSize: number | undefined;

  constructor(options: DynamoDbAlertStoreOptions) {
    this.#tableName = options.tableName;
    this.#clock = options.nowMs;
    this.#scanPageSize = options.scanPageSize;
    this.#doc =
      options.client instanceof DynamoDBDocumentClient
        ? options.client
        : DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}), {
            marshallOptions: { removeUndefinedValues: true },
          });
  }

  /**
   * Every live record. A Scan is right here: the table holds alerts only (they scale with alerts, not
   * agents), and TTL deletes lag by up to days, hence the filter on expiresAt. Consistent reads, so a
   * run sees the versions the previous run wrote and its conditional writes do not fail spuriously.
   */
  async load(): Promise<AlertRecord[]> {
    const now = nowSeconds(readClock(this.#clock));
    const records: AlertRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      let page: ScanCommandOutput;
      try {
        page = await this.#doc.send(
          new ScanCommand({
            TableName: this.#tableName,
            ConsistentRead: true,
            FilterExpression: "#exp > :now AND #id <> :cursor",
            ExpressionAttributeNames: { "#exp": NAMES["#exp"], "#id": NAMES["#id"] },
            ExpressionAttributeValues: { ":now": now, ":cursor": CURSOR_ID },
            ExclusiveStartKey: startKey,
            Limit: this.#scanPageSize,
          }),
        );
      } catch (error) {
        throw new Error(`Cannot read alerts from DynamoDB table ${this.#tableName}: ${describe(error)}`, {
          cause: error,
        });
      }
      for (const item of page.Items ?? []) records.push(this.#parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  /** One record, read consistently (a Slack click must see the version the last run wrote). */
  async get(id: string): Promise<AlertRecord | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      const out = await this.#doc.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: { [ALERT_TABLE.partitionKey]: id },
          ConsistentRead: true,
        }),
      );
      item = out.Item;
    } catch (error) {
      throw new Error(`Cannot read alert ${id} from DynamoDB table ${this.#tableName}: ${describe(error)}`, {
        cause: error,
      });
    }
    if (item === undefined) return undefined;
    const record = this.#parse(item);
    // TTL deletes lag: an expired item is as good as gone, as load() treats it.
    return record.expiresAt > nowSeconds(readClock(this.#clock)) ? record : undefined;
  }

  async put(record: AlertRecord, expectedVersion: number | null): Promise<boolean> {
    const now = nowSeconds(readClock(this.#clock));
    // `<=` and `>` mirror load's filter: an item load no longer returns counts as absent here too.
    const condition: Pick<
      PutCommandInput,
      "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
    > =
      expectedVersion === null
        ? {
            ConditionExpression: "attribute_not_exists(#id) OR #exp <= :now",
            ExpressionAttributeNames: { "#id": NAMES["#id"], "#exp": NAMES["#exp"] },
            ExpressionAttributeValues: { ":now": now },
          }
        : {
            ConditionExpression: "#v = :expected AND #exp > :now",
            ExpressionAttributeNames: { "#v": NAMES["#v"], "#exp": NAMES["#exp"] },
            ExpressionAttributeValues: { ":expected": expectedVersion, ":now": now },
          };
    try {
      // withoutUndefined too: a caller's DocumentClient may lack removeUndefinedValues.
      await this.#doc.send(
        new PutCommand({ TableName: this.#tableName, Item: withoutUndefined(record), ...condition }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === "ConditionalCheckFailedException") return false;
      throw new Error(
        `Cannot write alert ${record.id} to DynamoDB table ${this.#tableName}: ${describe(error)}`,
        { cause: error },
      );
    }
  }

  async loadCursor(): Promise<Cursor | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      const out = await this.#doc.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: { [ALERT_TABLE.partitionKey]: CURSOR_ID },
          ConsistentRead: true,
        }),
      );
      item = out.Item;
    } catch (error) {
      throw new Error(`Cannot read the cursor from DynamoDB table ${this.#tableName}: ${describe(error)}`, {
        cause: error,
      });
    }
    if (!item) return undefined;
    // A cursor that no longer parses (written by another version) only costs a restart at offset 0.
    const parsed = cursorSchema.safeParse(item);
    return parsed.success ? parsed.data : undefined;
  }

  async saveCursor(cursor: Cursor): Promise<void> {
    const now = nowSeconds(readClock(this.#clock));
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: {
            ...cursor,
            [ALERT_TABLE.partitionKey]: CURSOR_ID,
            [ALERT_TABLE.ttlAttribute]: now + CURSOR_TTL_SECONDS,
          },
        }),
      );
    } catch (error) {
      throw new Error(`Cannot write the cursor to DynamoDB table ${this.#tableName}: ${describe(error)}`, {
        cause: error,
      });
    }
  }

  #parse(item: Record<string, unknown>): AlertRecord {
    const parsed = alertRecordSchema.safeParse(item);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new Error(
      `DynamoDB table ${this.#tableName} holds an item that is not an alert record` +
        ` (id ${JSON.stringify(item[ALERT_TABLE.partitionKey])}, ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"})`,
    );
  }
}

function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | undefined)?.name;
  return typeof name === "string" ? name : undefined;
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
