/**
 * A memo slot an unchanging value may carry: a replay's capture gives one to every row and segment
 * it serves (before freezing them), and a parse of such a row gives one to the timeline and the agent
 * it makes. The domain keeps what it derived from the value there (its parse, its current episode,
 * a decision that holds for a while), so a value read again — hundreds of times a day in a replay —
 * is worked out once, and the answer sits beside the value in memory instead of in a table elsewhere.
 * A live page's rows carry no slot: parsed as received.
 *
 * A slot is used only on a frozen value (frozen stays frozen: what was derived from it holds), and is
 * invisible to everything else (a non-enumerable symbol: not in keys, spreads, JSON or clones).
 */
export const MEMO: unique symbol = Symbol("memo");

export interface Memo {
  /** What the value was derived with (an offset, a rule list); undefined while empty. */
  key: unknown;
  value: unknown;
  /** The value was seen frozen (it stays so: no need to look again). */
  frozen: boolean;
}

type WithMemo = { readonly [MEMO]?: Memo };

/** Gives `value` an empty slot (before it is frozen). */
export function withMemo<T extends object>(value: T): T {
  Object.defineProperty(value, MEMO, { value: { key: undefined, value: undefined, frozen: false } });
  return value;
}

/** A slot as read: used only once its value was seen frozen. */
function usable(value: object, memo: Memo | undefined): Memo | undefined {
  if (memo === undefined) return undefined;
  if (!memo.frozen) memo.frozen = Object.isFrozen(value);
  return memo.frozen ? memo : undefined;
}

// One reader per kind of value, each with its own property load: one shared load site would see
// rows, segments and timelines alike and go megamorphic (a slow lookup on every read).

/** The slot of a frozen row that carries one; undefined otherwise. */
export function rowMemo(row: object): Memo | undefined {
  return usable(row, (row as WithMemo)[MEMO]);
}

/** The slot of a frozen received segment that carries one. */
export function segmentMemo(segment: object): Memo | undefined {
  return usable(segment, (segment as WithMemo)[MEMO]);
}

/** The slot of a frozen parsed timeline that carries one. */
export function timelineMemo(segments: readonly object[]): Memo | undefined {
  return usable(segments, (segments as WithMemo)[MEMO]);
}

/** The slot of a frozen parsed agent that carries one (its quiet decision: decide.ts). */
export function agentMemo(agent: object): Memo | undefined {
  return usable(agent, (agent as WithMemo)[MEMO]);
}
