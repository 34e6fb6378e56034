/**
 * The doctor's credential verdicts: what was found of the SmartAssist client id and secret and of
 * the Slack signing secret, read from the environment or from the stack's secret, and how to set
 * what is missing there; no value is ever shown but the client id. Slack's token is judged by what
 * Slack says of it (doctor-slack.ts), with the hints from here.
 */
import type { AppConfig } from "./config.js";
import { type Check, fail, list, pass } from "./doctor.js";

export type CredentialKey = "clientId" | "clientSecret" | "slackBotToken" | "slackSigningSecret";

/** What was found of one credential: its name where it is read, and what is wrong with it, if anything. */
export interface CredentialState {
  /** `SMARTASSIST_CLIENT_ID` in the environment, `clientId` in the secret. */
  name: string;
  problem?: "missing" | "placeholder" | "not-a-client-id";
}

/** Where the credentials come from and what each one looks like; never a value (but the client id). */
export interface CredentialsReading {
  source: { kind: "env" } | { kind: "secret"; id: string };
  keys: Record<CredentialKey, CredentialState>;
  /** The secret could not be read at all (not found, access denied, not JSON): every key is missing. */
  error?: string;
  /** The SmartAssist client id, when present: not a secret (it is in every token's payload). */
  clientId?: string;
}

const MEANING: Record<CredentialKey, string> = {
  clientId: "the SmartAssist app's client id, cs-…",
  clientSecret: "the SmartAssist app's client secret",
  slackBotToken: "the Slack app's Bot User OAuth Token, xoxb-…",
  slackSigningSecret: "the Slack app's Signing Secret, under Basic Information",
};

export function problemText(state: CredentialState): string {
  switch (state.problem) {
    case "placeholder":
      return `${state.name} still holds a placeholder`;
    case "not-a-client-id":
      return `${state.name} does not look like a SmartAssist client id (they start with cs-)`;
    default:
      return `${state.name} is not set`;
  }
}

/** How to set these keys where the reading came from. */
export function setHint(reading: CredentialsReading, keys: CredentialKey[]): string {
  const what = keys.map((k) => `${reading.keys[k].name} (${MEANING[k]})`);
  if (reading.source.kind === "env") return `set ${list(what)} in the environment`;
  return `put ${list(what)} into the secret: aws secretsmanager put-secret-value --secret-id ${reading.source.id} --secret-string '{"clientId":"cs-...","clientSecret":"...","slackBotToken":"xoxb-...","slackSigningSecret":"..."}'`;
}

function where(reading: CredentialsReading): string {
  return reading.source.kind === "env" ? "in the environment" : `in secret ${reading.source.id}`;
}

/** Whether a credential can be used (present, not a placeholder, well formed). */
export function usable(reading: CredentialsReading, key: CredentialKey): boolean {
  return reading.error === undefined && reading.keys[key].problem === undefined;
}

export function unreadable(reading: CredentialsReading): string | undefined {
  if (reading.error === undefined) return undefined;
  return `${reading.error}; check that the secret exists and that the function may read it (the stack grants it)`;
}

export function smartAssistCredentialsCheck(reading: CredentialsReading): Check {
  const name = "smartassist.credentials";
  const broken = unreadable(reading);
  if (broken) return fail(name, broken);
  const bad = (["clientId", "clientSecret"] as const).filter((k) => !usable(reading, k));
  if (bad.length > 0) {
    return fail(name, `${bad.map((k) => problemText(reading.keys[k])).join("; ")}; ${setHint(reading, bad)}`);
  }
  const { clientId, clientSecret } = reading.keys;
  return pass(
    name,
    `${clientId.name} (${reading.clientId ?? "set"}) and ${clientSecret.name} are set ${where(reading)}`,
  );
}

export function signingSecretCheck(config: AppConfig, reading: CredentialsReading): Check {
  const name = "slack.signingSecret";
  if (!config.slack.interactive) return pass(name, "not needed: slack.interactive is false");
  const broken = unreadable(reading);
  if (broken) return fail(name, broken);
  const state = reading.keys.slackSigningSecret;
  const user = reading.source.kind === "env" ? "`serve`" : "the interactions function";
  if (usable(reading, "slackSigningSecret"))
    return pass(name, `${state.name} is set ${where(reading)} (for ${user})`);
  return fail(
    name,
    `slack.interactive is true, but ${problemText(state)}: ${user} cannot verify Slack's requests; ${setHint(reading, ["slackSigningSecret"])}`,
  );
}
