/**
 * The alert table's shape and its reserved item ids, shared by the DynamoDB adapters and the CDK
 * stack, so that code and infrastructure cannot drift.
 */

export const ALERT_TABLE = {
  partitionKey: "id",
  ttlAttribute: "expiresAt",
  /** The sparse index over history items: partition `historyDate` (local YYYY-MM-DD), sort `sinceMs`. */
  historyIndex: { name: "history-by-date", partitionKey: "historyDate", sortKey: "sinceMs" },
  /**
   * The sparse index over alert records: partition `id` (spread like the table's, so a storm's writes
   * never meet one hot index partition), sort `state` (only alert records have one; it changes once or
   * twice an episode, so the index is re-keyed rarely). Projection ALL: load() reads whole records.
   */
  liveIndex: { name: "live-records", partitionKey: "id", sortKey: "state" },
} as const;

/** Prefix of history items' ids: never an alert id (those start with the agent's userId and a `#`). */
export const HISTORY_ID_PREFIX = "history#";

/**
 * Ids starting with `#` are the store's own items, never alert records (alert ids start with a user
 * id): the cursor, the boards, the shared rate window (`#limiter`, dynamodb-rate-limiter.ts). None has
 * a `state`, so none is in the live index; load() skips them on either path.
 */
export const RESERVED_ID_PREFIX = "#";

/**
 * The roster rotation's cursor is one more item in the same table, under a reserved id; load() skips it.
 */
export const CURSOR_ID = `${RESERVED_ID_PREFIX}cursor`;

/** Each channel's board is one more reserved item: `#board#<channel>` (load() skips it). */
export const BOARD_ID_PREFIX = `${RESERVED_ID_PREFIX}board#`;
