/**
 * Replay, the use case: a past day run through the real check (`runCheck`) on a virtual clock, as the
 * stack would have run it. The check function ticks every minute within `schedule.activeHours`
 * (`mode: "tick"`: each tick reads its share of the roster so every agent is read once per
 * `schedule.every`, plus the open alerts), and each due re-check the ticks queue runs at its instant
 * (`mode: "due"`, as SQS hands it over: DelaySeconds rounded up). The adapters are in memory: a source
 * answering what the API would have answered at each instant, an alert store, and a notifier that
 * sends nothing and counts. Nothing is posted, written or published; no event bus, no history.
 * The board (`slack.board`) is not simulated either: it is one message per channel whatever the
 * thresholds, the replay counts nothing of it, and drawing it on every tick would hold every record
 * of the day on each (a replay several times as long for the same figures).
 *
 * No I/O of its own and no real clock: the same capture and config always give the same figures.
 */
import type { AlertRecord, Transition } from "../domain/alert.js";
import type { AppConfig } from "../domain/config.js";
import type { Cursor } from "../domain/coverage.js";
import { type DueGroup, dueEmails } from "../domain/due.js";
import { type ChannelMessages, type ConfigReplay, replayFigures } from "../domain/replay.js";
import { withinActiveHours } from "../domain/schedule.js";
import type { AgentStatusSource, AlertNotifier, AlertStore, DueQueue } from "../ports.js";
import { silentLog } from "./logger.js";
import { runCheck } from "./run-check.js";
import { loadLive } from "./run-records.js";

const MINUTE_MS = 60_000;

/** The in-memory adapters of one replay, made on the replay's virtual clock. */
export interface ReplayAdapters {
  source: AgentStatusSource;
  store: AlertStore;
  notifier: AlertNotifier;
  /** What the notifier counted, by channel (read once the day is over). */
  messages(): ReadonlyMap<string, ChannelMessages>;
}

export interface ReplayDay {
  /** The local day's bounds (UTC ms): [local midnight, next local midnight). */
  dayStartMs: number;
  dayEndMs: number;
}

export interface ReplayResult extends ConfigReplay {
  /** Runs made: ticks and due re-checks. */
  runs: { ticks: number; due: number };
  transitions: Transition[];
  /** Every alert record the day's runs wrote, as each was last written. */
  records: AlertRecord[];
}

/** Due groups held until their instant: SQS's DelaySeconds, rounded up from when they were sent. */
export class VirtualDueQueue implements DueQueue {
  readonly waiting: Array<{ atMs: number; group: DueGroup }> = [];
  async schedule(groups: DueGroup[], nowMs: number) {
    for (const group of groups) {
      const delay = Math.max(0, Math.ceil((group.atMs - nowMs) / 1000));
      const atMs = nowMs + delay * 1000;
      // Kept sorted by instant (stable: groups of one instant in the order they were sent).
      let i = this.waiting.length;
      while (i > 0 && (this.waiting[i - 1]?.atMs ?? 0) > atMs) i--;
      this.waiting.splice(i, 0, { atMs, group });
    }
    return { scheduled: groups.length, left: 0, failed: 0 };
  }
}

/** A store that remembers every record as last written (the store itself forgets expired ones). */
class RecordingStore implements AlertStore {
  readonly written = new Map<string, AlertRecord>();
  constructor(private readonly inner: AlertStore) {}
  load() {
    return this.inner.load();
  }
  loadIndexed() {
    return loadLive(this.inner);
  }
  get(id: string) {
    return this.inner.get(id);
  }
  async put(record: AlertRecord, expectedVersion: number | null) {
    const ok = await this.inner.put(record, expectedVersion);
    if (ok) this.written.set(record.id, record);
    return ok;
  }
  loadCursor() {
    return this.inner.loadCursor();
  }
  saveCursor(cursor: Cursor) {
    return this.inner.saveCursor(cursor);
  }
}

/**
 * Where a replay has got to: called once per simulated hour, and once the day is over (`done`). One
 * that returns a promise is waited for before the day goes on: the day is computed without a pause
 * of its own, so this is where its caller can let other work in (the CLI hears the other config's
 * process there).
 */
export type ReplayProgress = (reached: {
  nowMs: number;
  runs: { ticks: number; due: number };
  done: boolean;
}) => void | Promise<void>;

const HOUR_MS = 3_600_000;

/**
 * Runs the day for one config. `adapters` makes the in-memory adapters on the virtual clock it is
 * given (`clock()`: the simulated instant). `progress` hears where the day has got to (a large
 * center's day takes tens of seconds).
 */
export async function replayDay(
  config: AppConfig,
  name: string,
  day: ReplayDay,
  adapters: (clock: () => number) => ReplayAdapters,
  progress?: ReplayProgress,
): Promise<ReplayResult> {
  let now = day.dayStartMs;
  const clock = () => now;
  // The runs' config: the board off (see above); the figures are made with the config as given.
  const runConfig: AppConfig = config.slack.board
    ? { ...config, slack: { ...config.slack, board: false } }
    : config;
  const made = adapters(clock);
  const store = new RecordingStore(made.store);
  const queue = new VirtualDueQueue();
  const deps = { source: made.source, store, notifier: made.notifier, dueQueue: queue, log: silentLog };
  const transitions: Transition[] = [];
  const runs = { ticks: 0, due: 0 };
  // Leases on the virtual clock; no lists in the summaries (the day is counted from its transitions).
  const quiet = { wallMs: clock, lean: true };
  const zone = config.timezone;
  let nextTick = day.dayStartMs;
  let nextReport = day.dayStartMs + HOUR_MS;
  for (;;) {
    const due = queue.waiting[0];
    if (due && due.atMs < nextTick && due.atMs < day.dayEndMs) {
      queue.waiting.shift();
      now = due.atMs;
      const emails = dueEmails([due.group]);
      const r = await runCheck(runConfig, deps, { ...quiet, nowMs: now, mode: "due", dueEmails: emails });
      for (const t of r.summary.transitions) transitions.push(t);
      runs.due++;
      continue;
    }
    if (nextTick >= day.dayEndMs) break;
    if (progress && nextTick >= nextReport) {
      await progress({ nowMs: nextTick, runs: { ...runs }, done: false });
      nextReport += HOUR_MS;
    }
    now = nextTick;
    nextTick += MINUTE_MS;
    if (!withinActiveHours(config.schedule.activeHours, zone, now)) continue;
    const r = await runCheck(runConfig, deps, { ...quiet, nowMs: now, mode: "tick" });
    for (const t of r.summary.transitions) transitions.push(t);
    runs.ticks++;
  }
  await progress?.({ nowMs: day.dayEndMs, runs: { ...runs }, done: true });
  const records = [...store.written.values()];
  const figures = replayFigures({
    name,
    config,
    records,
    transitions,
    messages: made.messages(),
    dayEndMs: day.dayEndMs,
  });
  return { ...figures, runs, transitions, records };
}
