/**
 * The check function's answer to `aws lambda invoke --payload '{"doctor": true}'` (DESIGN.md
 * "Doctor"): the doctor's JSON report instead of a run. The secret is read afresh (a warm container's
 * copy may predate the fix being checked) and nothing is posted unless `"sendTest": true`.
 */
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { doctorCredentialsFromSecret } from "../adapters/secrets/doctor-credentials.js";
import { SlackDoctorProbe } from "../adapters/slack/doctor-probe.js";
import { SmartAssistClient } from "../adapters/smartassist/client.js";
import { DOCTOR_TIMEOUT_MS, runDoctor } from "../app/doctor.js";
import type { Log } from "../app/logger.js";
import type { AppConfig } from "../domain/config.js";
import type { DoctorReport } from "../domain/doctor.js";

export interface DoctorEvent {
  doctor: true;
  sendTest?: boolean;
}

export function isDoctorEvent(event: unknown): event is DoctorEvent {
  return typeof event === "object" && event !== null && (event as { doctor?: unknown }).doctor === true;
}

export interface DoctorInvokeDeps {
  config: AppConfig;
  configWarnings: string[];
  secretId: string;
  secretsClient: SecretsManagerClient;
  slackApiUrl?: string | undefined;
  log: Log;
}

export function createDoctorInvoke(deps: DoctorInvokeDeps): (event: DoctorEvent) => Promise<DoctorReport> {
  const { config } = deps;
  return async (event) => {
    const { reading, values } = await doctorCredentialsFromSecret(deps.secretId, deps.secretsClient);
    const { clientId, clientSecret, slackBotToken } = values;
    // Its own client, closed after: a run's client (and its pacer) stays as it was.
    const source =
      clientId !== undefined && clientSecret !== undefined
        ? new SmartAssistClient({ ...config.smartassist, credentials: { clientId, clientSecret } })
        : undefined;
    const slack =
      slackBotToken === undefined
        ? undefined
        : new SlackDoctorProbe({
            token: slackBotToken,
            apiUrl: deps.slackApiUrl,
            timeoutMs: DOCTOR_TIMEOUT_MS,
          });
    try {
      return await runDoctor(
        {
          config,
          configSource: "APP_CONFIG",
          configLabel: "the deployed config",
          configWarnings: deps.configWarnings,
          credentials: reading,
          ...(source ? { source } : {}),
          ...(slack ? { slack } : {}),
          log: deps.log,
        },
        { nowMs: Date.now(), sendTest: event.sendTest === true },
      );
    } finally {
      await source?.close();
    }
  };
}
