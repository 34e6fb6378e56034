/** `check`: one run against SmartAssist with local credentials, state in a JSON file, Slack if a token is set. */

import { secretsFromEnv } from "../adapters/secrets/secrets.js";
import { slackNotifierFor } from "../adapters/slack/slack-notifier.js";
import { SmartAssistClient } from "../adapters/smartassist/client.js";
import type { AppCredentials } from "../adapters/smartassist/jwt.js";
import { JsonFileAlertStore } from "../adapters/state/json-file-store.js";
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

/** The SmartAssist client of a local command (check, doctor), from the config and the credentials. */
export function localSource(config: AppConfig, credentials: AppCredentials): SmartAssistClient {
  return new SmartAssistClient({ ...config.smartassist, credentials });
}

/** Wires the local adapters and runs the use case: the CLI's equivalent of the Lambda handler. */
export async function localCheck(options: LocalCheckOptions): Promise<CheckResult> {
  const { config, nowMs, statePath, dryRun, env, log } = options;
  // One schedule interval, as the Lambda has: a run (a storm included) is over before the next starts.
  const budget = runBudget(Date.now(), config.schedule.everySeconds);
  const secrets = secretsFromEnv(env, { slack: false });
  const store: AlertStore & HistoryStore = statePath
    ? new JsonFileAlertStore(statePath, { nowMs })
    : new MemoryAlertStore({ nowMs });
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

  const source = localSource(config, { clientId: secrets.clientId, clientSecret: secrets.clientSecret });
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
