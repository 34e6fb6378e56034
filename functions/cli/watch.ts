/**
 * `watch`: the watchdog as a long-running process (a container, a systemd service, a laptop), ticking
 * like the deployed function: a first run at once, a run at the start of every minute within
 * `activeHours`, each due re-check at its instant (in-process timers), one SmartAssist client (one
 * pace) for all of them. One line per transition as it happens; SIGINT/SIGTERM finish the runs in
 * flight and exit 0.
 */
import { TimerDueQueue } from "../adapters/queue/timer-due-queue.js";
import type { Log } from "../app/logger.js";
import { runBudget } from "../app/run-budget.js";
import { runCheck } from "../app/run-check.js";
import { startWatch, type WatchTrigger } from "../app/watch.js";
import type { Transition } from "../domain/alert.js";
import type { AppConfig } from "../domain/config.js";
import { TICK_SECONDS } from "../domain/coverage.js";
import { dueEmails } from "../domain/due.js";
import { formatDuration } from "../domain/duration.js";
import { localTimeOfDay } from "../domain/time.js";
import { localLimiter, localNotifier, localSecrets, localSource, localStore } from "./local-adapters.js";

export interface WatchOptions {
  config: AppConfig;
  statePath: string;
  json: boolean;
  env: NodeJS.ProcessEnv;
  log: Log;
  write: (line: string) => void;
  /** Told once the credentials are there, before the first run (stderr: "watching: …"). */
  announce: (line: string) => void;
  signal: AbortSignal;
}

function triggerName(trigger: WatchTrigger): "schedule" | "due" {
  return trigger.kind;
}

function line(t: Transition, trigger: WatchTrigger, zone: string): string {
  const status =
    t.primaryStatus.toUpperCase() === t.secondaryStatus.toUpperCase()
      ? t.primaryStatus
      : `${t.primaryStatus} / ${t.secondaryStatus}`;
  return `${localTimeOfDay(zone, Date.parse(t.at))} ${t.type.padEnd(9)} ${t.name} <${t.email}> ${status} for ${formatDuration(t.elapsedSeconds)} — ${t.rule} (${triggerName(trigger)})`;
}

export async function localWatch(options: WatchOptions): Promise<void> {
  const { config, statePath, env, log, signal } = options;
  // Missing credentials fail before anything is announced.
  const secrets = localSecrets(env);
  const { activeHours } = config.schedule;
  options.announce(
    `watching: a run now, then every minute${activeHours ? ` within ${activeHours.from}–${activeHours.to}` : ""}, and each due re-check at its instant (Ctrl-C stops)`,
  );
  if (!secrets.slackBotToken)
    log.warn("SLACK_BOT_TOKEN is not set: alerts are tracked in the state but not posted to Slack");
  const store = localStore(statePath, () => Date.now());
  // The state file's window: with another process on the same file (a manual check), one limit.
  const source = localSource(config, secrets, localLimiter(store, false));
  let handDue: (group: Parameters<ReturnType<typeof startWatch>["due"]>[0]) => void = () => {};
  const dueQueue = new TimerDueQueue((group) => handDue(group));

  const watch = startWatch(
    {
      config,
      run: (trigger, nowMs) => {
        const budget = runBudget(Date.now(), TICK_SECONDS);
        const notifier = localNotifier(config, secrets, env, {
          nowMs,
          deadlineMs: budget.deliveryDeadlineMs,
          log,
        });
        const deps = {
          source,
          store,
          history: store,
          boards: store,
          dueQueue,
          log,
          ...(notifier ? { notifier } : {}),
        };
        return trigger.kind === "schedule"
          ? runCheck(config, deps, { nowMs, budget, mode: "tick" })
          : runCheck(config, deps, {
              nowMs,
              budget,
              mode: "due",
              dueEmails: dueEmails([trigger.group]),
            });
      },
      onResult: (result, trigger) => {
        for (const t of result.summary.transitions)
          options.write(
            options.json
              ? JSON.stringify({ ...t, trigger: triggerName(trigger) })
              : line(t, trigger, config.timezone),
          );
        for (const warning of result.warnings) log.warn(warning);
      },
      onError: (error, trigger) => {
        log.error(
          `the ${triggerName(trigger) === "due" ? "due re-check" : "run"} failed; the next tick tries again`,
          {
            error: error instanceof Error ? error.message : String(error),
          },
        );
      },
    },
    signal,
  );
  handDue = (group) => watch.due(group);
  try {
    await watch.done;
  } finally {
    dueQueue.close();
    await source.close();
  }
}
