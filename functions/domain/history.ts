/**
 * History: every alert episode that ended (resolved, or excused and then over) is kept for
 * `history.retention`, for the report and the shift digest. Pure: built from the alert record the
 * resolving run wrote.
 */
import type { AlertRecord } from "./alert.js";
import { localDate } from "./time.js";

/** What history keeps of the alert record, as it stood when the episode ended. */
export const KEPT_FIELDS = [
  "id",
  "userId",
  "email",
  "name",
  "ruleKey",
  "ruleName",
  "primaryStatus",
  "secondaryStatus",
  "sinceMs",
  "thresholdSeconds",
  "severity",
  "firedMs",
  "channel",
  "acknowledgedBy",
  "acknowledgedMs",
  "snoozes",
  "excusedBy",
  "excusedMs",
] as const satisfies ReadonlyArray<keyof AlertRecord>;

/**
 * One ended episode: the alert record's kept fields (`id` is the alert's, `userId#ruleKey#since`, so
 * rewriting an entry is harmless; `severity` is the one it reached) and what its end adds.
 */
export interface HistoryEntry extends Pick<AlertRecord, (typeof KEPT_FIELDS)[number]> {
  endedMs: number;
  /** endedMs − sinceMs in whole seconds. */
  durationSeconds: number;
  /** True when someone excused the episode (it still counts, marked). */
  excused: boolean;
  /** The local date (config.timezone) the episode started on: how a day's history is found. */
  localDate: string;
  /** Epoch seconds after which the entry may be deleted (DynamoDB TTL): the end plus the retention. */
  expiresAt: number;
}

/** The history entry for a record that just ended. */
export function historyEntryFor(
  record: AlertRecord,
  timezone: string,
  retentionSeconds: number,
): HistoryEntry {
  const endedMs = Math.max(record.sinceMs, record.endedMs ?? record.sinceMs);
  const kept: Partial<Pick<AlertRecord, (typeof KEPT_FIELDS)[number]>> = {};
  for (const key of KEPT_FIELDS) if (record[key] !== undefined) Object.assign(kept, { [key]: record[key] });
  const entry = {
    ...kept,
    endedMs,
    durationSeconds: Math.floor((endedMs - record.sinceMs) / 1000),
    excused: record.excusedBy !== undefined,
    localDate: localDate(timezone, record.sinceMs),
    expiresAt: Math.floor(endedMs / 1000) + retentionSeconds,
  } as HistoryEntry;
  // Snoozes are copied (the entry must not share the record's list), and an empty list is not kept.
  if (record.snoozes !== undefined && record.snoozes.length > 0)
    entry.snoozes = record.snoozes.map((s) => ({ ...s }));
  else delete entry.snoozes;
  return entry;
}
