/**
 * What stderr says while configs are replayed: on a terminal, the simulated hour each config has
 * reached, on one line written over (both configs of an `--against` on it, as they run side by side);
 * then, on a terminal or not, one closing line per config as it finishes.
 */
import type { Capture } from "../adapters/smartassist/capture-source.js";
import type { ReplayProgress } from "../app/replay.js";
import { localTimeOfDay } from "../domain/time.js";

/** The progress of every config replayed at once; `for(name)` is the one config's ReplayProgress. */
export class ReplayProgressLine {
  /** Configs still running, in the order they were named, and the simulated hour each reached. */
  readonly #reached = new Map<string, string | undefined>();

  constructor(
    private readonly capture: Capture,
    private readonly tty: boolean,
    private readonly write: (text: string) => void,
    private readonly wallMs: () => number = Date.now,
  ) {}

  /** The config's progress; its closing line counts the time from this call. */
  for(name: string): ReplayProgress {
    const started = this.wallMs();
    this.#reached.set(name, undefined);
    return ({ nowMs, runs, done }) => {
      if (!done) {
        this.#reached.set(name, localTimeOfDay(this.capture.timezone, nowMs));
        if (this.tty) this.write(`\r${this.#line()}`);
        return;
      }
      this.#reached.delete(name);
      const seconds = ((this.wallMs() - started) / 1000).toFixed(1);
      const closing = `replayed ${name}: ${runs.ticks} ticks and ${runs.due} due re-checks in ${seconds} s\n`;
      if (!this.tty) {
        this.write(closing);
        return;
      }
      // The closing line takes the progress line's place; a config still running starts a new one.
      const rest = this.#line();
      this.write(`\r\x1b[K${closing}${rest === "" ? "" : `\r${rest}`}`);
    };
  }

  /**
   * One config: `replaying a.yaml: 2026-11-30 14:00 reached`; two, kept short enough for a terminal's
   * line: `replaying 2026-11-30: a.yaml 14:00 · b.yaml 13:00`.
   */
  #line(): string {
    const parts: string[] = [];
    for (const [name, time] of this.#reached) if (time !== undefined) parts.push(`${name} ${time}`);
    if (parts.length === 0) return "";
    if (this.#reached.size === 1) {
      const [name, time] = [...this.#reached][0] as [string, string];
      return `replaying ${name}: ${this.capture.date} ${time} reached`;
    }
    return `replaying ${this.capture.date}: ${parts.join(" · ")}`;
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
