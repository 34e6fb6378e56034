/**
 * The shared SmartAssist rate window in the state table: one item, `#limiter`, holding the recent
 * request start instants (and the reservations made for the next seconds) and a version. A
 * reservation reads it with a consistent read, places its slots (domain/rate-window.ts) and replaces
 * it with a conditional write on the version; another invocation's write in between makes the
 * condition fail, and the reservation starts over from a fresh read after a jittered pause.
 * One read and one write per batch of requests, not per request.
 *
 * The item has no `expiresAt`: TTL never deletes it, and a load() filter on live records (`expiresAt`
 * in the future) skips it like any item under a `#` id (RESERVED_ID_PREFIX in dynamodb-store.ts).
 */

import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand, PutCommand, type PutCommandInput } from "@aws-sdk/lib-dynamodb";
import * as z from "zod";
import { reserveSlots } from "../../domain/rate-window.js";
import type { SharedRateLimiter } from "../../ports.js";
import { describe, errorName } from "./dynamodb-errors.js";
import { ALERT_TABLE } from "./dynamodb-store.js";

/** The limiter's item id: `#`-prefixed, a reserved id no alert can have (alert ids start with a user id). */
export const LIMITER_ID = "#limiter";

export interface DynamoDbRateLimiterOptions {
  tableName: string;
  /** A DocumentClient is used as is; a plain client is wrapped. */
  client?: DynamoDBDocumentClient | DynamoDBClient;
  /** The real clock (UTC ms); a virtual one in tests. */
  nowMs?: () => number;
  random?: () => number;
  /** Reservations tried before giving up when other invocations keep writing first. */
  maxAttempts?: number;
  /** Upper bound of the first jittered pause after a conflict (doubles each attempt). */
  conflictBackoffMs?: number;
}

const itemSchema = z.object({ times: z.array(z.number()), version: z.number() });

interface Window {
  times: number[];
  /** null: an item without a version (not written by this code). */
  version: number | null;
}

/** The attribute names, all placeholders (no reserved word can break the expressions). */
const NAMES = { "#id": ALERT_TABLE.partitionKey, "#v": "version" };

export class DynamoDbRateLimiter implements SharedRateLimiter {
  readonly #tableName: string;
  readonly #doc: DynamoDBDocumentClient;
  readonly #now: () => number;
  readonly #random: () => number;
  readonly #maxAttempts: number;
  readonly #backoffMs: number;

  constructor(options: DynamoDbRateLimiterOptions) {
    this.#tableName = options.tableName;
    this.#now = options.nowMs ?? Date.now;
    this.#random = options.random ?? Math.random;
    this.#maxAttempts = options.maxAttempts ?? 12;
    this.#backoffMs = options.conflictBackoffMs ?? 20;
    this.#doc =
      options.client instanceof DynamoDBDocumentClient
        ? options.client
        : DynamoDBDocumentClient.from(options.client ?? new DynamoDBClient({}));
  }

  async reserve(request: Parameters<SharedRateLimiter["reserve"]>[0]): Promise<number[]> {
    if (request.count <= 0) return [];
    for (let attempt = 1; ; attempt++) {
      const current = await this.#read();
      // The clock is read after the read: slots are never placed behind it.
      const { times, reserved } = reserveSlots({
        ...request,
        times: current?.times ?? [],
        nowMs: this.#now(),
      });
      if (reserved.length === 0) return [];
      if (await this.#replace(times, current?.version)) return reserved;
      if (attempt >= this.#maxAttempts) {
        throw new Error(
          `Cannot reserve SmartAssist request slots in DynamoDB table ${this.#tableName}:` +
            ` ${attempt} conflicting writes in a row`,
        );
      }
      // Full jitter: invocations that collided do not collide again in step.
      await sleep(Math.ceil(this.#random() * this.#backoffMs * 2 ** Math.min(attempt - 1, 5)));
    }
  }

  async #read(): Promise<Window | undefined> {
    let item: Record<string, unknown> | undefined;
    try {
      const out = await this.#doc.send(
        new GetCommand({
          TableName: this.#tableName,
          Key: { [ALERT_TABLE.partitionKey]: LIMITER_ID },
          ConsistentRead: true,
        }),
      );
      item = out.Item;
    } catch (error) {
      throw new Error(
        `Cannot read the rate window from DynamoDB table ${this.#tableName}: ${describe(error)}`,
        { cause: error },
      );
    }
    if (item === undefined) return undefined;
    const parsed = itemSchema.safeParse(item);
    if (parsed.success) return parsed.data;
    // Not a window this version wrote: start it afresh, still conditional on what is there (its
    // version, or the item having none), so two invocations cannot both replace it.
    return { times: [], version: typeof item.version === "number" ? item.version : null };
  }

  /** Writes the window if the item still holds `version` (undefined: only if absent; null: unversioned). */
  async #replace(times: number[], version: number | null | undefined): Promise<boolean> {
    const condition: Pick<
      PutCommandInput,
      "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
    > =
      typeof version === "number"
        ? {
            ConditionExpression: "#v = :expected",
            ExpressionAttributeNames: { "#v": NAMES["#v"] },
            ExpressionAttributeValues: { ":expected": version },
          }
        : version === null
          ? {
              ConditionExpression: "attribute_not_exists(#v)",
              ExpressionAttributeNames: { "#v": NAMES["#v"] },
            }
          : {
              ConditionExpression: "attribute_not_exists(#id)",
              ExpressionAttributeNames: { "#id": NAMES["#id"] },
            };
    try {
      await this.#doc.send(
        new PutCommand({
          TableName: this.#tableName,
          Item: { [ALERT_TABLE.partitionKey]: LIMITER_ID, times, version: (version ?? 0) + 1 },
          ...condition,
        }),
      );
      return true;
    } catch (error) {
      if (errorName(error) === "ConditionalCheckFailedException") return false;
      throw new Error(
        `Cannot write the rate window to DynamoDB table ${this.#tableName}: ${describe(error)}`,
        { cause: error },
      );
    }
  }
}
