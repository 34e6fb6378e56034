/**
 * The credentials the function needs, from Secrets Manager (Lambda) or the environment (CLI).
 * No message built here ever contains a secret value, or the secret's raw text.
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import * as z from "zod";

export interface AppSecrets {
  clientId: string;
  clientSecret: string;
  slackBotToken: string;
}

/** Local runs may have no Slack token: alerts are then tracked without being posted. */
export interface EnvSecrets {
  clientId: string;
  clientSecret: string;
  slackBotToken?: string;
}

export interface SecretsProvider {
  get(): Promise<AppSecrets>;
  refresh(): Promise<AppSecrets>;
}

export const SECRET_KEYS = ["clientId", "clientSecret", "slackBotToken"] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** What the stack puts in the secret it creates, for an operator to replace. */
export const SECRET_PLACEHOLDER = "REPLACE_ME";
export const PLACEHOLDER_SECRET: Readonly<Record<SecretKey, string>> = {
  clientId: SECRET_PLACEHOLDER,
  clientSecret: SECRET_PLACEHOLDER,
  slackBotToken: SECRET_PLACEHOLDER,
};

export const CLIENT_ID_PREFIX = "cs-";

export const ENV_VARS = {
  clientId: "SMARTASSIST_CLIENT_ID",
  clientSecret: "SMARTASSIST_CLIENT_SECRET",
  slackBotToken: "SLACK_BOT_TOKEN",
} as const;

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

/**
 * Validates the secret's text. Errors name the secret and the keys at fault, never a value: zod's own
 * messages are not used, since some of them quote the input.
 */
export function parseSecretString(text: string, secretId: string): AppSecrets {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text it choked on: say nothing about the content.
    throw new MissingCredentialsError(
      `Secret ${secretId} is not valid JSON; it must be a JSON object with keys ${SECRET_KEYS.join(", ")}`,
    );
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new MissingCredentialsError(
      `Secret ${secretId} is not a JSON object; it must have keys ${SECRET_KEYS.join(", ")}`,
    );
  }
  const record = raw as Record<string, unknown>;
  const placeholders = SECRET_KEYS.filter((k) => {
    const value = record[k];
    return typeof value === "string" && isPlaceholder(value);
  });
  if (placeholders.length > 0) {
    throw new MissingCredentialsError(
      `Secret ${secretId} still holds placeholders (${placeholders.join(", ")}); set it with ` +
        `aws secretsmanager put-secret-value --secret-id ${secretId} --secret-string ` +
        `'{"clientId":"cs-...","clientSecret":"...","slackBotToken":"xoxb-..."}'`,
      placeholders,
    );
  }
  const parsed = secretSchema.safeParse(raw);
  if (!parsed.success) {
    const keys = [...new Set(parsed.error.issues.map((i) => String(i.path[0] ?? "?")))];
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
  return parsed.data;
}

export interface SecretsManagerSecretsOptions {
  /** The secret's ARN or name. */
  secretId: string;
  client?: SecretsManagerClient;
}

export class SecretsManagerSecrets implements SecretsProvider {
  readonly #secretId: string;
  readonly #client: SecretsManagerClient;
  #current: Promise<AppSecrets> | undefined;
  #refreshing: Promise<AppSecrets> | undefined;

  constructor(options: SecretsManagerSecretsOptions) {
    this.#secretId = options.secretId;
    this.#client = options.client ?? new SecretsManagerClient({});
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
        `Secret ${this.#secretId} has no string value (binary secrets are not supported); it must be a JSON object with keys ${SECRET_KEYS.join(", ")}`,
      );
    }
    return parseSecretString(text, this.#secretId);
  }
}

/**
 * The credentials from the environment. SMARTASSIST_CLIENT_ID and SMARTASSIST_CLIENT_SECRET are
 * always required. SLACK_BOT_TOKEN is returned when set; with `need.slack` it is required too, else
 * its absence means "track alerts without posting them".
 */
export function secretsFromEnv(env: NodeJS.ProcessEnv, need: { slack: true }): AppSecrets;
export function secretsFromEnv(env: NodeJS.ProcessEnv, need?: { slack: boolean }): EnvSecrets;
export function secretsFromEnv(env: NodeJS.ProcessEnv, need = { slack: false }): EnvSecrets {
  const value = (name: string): string | undefined => {
    const text = env[name]?.trim();
    return text ? text : undefined;
  };
  const clientId = value(ENV_VARS.clientId);
  const clientSecret = value(ENV_VARS.clientSecret);
  const slackBotToken = value(ENV_VARS.slackBotToken);
  const missing = [
    ...(clientId === undefined ? [ENV_VARS.clientId] : []),
    ...(clientSecret === undefined ? [ENV_VARS.clientSecret] : []),
    ...(need.slack && slackBotToken === undefined ? [ENV_VARS.slackBotToken] : []),
  ];
  if (clientId === undefined || clientSecret === undefined || missing.length > 0) {
    throw new MissingCredentialsError(
      `Missing ${missing.join(", ")} in the environment (the SmartAssist app's client id and secret` +
        `${need.slack ? ", and the Slack bot token" : ""})`,
      missing,
    );
  }
  const secrets: EnvSecrets = { clientId, clientSecret };
  if (slackBotToken !== undefined) secrets.slackBotToken = slackBotToken;
  return secrets;
}
