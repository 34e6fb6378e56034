/**
 * Slack caps `block_id` and `action_id` at 255 characters. An alert id (`userId#ruleKey#since`) or a
 * roll-up id usually fits and is used as it is; a longer one becomes a short stable hash, which the
 * interactions endpoint maps back by hashing the ids it holds (`matchesBlockId`).
 */
import { createHash } from "node:crypto";

export const MAX_BLOCK_ID = 255;
const HASH_PREFIX = "h#";

/** The `block_id` for an alert or roll-up id: the id itself when it fits, else `h#` + 43 base64url chars of its SHA-256. */
export function blockIdFor(id: string): string {
  if (id.length <= MAX_BLOCK_ID && !id.startsWith(HASH_PREFIX)) return id;
  return HASH_PREFIX + createHash("sha256").update(id, "utf8").digest("base64url");
}

/** True when `blockId` is a hash (the id it stands for must be found by `matchesBlockId`). */
export function isHashedBlockId(blockId: string): boolean {
  return blockId.startsWith(HASH_PREFIX);
}

/** True when `id` is rendered as `blockId`. */
export function matchesBlockId(id: string, blockId: string): boolean {
  return blockIdFor(id) === blockId;
}
