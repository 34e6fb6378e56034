/**
 * The whole deployment in one environment-agnostic stack: schedule → check function → secret, table, event
 * bus; Slack → Function URL → interactions function → the same table, secret and bus; failures → queue;
 * alarms → topic. Everything the stack decides comes from the validated config.
 */
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { AttributeType, BillingMode, type ITable, Table, TableEncryption } from "aws-cdk-lib/aws-dynamodb";
import { EventBus, type IEventBus } from "aws-cdk-lib/aws-events";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { type Code, type FunctionUrl, FunctionUrlAuthType, InvokeMode } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { type ISecret, Secret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { RENDERER_FILES, type RendererFile, rendererFilePath } from "../functions/adapters/chart/png.js";
import { ALERT_TABLE } from "../functions/adapters/state/dynamodb-table.js";
import type { AppConfig } from "../functions/domain/config.js";
import { TICK_SECONDS } from "../functions/domain/coverage.js";
import { InteractionsAlarms, OperationsAlarms } from "./constructs/alarms.js";
import { AlertFunction, PROJECT_ROOT, runTimeoutSeconds } from "./constructs/function-defaults.js";
import { DigestSchedule, RunSchedule } from "./constructs/schedule.js";

/** The stack's name unless `-c stackName=...` picks another. */
export const DEFAULT_STACK_ID = "AgentStatusAlerts";
/** Name of the bus the stack creates for `aws.eventBus: create`. */
export const CREATED_BUS_NAME = "agent-status-alerts";
/** Keys of the secret's JSON value; the stack creates them with this placeholder when it creates the secret. */
export const SECRET_KEYS = ["clientId", "clientSecret", "slackBotToken", "slackSigningSecret"] as const;
export const SECRET_PLACEHOLDER = "REPLACE_ME";

/** Where Slack posts button clicks: the Function URL plus this path (the same path `serve` answers locally). */
export const INTERACTIONS_PATH = "slack/interactions";
/**
 * Concurrency cap of the interactions function. The URL is public (auth NONE), so the cap bounds what
 * unsigned traffic can cost and keeps it from starving the check function of the account's concurrency.
 * People click a few times a minute; five at once is a storm. Reserved concurrency comes out of the
 * account's pool, which must keep 10 unreserved: a new account with a quota of 10 cannot deploy any
 * reservation, and `-c interactionsConcurrency=0` then leaves the cap out.
 */
export const INTERACTIONS_RESERVED_CONCURRENCY = 5;
/** Slack gives up after 3 s; ten leaves room for a cold start and one retried write, and no more. */
export const INTERACTIONS_TIMEOUT_SECONDS = 10;

export interface AgentStatusAlertsStackProps extends StackProps {
  config: AppConfig;
  /** The config file's parsed value, compiled into the function bundle. */
  rawConfig: unknown;
  /** Active X-Ray tracing for the function (default off). */
  tracing?: boolean;
  /** Tests only: deploy this instead of bundling each function's entry (check, interactions). */
  code?: Code;
  /** Tests only: deploy this instead of bundling functions/lambda/digest.ts. */
  digestCode?: Code;
  /** Reserved concurrency of the interactions function; 0 leaves it uncapped (default 5). */
  interactionsConcurrency?: number;
}

/** A complete secret ARN ends in the 6-character suffix Secrets Manager appends to the name. */
export function isCompleteSecretArn(arn: string): boolean {
  return /:secret:.+-[A-Za-z0-9]{6}$/.test(arn);
}

export class AgentStatusAlertsStack extends Stack {
  readonly alertFunction: AlertFunction;
  readonly interactionsFunction: AlertFunction;
  readonly interactionsUrl: FunctionUrl;
  readonly secret: ISecret;
  readonly table: Table;
  /** The table for grants on its items, not its indexes. */
  readonly tableItems: ITable;
  readonly eventBus: IEventBus;
  readonly failureQueue: Queue;
  readonly schedule: RunSchedule;
  /** Due re-checks waiting for their instant (SQS, per-message delays), consumed by the check function. */
  readonly dueQueue: Queue;
  readonly alarms: OperationsAlarms;
  readonly interactionsAlarms: InteractionsAlarms;
  /** The daily digest, when the config has `digest`. */
  readonly digestFunction?: AlertFunction;
  readonly digestSchedule?: DigestSchedule;

  constructor(scope: Construct, id: string, props: AgentStatusAlertsStackProps) {
    const { config, rawConfig, tracing, code, digestCode, interactionsConcurrency, ...stackProps } = props;
    super(scope, id, {
      description: "agent-status-alerts: alerts on SmartAssist agents stuck in BUSY or on a break",
      ...stackProps,
    });

    this.secret = this.credentials(config.aws.secret);
    this.eventBus = this.alertBus(config.aws.eventBus, id);

    this.table = new Table(this, "AlertState", {
      partitionKey: { name: "id", type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: "expiresAt",
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      // Open alerts and their Slack threads: losing them on a stack replacement re-posts every alert.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Grants through this reference cover the table's items only: the table's own grant methods would add
    // `<table>/index/*`, and neither the check nor the interactions function reads the history index.
    this.tableItems = Table.fromTableArn(this, "AlertStateItems", this.table.tableArn);
    // History (ended episodes) lives in the same table as separate items; this sparse index (only history
    // items carry historyDate) lets the digest read one local day with a Query. Adding an index leaves the
    // retained table's key schema as it is.
    this.table.addGlobalSecondaryIndex({
      indexName: ALERT_TABLE.historyIndex.name,
      partitionKey: { name: ALERT_TABLE.historyIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: ALERT_TABLE.historyIndex.sortKey, type: AttributeType.NUMBER },
    });
    // Alert records apart from history: only they carry `state`, so this sparse index holds exactly what a
    // run loads, and load() never reads history. Keyed on attributes alert records have always had, so
    // DynamoDB fills it from the retained table's items (one index added per deployment, as CloudFormation
    // requires; the code reads the table as before until the index is ACTIVE).
    this.table.addGlobalSecondaryIndex({
      indexName: ALERT_TABLE.liveIndex.name,
      partitionKey: { name: ALERT_TABLE.liveIndex.partitionKey, type: AttributeType.STRING },
      sortKey: { name: ALERT_TABLE.liveIndex.sortKey, type: AttributeType.STRING },
    });
    const liveIndexArn = `${this.table.tableArn}/index/${ALERT_TABLE.liveIndex.name}`;

    // The check function ticks every minute (each agent is still read once per schedule.every): a run's
    // budget, and so its timeout, is that minute.
    const timeoutSeconds = runTimeoutSeconds(TICK_SECONDS);
    // Both functions get the same resource names: they share the state, the credentials and the bus.
    const environment = {
      SECRET_ID: this.secret.secretArn,
      TABLE_NAME: this.table.tableName,
      EVENT_BUS_NAME: config.aws.eventBus.startsWith("arn:")
        ? config.aws.eventBus // PutEvents takes an ARN too, and needs it for a bus in another account
        : this.eventBus.eventBusName,
    };
    // Failed async invocations and undeliverable ticks land here, for a human to read (and the alarm).
    this.failureQueue = new Queue(this, "FailedRuns", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });

    // Due re-checks: each message waits (DelaySeconds) until its agents' instant, then the check function
    // reads just those agents. A message that keeps failing lands in the failure queue after 3 receives.
    this.dueQueue = new Queue(this, "DueChecks", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Lambda requires at least the function's timeout; a failed batch comes back soon after.
      visibilityTimeout: Duration.seconds(timeoutSeconds * 2),
      retentionPeriod: Duration.hours(1),
      deadLetterQueue: { queue: this.failureQueue, maxReceiveCount: 3 },
    });

    this.alertFunction = new AlertFunction(this, "Check", {
      rawConfig,
      timeout: Duration.seconds(timeoutSeconds),
      logRetentionDays: config.aws.logRetentionDays,
      tracing: tracing ?? false,
      ...(code ? { code } : {}),
      environment: { ...environment, DUE_QUEUE_URL: this.dueQueue.queueUrl },
    });
    const fn = this.alertFunction.function;
    // No retries: a re-run repeats exactly what the next tick does, later. A tick older than its minute
    // is stale. Failures go to the queue instead of vanishing.
    fn.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge: Duration.seconds(TICK_SECONDS),
      onFailure: new SqsDestination(this.failureQueue),
    });
    // The same function consumes its due re-checks: up to 10 messages a batch, at most 2 at once (they are
    // a few requests each; more in parallel would only crowd the shared rate budget).
    fn.addEventSource(
      new SqsEventSource(this.dueQueue, {
        batchSize: 10,
        maxConcurrency: 2,
        maxBatchingWindow: Duration.seconds(0),
      }),
    );

    this.secret.grantRead(fn);
    this.tableItems.grantReadWriteData(fn);
    fn.addToRolePolicy(new PolicyStatement({ actions: ["dynamodb:Scan"], resources: [liveIndexArn] }));
    this.eventBus.grantPutEventsTo(fn);
    this.dueQueue.grantSendMessages(fn);

    const scheduleProps = {
      target: fn,
      everySeconds: TICK_SECONDS,
      timezone: config.timezone,
      deadLetterQueue: this.failureQueue,
    };
    this.schedule = new RunSchedule(
      this,
      "Run",
      config.schedule.activeHours
        ? { ...scheduleProps, activeHours: config.schedule.activeHours }
        : scheduleProps,
    );

    const interactions = this.interactions({
      rawConfig,
      logRetentionDays: config.aws.logRetentionDays,
      tracing: tracing ?? false,
      environment,
      reservedConcurrency: interactionsConcurrency ?? INTERACTIONS_RESERVED_CONCURRENCY,
      ...(code ? { code } : {}),
    });
    this.interactionsFunction = interactions.fn;
    this.interactionsUrl = interactions.url;

    if (config.digest) {
      const digest = new AlertFunction(this, "Digest", {
        rawConfig,
        entry: `${PROJECT_ROOT}functions/lambda/digest.ts`,
        // Reading a day and a few Slack calls take seconds; the rest is headroom for a slow Slack.
        timeout: Duration.minutes(2),
        logRetentionDays: config.aws.logRetentionDays,
        tracing: tracing ?? false,
        // The renderer's wasm and font, beside the bundle (measured smaller and faster than inlining them).
        files: (Object.keys(RENDERER_FILES) as RendererFile[]).map((file) => ({
          source: rendererFilePath(file),
          name: RENDERER_FILES[file].asset,
        })),
        ...(digestCode ? { code: digestCode } : {}),
        environment: { SECRET_ID: this.secret.secretArn, TABLE_NAME: this.table.tableName },
      });
      digest.function.configureAsyncInvoke({
        retryAttempts: 0,
        maxEventAge: Duration.hours(1),
        onFailure: new SqsDestination(this.failureQueue),
      });
      this.secret.grantRead(digest.function);
      // Read only, and only what it reads: one day of history from its index, open alerts with a Scan of
      // the live index (of the table itself until that index is ACTIVE).
      digest.role.addToPrincipalPolicy(
        new PolicyStatement({
          actions: ["dynamodb:Query"],
          resources: [`${this.table.tableArn}/index/${ALERT_TABLE.historyIndex.name}`],
        }),
      );
      digest.role.addToPrincipalPolicy(
        new PolicyStatement({ actions: ["dynamodb:Scan"], resources: [this.table.tableArn, liveIndexArn] }),
      );
      this.digestFunction = digest;
      this.digestSchedule = new DigestSchedule(this, "DigestRun", {
        target: digest.function,
        at: config.digest.at,
        days: config.digest.days,
        timezone: config.timezone,
        deadLetterQueue: this.failureQueue,
      });
      new CfnOutput(this, "DigestFunctionName", {
        value: digest.function.functionName,
        description: "The daily digest function",
      });
    }

    this.alarms = new OperationsAlarms(this, "Alarms", {
      function: fn,
      timeoutSeconds,
      everySeconds: TICK_SECONDS,
      failureQueue: this.failureQueue,
      runsAroundTheClock: config.schedule.activeHours === undefined,
      ...(config.aws.alarmEmail ? { alarmEmail: config.aws.alarmEmail } : {}),
    });

    this.interactionsAlarms = new InteractionsAlarms(this, "InteractionsAlarms", {
      function: this.interactionsFunction.function,
      topic: this.alarms.topic,
    });

    new CfnOutput(this, "FunctionName", { value: fn.functionName, description: "The check function" });
    new CfnOutput(this, "InteractionsUrl", {
      // The Function URL ends in "/": the path follows it directly.
      value: Fn.join("", [this.interactionsUrl.url, INTERACTIONS_PATH]),
      description:
        "Paste into the Slack app's Interactivity & Shortcuts > Request URL (infra/slack-app-manifest.yaml)",
    });
    new CfnOutput(this, "TableName", { value: this.table.tableName, description: "Open alert state" });
    new CfnOutput(this, "SecretArn", {
      value: this.secret.secretArn,
      description:
        "Put clientId, clientSecret, slackBotToken and slackSigningSecret here (aws secretsmanager put-secret-value)",
    });
    new CfnOutput(this, "AlarmTopicArn", {
      value: this.alarms.topic.topicArn,
      description: "Subscribe to receive the alarms",
    });
    new CfnOutput(this, "EventBusName", {
      value: this.eventBus.eventBusName,
      description: "Alert transitions are put on this bus",
    });
    new CfnOutput(this, "FailedRunsQueueUrl", {
      value: this.failureQueue.queueUrl,
      description: "Failed invocations, for inspection",
    });

    this.acknowledgeNagFindings();
  }

  /**
   * The interactions function: Slack's interactivity requests reach it through a Function URL. Auth is
   * NONE because Slack cannot sign SigV4; the handler verifies Slack's request signature (HMAC with the
   * signing secret) before it reads anything, and the reserved concurrency bounds what the open URL costs.
   */
  private interactions(options: {
    rawConfig: unknown;
    logRetentionDays: number;
    tracing: boolean;
    environment: Record<string, string>;
    reservedConcurrency: number;
    code?: Code;
  }): { fn: AlertFunction; url: FunctionUrl } {
    const fn = new AlertFunction(this, "Interactions", {
      entry: `${PROJECT_ROOT}functions/lambda/interactions.ts`,
      description: "agent-status-alerts: Acknowledge / Snooze / Excuse clicks from Slack",
      rawConfig: options.rawConfig,
      timeout: Duration.seconds(INTERACTIONS_TIMEOUT_SECONDS),
      logRetentionDays: options.logRetentionDays,
      tracing: options.tracing,
      environment: options.environment,
      ...(options.reservedConcurrency > 0
        ? { reservedConcurrentExecutions: options.reservedConcurrency }
        : {}),
      ...(options.code ? { code: options.code } : {}),
    });
    const url = fn.function.addFunctionUrl({
      authType: FunctionUrlAuthType.NONE,
      // Slack waits for one small answer: no streaming, and no CORS (browsers never call this URL).
      invokeMode: InvokeMode.BUFFERED,
    });
    this.secret.grantRead(fn.function);
    this.tableItems.grantReadWriteData(fn.function);
    this.eventBus.grantPutEventsTo(fn.function);
    return { fn, url };
  }

  /** The secret named in the config, or a new one holding placeholders for the four keys. */
  private credentials(configured: string | undefined): ISecret {
    if (configured === undefined) {
      const secret = new Secret(this, "Credentials", {
        description:
          "agent-status-alerts: SmartAssist clientId/clientSecret, Slack slackBotToken/slackSigningSecret (set with put-secret-value)",
        // Placeholders only: the real values never pass through CloudFormation. The generated key is a
        // by-product of generateSecretString and is dropped by the first put-secret-value.
        generateSecretString: {
          secretStringTemplate: JSON.stringify(
            Object.fromEntries(SECRET_KEYS.map((key) => [key, SECRET_PLACEHOLDER])),
          ),
          generateStringKey: "generated",
          excludePunctuation: true,
        },
        // Secrets Manager keeps a deleted secret recoverable for 30 days.
        removalPolicy: RemovalPolicy.DESTROY,
      });
      Validations.of(secret).acknowledge({
        id: "AwsSolutions-SMG4",
        reason:
          "The values are a Kore.ai app secret and a Slack bot token and signing secret, rotated by people in those products; no rotation Lambda can issue them. The function re-reads the secret after a 401.",
      });
      return secret;
    }
    if (!configured.startsWith("arn:")) return Secret.fromSecretNameV2(this, "Credentials", configured);
    return isCompleteSecretArn(configured)
      ? Secret.fromSecretCompleteArn(this, "Credentials", configured)
      : Secret.fromSecretPartialArn(this, "Credentials", configured);
  }

  /** "default", "create", or an existing bus by name or ARN. */
  private alertBus(configured: string, stackId: string): IEventBus {
    if (configured === "create") {
      // A second copy of the stack (-c stackName=...) in the same account and region gets its own bus.
      const eventBusName =
        stackId === DEFAULT_STACK_ID ? CREATED_BUS_NAME : `${CREATED_BUS_NAME}-${stackId.toLowerCase()}`;
      return new EventBus(this, "AlertBus", { eventBusName });
    }
    if (configured.startsWith("arn:")) return EventBus.fromEventBusArn(this, "AlertBus", configured);
    return EventBus.fromEventBusName(this, "AlertBus", configured);
  }

  /** Findings that are right for this design, each with its reason (cdk-nag v3: Validations.acknowledge). */
  private acknowledgeNagFindings(): void {
    for (const fn of [this.alertFunction, this.interactionsFunction, this.digestFunction]) {
      if (!fn) continue;
      Validations.of(fn.function).acknowledge({
        id: "AwsSolutions-L1",
        reason:
          "Pinned to nodejs22.x on purpose: the bundle targets node22 and is tested on it; moving to a newer runtime is a deliberate upgrade, not a drift to follow automatically.",
      });
    }
    Validations.of(this.failureQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason:
        "This queue is itself the dead-letter destination (Lambda on-failure destination and Scheduler DLQ); it has an alarm on visible messages and 14-day retention.",
    });
    for (const fn of [this.alertFunction, this.interactionsFunction, this.digestFunction]) {
      if (!fn?.tracing) continue;
      Validations.of(fn.role).acknowledge({
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "Only with tracing on: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so CDK grants them on *.",
      });
    }
  }
}
