/**
 * The synthesized stack, asserted from the template. Three stacks in all (bundling and synthesis are slow
 * on a small machine): one bundles the real entry, two use inline code to cover the config variants.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Validations } from "aws-cdk-lib";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { Code } from "aws-cdk-lib/aws-lambda";
import { AwsSolutionsChecks } from "cdk-nag";
import { transform } from "esbuild";
import { beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "../../functions/domain/config.js";
import {
  type AlertFunction,
  configDefine,
  MEMORY_MB,
  PROJECT_ROOT,
} from "../../infra/constructs/function-defaults.js";
import {
  AgentStatusAlertsStack,
  INTERACTIONS_PATH,
  INTERACTIONS_RESERVED_CONCURRENCY,
  isCompleteSecretArn,
} from "../../infra/stack.js";

type Json = Record<string, unknown>;

const baseConfig = {
  timezone: "Asia/Kolkata",
  smartassist: {
    host: "https://platform.kore.ai",
    accountId: "63f07d26f04465685df4xxxx",
    iId: "st-e19dd469-90f5-5655-b0b2-858de901xxxx",
  },
  schedule: { every: "5m" },
  rules: [
    { name: "Long break", secondaryStatus: ["NBK", "LUNCH"], threshold: "15m", critical: "30m" },
    { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m" },
  ],
  slack: { channel: "C0123456789", escalationMention: "<!subteam^S0123|$oncall `team`>" },
  aws: { eventBus: "default", alarmEmail: "oncall@example.com", logRetentionDays: 30 },
};

/** cdk.json's feature flags, so the tests synthesize what `cdk deploy` deploys. */
function cdkJsonContext(): Json {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, "cdk.json"), "utf8")) as { context: Json };
  return cdkJson.context;
}

interface Synthesized {
  app: App;
  stack: AgentStatusAlertsStack;
  template: Template;
}

function synthesize(
  raw: Json,
  options: {
    inlineCode?: boolean;
    outdir?: string;
    tracing?: boolean;
    interactionsConcurrency?: number;
  } = {},
): Synthesized {
  const { config } = parseConfig(raw, "test.yaml");
  const app = new App({
    context: cdkJsonContext(),
    // The built-in CloudFormation schema validation is exercised by `cdk synth`; here it would cost
    // several seconds per stack. cdk-nag runs below, as it does in the app.
    builtinCloudFormationValidation: false,
    ...(options.outdir ? { outdir: options.outdir } : {}),
  });
  const stack = new AgentStatusAlertsStack(app, "AgentStatusAlerts", {
    config,
    rawConfig: raw,
    tracing: options.tracing ?? false,
    ...(options.interactionsConcurrency !== undefined
      ? { interactionsConcurrency: options.interactionsConcurrency }
      : {}),
    ...(options.inlineCode ? { code: Code.fromInline("export const handler = async () => ({});") } : {}),
  });
  // As in infra/app.ts: a finding makes synthesis (Template.fromStack) throw.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, template: Template.fromStack(stack) };
}

function resourcesOf(template: Template, type: string): Json[] {
  return Object.values(template.findResources(type)) as Json[];
}

function propertiesOf(template: Template, type: string): Json[] {
  return resourcesOf(template, type).map((r) => r.Properties as Json);
}

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}

function statements(template: Template): Statement[] {
  return propertiesOf(template, "AWS::IAM::Policy").flatMap(
    (p) => (p.PolicyDocument as { Statement: Statement[] }).Statement,
  );
}

function statementsWith(template: Template, action: string): Statement[] {
  return statements(template).filter((s) => [s.Action].flat().includes(action));
}

/** The failure queue: the one with 14 days' retention (the due queue keeps messages an hour). */
function failureQueueId(template: Template): string {
  const ids = Object.keys(
    template.findResources("AWS::SQS::Queue", { Properties: { MessageRetentionPeriod: 14 * 24 * 3600 } }),
  );
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

function dueQueueId(template: Template): string {
  const ids = Object.keys(template.findResources("AWS::SQS::Queue")).filter((id) =>
    id.startsWith("DueChecks"),
  );
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

function logicalId(template: Template, type: string): string {
  const ids = Object.keys(template.findResources(type));
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

/** The logical id of one of the stack's functions: "Check" or "Interactions" (the AlertFunction's id). */
function functionId(template: Template, which: "Check" | "Interactions" = "Check"): string {
  const ids = Object.keys(template.findResources("AWS::Lambda::Function")).filter((id) =>
    id.startsWith(`${which}Function`),
  );
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

function functionProps(template: Template, which: "Check" | "Interactions" = "Check"): Json {
  return template.toJSON().Resources[functionId(template, which)].Properties as Json;
}

/** Whether an alarm watches a metric of this resource (its FunctionName dimension refers to it). */
function watches(alarm: Json, id: string): boolean {
  // A metric alarm names its function in Dimensions; a metric-math alarm in its Metrics.
  return JSON.stringify(alarm.Dimensions ?? alarm.Metrics ?? []).includes(`"${id}"`);
}

function checkAlarms(template: Template): Json[] {
  const interactions = functionId(template, "Interactions");
  return propertiesOf(template, "AWS::CloudWatch::Alarm").filter((a) => !watches(a, interactions));
}

/** The statements of the inline policies attached to one function's role. */
function roleStatements(template: Template, which: "Check" | "Interactions"): Statement[] {
  const role = (functionProps(template, which).Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
  return propertiesOf(template, "AWS::IAM::Policy")
    .filter((p) => JSON.stringify(p.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((p) => (p.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** The directory of a function's bundle in the cloud assembly. */
function assetDirOf(synth: Synthesized, fn: AlertFunction): string {
  const dir = fn.function.node
    .findAll()
    .map((c) => (c as { assetPath?: string }).assetPath)
    .find((p): p is string => typeof p === "string");
  expect(dir).toBeDefined();
  return join(synth.app.outdir, dir as string);
}

function expectCleanNag(stack: AgentStatusAlertsStack): void {
  const report = new AwsSolutionsChecks().validateScope(stack);
  expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual([]);
  expect(report.success).toBe(true);
  // CDK's own annotations (construct errors and warnings, such as a deprecated property) stay empty too.
  const annotations = Annotations.fromStack(stack);
  expect(annotations.findError("*", Match.anyValue())).toEqual([]);
  expect(annotations.findWarning("*", Match.anyValue())).toEqual([]);
  expect(annotations.findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))).toEqual([]);
}

function expectNoWildcardActions(template: Template): void {
  const json = JSON.stringify(template.toJSON());
  expect(json).not.toMatch(/"Action":"\*"/);
  for (const s of statements(template)) {
    for (const action of [s.Action].flat()) expect(action).not.toMatch(/(^\*$|:\*$)/);
  }
}

describe("the stack with the real bundle (rate schedule, created secret, default bus)", () => {
  let synth: Synthesized;
  let template: Template;
  beforeAll(() => {
    synth = synthesize(baseConfig);
    template = synth.template;
  }, 120_000);

  it("runs the bundled handler on Node.js 22, arm64, with a timeout of one tick (a minute)", () => {
    const fn = functionProps(template);
    expect(fn.Runtime).toBe("nodejs22.x");
    expect(fn.Architectures).toEqual(["arm64"]);
    expect(fn.Timeout).toBe(60);
    expect(fn.MemorySize).toBe(MEMORY_MB);
    expect(fn.Handler).toBe("index.handler");
    expect(fn.LoggingConfig).toMatchObject({ LogFormat: "JSON" });
    expect((fn.Code as Json).S3Key).toMatch(/\.zip$/);
  });

  it("bundles functions/lambda/check.ts as ESM with a require() shim and a source map", () => {
    const assetDir = synth.stack.alertFunction.function.node
      .findAll()
      .map((c) => (c as { assetPath?: string }).assetPath)
      .find((p): p is string => typeof p === "string");
    expect(assetDir).toBeDefined();
    const outdir = synth.app.outdir;
    const bundle = readFileSync(join(outdir, assetDir as string, "index.mjs"), "utf8");
    expect(bundle).toContain("createRequire");
    expect(bundle).toMatch(/export\s*\{/);
    expect(existsSync(join(outdir, assetDir as string, "index.mjs.map"))).toBe(true);
  });

  it("compiles the config into the bundle (the handler must read the literal process.env.APP_CONFIG)", () => {
    const assetDir = synth.stack.alertFunction.function.node
      .findAll()
      .map((c) => (c as { assetPath?: string }).assetPath)
      .find((p): p is string => typeof p === "string");
    const bundle = readFileSync(join(synth.app.outdir, assetDir as string, "index.mjs"), "utf8");
    // esbuild's define replaces only that exact expression; process.env[name] is left to the runtime,
    // where APP_CONFIG does not exist.
    const compiledIn = bundle.includes(baseConfig.smartassist.accountId);
    expect(
      compiledIn,
      "the config's accountId is not in the bundle: is APP_CONFIG read as process.env.APP_CONFIG?",
    ).toBe(true);
  });

  it("passes resource names in the environment and no secret values", () => {
    const env = (functionProps(template).Environment as { Variables: Json }).Variables;
    expect(Object.keys(env).sort()).toEqual(
      [
        "DUE_QUEUE_URL",
        "EVENT_BUS_NAME",
        "NODE_OPTIONS",
        "POWERTOOLS_LOG_LEVEL",
        "POWERTOOLS_METRICS_NAMESPACE",
        "POWERTOOLS_SERVICE_NAME",
        "SECRET_ID",
        "TABLE_NAME",
      ].sort(),
    );
    expect(env).toMatchObject({
      NODE_OPTIONS: "--enable-source-maps",
      POWERTOOLS_SERVICE_NAME: "agent-status-alerts",
      POWERTOOLS_METRICS_NAMESPACE: "AgentStatusAlerts",
      POWERTOOLS_LOG_LEVEL: "INFO",
      EVENT_BUS_NAME: "default",
      SECRET_ID: { Ref: logicalId(template, "AWS::SecretsManager::Secret") },
      TABLE_NAME: { Ref: logicalId(template, "AWS::DynamoDB::Table") },
      DUE_QUEUE_URL: { Ref: dueQueueId(template) },
    });
    expect(env.APP_CONFIG).toBeUndefined();
  });

  it("creates the secret with placeholders only", () => {
    const [secret] = propertiesOf(template, "AWS::SecretsManager::Secret");
    const generate = (secret as Json).GenerateSecretString as Json;
    expect(JSON.parse(generate.SecretStringTemplate as string)).toEqual({
      clientId: "REPLACE_ME",
      clientSecret: "REPLACE_ME",
      slackBotToken: "REPLACE_ME",
      slackSigningSecret: "REPLACE_ME",
    });
    expect((secret as Json).SecretString).toBeUndefined();
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toMatch(/xox[abp]-|cs-[0-9a-f]{8}/);
    template.hasOutput("SecretArn", { Value: { Ref: logicalId(template, "AWS::SecretsManager::Secret") } });
  });

  it("ticks every minute, without retries, dead letters to the failure queue", () => {
    const queueId = failureQueueId(template);
    template.resourceCountIs("AWS::Scheduler::Schedule", 1);
    template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "rate(1 minute)",
      FlexibleTimeWindow: { Mode: "OFF" },
      State: "ENABLED",
      Target: {
        Arn: { "Fn::GetAtt": [functionId(template), "Arn"] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
        DeadLetterConfig: { Arn: { "Fn::GetAtt": [queueId, "Arn"] } },
        Input: Match.serializedJson(Match.objectLike({ scheduledTime: "<aws.scheduler.scheduled-time>" })),
      },
    });
  });

  it("consumes its due re-checks from an encrypted queue: batches of 10, 2 at once, 3 receives then the failure queue", () => {
    const dueId = dueQueueId(template);
    template.hasResourceProperties("AWS::SQS::Queue", {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 120,
      RedrivePolicy: {
        deadLetterTargetArn: { "Fn::GetAtt": [failureQueueId(template), "Arn"] },
        maxReceiveCount: 3,
      },
    });
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: { "Fn::GetAtt": [dueId, "Arn"] },
      FunctionName: { Ref: functionId(template) },
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    const policies = Object.values(template.findResources("AWS::IAM::Policy")).map((p) => JSON.stringify(p));
    const sends = policies.filter((p) => p.includes("sqs:SendMessage") && p.includes(dueId));
    expect(sends).toHaveLength(1);
  });

  it("sends failed async invocations to an encrypted, SSL-only queue without retries", () => {
    const queueId = failureQueueId(template);
    template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [queueId, "Arn"] } } },
    });
    template.hasResourceProperties("AWS::SQS::Queue", {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    template.hasResourceProperties("AWS::SQS::QueuePolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
        ]),
      },
    });
  });

  it("keeps alert state in an on-demand table with TTL and point-in-time recovery, retained", () => {
    template.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: {
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        AttributeDefinitions: [
          { AttributeName: "id", AttributeType: "S" },
          { AttributeName: "historyDate", AttributeType: "S" },
          { AttributeName: "sinceMs", AttributeType: "N" },
          { AttributeName: "state", AttributeType: "S" },
        ],
        // History items (ended episodes) found by local start date: test/infra/digest-stack.test.ts;
        // alert records apart from history, for load().
        GlobalSecondaryIndexes: [
          Match.objectLike({ IndexName: "history-by-date" }),
          {
            IndexName: "live-records",
            KeySchema: [
              { AttributeName: "id", KeyType: "HASH" },
              { AttributeName: "state", KeyType: "RANGE" },
            ],
            Projection: { ProjectionType: "ALL" },
          },
        ],
        BillingMode: "PAY_PER_REQUEST",
        TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
  });

  it("gives each function its own log group with the configured retention, writable only by it", () => {
    const groups = template.findResources("AWS::Logs::LogGroup");
    expect(Object.keys(groups).sort()).toEqual([
      expect.stringMatching(/^CheckLogGroup/),
      expect.stringMatching(/^InteractionsLogGroup/),
    ]);
    for (const group of Object.values(groups)) {
      expect(group).toMatchObject({ DeletionPolicy: "Delete", Properties: { RetentionInDays: 30 } });
    }
    for (const which of ["Check", "Interactions"] as const) {
      const writes = roleStatements(template, which).filter((s) =>
        [s.Action].flat().includes("logs:PutLogEvents"),
      );
      const group = Object.keys(groups).find((id) => id.startsWith(`${which}LogGroup`));
      expect(writes.map((s) => s.Resource)).toEqual([{ "Fn::GetAtt": [group, "Arn"] }]);
      expect(functionProps(template, which).LoggingConfig).toMatchObject({ LogGroup: { Ref: group } });
    }
    // No managed policy (AWSLambdaBasicExecutionRole) on any role.
    for (const role of propertiesOf(template, "AWS::IAM::Role"))
      expect(role.ManagedPolicyArns).toBeUndefined();
  });

  it("scopes every grant to its one resource", () => {
    const secretId = logicalId(template, "AWS::SecretsManager::Secret");
    const tableId = logicalId(template, "AWS::DynamoDB::Table");
    const secretReads = statementsWith(template, "secretsmanager:GetSecretValue");
    // One statement per function (check, interactions), each on the one secret.
    expect(secretReads.map((s) => s.Resource)).toEqual([{ Ref: secretId }, { Ref: secretId }]);

    const puts = statementsWith(template, "events:PutEvents");
    expect(puts).toHaveLength(2);
    for (const put of puts) expect(JSON.stringify(put.Resource)).toContain(":event-bus/default");

    const dynamo = statements(template).filter((s) =>
      [s.Action].flat().some((a) => a.startsWith("dynamodb:")),
    );
    expect(dynamo.length).toBeGreaterThan(0);
    const liveIndex = { "Fn::Join": ["", [{ "Fn::GetAtt": [tableId, "Arn"] }, "/index/live-records"]] };
    for (const s of dynamo) {
      for (const resource of [s.Resource].flat()) {
        expect([{ "Fn::GetAtt": [tableId, "Arn"] }, liveIndex]).toContainEqual(resource);
      }
    }
    // The live index is read by the check function only, with Scan (load()), nothing else.
    const onIndex = dynamo.filter((s) => JSON.stringify(s.Resource).includes("/index/"));
    expect(onIndex).toEqual([expect.objectContaining({ Action: "dynamodb:Scan", Resource: liveIndex })]);
    expect(roleStatements(template, "Check")).toContainEqual(onIndex[0]);
    expectNoWildcardActions(template);
  });

  it("alarms on errors, throttles, duration, the failure queue and silence, each from a metric AWS provides", () => {
    const alarms = checkAlarms(template);
    expect(alarms.map((a) => a.MetricName).sort()).toEqual(
      ["ApproximateNumberOfMessagesVisible", "Duration", "Errors", "Invocations", "Throttles"].sort(),
    );
    // A failed or truncated run is the Errors or Duration story: no custom metric, no second alarm.
    expect(alarms.filter((a) => a.Namespace === "AgentStatusAlerts")).toEqual([]);
    const topicId = logicalId(template, "AWS::SNS::Topic");
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Period as number).toBeGreaterThanOrEqual(60);
    }
    const byMetric = (name: string) => alarms.find((a) => a.MetricName === name) as Json;
    // 80 % of the one-minute tick's timeout.
    expect(byMetric("Duration")).toMatchObject({ Statistic: "Maximum", Threshold: 48_000 });
    expect(byMetric("Errors")).toMatchObject({
      Namespace: "AWS/Lambda",
      Statistic: "Sum",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      TreatMissingData: "notBreaching",
    });
    expect(String(byMetric("Errors").AlarmDescription)).toContain("cause: smartassist");
    for (const name of ["SmartAssistRunFailed", "RunTruncated"]) expect(byMetric(name)).toBeUndefined();
    expect(byMetric("Invocations")).toMatchObject({
      ComparisonOperator: "LessThanThreshold",
      TreatMissingData: "breaching",
      EvaluationPeriods: 3,
    });
    // Seven alarms in all, with the interactions function's two ($0.10 a month per metric they read).
    expect(propertiesOf(template, "AWS::CloudWatch::Alarm")).toHaveLength(7);
  });

  it("sends alarms to an SSL-only topic that CloudWatch may publish to, with the configured e-mail", () => {
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "oncall@example.com",
    });
    template.hasResourceProperties("AWS::SNS::TopicPolicy", {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
          Match.objectLike({ Effect: "Allow", Principal: { Service: "cloudwatch.amazonaws.com" } }),
        ]),
      },
    });
  });

  it("outputs what an operator needs", () => {
    const outputs = Object.keys(template.toJSON().Outputs as Json);
    expect(outputs).toEqual(
      expect.arrayContaining([
        "FunctionName",
        "TableName",
        "SecretArn",
        "AlarmTopicArn",
        "EventBusName",
        "InteractionsUrl",
      ]),
    );
    const secretOutput = (template.toJSON().Outputs as Record<string, Json>).SecretArn as Json;
    expect(secretOutput.Description).toContain("slackSigningSecret");
  });

  describe("the interactions function", () => {
    it("runs its own bundle on Node.js 22, arm64, with a short timeout and reserved concurrency", () => {
      const fn = functionProps(template, "Interactions");
      expect(fn).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        Timeout: 10,
        ReservedConcurrentExecutions: INTERACTIONS_RESERVED_CONCURRENCY,
        LoggingConfig: { LogFormat: "JSON" },
      });
      expect(INTERACTIONS_RESERVED_CONCURRENCY).toBeGreaterThan(0);
      expect(INTERACTIONS_RESERVED_CONCURRENCY).toBeLessThanOrEqual(10);
      // The check function is not capped: a missed tick is a missed alert.
      expect(functionProps(template, "Check").ReservedConcurrentExecutions).toBeUndefined();

      const interactionsDir = assetDirOf(synth, synth.stack.interactionsFunction);
      const checkDir = assetDirOf(synth, synth.stack.alertFunction);
      expect(interactionsDir).not.toBe(checkDir);
      expect(existsSync(join(interactionsDir, "index.mjs"))).toBe(true);
      expect((fn.Code as Json).S3Key).not.toEqual((functionProps(template, "Check").Code as Json).S3Key);
    });

    it("gets the same resource names as the check function, and no secret value", () => {
      const env = (functionProps(template, "Interactions").Environment as { Variables: Json }).Variables;
      const checkEnv = (functionProps(template, "Check").Environment as { Variables: Json }).Variables;
      // Everything but the due queue, which only the check function sends to.
      const { DUE_QUEUE_URL: _dueQueue, ...shared } = checkEnv;
      expect(env).toEqual(shared);
      expect(env).toMatchObject({
        SECRET_ID: { Ref: logicalId(template, "AWS::SecretsManager::Secret") },
        TABLE_NAME: { Ref: logicalId(template, "AWS::DynamoDB::Table") },
        EVENT_BUS_NAME: "default",
      });
    });

    it("is reachable through a Function URL without IAM auth (Slack signs requests instead)", () => {
      const fnId = functionId(template, "Interactions");
      template.resourceCountIs("AWS::Lambda::Url", 1);
      template.hasResourceProperties("AWS::Lambda::Url", {
        AuthType: "NONE",
        InvokeMode: "BUFFERED",
        TargetFunctionArn: { "Fn::GetAtt": [fnId, "Arn"] },
        Cors: Match.absent(),
      });
      // Public invocation is allowed only through the URL, and only on this function.
      const permissions = propertiesOf(template, "AWS::Lambda::Permission").filter(
        (p) => p.Principal === "*",
      );
      expect(permissions).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Action: "lambda:InvokeFunctionUrl", FunctionUrlAuthType: "NONE" }),
          expect.objectContaining({ Action: "lambda:InvokeFunction", InvokedViaFunctionUrl: true }),
        ]),
      );
      expect(permissions).toHaveLength(2);
      for (const p of permissions) expect(p.FunctionName).toEqual({ "Fn::GetAtt": [fnId, "Arn"] });
    });

    it("outputs the URL Slack posts to: the Function URL followed by slack/interactions", () => {
      expect(INTERACTIONS_PATH).toBe("slack/interactions");
      const urlId = logicalId(template, "AWS::Lambda::Url");
      template.hasOutput("InteractionsUrl", {
        Value: { "Fn::Join": ["", [{ "Fn::GetAtt": [urlId, "FunctionUrl"] }, "slack/interactions"]] },
        Description: Match.stringLikeRegexp("Request URL"),
      });
    });

    it("may read the secret, read and write the table and put events on the bus, nothing more", () => {
      const own = roleStatements(template, "Interactions");
      const actions = own.flatMap((s) => [s.Action].flat());
      expect(actions).toEqual(
        expect.arrayContaining([
          "secretsmanager:GetSecretValue",
          "dynamodb:GetItem",
          "dynamodb:PutItem",
          "dynamodb:UpdateItem",
          "dynamodb:ConditionCheckItem",
          "events:PutEvents",
          "logs:PutLogEvents",
        ]),
      );
      for (const action of actions) expect(action).toMatch(/^(secretsmanager|dynamodb|events|logs):\w+$/);
      const secretId = logicalId(template, "AWS::SecretsManager::Secret");
      const tableId = logicalId(template, "AWS::DynamoDB::Table");
      for (const s of own) {
        const service = [s.Action].flat()[0]?.split(":")[0];
        const resources = [s.Resource].flat();
        if (service === "secretsmanager") expect(resources).toEqual([{ Ref: secretId }]);
        if (service === "dynamodb") expect(resources).toEqual([{ "Fn::GetAtt": [tableId, "Arn"] }]);
        if (service === "events") expect(JSON.stringify(resources)).toContain(":event-bus/default");
      }
    });

    it("alarms on its errors (the Lambda's and those it answered 500) and throttles, to the operations topic", () => {
      const fnId = functionId(template, "Interactions");
      const topicId = logicalId(template, "AWS::SNS::Topic");
      const own = propertiesOf(template, "AWS::CloudWatch::Alarm").filter((a) => watches(a, fnId));
      expect(own).toHaveLength(2);
      for (const alarm of own) {
        expect(alarm).toMatchObject({
          Threshold: 1,
          ComparisonOperator: "GreaterThanOrEqualToThreshold",
          TreatMissingData: "notBreaching",
          AlarmActions: [{ Ref: topicId }],
          OKActions: [{ Ref: topicId }],
        });
      }
      expect(own.find((a) => a.MetricName === "Throttles")).toMatchObject({
        Namespace: "AWS/Lambda",
        Statistic: "Sum",
      });
      const errors = own.find((a) => a.Metrics !== undefined) as { Metrics: Json[] };
      const metrics = errors.Metrics.flatMap((m) => {
        const stat = m.MetricStat as { Metric: { Namespace: string; MetricName: string } } | undefined;
        return stat ? [`${stat.Metric.Namespace}/${stat.Metric.MetricName}`] : [];
      });
      expect(metrics.sort()).toEqual(["AWS/Lambda/Errors", "AgentStatusAlerts/InteractionErrors"]);
      expect(errors.Metrics.find((m) => m.Expression !== undefined)).toMatchObject({
        Expression: "FILL(invocationErrors, 0) + FILL(answeredErrors, 0)",
      });
    });
  });

  it("has no unacknowledged cdk-nag AwsSolutions finding", () => {
    expectCleanNag(synth.stack);
  });
});

describe("the stack for other configs (inline code)", () => {
  const secretArn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:agent-status-alerts/prod-AbC123";
  let windowed: Synthesized;
  let named: Synthesized;
  beforeAll(() => {
    windowed = synthesize(
      {
        ...baseConfig,
        timezone: "America/New_York",
        schedule: { every: "5m", activeHours: { from: "08:00", to: "22:00", days: ["mon", "tue", "wed"] } },
        aws: { secret: secretArn, eventBus: "create", logRetentionDays: 14 },
      },
      { inlineCode: true },
    );
    named = synthesize(
      {
        ...baseConfig,
        schedule: { every: "20m", activeHours: { from: "07:30", to: "19:00" } },
        aws: {
          secret: "agent-status-alerts/staging",
          eventBus: "arn:aws:events:eu-west-1:210987654321:event-bus/central",
        },
      },
      { inlineCode: true, tracing: true, interactionsConcurrency: 0 },
    );
  }, 120_000);

  it("runs on cron in the contact center's time zone within active hours", () => {
    windowed.template.resourceCountIs("AWS::Scheduler::Schedule", 1);
    windowed.template.hasResourceProperties("AWS::Scheduler::Schedule", {
      ScheduleExpression: "cron(* 8-21 ? * MON-WED *)",
      ScheduleExpressionTimezone: "America/New_York",
    });
    // Every minute from 07:30 to 18:59, whatever schedule.every says: two minute patterns, two schedules.
    const expressions = propertiesOf(named.template, "AWS::Scheduler::Schedule").map((s) => [
      s.ScheduleExpression,
      s.ScheduleExpressionTimezone,
    ]);
    expect(expressions).toEqual([
      ["cron(30-59 7 * * ? *)", "Asia/Kolkata"],
      ["cron(* 8-18 * * ? *)", "Asia/Kolkata"],
    ]);
    expect(functionProps(named.template).Timeout).toBe(60); // one tick, whatever the interval
  });

  it("leaves out the silence alarm when the function is meant to be idle at night", () => {
    const metrics = propertiesOf(windowed.template, "AWS::CloudWatch::Alarm").map((a) => a.MetricName);
    expect(metrics).toHaveLength(4 + 2); // the check function's four, the interactions function's two
    expect(metrics).not.toContain("Invocations");
    windowed.template.resourceCountIs("AWS::SNS::Topic", 1);
    windowed.template.resourceCountIs("AWS::SNS::Subscription", 0);
  });

  it("reads an existing secret by complete ARN, and only that secret", () => {
    windowed.template.resourceCountIs("AWS::SecretsManager::Secret", 0);
    const reads = statementsWith(windowed.template, "secretsmanager:GetSecretValue");
    expect(reads.map((s) => s.Resource)).toEqual([secretArn, secretArn]);
    const env = (functionProps(windowed.template).Environment as { Variables: Json }).Variables;
    expect(env.SECRET_ID).toBe(secretArn);
  });

  it("reads an existing secret by name, whatever suffix Secrets Manager gave it", () => {
    const reads = statementsWith(named.template, "secretsmanager:GetSecretValue");
    expect(reads).toHaveLength(2);
    for (const read of reads)
      expect(JSON.stringify(read.Resource)).toContain(":secret:agent-status-alerts/staging-??????");
  });

  it("creates the event bus when asked, and grants put-events on it only", () => {
    const busId = logicalId(windowed.template, "AWS::Events::EventBus");
    windowed.template.hasResourceProperties("AWS::Events::EventBus", { Name: "agent-status-alerts" });
    const puts = statementsWith(windowed.template, "events:PutEvents");
    expect(puts.map((s) => s.Resource)).toEqual([
      { "Fn::GetAtt": [busId, "Arn"] },
      { "Fn::GetAtt": [busId, "Arn"] },
    ]);
    const env = (functionProps(windowed.template).Environment as { Variables: Json }).Variables;
    expect(env.EVENT_BUS_NAME).toEqual({ Ref: busId });
  });

  it("puts events on an existing bus given by ARN (another account too)", () => {
    const arn = "arn:aws:events:eu-west-1:210987654321:event-bus/central";
    const puts = statementsWith(named.template, "events:PutEvents");
    expect(puts.map((s) => s.Resource)).toEqual([arn, arn]);
    const env = (functionProps(named.template).Environment as { Variables: Json }).Variables;
    expect(env.EVENT_BUS_NAME).toBe(arn);
  });

  it("traces with X-Ray only when asked", () => {
    expect(functionProps(named.template).TracingConfig).toEqual({ Mode: "Active" });
    expect(functionProps(windowed.template).TracingConfig).toBeUndefined();
    expect(statementsWith(windowed.template, "xray:PutTraceSegments")).toEqual([]);
  });

  it("leaves the interactions function uncapped with interactionsConcurrency 0 (a new account's quota)", () => {
    expect(functionProps(named.template, "Interactions").ReservedConcurrentExecutions).toBeUndefined();
    expect(functionProps(windowed.template, "Interactions").ReservedConcurrentExecutions).toBe(
      INTERACTIONS_RESERVED_CONCURRENCY,
    );
    expect(functionProps(named.template, "Interactions").TracingConfig).toEqual({ Mode: "Active" });
  });

  it("uses the configured log retention", () => {
    windowed.template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 14 });
  });

  it("has no unacknowledged cdk-nag finding and no wildcard action in any variant", () => {
    for (const { stack, template } of [windowed, named]) {
      expectCleanNag(stack);
      expectNoWildcardActions(template);
    }
  });
});

describe("deployment checks and helpers", () => {
  it("fails on a log retention CloudWatch does not accept, naming the file and field", () => {
    expect(() =>
      synthesize({ ...baseConfig, aws: { logRetentionDays: 31 } }, { inlineCode: true }),
    ).toThrowError(
      /^test\.yaml: aws\.logRetentionDays: CloudWatch Logs accepts only 1, 3, 5, .* \(got 31\)$/,
    );
  });

  it("tells complete secret ARNs from partial ones", () => {
    expect(isCompleteSecretArn("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod-AbC123")).toBe(
      true,
    );
    expect(isCompleteSecretArn("arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod")).toBe(false);
  });

  it("compiles the raw config into the bundle as a string that parses back to it", async () => {
    const raw = { ...baseConfig, note: 'quotes " backslash \\ dollar $HOME backtick ` newline \n unicode ✓' };
    const define = configDefine(raw);
    expect(define).not.toMatch(/[$`]/);
    const { code } = await transform("globalThis.seen = process.env.APP_CONFIG;", {
      define: { "process.env.APP_CONFIG": define },
      format: "esm",
    });
    const sandbox: { seen?: string } = {};
    new Function("globalThis", code)(sandbox);
    expect(JSON.parse(sandbox.seen ?? "null")).toEqual(raw);
  });
});
