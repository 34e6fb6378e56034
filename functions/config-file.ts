/** Reads the config file (YAML, or JSON, which is YAML too) and validates it. Used by the CLI and CDK. */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { ConfigError, type ConfigResult, parseConfig } from "./domain/config.js";

/** Reads and parses the file without validating it: the raw value, as the Lambda receives it. */
export function readRawConfig(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(path, [
      code === "ENOENT" ? "file not found" : `cannot read the file (${code ?? error})`,
    ]);
  }
  try {
    return parse(text, { prettyErrors: true });
  } catch (error) {
    const message = (error as Error).message.split("\n")[0] ?? "invalid YAML";
    throw new ConfigError(path, [`not valid YAML or JSON: ${message}`]);
  }
}

/** Reads, parses and validates; throws ConfigError naming the file and each bad field. */
export function loadConfigFile(path: string): ConfigResult & { raw: unknown } {
  const raw = readRawConfig(path);
  return { ...parseConfig(raw, path), raw };
}
