/**
 * The records one run holds once it has decided: the store's records as loaded, with the run's own
 * writes on top, in the store's order and then the new records in the order written — what a map of
 * every loaded record, updated by each applied write, used to be. It takes from the store's index,
 * before the run's first write, only what the run needs afterwards: the records the Slack plan needs,
 * the active ones when the summary lists them, every one for the board. So a run's cost follows what
 * it reads and writes, not every record the store holds.
 */
import type { AlertRecord, Transition } from "../domain/alert.js";
import { indexRecords, isActive, type LiveRecords } from "../domain/live-records.js";
import { isRollupMember } from "../domain/rollup.js";
import type { AlertStore } from "../ports.js";
import { settleRollupAcks } from "./acknowledge-all.js";

/** The store's live records, indexed (by the store itself when it keeps an index). */
export async function loadLive(store: AlertStore): Promise<LiveRecords> {
  return store.loadIndexed ? store.loadIndexed() : indexRecords(await store.load());
}

/**
 * The live records one run decides on, and the transitions of the Acknowledge all it wrote first.
 * Every record; or, for a due re-check that names its agents' records (`dueRecordIds`), just those,
 * read by id, unless one is in a roll-up (the roll-up's other members, and an Acknowledge all it
 * still owes, live on other records: then every record). A store that keeps its own index (a
 * replay's, where nobody clicks) is read through it and owes no acknowledgement.
 */
export async function loadForRun(
  store: AlertStore,
  mode: "once" | "tick" | "due" | undefined,
  options: { dueRecordIds?: string[] },
  settle: { dryRun: boolean; concurrency: number; mayStart: () => boolean },
): Promise<{ live: LiveRecords; settled: Transition[] }> {
  if (store.loadIndexed) return { live: await store.loadIndexed(), settled: [] };
  const ids = options.dueRecordIds;
  let records: AlertRecord[];
  if (mode !== "due" || ids === undefined || store.loadSome === undefined) records = await store.load();
  else {
    const some = await store.loadSome(ids);
    records = some.some((r) => r.rollupId !== undefined) ? await store.load() : some;
  }
  const settled = await settleRollupAcks(records, store, settle);
  return { live: indexRecords(settled.records), settled: settled.transitions };
}

export interface HoldOptions {
  /** The summary lists the open alerts. */
  firing: boolean;
  /** The board shows every record. */
  board: boolean;
}

export class HeldRecords {
  /** Loaded versions of the records the run needs after its writes. */
  readonly #loaded = new Map<string, AlertRecord>();
  readonly #position = new Map<string, number>();
  /** Applied writes, in the order applied. */
  readonly #written = new Map<string, AlertRecord>();
  /** Each written id's place in `#written` (a Map keeps an id where it was first set). */
  readonly #writtenAt = new Map<string, number>();
  readonly #slack = new Set<string>();
  readonly #active = new Set<string>();
  readonly #all: AlertRecord[] | undefined;
  readonly #live: LiveRecords;

  /**
   * `decided`: the records of the run's writes, not yet made. Call before the first write: the index
   * is read here (and by `hold`, for records the writes so far did not touch).
   */
  constructor(live: LiveRecords, decided: readonly AlertRecord[], options: HoldOptions) {
    this.#live = live;
    // Slack's plan: what the store holds owing something, what the run writes, and every member of a
    // roll-up either belongs to (a roll-up's messages show all of its members).
    this.#forSlack(live.owing());
    this.hold(decided);
    if (options.firing)
      for (const r of live.active()) {
        this.#keep(r);
        this.#active.add(r.id);
      }
    this.#all = options.board ? live.all() : undefined;
  }

  /**
   * More decided records, not yet written (a tick's rotation, decided while its open alerts were
   * already being delivered): their agents must be ones no earlier write of the run touched.
   */
  hold(decided: readonly AlertRecord[]): void {
    const stored: AlertRecord[] = [];
    for (const r of decided) {
      const before = this.#live.get(r.id);
      if (before) stored.push(before);
      else this.#slack.add(r.id);
    }
    this.#forSlack(stored);
  }

  #keep(r: AlertRecord): void {
    if (this.#loaded.has(r.id)) return;
    this.#loaded.set(r.id, r);
    this.#position.set(r.id, this.#live.position(r.id) ?? Number.POSITIVE_INFINITY);
  }

  #forSlack(records: Iterable<AlertRecord>): void {
    const rollups = new Set<string>();
    for (const r of records) {
      this.#keep(r);
      this.#slack.add(r.id);
      if (isRollupMember(r)) rollups.add(r.rollupId as string);
    }
    for (const id of rollups)
      for (const r of this.#live.rollupMembers(id)) {
        this.#keep(r);
        this.#slack.add(r.id);
      }
  }

  /** The record as loaded (undefined for a new one). */
  before(id: string): AlertRecord | undefined {
    return this.#loaded.get(id);
  }

  /** A write that applied: the run holds the record as written from now on. */
  applied(record: AlertRecord): void {
    if (!this.#writtenAt.has(record.id)) this.#writtenAt.set(record.id, this.#writtenAt.size);
    this.#written.set(record.id, record);
  }

  /** What planSlack needs: every record that could owe Slack something, in the run's order. */
  forSlack(): AlertRecord[] {
    return this.#inOrder([...this.#slack]);
  }

  /** The open and nudged records, in the run's order (held with `firing`). */
  active(): AlertRecord[] {
    const ids = new Set(this.#active);
    for (const [id, r] of this.#written) if (isActive(r)) ids.add(id);
    return this.#inOrder([...ids]).filter(isActive);
  }

  /** Every record the run holds (held with `board`). */
  all(): AlertRecord[] {
    const all = (this.#all ?? []).map((r) => this.#written.get(r.id) ?? r);
    const loaded = new Set((this.#all ?? []).map((r) => r.id));
    for (const [id, r] of this.#written) if (!loaded.has(id)) all.push(r);
    return all;
  }

  /** The store's order, then the new records in the order written. */
  #inOrder(ids: string[]): AlertRecord[] {
    // Each record's place is looked up once, not at every comparison the sort makes (a run sorts
    // these lists several times).
    const keyed: Array<{ record: AlertRecord; rank: number; writtenAt: number }> = [];
    for (const id of ids) {
      const record = this.#written.get(id) ?? this.#loaded.get(id);
      if (!record) continue;
      keyed.push({
        record,
        rank: this.#position.get(id) ?? Number.POSITIVE_INFINITY,
        writtenAt: this.#writtenAt.get(id) ?? 0,
      });
    }
    // Two new records rank alike (Infinity - Infinity is NaN, falsy): the order written decides.
    keyed.sort((a, b) => a.rank - b.rank || a.writtenAt - b.writtenAt);
    return keyed.map((k) => k.record);
  }
}
