/**
 * Alert state held in memory: for --dry-run, runs without --state, and tests. Also home of the
 * helpers the three stores share (the clock, what "expired" means, the record schema), so that
 * memory, JSON file and DynamoDB agree on every edge.
 */
import * as z from "zod";
import type { AlertRecord } from "../../domain/alert.js";
import { type BoardState, mayClaimBoardPost } from "../../domain/board.js";
import type { Cursor } from "../../domain/coverage.js";
import { type HistoryEntry, KEPT_FIELDS } from "../../domain/history.js";
import type { AlertStore, BoardStore, HistoryStore } from "../../ports.js";

/**
 * The store's "now" in UTC ms: a fixed instant (the CLI's --now, one run) or a function read at
 * each call (a store kept across warm Lambda invocations).
 */
export type StoreClock = number | (() => number);

export function readClock(clock: StoreClock): number {
  return typeof clock === "function" ? clock() : clock;
}

/** `expiresAt` is in epoch seconds (DynamoDB TTL); compare it with whole seconds, as the table does. */
export function nowSeconds(nowMs: number): number {
  return Math.floor(nowMs / 1000);
}

/** A record is live until its expiry second arrives; an expired leftover counts as absent. */
export function isLive(record: Pick<AlertRecord, "expiresAt">, nowMs: number): boolean {
  return record.expiresAt > nowSeconds(nowMs);
}

/**
 * The write condition every store applies: null → no live record with that id; a number → a live
 * record holding exactly that version.
 */
export function conditionHolds(
  current: AlertRecord | undefined,
  expectedVersion: number | null,
  nowMs: number,
): boolean {
  const live = current !== undefined && isLive(current, nowMs);
  return expectedVersion === null ? !live : live && current.version === expectedVersion;
}

/** Drops keys whose value is undefined: every store keeps an absent attribute absent. */
export function withoutUndefined<T extends object>(record: T): T {
  // A loop rather than entries/filter/fromEntries: every write of every store goes through it.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const value = (record as Record<string, unknown>)[key];
    if (value !== undefined) out[key] = value;
  }
  return out as T;
}

const severity = z.enum(["warning", "critical"]);
const snooze = z.object({ by: z.string(), atMs: z.number(), untilMs: z.number() });

const alertRecordShape = {
  id: z.string().min(1),
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  ruleKey: z.string(),
  ruleName: z.string(),
  primaryStatus: z.string(),
  secondaryStatus: z.string(),
  sinceMs: z.number(),
  thresholdSeconds: z.number(),
  criticalSeconds: z.number().optional(),
  repeatSeconds: z.number().optional(),
  severity,
  state: z.enum(["nudged", "open", "resolved", "averted"]),
  firedMs: z.number(),
  lastNotifiedMs: z.number(),
  remindedSlots: z.number().optional(),
  endedMs: z.number().optional(),
  channel: z.string().optional(),
  escalationMention: z.string().optional(),
  slackTs: z.string().optional(),
  notifiedSeverity: severity.optional(),
  resolveNotified: z.boolean().optional(),
  acknowledgedBy: z.string().optional(),
  acknowledgedMs: z.number().optional(),
  snoozedBy: z.string().optional(),
  snoozedUntilMs: z.number().optional(),
  snoozes: z.array(snooze).optional(),
  excusedBy: z.string().optional(),
  excusedMs: z.number().optional(),
  actionPending: z.enum(["acknowledged", "snoozed", "excused"]).optional(),
  nudgedMs: z.number().optional(),
  nudgeNotified: z.enum(["sent", "not-in-slack"]).optional(),
  rollupId: z.string().optional(),
  rollupTs: z.string().optional(),
  rollupListed: z.boolean().optional(),
  lease: z.object({ by: z.string(), untilMs: z.number() }).optional(),
  appliedActions: z.array(z.string()).optional(),
  rollupAck: z.object({ by: z.string(), atMs: z.number(), key: z.string().optional() }).optional(),
  version: z.number().int(),
  expiresAt: z.number(),
};

// Fails to compile when AlertRecord gains a field the schema does not know.
type UnknownToSchema = Exclude<keyof AlertRecord, keyof typeof alertRecordShape>;
const _schemaCoversRecord: [UnknownToSchema] extends [never] ? true : UnknownToSchema = true;
void _schemaCoversRecord;

/**
 * A stored alert record. Loose: fields written by a newer version of this code are kept, not dropped,
 * when an older one rewrites the record.
 */
export const alertRecordSchema: z.ZodType<AlertRecord> = z.looseObject(alertRecordShape);

const historyEntryShape = {
  // The alert record's kept fields, validated as the record's own.
  ...Object.fromEntries(KEPT_FIELDS.map((key) => [key, alertRecordShape[key]])),
  endedMs: z.number(),
  durationSeconds: z.number(),
  excused: z.boolean(),
  localDate: z.string(),
  expiresAt: z.number(),
} as Pick<typeof alertRecordShape, (typeof KEPT_FIELDS)[number]> & {
  endedMs: z.ZodNumber;
  durationSeconds: z.ZodNumber;
  excused: z.ZodBoolean;
  localDate: z.ZodString;
  expiresAt: z.ZodNumber;
};

// Fails to compile when HistoryEntry gains a field the schema does not know.
type UnknownToHistorySchema = Exclude<keyof HistoryEntry, keyof typeof historyEntryShape>;
const _schemaCoversEntry: [UnknownToHistorySchema] extends [never] ? true : UnknownToHistorySchema = true;
void _schemaCoversEntry;

/** A stored history entry; loose for the same reason as alertRecordSchema. */
export const historyEntrySchema: z.ZodType<HistoryEntry> = z.looseObject(historyEntryShape);

/** How long a cursor outlives the last run that kept it (a table left behind cleans itself up). */
export const CURSOR_TTL_SECONDS = 30 * 24 * 3600;

/** A stored cursor; unknown extra keys (the DynamoDB item's id and expiry) are dropped. */
export const cursorSchema: z.ZodType<Cursor> = z.object({
  nextOffset: z.number().int().min(0),
  rosterPages: z.number().int().min(1).nullable(),
  complete: z.boolean(),
  pagesRead: z.number().int().min(0),
  updatedMs: z.number(),
  credit: z.number().min(0).optional(),
  tickMs: z.number().optional(),
});

/** How long a board's state outlives the last run that kept it (as the cursor). */
export const BOARD_TTL_SECONDS = CURSOR_TTL_SECONDS;

/**
 * A stored board state: only its channel is checked; the rest is the board's own (a state written by
 * another version at worst draws the board once more).
 */
export const boardStateSchema: z.ZodType<BoardState> = z.custom<BoardState>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    typeof (value as { channel?: unknown }).channel === "string",
  { error: "expected a board state with a channel" },
);

export interface MemoryAlertStoreOptions {
  /** Defaults to the real clock; pass the run's instant when it runs as of another one (--now). */
  nowMs?: StoreClock;
  /** Records to start from (e.g. a --state file read for a dry run). */
  records?: AlertRecord[];
  /** History to start from. */
  history?: HistoryEntry[];
  cursor?: Cursor;
}

export class MemoryAlertStore implements AlertStore, HistoryStore, BoardStore {
  readonly #records = new Map<string, AlertRecord>();
  readonly #boards = new Map<string, BoardState>();
  readonly #history = new Map<string, HistoryEntry>();
  readonly #clock: StoreClock;
  #cursor: Cursor | undefined;

  constructor(options: MemoryAlertStoreOptions = {}) {
    this.#clock = options.nowMs ?? Date.now;
    for (const record of options.records ?? []) this.#records.set(record.id, copy(record));
    this.#cursor = options.cursor && { ...options.cursor };
    for (const entry of options.history ?? []) this.#history.set(entry.id, structuredClone(entry));
  }

  async loadCursor(): Promise<Cursor | undefined> {
    return this.#cursor && { ...this.#cursor };
  }

  async saveCursor(cursor: Cursor): Promise<void> {
    this.#cursor = { ...cursor };
  }

  async loadBoards(channels: readonly string[]): Promise<BoardState[]> {
    return channels.flatMap((c) => {
      const board = this.#boards.get(c);
      return board ? [structuredClone(board)] : [];
    });
  }

  async saveBoard(state: BoardState): Promise<void> {
    this.#boards.set(state.channel, structuredClone(withoutUndefined(state)));
  }

  async claimBoardPost(channel: string, by: string, untilMs: number, wallMs: number): Promise<boolean> {
    const stored = this.#boards.get(channel);
    if (!mayClaimBoardPost(stored, by, wallMs)) return false;
    this.#boards.set(channel, { ...(stored ?? { channel }), postingBy: by, postingUntilMs: untilMs });
    return true;
  }

  async record(entry: HistoryEntry): Promise<void> {
    this.#history.set(entry.id, structuredClone(withoutUndefined(entry)));
  }

  async historyOn(date: string): Promise<HistoryEntry[]> {
    return [...this.#history.values()].filter((e) => e.localDate === date).map((e) => structuredClone(e));
  }

  /** Every history entry held: for tests. */
  historySnapshot(): HistoryEntry[] {
    return [...this.#history.values()].map((e) => structuredClone(e));
  }

  async load(): Promise<AlertRecord[]> {
    const nowMs = readClock(this.#clock);
    return [...this.#records.values()].filter((r) => isLive(r, nowMs)).map(copy);
  }

  async get(id: string): Promise<AlertRecord | undefined> {
    const record = this.#records.get(id);
    return record && isLive(record, readClock(this.#clock)) ? copy(record) : undefined;
  }

  async put(record: AlertRecord, expectedVersion: number | null): Promise<boolean> {
    // Check and set run in one synchronous step, so concurrent puts cannot interleave.
    if (!conditionHolds(this.#records.get(record.id), expectedVersion, readClock(this.#clock))) return false;
    this.#records.set(record.id, copy(record));
    return true;
  }

  /** Every record held, expired ones included: for tests and dry-run reports. */
  snapshot(): AlertRecord[] {
    return [...this.#records.values()].map(copy);
  }
}

// Callers get and give copies: mutating a loaded record must not change the store behind its back.
function copy(record: AlertRecord): AlertRecord {
  return structuredClone(withoutUndefined(record));
}
