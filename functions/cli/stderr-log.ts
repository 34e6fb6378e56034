/** The CLI's logger: everything on stderr, so stdout carries only the result (`--json`). */
import type { Log } from "../app/logger.js";

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
type Level = keyof typeof LEVELS;

export function stderrLog(minimum: Level = "warn"): Log {
  const write = (level: Level, message: string, extra?: Record<string, unknown>) => {
    if (LEVELS[level] < LEVELS[minimum]) return;
    const detail = extra && Object.keys(extra).length > 0 ? ` ${JSON.stringify(extra)}` : "";
    process.stderr.write(`${level}: ${message}${detail}\n`);
  };
  return {
    debug: (m, e) => write("debug", m, e),
    info: (m, e) => write("info", m, e),
    warn: (m, e) => write("warn", m, e),
    error: (m, e) => write("error", m, e),
  };
}
