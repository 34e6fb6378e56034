/**
 * The Lambda entry point. Everything here runs once per container (cold start): the config is
 * validated and the clients are built, so a bad deployment fails at init, not on some later run.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SQSClient } from "@aws-sdk/client-sqs";
import { EventBridgePublisher } from "../adapters/events/eventbridge-publisher.js";
import { parseDueMessage, SqsDueQueue } from "../adapters/queue/sqs-due-queue.js";
import { type AppSecrets, SecretsManagerSecrets } from "../adapters/secrets/secrets.js";
import { slackNotifierFor } from "../adapters/slack/slack-notifier.js";
import { SmartAssistClient } from "../adapters/smartassist/client.js";
import { DynamoDbRateLimiter } from "../adapters/state/dynamodb-rate-limiter.js";
import { DynamoDbAlertStore } from "../adapters/state/dynamodb-store.js";
import { fromPowertools } from "../app/logger.js";
import { createScheduledCheck, type InvocationContext } from "../app/scheduled-check.js";
import type { DueGroup } from "../domain/due.js";
import { coldStart, required } from "./cold-start.js";
import { createDoctorInvoke, isDoctorEvent } from "./doctor-invoke.js";

const { config, warnings, logger, metrics } = coldStart();
const secretId = required("SECRET_ID");
const secretsClient = new SecretsManagerClient({});

const dynamo = new DynamoDBClient({});
const tableName = required("TABLE_NAME");

const slackApiUrl = process.env.SLACK_API_URL;
// Every invocation (scheduled runs, due re-checks, a duplicate) paces from one window in the table.
const limiter = new DynamoDbRateLimiter({ tableName, client: dynamo });

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
        limiter,
      }),
    };
  }
  return source.client;
}

const dueQueueUrl = process.env.DUE_QUEUE_URL;
const dueQueue =
  dueQueueUrl === undefined || dueQueueUrl === ""
    ? undefined
    : new SqsDueQueue({ queueUrl: dueQueueUrl, client: new SQSClient({}) });

interface SqsRecordLike {
  eventSource?: unknown;
  body?: unknown;
  messageId?: unknown;
}

/**
 * An SQS event (due re-checks from the queue) carries `Records` from `aws:sqs`; anything else is the
 * schedule. A message that does not parse is ours and wrong: logged and dropped, since no retry mends it.
 */
function dueGroupsOf(event: unknown): DueGroup[] | undefined {
  const records = (event as { Records?: unknown } | null)?.Records;
  if (!Array.isArray(records)) return undefined;
  const sqs = records.filter((r: SqsRecordLike) => r?.eventSource === "aws:sqs");
  if (sqs.length === 0) return undefined;
  const groups: DueGroup[] = [];
  for (const record of sqs as SqsRecordLike[]) {
    try {
      groups.push(parseDueMessage(String(record.body)));
    } catch (error) {
      logger.error("dropping a due re-check message that does not parse", {
        messageId: String(record.messageId),
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return groups;
}

const scheduledCheck = createScheduledCheck({
  config,
  secrets: new SecretsManagerSecrets({ secretId, client: secretsClient }),
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
  ...(dueQueue ? { dueQueue } : {}),
  dueGroupsOf,
  logger,
  metrics,
});

const doctor = createDoctorInvoke({
  config,
  configWarnings: warnings,
  secretId,
  secretsClient,
  slackApiUrl,
  log: fromPowertools(logger),
});

/** A scheduled tick runs a check; `{"doctor": true}` (by hand, `aws lambda invoke`) answers the doctor's JSON. */
export const handler = (event: unknown, context?: InvocationContext) =>
  isDoctorEvent(event) ? doctor(event) : scheduledCheck(event, context);
