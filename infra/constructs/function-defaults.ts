/**
 * The one place that decides how a Lambda function of this project is built and run (Powertools style):
 * Node.js 22 on arm64, a self-contained ESM bundle with source maps, an explicit log group and an explicit
 * role that may write only to that log group. Everything else the function needs is granted by the stack.
 */
import { fileURLToPath } from "node:url";
import { type Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { type IRole, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, type Code, LoggingFormat, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";

/**
 * Memory of the function, from measurement (`npm run bench`): the bundle is 68 MB resident after import
 * and a run over 50,000 agents adds 45–85 MB at its peak (pages are evaluated as they arrive), so about
 * 150 MB in all. 512 MB keeps 3× headroom and, since Lambda's CPU share grows with memory, about a third
 * of a vCPU for the ~3 ms of CPU each page costs. Watch `Max Memory Used` in the REPORT lines.
 */
export const MEMORY_MB = 512;

/** Lambda's hard limit; a schedule slower than this still gets at most 15 minutes per run. */
export const MAX_TIMEOUT_SECONDS = 900;

/** The service name: Powertools' default `service` dimension on every metric, and the log `service` key. */
export const SERVICE_NAME = "agent-status-alerts";
/** Namespace of the custom metrics the handler emits (SmartAssistRunFailed, RunTruncated, ...). */
export const METRICS_NAMESPACE = "AgentStatusAlerts";

/** Repository root: entry and lock file are resolved from here, not from the caller's working directory. */
export const PROJECT_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** The retention periods CloudWatch Logs accepts; any other number fails only at deploy time. */
export const LOG_RETENTION_DAYS: readonly number[] = Object.values(RetentionDays).filter(
  // INFINITE is CDK's 9999 for "no retention", not a value CloudWatch accepts.
  (v): v is number => typeof v === "number" && v > 0 && v !== RetentionDays.INFINITE,
);

/**
 * The timeout of a run: one schedule interval, because a run must not outlive the next tick (the handler
 * watches its remaining time and stops paging near the deadline), capped at Lambda's 15 minutes.
 */
export function runTimeoutSeconds(everySeconds: number): number {
  return Math.min(everySeconds, MAX_TIMEOUT_SECONDS);
}

export interface AlertFunctionProps {
  /** The config file's raw (parsed, unvalidated) value, compiled into the bundle as `process.env.APP_CONFIG`. */
  rawConfig: unknown;
  /** Function timeout; see runTimeoutSeconds. */
  timeout: Duration;
  logRetentionDays: number;
  /** Extra environment variables (resource names only: never a secret value). */
  environment: Record<string, string>;
  /** Active X-Ray tracing (default off: the interesting spans are two HTTP APIs, and traces cost money). */
  tracing?: boolean;
  /**
   * Replaces the esbuild bundle, for tests that synthesize many stacks. At least one test bundles for real.
   * When set, `rawConfig` is not compiled in anywhere.
   */
  code?: Code;
  /** The entry file; defaults to functions/lambda/check.ts. Each function is bundled from its own entry. */
  entry?: string;
  /** Caps the function's concurrency (and reserves it from the account's pool); unset: no cap. */
  reservedConcurrentExecutions?: number;
  /** Shown in the Lambda console next to the generated name. */
  description?: string;
}

/**
 * Everything process.env.APP_CONFIG needs to become at build time, as an esbuild `define` value: a JS string
 * literal holding the config as JSON. `$` and backticks are written as JSON \u escapes so the value stays
 * inert even where a bundler passes it through a shell (Docker bundling); JSON.parse restores them.
 */
export function configDefine(rawConfig: unknown): string {
  const json = JSON.stringify(rawConfig ?? null)
    .replaceAll("$", "\\u0024")
    .replaceAll("`", "\\u0060");
  return JSON.stringify(json);
}

/** One of the project's Lambda functions (check, interactions, ...) with the project's defaults. */
export class AlertFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: IRole;
  readonly tracing: boolean;

  constructor(scope: Construct, id: string, props: AlertFunctionProps) {
    super(scope, id);

    const retention = props.logRetentionDays as RetentionDays;
    if (!LOG_RETENTION_DAYS.includes(retention)) {
      throw new Error(
        `log retention of ${props.logRetentionDays} days is not accepted by CloudWatch Logs; use one of ${LOG_RETENTION_DAYS.join(", ")}`,
      );
    }
    this.logGroup = new LogGroup(this, "LogGroup", {
      retention,
      // The logs name agents and their breaks: they go with the stack (and expire anyway). Alert state that
      // must survive a redeploy lives in the retained table, not here.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole: that managed policy may create and write any
    // log group in the account; this one may write only to the function's own log group.
    const role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `Runs ${Stack.of(this).stackName} ${id}: least privilege, granted resource by resource`,
    });
    this.logGroup.grantWrite(role);
    this.role = role;
    this.tracing = props.tracing ?? false;

    const entry = props.entry ?? `${PROJECT_ROOT}functions/lambda/check.ts`;
    this.function = new NodejsFunction(this, "Function", {
      entry,
      handler: "handler",
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: `${PROJECT_ROOT}package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: MEMORY_MB,
      timeout: props.timeout,
      ...(props.reservedConcurrentExecutions !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrentExecutions }
        : {}),
      ...(props.description !== undefined ? { description: props.description } : {}),
      role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: this.tracing ? Tracing.ACTIVE : Tracing.DISABLED,
      environment: {
        // Bundled with sourcemaps: stack traces point at the TypeScript sources.
        NODE_OPTIONS: "--enable-source-maps",
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        POWERTOOLS_LOG_LEVEL: "INFO",
        ...props.environment,
      },
      ...(props.code ? { code: props.code } : {}),
      bundling: {
        minify: true,
        sourceMap: true,
        // Names and positions are enough for stack traces; the sources themselves would triple the map
        // that --enable-source-maps loads at the first error.
        sourcesContent: false,
        target: "node22",
        format: OutputFormat.ESM,
        mainFields: ["module", "main"],
        // CJS dependencies bundled into an ESM file still call require(): give them one.
        banner:
          "import { createRequire as __createRequire } from 'node:module';const require = __createRequire(import.meta.url);",
        // Bundle the AWS SDK v3 too: the versions in package-lock.json are the ones that run, not the runtime's.
        externalModules: [],
        // The config is part of the build (the asset hash changes with it), not a plain environment variable.
        define: { "process.env.APP_CONFIG": configDefine(props.rawConfig) },
      },
    });
  }
}
