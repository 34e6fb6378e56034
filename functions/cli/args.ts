/**
 * The command line's arguments: the usage text, strict flag parsing (an unknown or malformed flag is
 * a usage error, exit 2, with the usage), and the checks every command shares (`--config`, `--now`,
 * whole numbers in a range).
 */
import { parseArgs } from "node:util";
import { unwritable } from "../adapters/files/atomic-file.js";
import { EXIT_OK, oneLine, UsageError } from "./exit.js";

export const USAGE = `usage:
  npm run cli -- check --config FILE [--now ISO-8601] [--state PATH] [--dry-run] [--json] [--verbose]
  npm run cli -- report --config FILE --state PATH [--date YYYY-MM-DD] [--now ISO-8601] [--json | --csv] [--png FILE]
  npm run cli -- replay --config FILE --date YYYY-MM-DD [--against OTHER] [--save CAPTURE | --from CAPTURE] [--json] [--png FILE]
  npm run cli -- validate --config FILE
  npm run cli -- simulate [--port N] [--agents N] [--seed N] [--timezone ZONE] [--latency MS]
  npm run cli -- serve --config FILE --state PATH [--port N]
  npm run cli -- watch --config FILE --state PATH [--json] [--verbose]
  npm run cli -- doctor --config FILE [--send-test] [--json]

environment for check: SMARTASSIST_CLIENT_ID, SMARTASSIST_CLIENT_SECRET, SLACK_BOT_TOKEN (optional),
SLACK_API_URL (optional: another Slack API base URL, such as a local fake)
environment for replay (without --from): SMARTASSIST_CLIENT_ID, SMARTASSIST_CLIENT_SECRET
environment for serve: SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN (to update the messages), SLACK_API_URL
environment for doctor: all of the above (a missing one is a failed check, not a usage error)`;

export type Values = Record<string, string | boolean | undefined>;

export function parse(
  args: string[],
  options: Record<string, { type: "string" | "boolean"; short?: string }>,
): Values {
  try {
    const config = {
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      strict: true,
    } as const;
    return parseArgs(config).values as Values;
  } catch (error) {
    throw new UsageError(oneLine(error));
  }
}

export function requireConfig(values: Record<string, unknown>): string {
  const path = values.config;
  if (typeof path !== "string" || path === "") throw new UsageError("--config FILE is required");
  return path;
}

export function parseNow(text: unknown): number {
  if (text === undefined) return Date.now();
  const ms = Date.parse(String(text));
  if (Number.isNaN(ms))
    throw new UsageError(`--now: expected an ISO-8601 instant like 2023-03-10T16:30:00Z (got "${text}")`);
  return ms;
}

export function printWarnings(warnings: string[]): void {
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
}

export function wholeNumber(name: string, text: unknown, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name}: expected a whole number from ${min} to ${max} (got "${text}")`);
  }
  return n;
}

/** `--help` and `help`: the usage on stdout, exit 0. */
export function help(): number {
  process.stdout.write(`${USAGE}\n`);
  return EXIT_OK;
}

/** A file flag whose result comes after long work: refused at once when it could not be written. */
export async function mustBeWritable(flag: string, path: string): Promise<void> {
  const why = await unwritable(path);
  if (why !== undefined) throw new UsageError(`--${flag} ${path}: cannot be written (${why})`);
}
