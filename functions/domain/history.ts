/**
 * History: every alert episode that ended (resolved, or excused and then over) is kept for
 * `history.retention`, for the report and the shift digest. Pure: built from the alert record the
 * resolving run wrote.
 */
import type { AlertRecord, Severity, Snooze } from "./alert.js";
import { localDate } from "./time.js";

export interface HistoryEntry {
  /** The alert's id (`userId#ruleKey#since`): one entry per episode, so rewriting it is harmless. */
  id: string;
  userId: string;
  email: string;
  name: string;
  ruleKey: string;
  ruleName: string;
  primaryStatus: string;
  secondaryStatus: string;
  /** The episode's first start and its end (UTC ms). */
  sinceMs: number;
  endedMs: number;
  /** endedMs − sinceMs in whole seconds. */
  durationSeconds: number;
  thresholdSeconds: number;
  /** The severity the episode reached. */
  severity: Severity;
  firedMs: number;
  channel?: string;
  acknowledgedBy?: string;
  acknowledgedMs?: number;
  snoozes?: Snooze[];
  excusedBy?: string;
  excusedMs?: number;
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
  const entry: HistoryEntry = {
    id: record.id,
    userId: record.userId,
    email: record.email,
    name: record.name,
    ruleKey: record.ruleKey,
    ruleName: record.ruleName,
    primaryStatus: record.primaryStatus,
    secondaryStatus: record.secondaryStatus,
    sinceMs: record.sinceMs,
    endedMs,
    durationSeconds: Math.floor((endedMs - record.sinceMs) / 1000),
    thresholdSeconds: record.thresholdSeconds,
    severity: record.severity,
    firedMs: record.firedMs,
    excused: record.excusedBy !== undefined,
    localDate: localDate(timezone, record.sinceMs),
    expiresAt: Math.floor(endedMs / 1000) + retentionSeconds,
  };
  if (record.channel !== undefined) entry.channel = record.channel;
  if (record.acknowledgedBy !== undefined) entry.acknowledgedBy = record.acknowledgedBy;
  if (record.acknowledgedMs !== undefined) entry.acknowledgedMs = record.acknowledgedMs;
  if (record.snoozes !== undefined && record.snoozes.length > 0)
    entry.snoozes = record.snoozes.map((s) => ({ ...s }));
  if (record.excusedBy !== undefined) entry.excusedBy = record.excusedBy;
  if (record.excusedMs !== undefined) entry.excusedMs = record.excusedMs;
  return entry;
}
