/**
 * One run of the real use case (`runCheck`) on loopback peers: the SmartAssist simulator through the
 * real client (the demo credentials), and, when given, the fake Slack Web API through the real
 * notifier. The client is closed when the run ends.
 */
import { slackNotifierFor } from "../../functions/adapters/slack/slack-notifier.js";
import {
  SmartAssistClient,
  type SmartAssistClientOptions,
} from "../../functions/adapters/smartassist/client.js";
import { silentLog } from "../../functions/app/logger.js";
import { type CheckOptions, type CheckResult, runCheck } from "../../functions/app/run-check.js";
import type { AppConfig } from "../../functions/domain/config.js";
import type { AlertStore } from "../../functions/ports.js";
import { DEMO_CREDENTIALS } from "./smartassist/simulator.js";

export interface LoopbackRun {
  store: AlertStore;
  /** The fake Slack's URL and token; absent: a run without Slack. */
  slack?: { url: string; token: string };
  /** Options of the client beyond the config's (`maxAttempts`, say). */
  client?: Partial<SmartAssistClientOptions>;
}

export function loopbackRun(
  config: AppConfig,
  run: LoopbackRun,
  options: CheckOptions,
): Promise<CheckResult> {
  const source = new SmartAssistClient({
    ...config.smartassist,
    credentials: { clientId: DEMO_CREDENTIALS.clientId, clientSecret: DEMO_CREDENTIALS.clientSecret },
    ...run.client,
  });
  const notifier = run.slack
    ? slackNotifierFor(config, { token: run.slack.token, apiUrl: run.slack.url, nowMs: options.nowMs })
    : undefined;
  const deps = { source, store: run.store, log: silentLog, ...(notifier ? { notifier } : {}) };
  return runCheck(config, deps, options).finally(() => source.close());
}
