/** `check`: one run against SmartAssist with local credentials, state in a JSON file, Slack if a token is set. */

import { secretsFromEnv } from "../adapters/secrets/secrets.js";
import { slackNotifierFor } from "../adapters/slack/slack-notifier.js";
import { SmartAssistClient } from "../adapters/smartassist/client.js";
import { JsonFileAlertStore } from "../adapters/state/json-file-store.js";
import { MemoryRateLimiter } from "../adapters/state/memory-rate-limiter.js";
import { MemoryAlertStore } from "../adapters/state/memory-store.js";
import type { Log } from "../app/logger.js";
import { runBudget } from "../app/run-budget.js";
import { type CheckResult, runCheck } from "../app/run-check.js";
import type { AppConfig } from "../domain/config.js";
import type { AlertNotifier, AlertStore, HistoryStore } from "../ports.js";

export interface LocalCheckOptions {
  config: AppConfig;
  nowMs: number;
  statePath?: string;
  dryRun: boolean;
  env: NodeJS.ProcessEnv;
  log: Log;
}

/** Wires the local adapters and runs the use case: the CLI's equivalent of the Lambda handler. */
export async function localCheck(options: LocalCheckOptions): Promise<CheckResult> {
  const { config, nowMs, statePath, dryRun, env, log } = options;
  // One schedule interval, as the Lambda has: a run (a storm included) is over before the next starts.
  const budget = runBudget(Date.now(), config.schedule.everySeconds);
  const secrets = secretsFromEnv(env, { slack: false });
  const file = statePath ? new JsonFileAlertStore(statePath, { nowMs }) : undefined;
  const store: AlertStore & HistoryStore = file ?? new MemoryAlertStore({ nowMs });
  // One rate budget with every other run on this state file; a dry run writes nothing, so its own.
  const limiter = file && !dryRun ? file : new MemoryRateLimiter();
  if (!statePath && !dryRun) log.warn("no --state given: alerts are not remembered between runs");

  let notifier: AlertNotifier | undefined;
  if (!dryRun) {
    if (secrets.slackBotToken) {
      notifier = slackNotifierFor(config, {
        token: secrets.slackBotToken,
        apiUrl: env.SLACK_API_URL,
        nowMs,
        logger: log,
        deadlineMs: budget.deliveryDeadlineMs,
      });
    } else {
      log.warn("SLACK_BOT_TOKEN is not set: alerts are tracked in the state but not posted to Slack");
    }
  }

  const source = new SmartAssistClient({
    ...config.smartassist,
    credentials: { clientId: secrets.clientId, clientSecret: secrets.clientSecret },
    limiter,
  });
  try {
    return await runCheck(
      config,
      { source, store, history: store, ...(notifier ? { notifier } : {}), log },
      { nowMs, dryRun, budget },
    );
  } finally {
    await source.close();
  }
}
