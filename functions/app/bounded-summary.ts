/**
 * Bounded output: the run summary as the Lambda logs and returns it, whatever the number of alerts.
 * CloudWatch Logs splits an event past 256 KB and every byte is ingested at a price, and a Lambda
 * result is read by people (`aws lambda invoke`), so both have a size bound; the CLI's `--json` keeps
 * the whole summary (it does not use this module).
 *
 * The shape (README, "Cost"): while the whole value fits its bound it is left exactly as it is. Past
 * it, lists are summarized, the smallest ones kept whole first; each list that does not fit becomes
 * `{"count": N, "listed": k, "items": [its first k entries]}`, with k as large as the bound allows
 * (shared round-robin between the summarized lists, the list's own order kept). A list is therefore
 * either complete (an array) or visibly cut (an object with its full count), never silently partial.
 * Pure: JSON in, JSON out, no I/O.
 */

/** A list too long for the bound: how many entries it had, how many follow, and those first ones. */
export interface ListSummary<T = unknown> {
  count: number;
  listed: number;
  items: T[];
}

/** A value whose array fields may have been summarized. */
export type Bounded<T> = {
  [K in keyof T]: T[K] extends ReadonlyArray<infer I> ? I[] | ListSummary<I> : T[K];
};

/**
 * The closing `run summary` log line's own fields stay under this many bytes of JSON, so that the line
 * with the logger's envelope (level, message, timestamp, service, trace id: a few hundred bytes) stays
 * under 64 KB.
 */
export const LOG_LINE_BUDGET_BYTES = 60_000;
/** The Lambda's result: the full summary up to 1 MB, summarized the same way beyond. */
export const RESULT_BUDGET_BYTES = 1_000_000;

/** The summary's lists, in DESIGN.md's order (`due` and `boards` when a run has them). */
export const SUMMARY_LISTS = ["firing", "transitions", "skipped", "due", "boards"] as const;

/** UTF-8 bytes of a value's JSON, as it is written to the log or returned. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
}

type Path = readonly string[];

interface Found {
  path: Path;
  items: unknown[];
  itemBytes: number[];
  wholeBytes: number;
}

function at(value: unknown, path: Path): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/** A copy of `value` with the field at `path` replaced (objects along the path copied, nothing else). */
function replaced(value: unknown, path: Path, replacement: unknown): unknown {
  const [key, ...rest] = path;
  if (key === undefined) return replacement;
  const object = value as Record<string, unknown>;
  return { ...object, [key]: replaced(object[key], rest, replacement) };
}

function summaryOf(items: unknown[], listed: number): ListSummary {
  return { count: items.length, listed, items: items.slice(0, listed) };
}

/**
 * `value` itself when its JSON is at most `maxBytes`; else a copy whose lists at `paths` (those that
 * are arrays; others are ignored) are kept whole or summarized so that it fits. When even empty
 * summaries do not fit (the rest of the value is too large), every list is an empty summary (but one no
 * larger than that, such as `[]`, which stays as it is).
 */
export function boundLists<T>(value: T, paths: readonly Path[], maxBytes: number): T | Bounded<T> {
  if (jsonBytes(value) <= maxBytes) return value;
  const found: Found[] = [];
  for (const path of paths) {
    const list = at(value, path);
    if (!Array.isArray(list)) continue;
    const itemBytes = list.map(jsonBytes);
    found.push({ path, items: list, itemBytes, wholeBytes: jsonBytes(list) });
  }
  // A list no larger than its empty summary (`[]`, say) is never summarized: that would only grow it.
  const whole = new Set<Found>(found.filter((f) => f.wholeBytes <= jsonBytes(summaryOf(f.items, 0))));
  let skeleton: unknown = value;
  for (const f of found) if (!whole.has(f)) skeleton = replaced(skeleton, f.path, summaryOf(f.items, 0));
  let budget = maxBytes - jsonBytes(skeleton);
  if (budget < 0 || found.length === 0) return skeleton as Bounded<T>;

  // Whole lists first, the smallest first: as many lists as possible stay complete arrays.
  for (const f of [...found].sort((a, b) => a.wholeBytes - b.wholeBytes)) {
    if (whole.has(f)) continue;
    const delta = f.wholeBytes - jsonBytes(summaryOf(f.items, 0));
    if (delta <= budget) {
      whole.add(f);
      budget -= delta;
    }
  }
  // The others share what is left, one entry each in turn; an entry costs its bytes, a comma, and room
  // for `listed` to grow (up to 10 more digits, reserved once per list).
  const cut = found.filter((f) => !whole.has(f));
  budget -= 10 * cut.length;
  const listed = new Map(cut.map((f) => [f, 0]));
  const open = new Set(cut);
  while (open.size > 0) {
    for (const f of [...open]) {
      const n = listed.get(f) ?? 0;
      const cost = (f.itemBytes[n] ?? 0) + (n > 0 ? 1 : 0);
      if (n >= f.items.length || cost > budget) {
        open.delete(f);
        continue;
      }
      listed.set(f, n + 1);
      budget -= cost;
    }
  }
  let result: unknown = value;
  for (const f of found)
    result = replaced(result, f.path, whole.has(f) ? f.items : summaryOf(f.items, listed.get(f) ?? 0));
  // The arithmetic above is exact but for number widths; make sure, trimming the longest lists first.
  while (jsonBytes(result) > maxBytes) {
    const longest = cut.reduce<Found | undefined>(
      (best, f) => ((listed.get(f) ?? 0) > (best ? (listed.get(best) ?? 0) : 0) ? f : best),
      undefined,
    );
    if (!longest) break;
    listed.set(longest, (listed.get(longest) ?? 1) - 1);
    result = replaced(result, longest.path, summaryOf(longest.items, listed.get(longest) ?? 0));
  }
  return result as Bounded<T>;
}

/** The paths of the summary's lists inside a record that holds the summary under `key`. */
export function summaryListPaths(key?: string): Path[] {
  return SUMMARY_LISTS.map((list) => (key === undefined ? [list] : [key, list]));
}
