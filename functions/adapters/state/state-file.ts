/**
 * The local state file's format (`--state PATH`): what it holds, read and validated whole (a file that
 * is not ours is refused, never overwritten), and written atomically (files/atomic-file.ts): a
 * reader sees the old file or the new one, never half of one. Locking is state-file-lock.ts's; what
 * the store does with it, json-file-store.ts's.
 */
import { readFile } from "node:fs/promises";
import * as z from "zod";
import type { AlertRecord } from "../../domain/alert.js";
import type { BoardState } from "../../domain/board.js";
import type { Cursor } from "../../domain/coverage.js";
import type { HistoryEntry } from "../../domain/history.js";
import { writeFileAtomically } from "../files/atomic-file.js";
import { alertRecordSchema, boardStateSchema, cursorSchema, historyEntrySchema } from "./memory-store.js";

export const STATE_FILE_VERSION = 1;

/** The state file cannot be read, parsed, locked or written; the message names the path. */
export class StateFileError extends Error {
  constructor(
    readonly path: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`State file ${path}: ${detail}`, options);
    this.name = "StateFileError";
  }
}

// `cursor` came later, beside `alerts`: files written before it still load.
const stateFileSchema = z.object({
  version: z.literal(STATE_FILE_VERSION),
  alerts: z.array(alertRecordSchema),
  cursor: cursorSchema.optional(),
  history: z.array(historyEntrySchema).optional(),
  limiter: z.object({ times: z.array(z.number()) }).optional(),
  boards: z.record(z.string(), boardStateSchema).optional(),
});

export interface StateFile {
  alerts: AlertRecord[];
  cursor?: Cursor | undefined;
  history?: HistoryEntry[] | undefined;
  limiter?: { times: number[] } | undefined;
  /** The board per channel (DESIGN.md, "The board"). */
  boards?: Record<string, BoardState> | undefined;
}

export async function readStateFile(path: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if (errorCode(error) === "ENOENT") return { alerts: [] };
    throw new StateFileError(path, `cannot read it (${errorCode(error)})`, { cause: error });
  }
  // An empty file (e.g. made with `touch`) holds no state; anything else must be ours, whole.
  if (text.trim() === "") return { alerts: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(path, "is not valid JSON; fix it or move it away (it is not overwritten)", {
      cause: error,
    });
  }
  const parsed = stateFileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) => `${formatPath(i.path)}: ${i.message}`);
    throw new StateFileError(
      path,
      `is not an alert state file (expected {"version":${STATE_FILE_VERSION},"alerts":[...]}): ${problems.join("; ")}`,
    );
  }
  const { alerts, cursor, history, limiter, boards } = parsed.data;
  return {
    alerts,
    ...(boards ? { boards } : {}),
    ...(cursor ? { cursor } : {}),
    ...(history ? { history } : {}),
    ...(limiter ? { limiter } : {}),
  };
}

export async function writeStateFile(
  path: string,
  { alerts, cursor, history, limiter, boards }: StateFile,
): Promise<void> {
  // Optional parts only when present: a file without them reads exactly as before they existed.
  const state = {
    version: STATE_FILE_VERSION,
    alerts,
    ...(cursor ? { cursor } : {}),
    ...(history && history.length > 0 ? { history } : {}),
    ...(limiter && limiter.times.length > 0 ? { limiter } : {}),
    ...(boards && Object.keys(boards).length > 0 ? { boards } : {}),
  };
  const text = `${JSON.stringify(state, null, 2)}\n`;
  try {
    await writeFileAtomically(path, text);
  } catch (error) {
    throw new StateFileError(path, `cannot write it (${errorCode(error)})`, { cause: error });
  }
}

export function errorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : String(error);
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  const text = path.reduce<string>(
    (acc, key) => (typeof key === "number" ? `${acc}[${key}]` : `${acc}${acc ? "." : ""}${String(key)}`),
    "",
  );
  return text || "top level";
}
