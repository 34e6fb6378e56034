/** `check`: one run against SmartAssist with local credentials, state in a JSON file, Slack if a token is set. */

import type { Log } from "../app/logger.js";
import { runBudget } from "../app/run-budget.js";
import { type CheckResult, runCheck } from "../app/run-check.js";
import type { AppConfig } from "../domain/config.js";
import { localLimiter, localNotifier, localSecrets, localSource, localStore } from "./local-adapters.js";

export interface LocalCheckOptions {
  config: AppConfig;
  nowMs: number;
  statePath?: string;
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  log: Log;
  /** A due re-check of these agents (by e-mail) instead of a whole run (the demo shows one). */
  dueEmails?: string[];
}

/** Wires the local adapters and runs the use case: the CLI's equivalent of the Lambda handler. */
export async function localCheck(options: LocalCheckOptions): Promise<CheckResult> {
  const { config, nowMs, statePath, dryRun, env, log } = options;
  // One schedule interval, as a whole run has: a run (a storm included) is over before the next starts.
  const budget = runBudget(Date.now(), config.schedule.everySeconds);
  const secrets = localSecrets(env);
  const store = localStore(statePath, nowMs);
  // One rate budget with every other run on this state file; a dry run writes nothing, so its own.
  const limiter = localLimiter(store, dryRun);
  if (!statePath && !dryRun) log.warn("no --state given: alerts are not remembered between runs");

  const notifier = dryRun
    ? undefined
    : localNotifier(config, secrets, env, { nowMs, deadlineMs: budget.deliveryDeadlineMs, log });
  if (!dryRun && !notifier)
    log.warn("SLACK_BOT_TOKEN is not set: alerts are tracked in the state but not posted to Slack");

  const source = localSource(config, secrets, limiter);
  try {
    return await runCheck(
      config,
      { source, store, history: store, boards: store, ...(notifier ? { notifier } : {}), log },
      options.dueEmails
        ? { nowMs, dryRun, budget, mode: "due", dueEmails: options.dueEmails }
        : { nowMs, dryRun, budget },
    );
  } finally {
    await source.close();
  }
}
