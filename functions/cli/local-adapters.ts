/**
 * The local adapters the CLI's runs share (check, watch): credentials from the environment, state in
 * a JSON file (or memory), Slack when a token is set, the SmartAssist client. The CLI's equivalent of
 * the Lambda entry's wiring.
 */
import { secretsFromEnv } from "../adapters/secrets/secrets.js";
import { slackNotifierFor } from "../adapters/slack/slack-notifier.js";
import { SmartAssistClient } from "../adapters/smartassist/client.js";
import { JsonFileAlertStore } from "../adapters/state/json-file-store.js";
import { MemoryRateLimiter } from "../adapters/state/memory-rate-limiter.js";
import { MemoryAlertStore } from "../adapters/state/memory-store.js";
import type { Log } from "../app/logger.js";
import type { AppConfig } from "../domain/config.js";
import type { AlertNotifier, AlertStore, BoardStore, HistoryStore, SharedRateLimiter } from "../ports.js";

export type LocalSecrets = ReturnType<typeof secretsFromEnv>;

export function localSecrets(env: NodeJS.ProcessEnv): LocalSecrets {
  return secretsFromEnv(env, { slack: false });
}

/** The state file's store (or memory without one); `nowMs` is the run's instant or a live clock. */
export function localStore(
  statePath: string | undefined,
  nowMs: number | (() => number),
): AlertStore & HistoryStore & BoardStore {
  return statePath ? new JsonFileAlertStore(statePath, { nowMs }) : new MemoryAlertStore({ nowMs });
}

/** Slack for one run, when a bot token is set; undefined otherwise (alerts tracked, not posted). */
export function localNotifier(
  config: AppConfig,
  secrets: LocalSecrets,
  env: NodeJS.ProcessEnv,
  run: { nowMs: number; deadlineMs: number; log: Log },
): AlertNotifier | undefined {
  if (!secrets.slackBotToken) return undefined;
  return slackNotifierFor(config, {
    token: secrets.slackBotToken,
    apiUrl: env.SLACK_API_URL,
    nowMs: run.nowMs,
    logger: run.log,
    deadlineMs: run.deadlineMs,
  });
}

/** The SmartAssist client: one per process, so its pacing spans every run the process makes. */
export function localSource(
  config: AppConfig,
  credentials: { clientId: string; clientSecret: string },
  limiter?: SharedRateLimiter,
): SmartAssistClient {
  // Only the SmartAssist pair goes to the client, never the Slack secrets beside it.
  const { clientId, clientSecret } = credentials;
  return new SmartAssistClient({
    ...config.smartassist,
    credentials: { clientId, clientSecret },
    ...(limiter ? { limiter } : {}),
  });
}

/**
 * The rate budget a run shares: the state file's window (every process on that file counts against
 * one limit), else this process's own. A dry run writes nothing, so it keeps its own too.
 */
export function localLimiter(store: AlertStore, dryRun: boolean): SharedRateLimiter {
  return store instanceof JsonFileAlertStore && !dryRun ? store : new MemoryRateLimiter();
}
