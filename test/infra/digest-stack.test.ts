/**
 * The digest in the stack: its own function (read-only on the table, the secret), a second schedule
 * (cron in the center's zone), the history index on the retained table, and cdk-nag clean. Inline code:
 * the real digest bundle is built and run by test/infra/bundle.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Validations } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { Code } from "aws-cdk-lib/aws-lambda";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../functions/domain/config.js";
import { PROJECT_ROOT } from "../../infra/constructs/function-defaults.js";
import { AgentStatusAlertsStack } from "../../infra/stack.js";

type Json = Record<string, unknown>;

const raw = {
  timezone: "America/New_York",
  smartassist: { host: "https://platform.kore.ai", accountId: "63f07d26f04465685df4xxxx", iId: "st-1" },
  rules: [{ name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m" }],
  slack: { channel: "C0123456789" },
  teams: [{ name: "Tier 2", agents: ["*@tier2.example.com"], channel: "C0999999999" }],
  digest: { at: "18:30", days: ["mon", "tue", "wed", "thu", "fri"] },
};

function synthesize(config: Json, tracing = false): { stack: AgentStatusAlertsStack; template: Template } {
  const context = (JSON.parse(readFileSync(join(PROJECT_ROOT, "cdk.json"), "utf8")) as { context: Json })
    .context;
  const app = new App({ context, builtinCloudFormationValidation: false });
  const stack = new AgentStatusAlertsStack(app, "AgentStatusAlerts", {
    config: parseConfig(config, "test.yaml").config,
    rawConfig: config,
    tracing,
    code: Code.fromInline("export const handler = async () => ({});"),
    digestCode: Code.fromInline("export const handler = async () => ({ digest: true });"),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { stack, template: Template.fromStack(stack) };
}

interface Statement {
  Action: string | string[];
  Resource: unknown;
}

function statementsOf(template: Template, roleLogicalId: string): Statement[] {
  return Object.values(template.findResources("AWS::IAM::Policy"))
    .map((p) => p.Properties as Json)
    .filter((p) => JSON.stringify(p.Roles).includes(roleLogicalId))
    .flatMap((p) => (p.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe("the digest in the stack", () => {
  const { stack, template } = synthesize(raw);
  const resolve = (x: unknown) => stack.resolve(x) as unknown;
  const digestId = stack.getLogicalId(stack.digestFunction?.function.node.defaultChild as never);
  const roleId = stack.getLogicalId(stack.digestFunction?.role.node.defaultChild as never);
  const tableId = stack.getLogicalId(stack.table.node.defaultChild as never);

  it("adds a digest function of its own: Node.js 22 on arm64, the table and secret by name only", () => {
    const fn = template.toJSON().Resources[digestId] as { Properties: Json };
    expect(fn.Properties).toMatchObject({ Runtime: "nodejs22.x", Architectures: ["arm64"], Timeout: 120 });
    const env = (fn.Properties.Environment as { Variables: Json }).Variables;
    expect(env).toMatchObject({ TABLE_NAME: { Ref: tableId }, SECRET_ID: expect.anything() });
    expect(env.EVENT_BUS_NAME).toBeUndefined();
    expect(env.APP_CONFIG).toBeUndefined();
  });

  it("runs it on a second schedule: cron at 18:30 on weekdays in the center's zone", () => {
    const schedules = Object.values(template.findResources("AWS::Scheduler::Schedule")).map(
      (s) => s.Properties as Json,
    );
    expect(schedules.map((s) => [s.ScheduleExpression, s.ScheduleExpressionTimezone])).toEqual([
      ["rate(1 minute)", "Etc/UTC"],
      ["cron(30 18 ? * MON-FRI *)", "America/New_York"],
    ]);
    const target = schedules[1]?.Target as Json;
    expect(target.Arn).toEqual({ "Fn::GetAtt": [digestId, "Arn"] });
    expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 3600 });
    expect(target.DeadLetterConfig).toBeDefined();
  });

  it("lets it read only: the history index with Query, the live index (and the table) with Scan, the secret", () => {
    const statements = statementsOf(template, roleId);
    const actions = statements.flatMap((s) => [s.Action].flat()).sort();
    expect(actions.filter((a) => a.startsWith("dynamodb:"))).toEqual(["dynamodb:Query", "dynamodb:Scan"]);
    expect(actions).toEqual(expect.arrayContaining(["secretsmanager:GetSecretValue"]));
    expect(actions.some((a) => /^(events:|dynamodb:(Put|Update|Delete|BatchWrite))/.test(a))).toBe(false);
    const query = statements.find((s) => s.Action === "dynamodb:Query");
    expect(JSON.stringify(query?.Resource)).toContain("/index/history-by-date");
    const scan = statements.find((s) => s.Action === "dynamodb:Scan");
    expect(scan?.Resource).toEqual([
      { "Fn::GetAtt": [tableId, "Arn"] },
      { "Fn::Join": ["", [{ "Fn::GetAtt": [tableId, "Arn"] }, "/index/live-records"]] },
    ]);
  });

  it("indexes history by local date, and alert records apart, on the retained table, whose key stays `id`", () => {
    const table = template.toJSON().Resources[tableId] as { Properties: Json; DeletionPolicy: string };
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.Properties.KeySchema).toEqual([{ AttributeName: "id", KeyType: "HASH" }]);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: "history-by-date",
        KeySchema: [
          { AttributeName: "historyDate", KeyType: "HASH" },
          { AttributeName: "sinceMs", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
      {
        IndexName: "live-records",
        KeySchema: [
          { AttributeName: "id", KeyType: "HASH" },
          { AttributeName: "state", KeyType: "RANGE" },
        ],
        Projection: { ProjectionType: "ALL" },
      },
    ]);
    expect(resolve(stack.table.tableArn)).toEqual({ "Fn::GetAtt": [tableId, "Arn"] });
  });

  it("outputs the digest function's name", () => {
    expect(Object.keys(template.toJSON().Outputs)).toContain("DigestFunctionName");
  });

  it("has no unacknowledged cdk-nag finding, with tracing or without", () => {
    for (const s of [stack, synthesize(raw, true).stack]) {
      const report = new AwsSolutionsChecks().validateScope(s);
      expect(report.violations.map((v) => `${v.ruleName} ${v.violatingResources[0]?.constructPath}`)).toEqual(
        [],
      );
    }
  });

  it("has no digest function or schedule without `digest` in the config", () => {
    const { digest: _digest, ...without } = raw;
    const plain = synthesize(without);
    expect(plain.stack.digestFunction).toBeUndefined();
    plain.template.resourceCountIs("AWS::Scheduler::Schedule", 1);
  });
});
