/**
 * The credentials as the doctor reads them: each key on its own (present, a placeholder, malformed),
 * where a run stops at the first problem. From the environment (CLI) or the stack's secret (Lambda),
 * the same names and the same rules as secrets.ts. The values go to the adapters that need them;
 * the reading (what the doctor reports) holds none but the client id, which is not a secret.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { CredentialKey, CredentialState, CredentialsReading } from "../../domain/doctor-credentials.js";
import { CLIENT_ID_PREFIX, ENV_VARS, isPlaceholder } from "./secrets.js";

export interface DoctorCredentials {
  reading: CredentialsReading;
  /** The usable values, by key (absent: missing or unusable). */
  values: Partial<Record<CredentialKey, string>>;
}

const KEYS: readonly CredentialKey[] = ["clientId", "clientSecret", "slackBotToken", "slackSigningSecret"];

function judge(
  names: Record<CredentialKey, string>,
  raw: (key: CredentialKey) => unknown,
  source: CredentialsReading["source"],
): DoctorCredentials {
  const keys = {} as Record<CredentialKey, CredentialState>;
  const values: Partial<Record<CredentialKey, string>> = {};
  for (const key of KEYS) {
    const value = raw(key);
    const text = typeof value === "string" ? value.trim() : "";
    const state: CredentialState = { name: names[key] };
    if (text === "") state.problem = "missing";
    else if (isPlaceholder(text)) state.problem = "placeholder";
    else if (key === "clientId" && !text.startsWith(CLIENT_ID_PREFIX)) state.problem = "not-a-client-id";
    else values[key] = text;
    keys[key] = state;
  }
  const reading: CredentialsReading = { source, keys };
  if (values.clientId !== undefined) reading.clientId = values.clientId;
  return { reading, values };
}

/** SMARTASSIST_CLIENT_ID, SMARTASSIST_CLIENT_SECRET, SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET. */
export function doctorCredentialsFromEnv(env: NodeJS.ProcessEnv): DoctorCredentials {
  return judge(ENV_VARS, (key) => env[ENV_VARS[key]], { kind: "env" });
}

/**
 * The stack's secret, read afresh (a run's cached copy may predate the fix the doctor is asked to
 * confirm). A secret that cannot be read or is not a JSON object leaves every key missing, with why.
 */
export async function doctorCredentialsFromSecret(
  secretId: string,
  client: SecretsManagerClient,
  timeoutMs = 5_000,
): Promise<DoctorCredentials> {
  const names = {
    clientId: "clientId",
    clientSecret: "clientSecret",
    slackBotToken: "slackBotToken",
    slackSigningSecret: "slackSigningSecret",
  };
  const source = { kind: "secret", id: secretId } as const;
  let record: Record<string, unknown> = {};
  let error: string | undefined;
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: secretId }), {
      abortSignal: AbortSignal.timeout(timeoutMs),
    });
    const parsed: unknown = output.SecretString === undefined ? undefined : JSON.parse(output.SecretString);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      record = parsed as Record<string, unknown>;
    else error = `secret ${secretId} is not a JSON object with keys ${KEYS.join(", ")}`;
  } catch (caught) {
    // JSON.parse's message quotes the text it choked on: say nothing about the content. SDK errors
    // describe the request (not found, access denied), never the secret's value.
    error =
      caught instanceof SyntaxError
        ? `secret ${secretId} is not valid JSON`
        : `cannot read secret ${secretId} (${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)})`;
  }
  const judged = judge(names, (key) => record[key], source);
  if (error !== undefined) {
    judged.reading.error = error;
    judged.values = {};
    delete judged.reading.clientId;
  }
  return judged;
}
