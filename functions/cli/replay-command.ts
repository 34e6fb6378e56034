/**
 * The `replay` command: its flags, the day read from SmartAssist or taken from a capture, each config
 * replayed on it (replay.ts), and what is printed. Nothing is posted or written but `--save` and
 * `--png`, whose paths are checked before the day is read.
 */
import { loadConfigFile } from "../config-file.js";
import { ConfigError } from "../domain/config.js";
import { parseLocalDate } from "../domain/local-date.js";
import { help, mustBeWritable, parse, printWarnings, requireConfig } from "./args.js";
import { EXIT_OK, UsageError } from "./exit.js";
import {
  captureProblems,
  checkDate,
  loadCapture,
  offsetWarning,
  problemLines,
  readDay,
  replayCapture,
  replayJson,
  replayPng,
  replayText,
  saveCapture,
} from "./replay.js";
import { type ConfigFigures, replaySideBySide } from "./replay-child.js";
import { ReplayProgressLine } from "./replay-progress.js";

/** `replay`: a config (and `--against` another) tried on a past day; nothing is posted or written but `--save`. */
export async function replayCommand(args: string[]): Promise<number> {
  const values = parse(args, {
    config: { type: "string" },
    date: { type: "string" },
    against: { type: "string" },
    save: { type: "string" },
    from: { type: "string" },
    json: { type: "boolean" },
    png: { type: "string" },
  });
  if (values.help) return help();
  const path = requireConfig(values);
  if (values.date === undefined) throw new UsageError("--date YYYY-MM-DD is required");
  if (values.save !== undefined && values.from !== undefined)
    throw new UsageError("--save and --from: choose one (a capture is either written or read)");
  for (const flag of ["save", "from", "png", "against"] as const)
    if (values[flag] === "") throw new UsageError(`--${flag}: expected a file path`);
  // Before the day is read (minutes for a large center), not after: a bad path would lose it.
  for (const flag of ["save", "png"] as const) {
    const file = values[flag];
    if (typeof file === "string") await mustBeWritable(flag, file);
  }
  // Each config's problems name the flag it came in with, so it is clear which of the two is wrong.
  const load = (flag: "config" | "against", file: string) => {
    try {
      return loadConfigFile(file);
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(`--${flag} ${file}`, error.problems);
      throw error;
    }
  };
  const main = load("config", path);
  printWarnings(main.warnings);
  const other = typeof values.against === "string" ? load("against", values.against) : undefined;
  if (other) printWarnings(other.warnings);
  const zone = main.config.timezone;
  if (other && other.config.timezone !== zone)
    throw new UsageError(
      `--against ${values.against}: its timezone ${other.config.timezone} is not the config's (${zone}): a day is one zone's day`,
    );
  const date = checkDate(parseLocalDate(String(values.date)), values.date, zone, Date.now());
  const tty = process.stderr.isTTY === true;
  let capture: Awaited<ReturnType<typeof loadCapture>>;
  if (typeof values.from === "string") capture = await loadCapture(values.from, date, zone);
  else {
    let last = "";
    capture = await readDay(main.config, date, process.env, (line) => {
      last = line;
      if (tty) process.stderr.write(`\r${line}`);
    });
    process.stderr.write(tty ? "\n" : `${last || `reading ${date}: no agents`}\n`);
  }
  if (typeof values.save === "string") {
    const bytes = await saveCapture(values.save, capture);
    const size = bytes < 1e6 ? `${Math.ceil(bytes / 1e3)} KB` : `${(bytes / 1e6).toFixed(1)} MB`;
    process.stderr.write(`capture written to ${values.save} (${size})\n`);
  }
  const offset = offsetWarning(capture);
  if (offset) process.stderr.write(`${offset}\n`);
  for (const line of problemLines(captureProblems(capture))) process.stderr.write(`${line}\n`);
  const write = (text: string) => process.stderr.write(text);
  const progress = new ReplayProgressLine(capture, tty, write);
  const first = { name: path, config: main.config, raw: main.raw };
  const results: ConfigFigures[] =
    other && typeof values.against === "string"
      ? await replaySideBySide(
          first,
          { name: values.against, config: other.config, raw: other.raw },
          capture,
          progress,
          write,
        )
      : [await replayCapture(main.config, path, capture, progress.for(path))];
  process.stdout.write(
    `${values.json ? JSON.stringify(replayJson(capture, results)) : replayText(capture, results)}\n`,
  );
  if (typeof values.png === "string") {
    const bytes = await replayPng(values.png, capture, results);
    process.stderr.write(`chart written to ${values.png} (${bytes} bytes)\n`);
  }
  return EXIT_OK;
}
