/**
 * The watchdog on its own clock, as the deployed function runs: a first run at once, then a tick at
 * the start of every minute (within `activeHours`), and each due re-check at its instant. Ticks do not
 * pile up (one still running when the next minute starts lets that minute go); re-checks run as they
 * come, beside a tick, as in AWS (leases keep every send single). On stop, the runs in flight finish.
 */
import type { AppConfig } from "../domain/config.js";
import type { DueGroup } from "../domain/due.js";
import { nextMinuteStart, withinActiveHours } from "../domain/schedule.js";
import type { CheckResult } from "./run-check.js";

export type WatchTrigger = { kind: "schedule" } | { kind: "due"; group: DueGroup };

export interface WatchDeps {
  config: Pick<AppConfig, "timezone" | "schedule">;
  /** One run at real instant `nowMs`: a tick, or a due re-check of one group. */
  run(trigger: WatchTrigger, nowMs: number): Promise<CheckResult>;
  onResult(result: CheckResult, trigger: WatchTrigger): void;
  onError(error: unknown, trigger: WatchTrigger): void;
  now?: () => number;
  /** Waits `ms`, or less when `signal` aborts (then resolves, never rejects). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface Watch {
  /** Hands a due group to the watch (the in-process due queue calls this at the group's instant). */
  due(group: DueGroup): void;
  /** Resolves once stopped and every run in flight has finished. */
  done: Promise<void>;
}

const defaultSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done);
  });

export function startWatch(deps: WatchDeps, signal: AbortSignal): Watch {
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? defaultSleep;
  const inFlight = new Set<Promise<void>>();
  let tickRunning = false;

  const launch = (trigger: WatchTrigger) => {
    const run = (async () => {
      try {
        deps.onResult(await deps.run(trigger, now()), trigger);
      } catch (error) {
        deps.onError(error, trigger);
      }
    })();
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run));
    return run;
  };

  const tick = () => {
    if (tickRunning) return;
    tickRunning = true;
    void launch({ kind: "schedule" }).finally(() => {
      tickRunning = false;
    });
  };

  const loop = async () => {
    tick();
    while (!signal.aborted) {
      await sleep(Math.max(0, nextMinuteStart(now()) - now()), signal);
      if (signal.aborted) break;
      if (withinActiveHours(deps.config.schedule.activeHours, deps.config.timezone, now())) tick();
    }
    // Finish what is running (new re-checks are no longer taken), then stop.
    while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
  };

  return {
    due(group) {
      if (!signal.aborted) void launch({ kind: "due", group });
    },
    done: loop(),
  };
}
