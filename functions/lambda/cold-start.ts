/**
 * What every Lambda entry does once per container, before its first event: the Powertools logger and
 * metrics, the config compiled into the bundle (validated, so a bad deployment fails at init), and the
 * stack's environment variables (a missing one fails at init, naming it).
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { type AppConfig, parseConfig } from "../domain/config.js";

export const SERVICE = "agent-status-alerts";

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set (the stack sets it)`);
  return value;
}

export interface ColdStart {
  config: AppConfig;
  /** The config's warnings (logged at init; the doctor reports them too). */
  warnings: string[];
  logger: Logger;
  metrics: Metrics;
}

export function coldStart(): ColdStart {
  const logger = new Logger({ serviceName: SERVICE });
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? "AgentStatusAlerts",
    serviceName: SERVICE,
  });
  // APP_CONFIG is replaced with the config file's content at bundle time (see infra), so a config
  // change is a deploy; in tests it comes from the environment.
  // Spelled out as `process.env.APP_CONFIG`: esbuild's define replaces exactly that expression.
  const rawConfig = process.env.APP_CONFIG;
  if (!rawConfig) throw new Error("APP_CONFIG is not set (the stack compiles the config into the bundle)");
  const { config, warnings } = parseConfig(JSON.parse(rawConfig), "APP_CONFIG");
  for (const warning of warnings) logger.warn(warning);
  return { config, warnings, logger, metrics };
}
