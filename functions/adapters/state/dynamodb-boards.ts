/**
 * The channels' boards (`slack.board`) as items of the alert table (`#board#<channel>`, with an
 * expiry): read with one consistent GetItem per channel (never a Scan), written whole, and the first
 * post of a channel's board claimed with one conditional update. DynamoDbAlertStore hands its board
 * port here.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { BoardState } from "../../domain/board.js";
import { describe, errorName } from "./dynamodb-errors.js";
import { ALERT_TABLE, BOARD_ID_PREFIX } from "./dynamodb-table.js";
import {
  BOARD_TTL_SECONDS,
  boardStateSchema,
  nowSeconds,
  readClock,
  type StoreClock,
  withoutUndefined,
} from "./memory-store.js";

export class DynamoDbBoards {
  readonly #options: { doc: DynamoDBDocumentClient; tableName: string; clock: StoreClock };

  constructor(options: { doc: DynamoDBDocumentClient; tableName: string; clock: StoreClock }) {
    this.#options = options;
  }

  /** One consistent GetItem per channel (a handful): never a Scan for the board. */
  async loadBoards(channels: readonly string[]): Promise<BoardState[]> {
    const boards = await Promise.all(
      channels.map(async (channel) => {
        try {
          const out = await this.#options.doc.send(
            new GetCommand({
              TableName: this.#options.tableName,
              Key: { [ALERT_TABLE.partitionKey]: `${BOARD_ID_PREFIX}${channel}` },
              ConsistentRead: true,
            }),
          );
          const {
            [ALERT_TABLE.partitionKey]: _id,
            [ALERT_TABLE.ttlAttribute]: _exp,
            ...item
          } = out.Item ?? {};
          // A board state that no longer parses only costs the board being posted anew.
          const parsed = out.Item ? boardStateSchema.safeParse(item) : undefined;
          return parsed?.success ? [parsed.data] : [];
        } catch (error) {
          throw new Error(
            `Cannot read the board of ${channel} from DynamoDB table ${this.#options.tableName}: ${describe(error)}`,
            { cause: error },
          );
        }
      }),
    );
    return boards.flat();
  }

  async saveBoard(board: BoardState): Promise<void> {
    const now = nowSeconds(readClock(this.#options.clock));
    try {
      await this.#options.doc.send(
        new PutCommand({
          TableName: this.#options.tableName,
          Item: {
            ...withoutUndefined(board),
            [ALERT_TABLE.partitionKey]: `${BOARD_ID_PREFIX}${board.channel}`,
            [ALERT_TABLE.ttlAttribute]: now + BOARD_TTL_SECONDS,
          },
        }),
      );
    } catch (error) {
      throw new Error(
        `Cannot write the board of ${board.channel} to DynamoDB table ${this.#options.tableName}: ${describe(error)}`,
        { cause: error },
      );
    }
  }

  /**
   * One conditional update: the item gains the claim only while it has no `ts` and no other live
   * claim, so two overlapping runs never both post a channel's first board.
   */
  async claimBoardPost(channel: string, by: string, untilMs: number, wallMs: number): Promise<boolean> {
    const now = nowSeconds(readClock(this.#options.clock));
    try {
      await this.#options.doc.send(
        new UpdateCommand({
          TableName: this.#options.tableName,
          Key: { [ALERT_TABLE.partitionKey]: `${BOARD_ID_PREFIX}${channel}` },
          UpdateExpression: "SET #ch = :ch, #pb = :by, #pu = :until, #exp = if_not_exists(#exp, :exp)",
          ConditionExpression:
            "attribute_not_exists(#ts) AND (attribute_not_exists(#pb) OR #pb = :by OR #pu <= :wall)",
          ExpressionAttributeNames: {
            "#ch": "channel",
            "#pb": "postingBy",
            "#pu": "postingUntilMs",
            "#ts": "ts",
            "#exp": ALERT_TABLE.ttlAttribute,
          },
          ExpressionAttributeValues: {
            ":ch": channel,
            ":by": by,
            ":until": untilMs,
            ":wall": wallMs,
            ":exp": now + BOARD_TTL_SECONDS,
          },
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === "ConditionalCheckFailedException") return false;
      throw new Error(
        `Cannot claim the board of ${channel} in DynamoDB table ${this.#options.tableName}: ${describe(error)}`,
        {
          cause: error,
        },
      );
    }
  }
}
