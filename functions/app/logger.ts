/** The little a use case needs from a logger; Powertools' Logger and the CLI's stderr logger both fit. */
export interface Log {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };

/** Powertools' Logger takes extra attributes as a rest parameter; this adapts it to Log. */
export function fromPowertools(logger: {
  debug(message: string, ...extra: Array<Record<string, unknown>>): void;
  info(message: string, ...extra: Array<Record<string, unknown>>): void;
  warn(message: string, ...extra: Array<Record<string, unknown>>): void;
  error(message: string, ...extra: Array<Record<string, unknown>>): void;
}): Log {
  const call =
    (fn: (m: string, ...e: Array<Record<string, unknown>>) => void) =>
    (m: string, e?: Record<string, unknown>) =>
      e ? fn(m, e) : fn(m);
  return {
    debug: call(logger.debug.bind(logger)),
    info: call(logger.info.bind(logger)),
    warn: call(logger.warn.bind(logger)),
    error: call(logger.error.bind(logger)),
  };
}
