/**
 * Alert state in DynamoDB: one item per alert record, keyed by `id`, deleted by TTL on `expiresAt`.
 * A first alert is claimed with a conditional put, so two concurrent runs cannot both post it.
 *
 * The table holds three kinds of item, told apart by their attributes (its key schema, `id` alone, is
 * unchanged: the table is retained across stacks):
 * - alert records (`id` = `<userId>#<ruleKey>#<since>`), the only items with a `state`;
 * - history (`id` = `history#<alert id>`, TTL at the end of the retention), carrying `historyDate`, the
 *   local date the episode started;
 * - the run's own small items (`id` starting with `#`: `#cursor`, and later `#board#<channel>` and rate
 *   limiter windows), read and written by key, with neither a `state` nor a `historyDate`.
 *
 * Two sparse global secondary indexes: `history-by-date` (partition `historyDate`, sort `sinceMs`) holds
 * only history, so the digest queries one day; `live-records` (partition `id`, sort `state`) holds only
 * alert records, so load() scans exactly the live records (open, nudged, resolved and averted ones not
 * yet deleted), whatever the history kept: its read units grow with alerts, not with the retention.
 * The live index is keyed on attributes every alert record has always had, so an existing table needs
 * no backfill of ours: DynamoDB fills the new index from the items already there, and a record written
 * by an older version of this code (a rollback, a container still finishing) is in it too. Until the
 * index is ACTIVE, load() reads the table as it used to (a consistent Scan): see load().
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  type PutCommandInput,
  ScanCommand,
  type ScanCommandOutput,
} from "@aws-sdk/lib-dynamodb";
import type { AlertRecord } from "../../domain/alert.js";
import type { BoardState } from "../../domain/board.js";
import type { Cursor } from "../../domain/coverage.js";
import { endedAndSettled } from "../../domain/delivery.js";
import type { HistoryEntry } from "../../domain/history.js";
import type { AlertStore, BoardStore, HistoryStore } from "../../ports.js";
import { DynamoDbBoards } from "./dynamodb-boards.js";
import { describe, errorName } from "./dynamodb-errors.js";
import { DynamoDbHistory } from "./dynamodb-history.js";
import { ALERT_TABLE, CURSOR_ID, RESERVED_ID_PREFIX } from "./dynamodb-table.js";
import {
  alertRecordSchema,
  CURSOR_TTL_SECONDS,
  cursorSchema,
  nowSeconds,
  readClock,
  type StoreClock,
  withoutUndefined,
} from "./memory-store.js";

export { historyItemOf } from "./dynamodb-history.js";
export {
  ALERT_TABLE,
  BOARD_ID_PREFIX,
  CURSOR_ID,
  HISTORY_ID_PREFIX,
  RESERVED_ID_PREFIX,
} from "./dynamodb-table.js";

export interface DynamoDbAlertStoreOptions {
  tableName: string;
  /** A DocumentClient is used as is; a plain client is wrapped (removeUndefinedValues). */
  client?: DynamoDBDocumentClient | DynamoDBClient;
  nowMs: StoreClock;
  /** Items per Scan/Query request (the default lets DynamoDB fill 1 MB pages); tests page with small ones. */
  scanPageSize?: number;
}

/**
 * Where an ended episode that owes nothing more keeps its state: out of `state`, so the item leaves
 * the live index (whose sort key is `state`) and load() no longer reads it, while the item itself
 * stays until its expiry and still guards its id against a second claim. get() reads it back whole.
 */
export const SETTLED_STATE = "settledState";

/** The item a record is written as (see SETTLED_STATE). */
export function alertItemOf(record: AlertRecord): Record<string, unknown> {
  const item: Record<string, unknown> = { ...withoutUndefined(record) };
  if (!endedAndSettled(record)) return item;
  const { state, ...rest } = item;
  return { ...rest, [SETTLED_STATE]: state };
}

/**
 * How the last read of records went: the live index, or (before the index is ACTIVE) the whole table,
 * or by id (a due re-check's loadSome).
 */
export type LoadPath = "live-index" | "table-scan" | "by-id";

/** Keys per BatchGetItem (DynamoDB's limit), and rounds of unprocessed keys asked again. */
const BATCH_GET_KEYS = 100;
const BATCH_GET_ROUNDS = 5;

// Placeholders for every attribute name, so no reserved word can ever break an expression.
const NAMES = {
  "#id": ALERT_TABLE.partitionKey,
  "#exp": ALERT_TABLE.ttlAttribute,
  "#v": "version",
  "#hd": ALERT_TABLE.historyIndex.partitionKey,
  "#st": ALERT_TABLE.liveIndex.sortKey,
};

export class DynamoDbAlertStore implements AlertStore, HistoryStore, BoardStore {
  readonly #tableName: string;
  readonly #doc: DynamoDBDocumentClient;
  readonly #clock: StoreClock;
  readonly #scanPageSize: number | undefined;
  readonly #boards: DynamoDbBoards;
  readonly #history: DynamoDbHistory;
  /** How the last load() read the records (for tests and the bench). */
  lastLoadPath: LoadPath | undefined;

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
    this.#boards = new DynamoDbBoards({ doc: this.#doc, tableName: this.#tableName, clock: this.#clock });
    this.#history = new DynamoDbHistory({
      doc: this.#doc,
      tableName: this.#tableName,
      scanPageSize: this.#scanPageSize,
    });
  }

  /**
   * Every live alert record (open and nudged ones, and ended ones that still owe Slack something or
   * belong to a roll-up; an ended one that owes nothing is kept out of the index: SETTLED_STATE): a Scan of the
   * live index, which holds alert records only, so history and the run's own items are never read.
   * Alert records scale with alerts, not agents; TTL deletes lag by up to days, hence the filter on
   * expiresAt.
   *
   * Index reads are eventually consistent (half the read units of a consistent read). A record written
   * a moment before (by an overlapping run or a click) may be missing or one version behind; every
   * write is still conditional on the version read, so the worst case is that this run leaves that
   * record to the next one: a claim for an episode it did not see fails on the existing item (no
   * second alert), and a write or a Slack claim on a stale version fails (no second post).
   *
   * While the index does not exist yet or is still being built (the stack update that adds it to an
   * existing table), the table is read as before: a consistent Scan, filtered to alert records.
   */
  async load(): Promise<AlertRecord[]> {
    const now = nowSeconds(readClock(this.#clock));
    try {
      const records = await this.#scan(now, "live-index");
      this.lastLoadPath = "live-index";
      return records;
    } catch (error) {
      if (!indexNotReady(error)) throw this.#loadError(error);
    }
    this.lastLoadPath = "table-scan";
    try {
      return await this.#scan(now, "table-scan");
    } catch (error) {
      throw this.#loadError(error);
    }
  }

  async #scan(now: number, path: LoadPath): Promise<AlertRecord[]> {
    const records: AlertRecord[] = [];
    let startKey: Record<string, unknown> | undefined;
    const viaIndex = path === "live-index";
    do {
      const page: ScanCommandOutput = await this.#doc.send(
        new ScanCommand({
          TableName: this.#tableName,
          ...(viaIndex
            ? {
                IndexName: ALERT_TABLE.liveIndex.name,
                FilterExpression: "#exp > :now AND NOT begins_with(#id, :reserved)",
                ExpressionAttributeNames: { "#exp": NAMES["#exp"], "#id": NAMES["#id"] },
              }
            : {
                // The whole table, history included: only until the live index is ACTIVE.
                ConsistentRead: true,
                FilterExpression:
                  "#exp > :now AND attribute_exists(#st) AND NOT begins_with(#id, :reserved) AND attribute_not_exists(#hd)",
                ExpressionAttributeNames: {
                  "#exp": NAMES["#exp"],
                  "#id": NAMES["#id"],
                  "#st": NAMES["#st"],
                  "#hd": NAMES["#hd"],
                },
              }),
          ExpressionAttributeValues: { ":now": now, ":reserved": RESERVED_ID_PREFIX },
          ExclusiveStartKey: startKey,
          Limit: this.#scanPageSize,
        }),
      );
      for (const item of page.Items ?? []) records.push(this.#parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return records;
  }

  #loadError(error: unknown): Error {
    return new Error(`Cannot read alerts from DynamoDB table ${this.#tableName}: ${describe(error)}`, {
      cause: error,
    });
  }

  /**
   * The live records among `ids`, read consistently by key (BatchGetItem, 100 keys a request; keys
   * DynamoDB leaves unprocessed are asked again): a due re-check pays for its agents' records, not
   * for every live one.
   */
  async loadSome(ids: readonly string[]): Promise<AlertRecord[]> {
    const now = nowSeconds(readClock(this.#clock));
    const unique = [...new Set(ids)].filter((id) => !id.startsWith(RESERVED_ID_PREFIX));
    const records: AlertRecord[] = [];
    try {
      for (let i = 0; i < unique.length; i += BATCH_GET_KEYS) {
        let keys: Array<Record<string, unknown>> = unique
          .slice(i, i + BATCH_GET_KEYS)
          .map((id) => ({ [ALERT_TABLE.partitionKey]: id }));
        for (let round = 0; keys.length > 0; round++) {
          if (round === BATCH_GET_ROUNDS)
            throw new Error(`${keys.length} keys still unprocessed after ${BATCH_GET_ROUNDS} rounds`);
          const out: BatchGetCommandOutput = await this.#doc.send(
            new BatchGetCommand({
              RequestItems: { [this.#tableName]: { Keys: keys, ConsistentRead: true } },
            }),
          );
          for (const item of out.Responses?.[this.#tableName] ?? []) {
            // A history item is never an alert record (it keeps no state); TTL deletes lag.
            if (item[ALERT_TABLE.historyIndex.partitionKey] !== undefined || item.state === undefined)
              continue;
            const record = this.#parse(item);
            if (record.expiresAt > now) records.push(record);
          }
          keys = (out.UnprocessedKeys?.[this.#tableName]?.Keys ?? []) as Array<Record<string, unknown>>;
        }
      }
    } catch (error) {
      throw this.#loadError(error);
    }
    this.lastLoadPath = "by-id";
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
        new PutCommand({ TableName: this.#tableName, Item: alertItemOf(record), ...condition }),
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

  // The boards are items of this table; their reads and writes live in dynamodb-boards.ts.
  loadBoards(channels: readonly string[]): Promise<BoardState[]> {
    return this.#boards.loadBoards(channels);
  }

  saveBoard(board: BoardState): Promise<void> {
    return this.#boards.saveBoard(board);
  }

  claimBoardPost(channel: string, by: string, untilMs: number, wallMs: number): Promise<boolean> {
    return this.#boards.claimBoardPost(channel, by, untilMs, wallMs);
  }

  // History is items of this table too; its writes and its Query live in dynamodb-history.ts.
  record(entry: HistoryEntry): Promise<void> {
    return this.#history.record(entry);
  }

  historyOn(date: string): Promise<HistoryEntry[]> {
    return this.#history.historyOn(date);
  }

  #parse(item: Record<string, unknown>): AlertRecord {
    const { [SETTLED_STATE]: settled, ...rest } = item;
    const parsed = alertRecordSchema.safeParse(settled === undefined ? item : { ...rest, state: settled });
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new Error(
      `DynamoDB table ${this.#tableName} holds an item that is not an alert record` +
        ` (id ${JSON.stringify(item[ALERT_TABLE.partitionKey])}, ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"})`,
    );
  }
}

/**
 * The live index is missing (a table made before it, the stack not updated yet) or still being built
 * (DynamoDB refuses reads from a backfilling index): both are ValidationExceptions naming the index.
 */
function indexNotReady(error: unknown): boolean {
  if (errorName(error) !== "ValidationException") return false;
  const message = error instanceof Error ? error.message : String(error);
  return /index/i.test(message);
}
