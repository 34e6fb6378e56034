/**
 * The digest Lambda entry: builds the adapters once per container (cold start) and hands them to the
 * use case. Read-only on the table (history index, open alerts); the Slack bot token from the secret.
 * The renderer (resvg wasm and Inter) sits beside this bundle and is loaded on the first chart.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { renderDigestChart } from "../adapters/chart/png.js";
import { SecretsManagerSecrets } from "../adapters/secrets/secrets.js";
import { SlackDigestPublisher } from "../adapters/slack/digest-publisher.js";
import { DynamoDbAlertStore } from "../adapters/state/dynamodb-store.js";
import { createScheduledDigest } from "../app/digest.js";
import { coldStart, required } from "./cold-start.js";

const { config, logger, metrics } = coldStart();

const dynamo = new DynamoDBClient({});
const tableName = required("TABLE_NAME");
const slackApiUrl = process.env.SLACK_API_URL;

export const handler = createScheduledDigest({
  config,
  secrets: new SecretsManagerSecrets({
    secretId: required("SECRET_ID"),
    client: new SecretsManagerClient({}),
  }),
  storeFor: (nowMs) => new DynamoDbAlertStore({ tableName, client: dynamo, nowMs }),
  publisherFor: (secrets, nowMs) =>
    new SlackDigestPublisher({
      token: secrets.slackBotToken,
      apiUrl: slackApiUrl,
      nowMs,
      timezone: config.timezone,
    }),
  renderChart: renderDigestChart,
  logger,
  metrics,
});
