/**
 * The `interactions` Lambda entry, behind a Function URL: Slack's clicks on Acknowledge, Snooze… and
 * Excuse. Config validated and clients built at cold start; it needs no SmartAssist client.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { EventBridgePublisher } from "../adapters/events/eventbridge-publisher.js";
import { type AppSecrets, SecretsManagerSecrets } from "../adapters/secrets/secrets.js";
import { type SlackNotifier, slackNotifierFor } from "../adapters/slack/slack-notifier.js";
import { DynamoDbAlertStore } from "../adapters/state/dynamodb-store.js";
import { SLACK_UPDATE_BOUND_MS } from "../app/handle-interaction.js";
import { createInteractionsEndpoint } from "../app/interactions-endpoint.js";
import { fromPowertools } from "../app/logger.js";
import { parseConfig } from "../domain/config.js";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set (the stack sets it)`);
  return value;
}

const SERVICE = "agent-status-alerts";
const logger = new Logger({ serviceName: SERVICE });
const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "AgentStatusAlerts",
  serviceName: SERVICE,
});

// Spelled out as `process.env.APP_CONFIG`: esbuild's define replaces exactly that expression.
const rawConfig = process.env.APP_CONFIG;
if (!rawConfig) throw new Error("APP_CONFIG is not set (the stack compiles the config into the bundle)");
const { config } = parseConfig(JSON.parse(rawConfig), "APP_CONFIG");

const slackApiUrl = process.env.SLACK_API_URL;
// One Slack client per container while the token stays the same: its user group cache spans clicks.
let slack: { secrets: AppSecrets; notifier: SlackNotifier } | undefined;

export const handler = createInteractionsEndpoint({
  config,
  secrets: new SecretsManagerSecrets({
    secretId: required("SECRET_ID"),
    client: new SecretsManagerClient({}),
    requireSigningSecret: true,
  }),
  store: new DynamoDbAlertStore({
    tableName: required("TABLE_NAME"),
    client: new DynamoDBClient({}),
    nowMs: Date.now,
  }),
  events: new EventBridgePublisher({
    busName: required("EVENT_BUS_NAME"),
    client: new EventBridgeClient({}),
  }),
  notifierFor: (secrets) => {
    if (slack?.secrets !== secrets) {
      slack = {
        secrets,
        notifier: slackNotifierFor(config, {
          token: secrets.slackBotToken,
          apiUrl: slackApiUrl,
          nowMs: () => Date.now(),
          logger: fromPowertools(logger),
          maxRetryTimeMs: SLACK_UPDATE_BOUND_MS,
        }),
      };
    }
    return slack.notifier;
  },
  logger,
  metrics,
});
