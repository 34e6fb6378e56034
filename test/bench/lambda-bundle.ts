/**
 * The Lambda bundle exactly as `cdk deploy` ships it, for the bundle smoke test and the benchmark:
 * synthesizes the stack from infra/stack.ts (the real NodejsFunction bundling, cdk.json's feature
 * flags) into an output directory, finds the function's asset in the cloud assembly, copies it to a
 * directory outside the repository (where no node_modules can be found), and imports it in a fresh
 * `node` process with the environment the stack gives the function.
 */
import { type ChildProcess, fork, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { App, type CfnElement } from "aws-cdk-lib";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import {
  ASSET_RESOURCE_METADATA_ENABLED_CONTEXT,
  ASSET_RESOURCE_METADATA_PATH_KEY,
} from "aws-cdk-lib/cx-api";
import { parseConfig } from "../../functions/domain/config.js";
import { PROJECT_ROOT } from "../../infra/constructs/function-defaults.js";
import { AgentStatusAlertsStack, DEFAULT_STACK_ID } from "../../infra/stack.js";

/** A config like the one in the repository, with values a test can look for in the bundle. */
export const BUNDLE_TEST_CONFIG = {
  timezone: "Asia/Kolkata",
  smartassist: {
    host: "https://platform.kore.ai",
    accountId: "63f07d26f04465685df4b0d1",
    iId: "st-e19dd469-90f5-5655-b0b2-858de901b0d1",
  },
  schedule: { every: "5m" },
  rules: [
    { name: "Long break", secondaryStatus: ["NBK", "LUNCH", "BREAK"], threshold: "15m", critical: "30m" },
    { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m", critical: "1h" },
  ],
  repeat: "30m",
  slack: { channel: "C0123456789" },
  digest: { at: "18:30", days: ["mon", "tue", "wed", "thu", "fri"] },
  aws: { eventBus: "default", logRetentionDays: 30 },
} as const;

/** Stand-ins for the environment values the template computes at deploy time (Ref, Fn::GetAtt). */
const DEPLOY_TIME_STAND_INS: Record<string, string> = {
  TABLE_NAME: "AgentStatusAlerts-AlertState-STANDIN",
  SECRET_ID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent-status-alerts-AbCdEf",
  EVENT_BUS_NAME: "agent-status-alerts",
};

/** What a Lambda runtime adds: a region and (here, dummy) credentials. */
export const LAMBDA_RUNTIME_ENV: Record<string, string> = {
  AWS_REGION: "us-east-1",
  AWS_DEFAULT_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  AWS_SESSION_TOKEN: "dummy-session-token",
  AWS_LAMBDA_FUNCTION_NAME: "agent-status-alerts-bundle-probe",
  // Lambda runs Node.js 22, where the SDK has nothing to warn about; on an older local Node its
  // warning would build a stack trace, and with --enable-source-maps parse the whole source map.
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
};

export interface LambdaBundle {
  /** The function's asset directory in the cloud assembly (index.mjs and its source map). */
  assetDir: string;
  /** The bundle's entry file inside assetDir (from the function's Handler, `index.handler`). */
  entryFile: string;
  /** The exported handler's name. */
  handlerName: string;
  /** The function's environment as the template sets it, deploy-time references replaced by stand-ins. */
  environment: Record<string, string>;
  /** The cloud assembly directory the stack was synthesized into. */
  outdir: string;
  /** Milliseconds the synthesis (esbuild bundling included) took. */
  synthMs: number;
  /** The digest function's asset, when the config has `digest` (same synthesis). */
  digest?: LambdaBundle;
}

function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, "cdk.json"), "utf8")) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

interface TemplateResource {
  Type: string;
  Metadata?: Record<string, unknown>;
  Properties?: { Handler?: string; Environment?: { Variables?: Record<string, unknown> } };
}

/**
 * Synthesizes the real stack with `rawConfig` (bundling the handler with esbuild through CDK's
 * NodejsFunction, as `cdk synth` does) into `outdir`, and finds the function's asset there.
 */
export function synthesizeLambdaBundle(
  rawConfig: unknown = BUNDLE_TEST_CONFIG,
  outdir: string = mkdtempSync(join(tmpdir(), "asa-synth-")),
  /** Which of the stack's functions (default: the check function). */
  functionOf: (stack: AgentStatusAlertsStack) => IFunction = (stack) => stack.alertFunction.function,
): LambdaBundle {
  const started = performance.now();
  const { config } = parseConfig(rawConfig, "bundle config");
  const app = new App({
    outdir,
    // Asset metadata on resources (as the CDK CLI turns on) is how the assembly says which asset
    // directory is the function's code.
    context: { ...cdkJsonContext(), [ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true },
  });
  const stack = new AgentStatusAlertsStack(app, DEFAULT_STACK_ID, { config, rawConfig, tracing: false });
  const assembly = app.synth();
  const template = assembly.getStackArtifact(stack.artifactId).template as {
    Resources: Record<string, TemplateResource>;
  };
  const chosen = functionBundle(stack.getLogicalId(functionOf(stack).node.defaultChild as CfnElement));
  const digestFn = stack.digestFunction?.function.node.defaultChild as CfnElement | undefined;
  const synthMs = performance.now() - started;
  return {
    ...chosen,
    ...(digestFn ? { digest: { ...functionBundle(stack.getLogicalId(digestFn)), synthMs } } : {}),
    synthMs,
  };

  /** One function's asset in the assembly: its directory, entry file, handler and environment. */
  function functionBundle(logicalId: string): LambdaBundle {
    const resource = template.Resources[logicalId];
    if (resource?.Type !== "AWS::Lambda::Function") {
      throw new Error(`the template has no function ${logicalId}`);
    }
    const assetPath = resource.Metadata?.[ASSET_RESOURCE_METADATA_PATH_KEY];
    if (typeof assetPath !== "string")
      throw new Error(`function ${logicalId} carries no asset path metadata`);
    const assetDir = isAbsolute(assetPath) ? assetPath : join(assembly.directory, assetPath);
    const [file, handlerName] = (resource.Properties?.Handler ?? "index.handler").split(".");
    const entryFile = readdirSync(assetDir).find((f) => f === `${file}.mjs` || f === `${file}.js`);
    if (!entryFile || !handlerName) throw new Error(`no ${file}.mjs in ${assetDir}`);

    const environment: Record<string, string> = {};
    for (const [name, value] of Object.entries(resource.Properties?.Environment?.Variables ?? {})) {
      environment[name] =
        typeof value === "string" ? value : (DEPLOY_TIME_STAND_INS[name] ?? `stand-in-${name}`);
    }
    return {
      assetDir,
      entryFile,
      handlerName,
      environment,
      outdir: assembly.directory,
      synthMs: 0,
    };
  }
}

/** The directories from `dir` up to the root that hold a node_modules (module resolution would find it). */
export function nodeModulesAbove(dir: string): string[] {
  const found: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    if (existsSync(join(current, "node_modules"))) found.push(join(current, "node_modules"));
    if (dirname(current) === current) return found;
  }
}

/**
 * Copies the asset to a fresh directory outside the repository and checks that no node_modules is
 * reachable from it, so importing it proves the bundle is self-contained.
 */
export function copyBundleOutsideRepo(bundle: LambdaBundle): string {
  const dir = mkdtempSync(join(tmpdir(), "asa-lambda-"));
  const inside = relative(PROJECT_ROOT, dir);
  if (!inside.startsWith("..") && !isAbsolute(inside)) throw new Error(`${dir} is inside the repository`);
  for (const name of readdirSync(bundle.assetDir)) copyFileSync(join(bundle.assetDir, name), join(dir, name));
  const reachable = nodeModulesAbove(dir);
  if (reachable.length > 0) throw new Error(`node_modules reachable from ${dir}: ${reachable.join(", ")}`);
  return dir;
}

/** The environment of the function in Lambda: the template's variables plus the runtime's own. */
export function lambdaEnvironment(bundle: LambdaBundle): Record<string, string> {
  return { ...bundle.environment, ...LAMBDA_RUNTIME_ENV };
}

export interface ImportProbe {
  /** performance.now() around `await import()` inside the child. */
  importMs: number;
  /** The child's whole life, spawn to exit, as the parent saw it. */
  processMs: number;
  /** With `firstStack`, when the import throws: the first read of that error's stack. */
  firstStackMs: number | null;
  /** typeof the exported handler ("function"), or null for an empty probe. */
  handlerType: string | null;
  exports: string[];
  status: number | null;
  stderr: string;
}

// Runs as an ES module in the child: times the import alone, and reports on stdout's last line. Asked
// for ("stack"), an import that throws is caught and the first read of its stack timed instead: with
// --enable-source-maps that is when the bundle's source map is decoded.
const PROBE = `
const [entry, handlerName, extra] = process.argv.slice(1);
const started = performance.now();
let handlerType = null;
let names = [];
let firstStackMs = null;
if (entry) {
  try {
    const mod = await import(new URL(entry, "file://" + process.cwd() + "/").href);
    handlerType = typeof mod[handlerName];
    names = Object.keys(mod);
  } catch (error) {
    if (extra !== "stack") throw error;
    const before = performance.now();
    void error.stack;
    firstStackMs = performance.now() - before;
  }
}
const importMs = performance.now() - started;
process.stdout.write("\\n" + JSON.stringify({ importMs, handlerType, exports: names, firstStackMs }) + "\\n");
`;

/**
 * Starts a fresh `node` in `dir` with exactly `env` (plus PATH) and imports `entryFile` there, or
 * nothing at all when entryFile is null (the empty-process baseline, same harness). With `firstStack`,
 * an import that throws is not fatal: the first read of its stack is timed (firstStackMs).
 */
export function probeImport(
  dir: string,
  entryFile: string | null,
  handlerName: string,
  env: Record<string, string>,
  options: { firstStack?: boolean } = {},
): ImportProbe {
  const args = [
    "--input-type=module",
    "-e",
    PROBE,
    ...(entryFile ? [`./${entryFile}`, handlerName, options.firstStack ? "stack" : ""] : []),
  ];
  const started = performance.now();
  const child = spawnSync(process.execPath, args, {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  const processMs = performance.now() - started;
  const last = child.stdout.trim().split("\n").pop() ?? "";
  let report: Pick<ImportProbe, "importMs" | "handlerType" | "exports" | "firstStackMs"> = {
    importMs: Number.NaN,
    handlerType: null,
    exports: [],
    firstStackMs: null,
  };
  try {
    report = JSON.parse(last) as typeof report;
  } catch {
    // the import failed: status and stderr say why
  }
  return { ...report, processMs, status: child.status, stderr: child.stderr };
}

/** Base64 VLQ digits of source maps. */
const VLQ = new Map(
  [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i]),
);

/** The npm package (or repository path) a bundled source came from. */
export function sourceOwner(source: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (match) return match[1] as string;
  const local = /(functions|test|infra)\/.*$/.exec(source);
  return local ? local[0] : source;
}

/**
 * Output bytes of a minified bundle by the package they came from, read from its source map: each
 * generated span, up to the next mapping on its line, counts for the mapping's source. (A metafile
 * of the same build, from the bundle CDK really made.)
 */
export function bundleComposition(bundleFile: string, mapFile = `${bundleFile}.map`): Map<string, number> {
  const code = readFileSync(bundleFile, "utf8").split("\n");
  const map = JSON.parse(readFileSync(mapFile, "utf8")) as { sources: string[]; mappings: string };
  const owners = map.sources.map(sourceOwner);
  const bytes = new Map<string, number>();
  const add = (owner: string, n: number) => bytes.set(owner, (bytes.get(owner) ?? 0) + n);
  let source = 0;
  map.mappings.split(";").forEach((line, lineIndex) => {
    const lineLength = Buffer.byteLength(code[lineIndex] ?? "");
    const text = code[lineIndex] ?? "";
    let column = 0;
    let previous: { column: number; owner: string } | undefined;
    for (const segment of line.split(",")) {
      if (segment === "") continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = VLQ.get(char) ?? 0;
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0] ?? 0;
      if (fields.length >= 4) source += fields[1] ?? 0;
      if (previous) add(previous.owner, Buffer.byteLength(text.slice(previous.column, column)));
      else if (column > 0) add("(unmapped)", Buffer.byteLength(text.slice(0, column)));
      previous = { column, owner: fields.length >= 4 ? (owners[source] ?? "?") : "(unmapped)" };
    }
    if (previous) add(previous.owner, Buffer.byteLength(text.slice(previous.column)));
    else if (lineLength > 0) add("(unmapped)", lineLength);
  });
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// A warm Lambda container, for the cost bench: the bundle imported once in a fresh `node` (no
// node_modules reachable, the function's environment), then invoked again and again over IPC, each
// time on a clock set to the invocation's instant. Everything it writes to stdout and stderr (what
// Lambda sends to CloudWatch Logs, one event per line) is captured, not printed.

/**
 * Preloaded with --import: a settable clock (Date only; timers and performance.now run as usual), the
 * log capture, and each outgoing HTTP request's span (performance.now at its start and its end, and its
 * origin) from Node's diagnostics channels: undici's (the SmartAssist client's own undici, and the
 * global fetch the Slack client uses) and node:http's (the AWS SDK).
 */
const WARM_PRELOAD = `
import dc from "node:diagnostics_channel";
const spans = [];
const open = new WeakMap();
const begin = (key, origin) => {
  const span = { origin, startMs: performance.now(), endMs: null };
  open.set(key, span);
  spans.push(span);
};
const end = (key) => {
  const span = open.get(key);
  if (span && span.endMs === null) span.endMs = performance.now();
};
dc.subscribe("undici:request:create", ({ request }) => begin(request, String(request.origin)));
dc.subscribe("undici:request:trailers", ({ request }) => end(request));
dc.subscribe("undici:request:error", ({ request }) => end(request));
dc.subscribe("http.client.request.start", ({ request }) =>
  begin(request, (request.protocol ?? "http:") + "//" + String(request.getHeader("host") ?? request.host)));
dc.subscribe("http.client.request.error", ({ request }) => end(request));
dc.subscribe("http.client.response.finish", ({ request, response }) => {
  response.once("end", () => end(request));
  response.once("close", () => end(request));
});
globalThis.__benchHttp = { take(since) { const out = spans.splice(0); return out.filter((s) => s.startMs >= since); } };
const RealDate = globalThis.Date;
let offset = 0;
class BenchDate extends RealDate {
  constructor(...args) { if (args.length === 0) super(RealDate.now() + offset); else super(...args); }
  static now() { return RealDate.now() + offset; }
}
globalThis.Date = BenchDate;
globalThis.__benchClock = { set(ms) { offset = ms - RealDate.now(); } };
const lines = [];
let partial = "";
const capture = (chunk, encoding, callback) => {
  partial += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
  let i;
  while ((i = partial.indexOf("\\n")) >= 0) { lines.push(partial.slice(0, i)); partial = partial.slice(i + 1); }
  if (typeof encoding === "function") encoding(); else if (typeof callback === "function") callback();
  return true;
};
process.stdout.write = capture;
process.stderr.write = capture;
globalThis.__benchLog = { take() { if (partial) { lines.push(partial); partial = ""; } return lines.splice(0); } };
`;

const WARM_INVOKER = `
const [entry, handlerName] = process.argv.slice(2);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const mod = await import(new URL(entry, "file://" + process.cwd() + "/").href);
const cpu = process.cpuUsage(cpu0);
process.send({ type: "ready", initMs: performance.now() - t0, initCpuMs: (cpu.user + cpu.system) / 1000, lines: globalThis.__benchLog.take() });
let serial = 0;
process.on("message", async (m) => {
  if (m.type === "exit") process.exit(0);
  if (m.type !== "invoke") return;
  globalThis.__benchClock.set(m.atMs);
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const deadline = started + m.timeoutMs;
  const context = {
    awsRequestId: "bench-" + ++serial,
    getRemainingTimeInMillis: () => Math.max(0, Math.round(deadline - performance.now())),
  };
  let result;
  let error;
  try {
    result = await mod[handlerName](m.event, context);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpuStart);
  const http = globalThis.__benchHttp.take(started).map((s) => ({
    origin: s.origin,
    startMs: s.startMs - started,
    endMs: (s.endMs ?? performance.now()) - started,
  }));
  process.send({
    type: "done",
    wallMs,
    http,
    cpuMs: (used.user + used.system) / 1000,
    resultBytes: result === undefined ? 0 : Buffer.byteLength(JSON.stringify(result)),
    error,
    lines: globalThis.__benchLog.take(),
    rssBytes: process.memoryUsage().rss,
  });
});
`;

/** One outgoing HTTP request of an invocation: ms from the invocation's start, and where it went. */
export interface HttpSpan {
  /** e.g. `http://127.0.0.1:40123`. */
  origin: string;
  startMs: number;
  endMs: number;
}

export interface WarmInvocation {
  wallMs: number;
  /** Every HTTP request the invocation made (a request still open at its end ends there). */
  http: HttpSpan[];
  cpuMs: number;
  resultBytes: number;
  error?: string;
  /** What the invocation logged, one CloudWatch event per line. */
  lines: string[];
  rssBytes: number;
}

export interface WarmBundle {
  /** The import (the function's INIT phase), wall and CPU. */
  initMs: number;
  initCpuMs: number;
  initLines: string[];
  invoke(atMs: number, event: unknown, timeoutMs: number): Promise<WarmInvocation>;
  close(): Promise<void>;
}

/** Starts the bundle copied to `dir` (copyBundleOutsideRepo) as one warm container with `env`. */
export async function startWarmBundle(
  bundle: LambdaBundle,
  dir: string,
  env: Record<string, string>,
): Promise<WarmBundle> {
  const preload = join(dir, "bench-clock.mjs");
  const invoker = join(dir, "bench-invoke.mjs");
  writeFileSync(preload, WARM_PRELOAD);
  writeFileSync(invoker, WARM_INVOKER);
  const child: ChildProcess = fork(invoker, [`./${bundle.entryFile}`, bundle.handlerName], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    execArgv: ["--import", pathToFileURL(preload).href],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  type Reply = { type: string } & Record<string, unknown>;
  const replies: Array<(reply: Reply) => void> = [];
  child.on("message", (raw) => replies.shift()?.(raw as Reply));
  const next = () =>
    new Promise<Reply>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the bundle process exited (${code})`));
      child.once("exit", onExit);
      replies.push((reply) => {
        child.off("exit", onExit);
        resolve(reply);
      });
    });
  const ready = (await next()) as Reply & { initMs: number; initCpuMs: number; lines: string[] };
  return {
    initMs: ready.initMs,
    initCpuMs: ready.initCpuMs,
    initLines: ready.lines,
    async invoke(atMs, event, timeoutMs) {
      const done = next();
      child.send({ type: "invoke", atMs, event, timeoutMs });
      return (await done) as unknown as WarmInvocation;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.send({ type: "exit" });
      await exited;
    },
  };
}
