/**
 * agent-status-alerts command line: `check`, `report`, `replay`, `validate`, `simulate`, `serve`, `watch`,
 * `doctor`. The same engine as the Lambda; the arguments are args.ts's; `replay`, the longest, is
 * replay-command.ts's.
 * stdout carries the result only; logs and progress go to stderr.
 */
import { MissingCredentialsError } from "../adapters/secrets/secrets.js";
import type { CheckResult } from "../app/run-check.js";
import { loadConfigFile } from "../config-file.js";
import { parseLocalDate } from "../domain/local-date.js";
import { timeZoneProblem } from "../domain/zone-names.js";
import {
  help,
  mustBeWritable,
  parse,
  parseNow,
  printWarnings,
  requireConfig,
  USAGE,
  wholeNumber,
} from "./args.js";
import { localCheck } from "./check.js";
import { EXIT_OK, EXIT_RUN_FAILED, exitCodeFor, oneLine, UsageError } from "./exit.js";
import { renderCheck, renderConfig } from "./render.js";
import { stderrLog } from "./stderr-log.js";

async function check(args: string[]): Promise<number> {
  const values = parse(args, {
    config: { type: "string" },
    now: { type: "string" },
    state: { type: "string" },
    "dry-run": { type: "boolean" },
    json: { type: "boolean" },
    verbose: { type: "boolean", short: "v" },
  });
  if (values.help) return help();
  const path = requireConfig(values);
  const nowMs = parseNow(values.now);
  const { config, warnings } = loadConfigFile(path);
  printWarnings(warnings);
  const dryRun = values["dry-run"] === true;
  const log = stderrLog(values.verbose ? "debug" : "warn");
  const result = await localCheck({
    config,
    nowMs,
    ...(typeof values.state === "string" ? { statePath: values.state } : {}),
    dryRun,
    env: process.env,
    log,
  });
  // Without a token nothing is posted by design (said above), not because Slack was unavailable.
  const posting = !dryRun && Boolean(process.env.SLACK_BOT_TOKEN?.trim());
  const left = leftForNextRun(result, posting);
  if (left) process.stderr.write(`warning: ${left}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(result.summary)}\n`);
  else process.stdout.write(`${renderCheck(result, config, nowMs, dryRun)}\n`);
  // A roster too large for one run is read in rotation: a run that stopped at its budget did its
  // part and says so (the warning above); pages that could not be read are a failed run.
  if (result.fetch.failedPages.length > 0) {
    process.stderr.write(
      `error: the run is incomplete: ${result.warnings[0] ?? "some pages were not read"}\n`,
    );
    return EXIT_RUN_FAILED;
  }
  return EXIT_OK;
}

async function report(args: string[]): Promise<number> {
  const values = parse(args, {
    config: { type: "string" },
    state: { type: "string" },
    date: { type: "string" },
    now: { type: "string" },
    json: { type: "boolean" },
    csv: { type: "boolean" },
    png: { type: "string" },
  });
  if (values.help) return help();
  const path = requireConfig(values);
  if (typeof values.state !== "string" || values.state === "")
    throw new UsageError("--state PATH is required (the state file the check runs keep)");
  if (values.json && values.csv) throw new UsageError("--json and --csv: choose one");
  if (values.png === "") throw new UsageError("--png: expected a file path");
  if (typeof values.png === "string") await mustBeWritable("png", values.png);
  const nowMs = parseNow(values.now);
  let date: string | undefined;
  if (values.date !== undefined) {
    date = parseLocalDate(String(values.date));
    if (date === undefined)
      throw new UsageError(
        `--date: expected a real date as YYYY-MM-DD, like 2025-06-10 (got "${values.date}")`,
      );
  }
  const { config, warnings } = loadConfigFile(path);
  printWarnings(warnings);
  const { localReport } = await import("./report.js");
  const output = await localReport({
    config,
    statePath: values.state,
    nowMs,
    ...(date ? { date } : {}),
    format: values.json ? "json" : values.csv ? "csv" : "text",
    ...(typeof values.png === "string" ? { pngPath: values.png } : {}),
  });
  process.stdout.write(`${output.stdout}\n`);
  if (typeof values.png === "string") process.stderr.write(`chart written to ${values.png}\n`);
  return EXIT_OK;
}

/** What the run left for the next one (its budget ran out, or Slack was unavailable), in one line. */
function leftForNextRun(result: CheckResult, posting: boolean): string | undefined {
  const { budget, slack } = result;
  const parts: string[] = [];
  if (budget.writesLeft > 0) parts.push(`${budget.writesLeft} state write(s) not made`);
  if (posting && slack.pending > 0) parts.push(`${slack.pending} Slack delivery(ies) pending`);
  if (parts.length === 0) return undefined;
  const why =
    budget.exhausted && budget.budgetMs !== null
      ? `the run's ${Math.round(budget.budgetMs / 1000)} s budget (one schedule interval) ran out`
      : "Slack was unavailable";
  return `${why}: ${parts.join(", ")}; the next run sends them first`;
}

function validate(args: string[]): number {
  const values = parse(args, { config: { type: "string" } });
  if (values.help) return help();
  const path = requireConfig(values);
  const { config, warnings } = loadConfigFile(path);
  printWarnings(warnings);
  process.stdout.write(`${renderConfig(config, path)}\n`);
  return EXIT_OK;
}

/** `simulate --timezone`: a zone a config would accept, so the simulated center can be pointed at. */
function simulatedZone(value: unknown): string {
  if (value === undefined) return "Asia/Kolkata";
  const zone = String(value);
  const problem = timeZoneProblem(zone);
  if (problem !== undefined) throw new UsageError(`--timezone: ${problem}`);
  return zone;
}

async function simulate(args: string[]): Promise<number> {
  const values = parse(args, {
    port: { type: "string" },
    agents: { type: "string" },
    seed: { type: "string" },
    timezone: { type: "string" },
    latency: { type: "string" },
  });
  if (values.help) return help();

  // The simulator is a test tool: loaded only when asked for, never part of the Lambda bundle.
  const { serveSimulator } = await import("./simulate.js");
  await serveSimulator({
    port: wholeNumber("port", values.port, 8787, 0, 65535),
    agents: wholeNumber("agents", values.agents, 200, 1, 200_000),
    seed: wholeNumber("seed", values.seed, 1, 0, 2 ** 31),
    timezone: simulatedZone(values.timezone),
    latencyMs: wholeNumber("latency", values.latency, 0, 0, 60_000),
  });
  return EXIT_OK;
}

async function serve(args: string[]): Promise<number> {
  const values = parse(args, {
    config: { type: "string" },
    state: { type: "string" },
    port: { type: "string" },
    verbose: { type: "boolean", short: "v" },
  });
  if (values.help) return help();
  const path = requireConfig(values);
  const statePath = values.state;
  if (typeof statePath !== "string" || statePath === "") throw new UsageError("--state PATH is required");
  const port = wholeNumber("port", values.port, 3000, 0, 65535);
  const { config, warnings } = loadConfigFile(path);
  printWarnings(warnings);
  const env = process.env;
  const signingSecret = env.SLACK_SIGNING_SECRET?.trim();
  if (!signingSecret) {
    throw new MissingCredentialsError(
      "Missing SLACK_SIGNING_SECRET in the environment (the Slack app's signing secret, under Basic Information)",
      ["SLACK_SIGNING_SECRET"],
    );
  }
  const slackBotToken = env.SLACK_BOT_TOKEN?.trim();
  const log = stderrLog(values.verbose ? "debug" : "info");
  if (!slackBotToken)
    log.warn("SLACK_BOT_TOKEN is not set: actions change the state; the next check run updates the messages");
  const { serveInteractions } = await import("./serve.js");
  const running = await serveInteractions({
    config,
    statePath,
    signingSecret,
    ...(slackBotToken ? { slackBotToken } : {}),
    ...(env.SLACK_API_URL ? { slackApiUrl: env.SLACK_API_URL } : {}),
    port,
    log,
  });
  process.stdout.write(`Slack interactions endpoint listening on ${running.url}\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void running.close().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
  process.stderr.write("stopped\n");
  return EXIT_OK;
}

async function watch(args: string[]): Promise<number> {
  const values = parse(args, {
    config: { type: "string" },
    state: { type: "string" },
    json: { type: "boolean" },
    verbose: { type: "boolean", short: "v" },
  });
  if (values.help) return help();
  const path = requireConfig(values);
  const statePath = values.state;
  if (typeof statePath !== "string" || statePath === "")
    throw new UsageError("--state PATH is required (watch keeps its alerts there between runs)");
  const { config, warnings } = loadConfigFile(path);
  printWarnings(warnings);
  const log = stderrLog(values.verbose ? "debug" : "warn");
  const stop = new AbortController();
  const onSignal = () => {
    process.stderr.write("stopping: finishing the runs in flight\n");
    stop.abort();
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const { localWatch } = await import("./watch.js");
  try {
    await localWatch({
      config,
      statePath,
      json: values.json === true,
      env: process.env,
      log,
      write: (line) => process.stdout.write(`${line}\n`),
      announce: (line) => process.stderr.write(`${line}\n`),
      signal: stop.signal,
    });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  process.stderr.write("stopped\n");
  return EXIT_OK;
}

/** `doctor`: every check of the wiring, one line each (cli/doctor.ts); exit 0, 1 a check failed, 2 bad config. */
async function doctor(args: string[]): Promise<number> {
  const values = parse(args, {
    config: { type: "string" },
    "send-test": { type: "boolean" },
    json: { type: "boolean" },
  });
  if (values.help) return help();
  const configPath = requireConfig(values);
  const { localDoctor } = await import("./doctor.js");
  return localDoctor({
    configPath,
    sendTest: values["send-test"] === true,
    json: values.json === true,
    env: process.env,
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case "check":
        return await check(rest);
      case "validate":
        return validate(rest);
      case "watch":
        return await watch(rest);
      case "report":
        return await report(rest);
      case "replay":
        return await (await import("./replay-command.js")).replayCommand(rest);
      case "simulate":
        return await simulate(rest);
      case "serve":
        return await serve(rest);
      case "doctor":
        return await doctor(rest);
      case "help":
      case "--help":
      case "-h":
        return help();
      default:
        throw new UsageError(command ? `unknown command "${command}"` : "a command is required");
    }
  } catch (error) {
    process.stderr.write(`error: ${oneLine(error)}\n`);
    if (error instanceof UsageError) process.stderr.write(`${USAGE}\n`);
    return exitCodeFor(error);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`error: ${oneLine(error)}\n`);
    process.exitCode = EXIT_RUN_FAILED;
  },
);
