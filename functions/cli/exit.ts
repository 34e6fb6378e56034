/** Exit statuses of DESIGN.md: 0 a completed run, 2 bad usage or config, 1 the run failed. */
import { MissingCredentialsError } from "../adapters/secrets/secrets.js";
import { ConfigError } from "../domain/config.js";

export const EXIT_OK = 0;
export const EXIT_RUN_FAILED = 1;
export const EXIT_USAGE = 2;

/** Bad usage: the message says what to type instead. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** Config, usage and missing credentials are the user's to fix (2); anything else failed the run (1). */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError || error instanceof ConfigError) return EXIT_USAGE;
  if (error instanceof MissingCredentialsError) return EXIT_USAGE;
  return EXIT_RUN_FAILED;
}

/** One line for stderr: the cause, never a stack (and never a secret: adapters keep those out). */
export function oneLine(error: unknown): string {
  const { code, port } = (error ?? {}) as { code?: unknown; port?: unknown };
  // `simulate` and `serve` on a port something else holds: say what to do, not Node's errno text.
  if (code === "EADDRINUSE" && typeof port === "number")
    return `--port ${port}: the port is already in use (another simulate or serve?); choose another --port, or --port 0 for any free one`;
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s*\n\s*/g, "; ");
}
