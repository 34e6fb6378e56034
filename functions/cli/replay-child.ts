/**
 * `replay --against`: the second config's day replayed in a second Node process, beside the first,
 * so a side-by-side takes about one config's time on two cores instead of two configs' one after
 * the other (a 12,000-agent day is tens of seconds each). The day is pure computation (app/replay.ts):
 * the child is handed the capture and the config as read, computes, and sends back the figures the
 * report prints; it reads, writes and calls nothing.
 *
 * The child is this same module, forked with the parent's Node options (under `tsx`, its loader), and
 * talks over the IPC channel with structured clone. Anything that goes wrong on its side (it cannot
 * start, it dies, it throws) is reported to the caller, which replays the config itself instead.
 */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Capture } from "../adapters/smartassist/capture-source.js";
import type { ReplayProgress } from "../app/replay.js";
import { type AppConfig, parseConfig } from "../domain/config.js";
import type { ConfigReplay } from "../domain/replay.js";
import { replayCapture } from "./replay.js";
import type { ReplayProgressLine } from "./replay-progress.js";

/** What the report needs of one config's day (ReplayResult without its records and transitions). */
export type ConfigFigures = ConfigReplay & { runs: { ticks: number; due: number } };

/** The parent's one message: the config as read from its file (`raw`), and the day. */
interface Job {
  name: string;
  raw: unknown;
  capture: Capture;
}

type Reply =
  | { kind: "progress"; reached: Parameters<ReplayProgress>[0] }
  | { kind: "figures"; figures: ConfigFigures }
  | { kind: "failed"; error: string };

/** The last stderr the child wrote, kept to explain a child that died. */
const STDERR_KEPT = 2_000;

/**
 * Replays `raw` (a config file's content, already validated by the caller) over `capture` in a child
 * process. Resolves once the child has the day (the caller may then keep its own event loop busy:
 * a day of 12,000 agents is tens of megabytes to write down the channel), to the figures to come.
 * `progress` hears the child's progress as the parent's event loop gets to it. The figures reject
 * with what went wrong when the child fails in any way (so does the hand-over).
 */
export async function replayInChild(
  name: string,
  raw: unknown,
  capture: Capture,
  progress?: ReplayProgress,
  /** The child's Node options: this process's by default (under `tsx`, its loader). */
  execArgv: readonly string[] = process.execArgv,
): Promise<{ figures: Promise<ConfigFigures>; cancel(): void }> {
  let handedOver: (() => void) | undefined;
  const sent = new Promise<void>((resolve) => {
    handedOver = resolve;
  });
  let cancel = () => {};
  const figures = new Promise<ConfigFigures>((resolve, reject) => {
    let settled = false;
    let stderr = "";
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: [...execArgv],
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    const fail = (why: string) => {
      if (settled) return;
      settled = true;
      child.kill();
      reject(new Error(why));
    };
    cancel = () => fail("cancelled");
    child.stderr?.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-STDERR_KEPT);
    });
    child.on("error", (error) => fail(error.message));
    child.on("message", (message: Reply) => {
      if (message.kind === "progress") {
        void progress?.(message.reached);
        return;
      }
      if (message.kind === "failed") return fail(message.error);
      settled = true;
      child.disconnect();
      resolve(message.figures);
    });
    child.on("exit", (code, signal) => {
      // The error's own line (Node ends a crash with its stack and version), or else the last one.
      const lines = stderr.trim().split("\n");
      const last = lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.pop() ?? "";
      fail(
        `the process exited (${signal ?? `code ${code}`}) before it sent the figures${last ? `: ${last}` : ""}`,
      );
    });
    const job: Job = { name, raw, capture };
    try {
      child.send(job, (error) => {
        if (error) fail(error.message);
        else handedOver?.();
      });
    } catch (error) {
      // The day could not be serialized: the child is not left waiting for it.
      fail(error instanceof Error ? error.message : String(error));
    }
  });
  // Whichever comes first: the day handed over, or the child failed before it had it.
  await Promise.race([sent, figures]);
  return { figures, cancel };
}

/** A config to replay: its name (its file), as parsed, and as read from the file (for the child). */
export interface NamedConfig {
  name: string;
  config: AppConfig;
  raw: unknown;
}

/**
 * `first` replayed here while `second` is replayed in a child process (`inChild`), both on one
 * progress line; this process lets the child's messages in between its own hours. A child that
 * fails in any way leaves `second` to be replayed here after `first`, with a note on `write`: the
 * figures are the same either way, only slower.
 */
export async function replaySideBySide(
  first: NamedConfig,
  second: NamedConfig,
  capture: Capture,
  line: ReplayProgressLine,
  write: (text: string) => void,
  inChild: typeof replayInChild = replayInChild,
): Promise<[ConfigFigures, ConfigFigures]> {
  const firstProgress = line.for(first.name);
  const secondProgress = line.for(second.name);
  const asError = (error: unknown) => (error instanceof Error ? error : new Error(String(error)));
  let beside: Promise<ConfigFigures | Error>;
  let cancel = () => {};
  try {
    const child = await inChild(second.name, second.raw, capture, secondProgress);
    beside = child.figures.catch(asError);
    cancel = child.cancel;
  } catch (error) {
    beside = Promise.resolve(asError(error));
  }
  let here: ConfigFigures;
  try {
    here = await replayCapture(first.config, first.name, capture, async (reached) => {
      await firstProgress(reached);
      await new Promise((resolve) => setImmediate(resolve));
    });
  } catch (error) {
    // The child would keep this process alive until its day was done: it is stopped.
    cancel();
    throw error;
  }
  const there = await beside;
  if (!(there instanceof Error)) return [here, there];
  write(
    `note: ${second.name} could not be replayed beside ${first.name} (${there.message}); replaying it now\n`,
  );
  // Its progress begun again: its closing line counts its own time, not the first's too.
  return [here, await replayCapture(second.config, second.name, capture, line.restart(secondProgress))];
}

/** The child's side: one job, its figures (or why not), then done. */
async function runJob(job: Job): Promise<Reply> {
  try {
    const { config } = parseConfig(job.raw, job.name);
    const send: ReplayProgress = (reached) => {
      process.send?.({ kind: "progress", reached } satisfies Reply);
    };
    const r = await replayCapture(config, job.name, job.capture, send);
    const figures: ConfigFigures = {
      config: r.config,
      totals: r.totals,
      byRule: r.byRule,
      byHour: r.byHour,
      channels: r.channels,
      runs: r.runs,
    };
    return { kind: "figures", figures };
  } catch (error) {
    return { kind: "failed", error: error instanceof Error ? error.message : String(error) };
  }
}

if (process.send !== undefined && process.argv[1] === fileURLToPath(import.meta.url)) {
  // A parent that goes away takes its child with it.
  process.on("disconnect", () => process.exit(0));
  process.once("message", (job: Job) => {
    void runJob(job).then((reply) => process.send?.(reply, () => process.disconnect()));
  });
}
