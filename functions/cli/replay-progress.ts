/**
 * What stderr says while configs are replayed: on a terminal, the simulated hour each config has
 * reached, on one line written over (both configs of an `--against` on it, as they run side by side);
 * then, on a terminal or not, one closing line per config as it finishes.
 */
import type { Capture } from "../adapters/smartassist/capture-source.js";
import type { ReplayProgress } from "../app/replay.js";
import { localTimeOfDay } from "../domain/time.js";

/** One config being replayed: its name, when its replay began, and the simulated hour it reached. */
interface Running {
  name: string;
  startedMs: number;
  reached?: string;
}

/**
 * The progress of every config replayed at once; `for(name)` is the one config's ReplayProgress.
 * Configs are told apart by their registration, not their name (`--against` may name the same file).
 */
export class ReplayProgressLine {
  /** Configs still running, in the order they were named. */
  readonly #running = new Set<Running>();
  readonly #entries = new WeakMap<ReplayProgress, Running>();

  constructor(
    private readonly capture: Capture,
    private readonly tty: boolean,
    private readonly write: (text: string) => void,
    private readonly wallMs: () => number = Date.now,
  ) {}

  /** The config's progress; its closing line counts the time from this call. */
  for(name: string): ReplayProgress {
    const entry: Running = { name, startedMs: this.wallMs() };
    this.#running.add(entry);
    const progress: ReplayProgress = ({ nowMs, runs, done }) => {
      if (!done) {
        entry.reached = localTimeOfDay(this.capture.timezone, nowMs);
        if (this.tty) this.write(`\r${this.#line()}`);
        return;
      }
      this.#running.delete(entry);
      const seconds = ((this.wallMs() - entry.startedMs) / 1000).toFixed(1);
      const closing = `replayed ${name}: ${runs.ticks} ticks and ${runs.due} due re-checks in ${seconds} s\n`;
      if (!this.tty) {
        this.write(closing);
        return;
      }
      // The closing line takes the progress line's place; a config still running starts a new one.
      const rest = this.#line();
      this.write(`\r\x1b[K${closing}${rest === "" ? "" : `\r${rest}`}`);
    };
    this.#entries.set(progress, entry);
    return progress;
  }

  /**
   * The same config's day begun again (replayed here after its child failed): its time counts from
   * now, and the hour it had reached is forgotten. Returns `progress` itself.
   */
  restart(progress: ReplayProgress): ReplayProgress {
    const entry = this.#entries.get(progress);
    if (entry) {
      entry.startedMs = this.wallMs();
      delete entry.reached;
      this.#running.add(entry);
    }
    return progress;
  }

  /**
   * One config: `replaying a.yaml: 2026-11-30 14:00 reached`; two, kept short enough for a terminal's
   * line: `replaying 2026-11-30: a.yaml 14:00 · b.yaml 13:00`.
   */
  #line(): string {
    const reached = [...this.#running].filter((r) => r.reached !== undefined);
    const [only] = reached;
    if (only === undefined) return "";
    if (this.#running.size === 1)
      return `replaying ${only.name}: ${this.capture.date} ${only.reached} reached`;
    return `replaying ${this.capture.date}: ${reached.map((r) => `${r.name} ${r.reached}`).join(" · ")}`;
  }
}

/** One config's progress alone (`replay` without `--against`). */
export function replayProgress(
  name: string,
  capture: Capture,
  tty: boolean,
  write: (text: string) => void,
  wallMs: () => number = Date.now,
): ReplayProgress {
  return new ReplayProgressLine(capture, tty, write, wallMs).for(name);
}
