/**
 * CDK app entry (cdk.json runs it with tsx). Reads the config file named by the `config` context value
 * (`cdk deploy -c config=prod.yaml`), validates it, and fails synth with the file and field on a bad one.
 */
import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { loadConfigFile } from "../functions/config-file.js";
import { ConfigError } from "../functions/domain/config.js";
import { AgentStatusAlertsStack, DEFAULT_STACK_ID } from "./stack.js";

const DEFAULT_CONFIG = "alerts.config.yaml";

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** `-c interactionsConcurrency=N`: another reservation for the interactions function (0: none). */
function interactionsConcurrency(app: App): { interactionsConcurrency?: number } {
  const value: unknown = app.node.tryGetContext("interactionsConcurrency");
  if (value === undefined || value === "") return {};
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new ConfigError("-c interactionsConcurrency", [
      `expected a whole number ≥ 0 (got ${String(value)})`,
    ]);
  }
  return { interactionsConcurrency: n };
}

function main(): number {
  const app = new App();
  const configPath = contextString(app, "config") ?? DEFAULT_CONFIG;
  try {
    const { config, warnings, raw } = loadConfigFile(configPath);
    for (const warning of warnings) console.error(`warning: ${warning}`);
    // `-c stackName=...` deploys a second copy (say, staging) next to the first from another config file.
    new AgentStatusAlertsStack(app, contextString(app, "stackName") ?? DEFAULT_STACK_ID, {
      config,
      rawConfig: raw,
      tracing: contextString(app, "tracing") === "true" || app.node.tryGetContext("tracing") === true,
      ...interactionsConcurrency(app),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      // One line naming the file and field, no stack trace: this is the user's input, not a bug.
      console.error(`Invalid config: ${error.message}`);
      return 1;
    }
    throw error;
  }
  // cdk-nag v3 is a policy-validation plugin: findings fail `cdk synth` and land in
  // cdk.out/policy-validation-report.json. Accepted findings are acknowledged in the stack with a reason.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  app.synth();
  return 0;
}

// Set only on failure: app.synth() itself sets exitCode 1 when a validation plugin (cdk-nag) reports findings.
const status = main();
if (status !== 0) process.exitCode = status;
