/**
 * Ended episodes' history as items of the alert table (`history#<alert id>`, TTL at the end of the
 * retention, the local date under the sparse `history-by-date` index): written unconditionally (a
 * retried run writes the same item), read one local date at a time by a Query of that index, never
 * a Scan. DynamoDbAlertStore hands its history port here.
 */
import {
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type QueryCommandOutput,
} from "@aws-sdk/lib-dynamodb";
import type { HistoryEntry, KEPT_FIELDS } from "../../domain/history.js";
import { describe } from "./dynamodb-errors.js";
import { ALERT_TABLE, HISTORY_ID_PREFIX } from "./dynamodb-table.js";
import { historyEntrySchema, withoutUndefined } from "./memory-store.js";

// The live index must never hold history: history entries keep no `state` (record() strips one anyway).
type HistoryKeepsNoState = "state" extends (typeof KEPT_FIELDS)[number] ? never : true;
const _historyKeepsNoState: HistoryKeepsNoState = true;
void _historyKeepsNoState;

export interface DynamoDbHistoryOptions {
  doc: DynamoDBDocumentClient;
  tableName: string;
  /** Items per Query request (the default lets DynamoDB fill 1 MB pages); tests page with small ones. */
  scanPageSize: number | undefined;
}

export class DynamoDbHistory {
  readonly #options: DynamoDbHistoryOptions;

  constructor(options: DynamoDbHistoryOptions) {
    this.#options = options;
  }

  async record(entry: HistoryEntry): Promise<void> {
    const item = historyItemOf(entry);
    try {
      // Unconditional: the same episode written twice (a retried run) is the same item.
      await this.#options.doc.send(new PutCommand({ TableName: this.#options.tableName, Item: item }));
    } catch (error) {
      throw new Error(
        `Cannot write history for alert ${entry.id} to DynamoDB table ${this.#options.tableName}: ${describe(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * One local date's history from the sparse index (eventually consistent: an episode that ended in
   * the last second may be missing, which a digest at a set hour can live with). Items past their
   * retention that TTL has not yet deleted are still returned, as the JSON file does.
   */
  async historyOn(date: string): Promise<HistoryEntry[]> {
    const entries: HistoryEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      let page: QueryCommandOutput;
      try {
        page = await this.#options.doc.send(
          new QueryCommand({
            TableName: this.#options.tableName,
            IndexName: ALERT_TABLE.historyIndex.name,
            KeyConditionExpression: "#hd = :date",
            ExpressionAttributeNames: { "#hd": ALERT_TABLE.historyIndex.partitionKey },
            ExpressionAttributeValues: { ":date": date },
            ExclusiveStartKey: startKey,
            Limit: this.#options.scanPageSize,
          }),
        );
      } catch (error) {
        throw new Error(
          `Cannot read history from DynamoDB table ${this.#options.tableName}: ${describe(error)}`,
          {
            cause: error,
          },
        );
      }
      for (const item of page.Items ?? []) entries.push(this.#parse(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return entries;
  }

  #parse(item: Record<string, unknown>): HistoryEntry {
    const { alertId, [ALERT_TABLE.historyIndex.partitionKey]: localDate, ...rest } = item;
    const parsed = historyEntrySchema.safeParse({ ...rest, id: alertId, localDate });
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new Error(
      `DynamoDB table ${this.#options.tableName} holds a history item that is not a history entry` +
        ` (id ${JSON.stringify(item[ALERT_TABLE.partitionKey])}, ${issue?.path.join(".") ?? "?"}: ${issue?.message ?? "invalid"})`,
    );
  }
}

/**
 * The item record() writes for an ended episode: its id under HISTORY_ID_PREFIX (the alert's id kept as
 * `alertId`), the local date under the history index's key. Exported for tests and the bench, which
 * write many at once.
 */
export function historyItemOf(entry: HistoryEntry): Record<string, unknown> {
  // A `state` would put the entry in the live index (a caller's object may carry more than the type).
  const { localDate, state: _state, ...rest } = withoutUndefined(entry) as HistoryEntry & { state?: unknown };
  return {
    ...rest,
    [ALERT_TABLE.partitionKey]: `${HISTORY_ID_PREFIX}${entry.id}`,
    alertId: entry.id,
    [ALERT_TABLE.historyIndex.partitionKey]: localDate,
  };
}
