import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import {
  MissingCredentialsError,
  PLACEHOLDER_SECRET,
  parseSecretString,
  SecretsManagerSecrets,
  secretsFromEnv,
  signingSecretOf,
} from "../../functions/adapters/secrets/secrets.js";

const SECRET_ID = "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent-status-alerts-AbCdEf";
const GOOD = {
  clientId: "cs-1a2b3c4d-0000-5555-aaaa-123456789abc",
  clientSecret: "Sup3rS3cretValueNobodyMaySee",
  slackBotToken: "xoxb-111-222-TOKENVALUE",
};
const SIGNING = "8f742231b10e8888abcd99yyyzzz85a5";

const secretsManager = mockClient(SecretsManagerClient);

afterEach(() => {
  secretsManager.reset();
});

function source(options: { requireSigningSecret?: boolean } = {}): SecretsManagerSecrets {
  return new SecretsManagerSecrets({
    secretId: SECRET_ID,
    client: new SecretsManagerClient({ region: "us-east-1" }),
    ...options,
  });
}

/** The error a synchronous call throws. */
function thrown(run: () => unknown): MissingCredentialsError {
  try {
    run();
  } catch (error) {
    return error as MissingCredentialsError;
  }
  throw new Error("expected a failure");
}

/** The error a promise or function fails with. */
async function failure(run: () => unknown): Promise<Error> {
  try {
    await run();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

function expectNoValues(error: Error, values: string[]): void {
  for (const value of values) expect(`${error.message} ${error.stack}`).not.toContain(value);
}

describe("SecretsManagerSecrets", () => {
  it("reads the secret once and serves warm invocations from the cache", async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify(GOOD) });
    const secrets = source();
    // Act
    const [first, second] = await Promise.all([secrets.get(), secrets.get()]);
    const third = await secrets.get();
    // Assess
    expect(first).toEqual(GOOD);
    expect(second).toEqual(GOOD);
    expect(third).toEqual(GOOD);
    const calls = secretsManager.commandCalls(GetSecretValueCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({ SecretId: SECRET_ID });
  });

  it("re-reads on refresh (after a rotation) and serves the new value from then on", async () => {
    // Prepare
    const rotated = { ...GOOD, clientSecret: "RotatedSecretValue" };
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify(GOOD) })
      .resolvesOnce({ SecretString: JSON.stringify(rotated) });
    const secrets = source();
    await secrets.get();
    // Act
    const [a, b] = await Promise.all([secrets.refresh(), secrets.refresh()]);
    const after = await secrets.get();
    // Assess
    expect(a).toEqual(rotated);
    expect(b).toEqual(rotated);
    expect(after).toEqual(rotated);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it("does not cache a failed read", async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }))
      .resolves({ SecretString: JSON.stringify(GOOD) });
    const secrets = source();
    // Act
    const error = await failure(() => secrets.get());
    const second = await secrets.get();
    // Assess
    expect(error.message).toBe(`Cannot read secret ${SECRET_ID}: ThrottlingException: Rate exceeded`);
    expect(second).toEqual(GOOD);
  });

  it("names a missing or empty key and the secret, never a value", async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        clientId: GOOD.clientId,
        clientSecret: GOOD.clientSecret,
        slackBotToken: "  ",
      }),
    });
    // Act
    const error = await failure(() => source().get());
    // Assess
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect(error.message).toContain(SECRET_ID);
    expect(error.message).toContain("slackBotToken");
    expect(error.message).not.toContain("clientSecret");
    expectNoValues(error, [GOOD.clientId, GOOD.clientSecret]);
  });

  it("rejects a secret that is not JSON without echoing its content", async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: `clientSecret=${GOOD.clientSecret}` });
    // Act
    const error = await failure(() => source().get());
    // Assess
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect(error.message).toBe(
      `Secret ${SECRET_ID} is not valid JSON; it must be a JSON object with keys clientId, clientSecret, slackBotToken, slackSigningSecret`,
    );
    expectNoValues(error, [GOOD.clientSecret]);
  });

  it("rejects a binary secret", async () => {
    // Prepare
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    // Act
    const error = await failure(() => source().get());
    // Assess
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect(error.message).toContain("has no string value");
  });
});

describe("parseSecretString", () => {
  it("accepts a complete secret, trimming stray whitespace", () => {
    // Prepare
    const text = JSON.stringify({ ...GOOD, clientSecret: `${GOOD.clientSecret}\n` });
    // Act
    const secrets = parseSecretString(text, SECRET_ID);
    // Assess
    expect(secrets).toEqual(GOOD);
  });

  it("names every key of the wrong type without quoting values", () => {
    // Prepare
    const text = JSON.stringify({ clientId: 987654, clientSecret: GOOD.clientSecret });
    // Act
    const error = (() => {
      try {
        parseSecretString(text, SECRET_ID);
      } catch (e) {
        return e as MissingCredentialsError;
      }
      throw new Error("expected a failure");
    })();
    // Assess
    expect(error.names).toEqual(["clientId", "slackBotToken"]);
    expect(error.message).toBe(
      `Secret ${SECRET_ID} is missing clientId, slackBotToken (absent, empty or not a string)`,
    );
    expectNoValues(error, ["987654", GOOD.clientSecret]);
  });

  it("explains how to set a secret that still holds the stack's placeholders", () => {
    // Prepare
    const text = JSON.stringify(PLACEHOLDER_SECRET);
    // Act
    const act = () => parseSecretString(text, SECRET_ID);
    // Assess
    expect(act).toThrow(MissingCredentialsError);
    expect(act).toThrow(
      `Secret ${SECRET_ID} still holds placeholders (clientId, clientSecret, slackBotToken); set it with aws secretsmanager put-secret-value --secret-id ${SECRET_ID} --secret-string`,
    );
  });

  it("names clientId when it is not a SmartAssist client id", () => {
    // Prepare
    const text = JSON.stringify({ ...GOOD, clientId: "st-not-a-client-id" });
    // Act
    const act = () => parseSecretString(text, SECRET_ID);
    // Assess
    expect(act).toThrow(/clientId does not look like a SmartAssist client id \(they start with "cs-"\)/);
    expect(act).not.toThrow("st-not-a-client-id");
  });

  it("rejects JSON that is not an object", () => {
    // Prepare
    const text = JSON.stringify([GOOD.clientSecret]);
    // Act
    const act = () => parseSecretString(text, SECRET_ID);
    // Assess
    expect(act).toThrow(`Secret ${SECRET_ID} is not a JSON object`);
    expect(act).not.toThrow(GOOD.clientSecret);
  });
});

describe("secretsFromEnv", () => {
  const ENV = {
    SMARTASSIST_CLIENT_ID: GOOD.clientId,
    SMARTASSIST_CLIENT_SECRET: GOOD.clientSecret,
    SLACK_BOT_TOKEN: GOOD.slackBotToken,
  };

  it("reads all three variables", () => {
    // Prepare
    const env = { ...ENV };
    // Act
    const secrets = secretsFromEnv(env, { slack: true });
    // Assess
    expect(secrets).toEqual(GOOD);
  });

  it("lets SLACK_BOT_TOKEN be absent when Slack is optional", () => {
    // Prepare
    const env = { ...ENV, SLACK_BOT_TOKEN: "" };
    // Act
    const secrets = secretsFromEnv(env, { slack: false });
    // Assess
    expect(secrets).toEqual({ clientId: GOOD.clientId, clientSecret: GOOD.clientSecret });
    expect(secrets.slackBotToken).toBeUndefined();
  });

  it("still returns SLACK_BOT_TOKEN when Slack is optional but the token is set", () => {
    // Prepare
    const env = { ...ENV };
    // Act
    const secrets = secretsFromEnv(env, { slack: false });
    // Assess
    expect(secrets.slackBotToken).toBe(GOOD.slackBotToken);
  });

  it("names the missing SmartAssist variables", () => {
    // Prepare
    const env = { SMARTASSIST_CLIENT_SECRET: " ", SLACK_BOT_TOKEN: GOOD.slackBotToken };
    // Act
    const act = () => secretsFromEnv(env, { slack: false });
    // Assess
    expect(act).toThrow(MissingCredentialsError);
    expect(act).toThrow(/^Missing SMARTASSIST_CLIENT_ID, SMARTASSIST_CLIENT_SECRET in the environment/);
    expect(act).not.toThrow(GOOD.slackBotToken);
  });

  it("requires SLACK_BOT_TOKEN when Slack is needed", () => {
    // Prepare
    const env = { SMARTASSIST_CLIENT_ID: GOOD.clientId, SMARTASSIST_CLIENT_SECRET: GOOD.clientSecret };
    // Act
    const error = (() => {
      try {
        secretsFromEnv(env, { slack: true });
      } catch (e) {
        return e as MissingCredentialsError;
      }
      throw new Error("expected a failure");
    })();
    // Assess
    expect(error.names).toEqual(["SLACK_BOT_TOKEN"]);
    expect(error.message).toContain("SLACK_BOT_TOKEN");
    expectNoValues(error, [GOOD.clientId, GOOD.clientSecret]);
  });
});

describe("the signing secret (slackSigningSecret, for the interactivity endpoint)", () => {
  it("is returned when the secret holds it, and optional for the check function", () => {
    // Prepare
    const withIt = JSON.stringify({ ...GOOD, slackSigningSecret: ` ${SIGNING}\n` });
    // Act
    const full = parseSecretString(withIt, SECRET_ID);
    const without = parseSecretString(JSON.stringify(GOOD), SECRET_ID);
    // Assess
    expect(full).toEqual({ ...GOOD, slackSigningSecret: SIGNING });
    expect(without).toEqual(GOOD);
    expect("slackSigningSecret" in without).toBe(false);
  });

  it("does not stop the check function when it is still the stack's placeholder, empty or not a string", () => {
    for (const value of ["REPLACE_ME", "", 42, null]) {
      // Act
      const secrets = parseSecretString(JSON.stringify({ ...GOOD, slackSigningSecret: value }), SECRET_ID);
      // Assess
      expect(secrets).toEqual(GOOD);
    }
  });

  it("is required with requireSigningSecret: absent, empty, non-string or placeholder names the key only", () => {
    for (const value of [undefined, " ", 42]) {
      // Act
      const error = thrown(() =>
        parseSecretString(JSON.stringify({ ...GOOD, slackSigningSecret: value }), SECRET_ID, {
          requireSigningSecret: true,
        }),
      );
      // Assess
      expect(error).toBeInstanceOf(MissingCredentialsError);
      expect(error.names).toEqual(["slackSigningSecret"]);
      expect(error.message).toBe(
        `Secret ${SECRET_ID} is missing slackSigningSecret (absent, empty or not a string)`,
      );
      expectNoValues(error, [GOOD.clientSecret, GOOD.slackBotToken, "42"]);
    }
    const placeholder = thrown(() =>
      parseSecretString(JSON.stringify({ ...GOOD, slackSigningSecret: "REPLACE_ME" }), SECRET_ID, {
        requireSigningSecret: true,
      }),
    );
    expect(placeholder.names).toEqual(["slackSigningSecret"]);
    expect(placeholder.message).toContain("still holds placeholders (slackSigningSecret)");
    expect(placeholder.message).toContain('"slackSigningSecret":"..."');
  });

  it("lists it with the other missing keys", () => {
    // Act
    const error = thrown(() =>
      parseSecretString(JSON.stringify({ clientId: GOOD.clientId }), SECRET_ID, {
        requireSigningSecret: true,
      }),
    );
    // Assess
    expect(error.names).toEqual(["clientSecret", "slackBotToken", "slackSigningSecret"]);
  });

  it("lists all four placeholders of a freshly created secret for the interactions function", () => {
    // Act
    const error = thrown(() =>
      parseSecretString(JSON.stringify(PLACEHOLDER_SECRET), SECRET_ID, { requireSigningSecret: true }),
    );
    // Assess
    expect(error.names).toEqual(["clientId", "clientSecret", "slackBotToken", "slackSigningSecret"]);
  });

  it("fails a read from Secrets Manager with requireSigningSecret, and does not cache the failure", async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify(GOOD) })
      .resolves({ SecretString: JSON.stringify({ ...GOOD, slackSigningSecret: SIGNING }) });
    const secrets = source({ requireSigningSecret: true });
    // Act
    const error = await failure(() => secrets.get());
    const second = await secrets.get();
    // Assess
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect(error.message).toContain("slackSigningSecret");
    expect(second.slackSigningSecret).toBe(SIGNING);
  });

  it("is read from Secrets Manager without the option when present", async () => {
    // Prepare
    secretsManager
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ ...GOOD, slackSigningSecret: SIGNING }) });
    // Act
    const secrets = await source().get();
    // Assess
    expect(signingSecretOf(secrets, SECRET_ID)).toBe(SIGNING);
  });

  it("signingSecretOf names the key and the source when it is missing, never a value", () => {
    // Act
    const error = thrown(() => signingSecretOf(GOOD, `Secret ${SECRET_ID}`));
    const placeholder = thrown(() =>
      signingSecretOf({ slackSigningSecret: "REPLACE_ME" }, "the environment"),
    );
    // Assess
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect(error.names).toEqual(["slackSigningSecret"]);
    expect(error.message).toMatch(new RegExp(`^Secret ${SECRET_ID} has no slackSigningSecret`));
    expectNoValues(error, [GOOD.clientSecret, GOOD.slackBotToken]);
    expect(placeholder.message).toMatch(/^the environment has no slackSigningSecret/);
  });
});

describe("SLACK_SIGNING_SECRET from the environment", () => {
  const ENV = {
    SMARTASSIST_CLIENT_ID: GOOD.clientId,
    SMARTASSIST_CLIENT_SECRET: GOOD.clientSecret,
    SLACK_BOT_TOKEN: GOOD.slackBotToken,
    SLACK_SIGNING_SECRET: ` ${SIGNING} `,
  };

  it("is read when asked, and returned when set", () => {
    // Act
    const required = secretsFromEnv(ENV, { slack: true, signingSecret: true });
    const optional = secretsFromEnv(ENV, { slack: false });
    const absent = secretsFromEnv({ ...ENV, SLACK_SIGNING_SECRET: "" }, { slack: true });
    // Assess
    expect(required).toEqual({ ...GOOD, slackSigningSecret: SIGNING });
    expect(optional.slackSigningSecret).toBe(SIGNING);
    expect(absent.slackSigningSecret).toBeUndefined();
  });

  it("names SLACK_SIGNING_SECRET when it is required and missing", () => {
    // Act
    const error = thrown(() =>
      secretsFromEnv({ ...ENV, SLACK_SIGNING_SECRET: undefined }, { slack: true, signingSecret: true }),
    );
    // Assess
    expect(error).toBeInstanceOf(MissingCredentialsError);
    expect(error.names).toEqual(["SLACK_SIGNING_SECRET"]);
    expect(error.message).toBe(
      "Missing SLACK_SIGNING_SECRET in the environment (the Slack app's signing secret)",
    );
    expectNoValues(error, [GOOD.clientId, GOOD.clientSecret, GOOD.slackBotToken]);
  });
});
