/**
 * The credentials the function needs, from Secrets Manager (Lambda) or the environment (CLI).
 * No message built here ever contains a secret value, or the secret's raw text.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import * as z from "zod";
import type { AppSecrets, SecretsProvider } from "../../ports.js";

// The port's types (ports.ts), re-exported for the entry points that wire this adapter. With
// `requireSigningSecret` (the interactions function) the signing secret is required, or read with
// signingSecretOf.
export type { AppSecrets, SecretsProvider };

/** The interactions function's view: the signing secret is there. */
export interface InteractionSecrets extends AppSecrets {
  slackSigningSecret: string;
}

/** Local runs may have no Slack token: alerts are then tracked without being posted. */
export interface EnvSecrets {
  clientId: string;
  clientSecret: string;
  slackBotToken?: string;
  slackSigningSecret?: string;
}

/** The keys every function needs. */
export const SECRET_KEYS = ["clientId", "clientSecret", "slackBotToken"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];
/** The key only the interactions endpoint needs. */
export const SIGNING_SECRET_KEY = "slackSigningSecret";
/** Every key of the secret, as the stack creates it and the README sets it. */
export const ALL_SECRET_KEYS = [...SECRET_KEYS, SIGNING_SECRET_KEY] as const;
export type AnySecretKey = (typeof ALL_SECRET_KEYS)[number];

/** What the stack puts in the secret it creates, for an operator to replace. */
export const SECRET_PLACEHOLDER = "REPLACE_ME";
export const PLACEHOLDER_SECRET: Readonly<Record<AnySecretKey, string>> = {
  clientId: SECRET_PLACEHOLDER,
  clientSecret: SECRET_PLACEHOLDER,
  slackBotToken: SECRET_PLACEHOLDER,
  slackSigningSecret: SECRET_PLACEHOLDER,
};

/** The put-secret-value command that fixes a secret, with the shape of the value (never a real value). */
function putSecretHint(secretId: string): string {
  return (
    `aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string ` +
    `'{"clientId":"cs-...","clientSecret":"...","slackBotToken":"xoxb-...","slackSigningSecret":"..."}'`
  );
}

export const CLIENT_ID_PREFIX = "cs-";

export const ENV_VARS = {
  clientId: "SMARTASSIST_CLIENT_ID",
  clientSecret: "SMARTASSIST_CLIENT_SECRET",
  slackBotToken: "SLACK_BOT_TOKEN",
  slackSigningSecret: "SLACK_SIGNING_SECRET",
} as const;

/** What each variable is, for the message that says which are missing. */
const ENV_VAR_MEANING: Record<(typeof ENV_VARS)[keyof typeof ENV_VARS], string> = {
  SMARTASSIST_CLIENT_ID: "the SmartAssist app's client id",
  SMARTASSIST_CLIENT_SECRET: "the SmartAssist app's client secret",
  SLACK_BOT_TOKEN: "the Slack bot token",
  SLACK_SIGNING_SECRET: "the Slack app's signing secret",
};

export interface SecretOptions {
  /** The interactions endpoint: a missing, empty or placeholder slackSigningSecret is an error. */
  requireSigningSecret?: boolean;
}

/** Credentials are missing or unusable: a configuration problem (the CLI exits 2). */
export class MissingCredentialsError extends Error {
  constructor(
    message: string,
    /** The keys or variables at fault, never their values. */
    readonly names: string[] = [],
  ) {
    super(message);
    this.name = "MissingCredentialsError";
  }
}

/** Values people leave in, or tools generate, before the real ones are set. */
export function isPlaceholder(value: string): boolean {
  return /^(replace[_-]?me|change[_-]?me|placeholder|todo|tbd|x{3,}|<.*>)$/i.test(value.trim());
}

const secretSchema = z.object({
  clientId: z.string().trim().min(1),
  clientSecret: z.string().trim().min(1),
  slackBotToken: z.string().trim().min(1),
});
const signingSecretSchema = z.string().trim().min(1);

/**
 * Validates the secret's text. Errors name the secret and the keys at fault, never a value: zod's own
 * messages are not used, since some of them quote the input.
 */
export function parseSecretString(text: string, secretId: string, options: SecretOptions = {}): AppSecrets {
  const required: readonly AnySecretKey[] = options.requireSigningSecret ? ALL_SECRET_KEYS : SECRET_KEYS;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text it choked on: say nothing about the content.
    throw new MissingCredentialsError(
      `Secret ${secretId} is not valid JSON; it must be a JSON object with keys ${ALL_SECRET_KEYS.join(", ")}`,
    );
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new MissingCredentialsError(
      `Secret ${secretId} is not a JSON object; it must have keys ${ALL_SECRET_KEYS.join(", ")}`,
    );
  }
  const record = raw as Record<string, unknown>;
  // A placeholder left in slackSigningSecret does not stop the check function: only required keys count.
  const placeholders = required.filter((k) => {
    const value = record[k];
    return typeof value === "string" && isPlaceholder(value);
  });
  if (placeholders.length > 0) {
    throw new MissingCredentialsError(
      `Secret ${secretId} still holds placeholders (${placeholders.join(", ")}); set it with ${putSecretHint(secretId)}`,
      placeholders,
    );
  }
  const parsed = secretSchema.safeParse(raw);
  const signing = signingSecretSchema.safeParse(record[SIGNING_SECRET_KEY]);
  const signingMissing = options.requireSigningSecret === true && !signing.success;
  if (!parsed.success || signingMissing) {
    const keys = [
      ...new Set(parsed.success ? [] : parsed.error.issues.map((i) => String(i.path[0] ?? "?"))),
      ...(signingMissing ? [SIGNING_SECRET_KEY] : []),
    ];
    throw new MissingCredentialsError(
      `Secret ${secretId} is missing ${keys.join(", ")} (absent, empty or not a string)`,
      keys,
    );
  }
  if (!parsed.data.clientId.startsWith(CLIENT_ID_PREFIX)) {
    throw new MissingCredentialsError(
      `Secret ${secretId}: clientId does not look like a SmartAssist client id (they start with "${CLIENT_ID_PREFIX}")`,
      ["clientId"],
    );
  }
  const secrets: AppSecrets = parsed.data;
  // Not required and unusable (absent, empty, a placeholder): as if absent.
  if (signing.success && !isPlaceholder(signing.data)) secrets.slackSigningSecret = signing.data;
  return secrets;
}

/**
 * The signing secret, or a MissingCredentialsError naming the key and where it is read from (`source`:
 * the secret's id, or "the environment"), never a value.
 */
export function signingSecretOf(
  // EnvSecrets (and AppSecrets with it), or just the one key: `{ slackSigningSecret }` alone is a weak type.
  secrets: EnvSecrets | { slackSigningSecret?: string | undefined },
  source: string,
): string {
  const value = secrets.slackSigningSecret?.trim();
  if (value === undefined || value === "" || isPlaceholder(value)) {
    throw new MissingCredentialsError(
      `${source} has no ${SIGNING_SECRET_KEY} (the Slack app's Signing Secret, under Basic Information): the interactivity endpoint cannot verify requests without it`,
      [SIGNING_SECRET_KEY],
    );
  }
  return value;
}

export interface SecretsManagerSecretsOptions {
  /** The secret's ARN or name. */
  secretId: string;
  client?: SecretsManagerClient;
  /** The interactions function: fail the read (uncached) when slackSigningSecret is not set. */
  requireSigningSecret?: boolean;
}

export class SecretsManagerSecrets implements SecretsProvider {
  readonly #secretId: string;
  readonly #client: SecretsManagerClient;
  readonly #options: SecretOptions;
  #current: Promise<AppSecrets> | undefined;
  #refreshing: Promise<AppSecrets> | undefined;

  constructor(options: SecretsManagerSecretsOptions) {
    this.#secretId = options.secretId;
    this.#client = options.client ?? new SecretsManagerClient({});
    this.#options = options.requireSigningSecret ? { requireSigningSecret: true } : {};
  }

  /** The secrets, read once and then kept for as long as the instance lives (warm invocations). */
  get(): Promise<AppSecrets> {
    return this.#current ?? this.#read();
  }

  /**
   * Reads the secret again, e.g. after a 401 (it may have been rotated). Callers that ask at the same
   * time share one read.
   */
  refresh(): Promise<AppSecrets> {
    this.#refreshing ??= this.#read().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  #read(): Promise<AppSecrets> {
    const reading = this.#fetch();
    this.#current = reading;
    // A failed read is not cached: the next get tries again.
    reading.catch(() => {
      if (this.#current === reading) this.#current = undefined;
    });
    return reading;
  }

  async #fetch(): Promise<AppSecrets> {
    let text: string | undefined;
    try {
      const output = await this.#client.send(new GetSecretValueCommand({ SecretId: this.#secretId }));
      text = output.SecretString;
    } catch (error) {
      // SDK errors describe the request (not found, access denied), never the secret's content.
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new Error(`Cannot read secret ${this.#secretId}: ${detail}`, { cause: error });
    }
    if (text === undefined) {
      throw new MissingCredentialsError(
        `Secret ${this.#secretId} has no string value (binary secrets are not supported); it must be a JSON object with keys ${ALL_SECRET_KEYS.join(", ")}`,
      );
    }
    return parseSecretString(text, this.#secretId, this.#options);
  }
}

/** What a command needs from the environment besides the SmartAssist credentials (always required). */
export interface EnvNeeds {
  /** SLACK_BOT_TOKEN is required (else returned when set). */
  slack: boolean;
  /** SLACK_SIGNING_SECRET is required (else returned when set). */
  signingSecret?: boolean;
}

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const text = env[name]?.trim();
  return text ? text : undefined;
}

function missingEnvError(missing: readonly string[]): MissingCredentialsError {
  const meanings = missing.map((name) => ENV_VAR_MEANING[name as keyof typeof ENV_VAR_MEANING] ?? name);
  return new MissingCredentialsError(
    `Missing ${missing.join(", ")} in the environment (${meanings.join(", ")})`,
    [...missing],
  );
}

/**
 * The credentials from the environment. SMARTASSIST_CLIENT_ID and SMARTASSIST_CLIENT_SECRET are
 * always required. SLACK_BOT_TOKEN is returned when set; with `need.slack` it is required too, else
 * its absence means "track alerts without posting them". SLACK_SIGNING_SECRET likewise, with
 * `need.signingSecret`. A missing one is a MissingCredentialsError naming the variables (exit 2).
 */
export function secretsFromEnv(
  env: NodeJS.ProcessEnv,
  need: { slack: true; signingSecret: true },
): InteractionSecrets;
export function secretsFromEnv(
  env: NodeJS.ProcessEnv,
  need: { slack: true; signingSecret?: boolean },
): AppSecrets;
export function secretsFromEnv(env: NodeJS.ProcessEnv, need?: EnvNeeds): EnvSecrets;
export function secretsFromEnv(env: NodeJS.ProcessEnv, need: EnvNeeds = { slack: false }): EnvSecrets {
  const clientId = envValue(env, ENV_VARS.clientId);
  const clientSecret = envValue(env, ENV_VARS.clientSecret);
  const slackBotToken = envValue(env, ENV_VARS.slackBotToken);
  const slackSigningSecret = envValue(env, ENV_VARS.slackSigningSecret);
  const missing = [
    ...(clientId === undefined ? [ENV_VARS.clientId] : []),
    ...(clientSecret === undefined ? [ENV_VARS.clientSecret] : []),
    ...(need.slack && slackBotToken === undefined ? [ENV_VARS.slackBotToken] : []),
    ...(need.signingSecret && slackSigningSecret === undefined ? [ENV_VARS.slackSigningSecret] : []),
  ];
  if (clientId === undefined || clientSecret === undefined || missing.length > 0) {
    throw missingEnvError(missing);
  }
  const secrets: EnvSecrets = { clientId, clientSecret };
  if (slackBotToken !== undefined) secrets.slackBotToken = slackBotToken;
  if (slackSigningSecret !== undefined) secrets.slackSigningSecret = slackSigningSecret;
  return secrets;
}
