/**
 * The Lambda entry point. Everything here runs once per container (cold start): the config is
 * validated and the clients are built, so a bad deployment fails at init, not on some later run.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { EventBridgePublisher } from "../adapters/events/eventbridge-publisher.js";
import { type AppSecrets, SecretsManagerSecrets } from "../adapters/secrets/secrets.js";
import { slackNotifierFor } from "../adapters/slack/slack-notifier.js";
import { SmartAssistClient } from "../adapters/smartassist/client.js";
import { DynamoDbAlertStore } from "../adapters/state/dynamodb-store.js";
import { fromPowertools } from "../app/logger.js";
import { createScheduledCheck } from "../app/scheduled-check.js";
import { coldStart, required } from "./cold-start.js";

const { config, logger, metrics } = coldStart();

const dynamo = new DynamoDBClient({});
const tableName = required("TABLE_NAME");

const slackApiUrl = process.env.SLACK_API_URL;

// Built once per container and kept while the credentials stay the same: the pacer's memory of
// recent requests then spans warm invocations too.
let source: { secrets: AppSecrets; client: SmartAssistClient } | undefined;
function sourceFor(secrets: AppSecrets): SmartAssistClient {
  if (source?.secrets !== secrets) {
    source = {
      secrets,
      client: new SmartAssistClient({
        ...config.smartassist,
        // SmartAssist latency is a field of the run summary line (latencyMs), not a metric.
        credentials: { clientId: secrets.clientId, clientSecret: secrets.clientSecret },
      }),
    };
  }
  return source.client;
}

export const handler = createScheduledCheck({
  config,
  secrets: new SecretsManagerSecrets({
    secretId: required("SECRET_ID"),
    client: new SecretsManagerClient({}),
  }),
  storeFor: (nowMs) => new DynamoDbAlertStore({ tableName, client: dynamo, nowMs }),
  events: new EventBridgePublisher({
    busName: required("EVENT_BUS_NAME"),
    client: new EventBridgeClient({}),
  }),
  sourceFor,
  notifierFor: (secrets, nowMs, deadlineMs) =>
    slackNotifierFor(config, {
      token: secrets.slackBotToken,
      apiUrl: slackApiUrl,
      nowMs,
      ...(deadlineMs === undefined ? {} : { deadlineMs }),
      logger: fromPowertools(logger),
    }),
  logger,
  metrics,
});
