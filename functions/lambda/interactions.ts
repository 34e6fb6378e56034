/**
 * The `interactions` Lambda entry, behind a Function URL: Slack's clicks on Acknowledge, Snooze… and
 * Excuse. Config validated and clients built at cold start; it needs no SmartAssist client.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { EventBridgePublisher } from "../adapters/events/eventbridge-publisher.js";
import { type AppSecrets, SecretsManagerSecrets } from "../adapters/secrets/secrets.js";
import { type SlackNotifier, slackNotifierFor } from "../adapters/slack/slack-notifier.js";
import { DynamoDbAlertStore } from "../adapters/state/dynamodb-store.js";
import { SLACK_UPDATE_BOUND_MS } from "../app/handle-interaction.js";
import { fromPowertools } from "../app/logger.js";
import { coldStart, required } from "./cold-start.js";
import { createInteractionsEndpoint } from "./interactions-endpoint.js";

const { config, logger, metrics } = coldStart();

const slackApiUrl = process.env.SLACK_API_URL;
// One Slack client per container while the token stays the same: its user group cache spans clicks.
let slack: { secrets: AppSecrets; notifier: SlackNotifier } | undefined;

const store = new DynamoDbAlertStore({
  tableName: required("TABLE_NAME"),
  client: new DynamoDBClient({}),
  nowMs: Date.now,
});

export const handler = createInteractionsEndpoint({
  config,
  secrets: new SecretsManagerSecrets({
    secretId: required("SECRET_ID"),
    client: new SecretsManagerClient({}),
    requireSigningSecret: true,
  }),
  // The alert records and, for /agent-status, the boards' `#board#<channel>` items: one table.
  store,
  boards: store,
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
          logger: fromPowertools(logger),
          maxRetryTimeMs: SLACK_UPDATE_BOUND_MS,
          pace: "clicks",
        }),
      };
    }
    return slack.notifier;
  },
  logger,
  metrics,
});
