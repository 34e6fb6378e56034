/**
 * `doctor`: is everything wired? The config file, credentials from the environment (SMARTASSIST_*,
 * SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET; SLACK_API_URL for a local fake), the local adapters, the
 * doctor use case, one line per check (or `--json`). Exit 0 all passed, 1 one failed, 2 bad config.
 */
import { doctorCredentialsFromEnv } from "../adapters/secrets/doctor-credentials.js";
import { SlackDoctorProbe } from "../adapters/slack/doctor-probe.js";
import { DOCTOR_TIMEOUT_MS, runDoctor } from "../app/doctor.js";
import { loadConfigFile } from "../config-file.js";
import { ConfigError } from "../domain/config.js";
import { checkLine, configCheck, type DoctorReport, doctorReport } from "../domain/doctor.js";
import { EXIT_OK, EXIT_RUN_FAILED, EXIT_USAGE } from "./exit.js";
import { localSource } from "./local-adapters.js";

export interface LocalDoctorOptions {
  configPath: string;
  sendTest: boolean;
  json: boolean;
  env: NodeJS.ProcessEnv;
  nowMs?: number;
  out?: (text: string) => void;
  err?: (text: string) => void;
}

function print(report: DoctorReport, json: boolean, out: (text: string) => void): void {
  if (json) out(`${JSON.stringify(report)}\n`);
  else out(`${report.checks.map(checkLine).join("\n")}\n`);
}

/** Runs the doctor and prints its report; returns the exit status. */
export async function localDoctor(options: LocalDoctorOptions): Promise<number> {
  const { configPath, env } = options;
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  const err = options.err ?? ((text: string) => process.stderr.write(text));
  let loaded: ReturnType<typeof loadConfigFile>;
  try {
    loaded = loadConfigFile(configPath);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    print(doctorReport([configCheck(configPath, { error: error.message })]), options.json, out);
    err(`error: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const { config, warnings } = loaded;
  const { reading, values } = doctorCredentialsFromEnv(env);
  const { clientId, clientSecret, slackBotToken } = values;
  const source =
    clientId !== undefined && clientSecret !== undefined
      ? localSource(config, { clientId, clientSecret })
      : undefined;
  const slack =
    slackBotToken === undefined
      ? undefined
      : new SlackDoctorProbe({
          token: slackBotToken,
          apiUrl: env.SLACK_API_URL,
          timeoutMs: DOCTOR_TIMEOUT_MS,
        });
  let report: DoctorReport;
  try {
    report = await runDoctor(
      {
        config,
        configSource: configPath,
        configWarnings: warnings,
        credentials: reading,
        ...(source ? { source } : {}),
        ...(slack ? { slack } : {}),
      },
      { nowMs: options.nowMs ?? Date.now(), sendTest: options.sendTest },
    );
  } finally {
    await source?.close();
  }
  print(report, options.json, out);
  const failed = report.checks.filter((c) => !c.ok);
  if (failed.length > 0) {
    err(
      `error: ${failed.length} of ${report.checks.length} checks failed: ${failed.map((c) => c.name).join(", ")}\n`,
    );
    return EXIT_RUN_FAILED;
  }
  return EXIT_OK;
}
