import { describe, expect, it } from "vitest";
import {
  header,
  type SignatureCheck,
  signSlackRequest,
  verifySlackSignature,
} from "../../functions/adapters/slack/signature.js";

// Slack's published example (api.slack.com/authentication/verifying-requests-from-app).
const SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";
const SLACK_TIMESTAMP = "1531420618";
const SLACK_BODY =
  "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
const SLACK_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";
const AT_SLACK_TIME = Number(SLACK_TIMESTAMP) * 1000;

function verify(overrides: Partial<Parameters<typeof verifySlackSignature>[0]> = {}): SignatureCheck {
  return verifySlackSignature({
    signingSecret: SLACK_SECRET,
    timestamp: SLACK_TIMESTAMP,
    signature: SLACK_SIGNATURE,
    rawBody: SLACK_BODY,
    nowMs: AT_SLACK_TIME,
    ...overrides,
  });
}

function reasonOf(check: SignatureCheck): string {
  expect(check.ok).toBe(false);
  return check.ok ? "" : check.reason;
}

describe("signSlackRequest", () => {
  it("reproduces Slack's published example", () => {
    expect(signSlackRequest(SLACK_SECRET, SLACK_TIMESTAMP, SLACK_BODY)).toBe(SLACK_SIGNATURE);
    expect(signSlackRequest(SLACK_SECRET, Number(SLACK_TIMESTAMP), SLACK_BODY)).toBe(SLACK_SIGNATURE);
  });

  it("signs the body as UTF-8", () => {
    const a = signSlackRequest("s", 1, "payload=%7B%7D&x=é");
    const b = signSlackRequest("s", 1, "payload=%7B%7D&x=e");
    expect(a).toMatch(/^v0=[0-9a-f]{64}$/);
    expect(a).not.toBe(b);
  });
});

describe("verifySlackSignature", () => {
  it("accepts Slack's published example at its own time", () => {
    expect(verify()).toEqual({ ok: true });
  });

  it("accepts a timestamp exactly 300 s away, in either direction", () => {
    expect(verify({ nowMs: AT_SLACK_TIME + 300_000 })).toEqual({ ok: true });
    expect(verify({ nowMs: AT_SLACK_TIME - 300_000 })).toEqual({ ok: true });
  });

  it("refuses a timestamp 301 s old or 301 s ahead", () => {
    expect(reasonOf(verify({ nowMs: AT_SLACK_TIME + 301_000 }))).toBe(
      "X-Slack-Request-Timestamp is 301 s from now (more than 300 s)",
    );
    expect(reasonOf(verify({ nowMs: AT_SLACK_TIME - 301_000 }))).toBe(
      "X-Slack-Request-Timestamp is 301 s from now (more than 300 s)",
    );
  });

  it("takes another tolerance when given", () => {
    expect(verify({ nowMs: AT_SLACK_TIME + 61_000, toleranceSeconds: 60 }).ok).toBe(false);
    expect(verify({ nowMs: AT_SLACK_TIME + 60_000, toleranceSeconds: 60 }).ok).toBe(true);
  });

  it("refuses a missing or empty header, naming it", () => {
    expect(reasonOf(verify({ timestamp: undefined }))).toBe("missing X-Slack-Request-Timestamp header");
    expect(reasonOf(verify({ timestamp: "" }))).toBe("missing X-Slack-Request-Timestamp header");
    expect(reasonOf(verify({ signature: undefined }))).toBe("missing X-Slack-Signature header");
    expect(reasonOf(verify({ signature: " " }))).toBe("missing X-Slack-Signature header");
  });

  it("refuses a timestamp that is not whole seconds", () => {
    for (const timestamp of ["abc", "1531420618.5", "-1531420618", "1e9", "0x5b47"]) {
      expect(reasonOf(verify({ timestamp }))).toBe("X-Slack-Request-Timestamp is not a number of seconds");
    }
  });

  it("refuses a signature of the wrong length without comparing it", () => {
    expect(reasonOf(verify({ signature: SLACK_SIGNATURE.slice(0, -1) }))).toBe(
      "X-Slack-Signature has the wrong length",
    );
    expect(reasonOf(verify({ signature: `${SLACK_SIGNATURE}0` }))).toBe(
      "X-Slack-Signature has the wrong length",
    );
    expect(reasonOf(verify({ signature: "v0=" }))).toBe("X-Slack-Signature has the wrong length");
  });

  it("refuses a tampered body, a changed timestamp, another secret or another version", () => {
    const tampered = SLACK_BODY.replace("roadrunner", "wile_e_coyote");
    expect(reasonOf(verify({ rawBody: tampered }))).toBe("X-Slack-Signature does not match");
    expect(reasonOf(verify({ rawBody: `${SLACK_BODY}&x=1` }))).toBe("X-Slack-Signature does not match");
    expect(reasonOf(verify({ timestamp: "1531420619" }))).toBe("X-Slack-Signature does not match");
    expect(reasonOf(verify({ signingSecret: `${SLACK_SECRET}x` }))).toBe("X-Slack-Signature does not match");
    expect(reasonOf(verify({ signature: SLACK_SIGNATURE.replace("v0=", "v1=") }))).toBe(
      "X-Slack-Signature does not match",
    );
  });

  it("refuses everything when no signing secret is configured", () => {
    const signed = signSlackRequest("", SLACK_TIMESTAMP, SLACK_BODY);
    expect(reasonOf(verify({ signingSecret: "", signature: signed }))).toBe("no signing secret configured");
  });

  it("never puts the secret or the expected signature in a reason", () => {
    const checks = [
      verify({ rawBody: "x" }),
      verify({ signature: "v0=00" }),
      verify({ nowMs: 0 }),
      verify({ timestamp: "nope" }),
    ];
    for (const check of checks) {
      const reason = reasonOf(check);
      expect(reason).not.toContain(SLACK_SECRET);
      expect(reason).not.toContain(SLACK_SIGNATURE.slice(3, 20));
      expect(reason).not.toContain(signSlackRequest(SLACK_SECRET, SLACK_TIMESTAMP, "x").slice(3, 20));
    }
  });
});

describe("header", () => {
  it("finds a header whatever its case", () => {
    const headers = { "X-Slack-Signature": "v0=abc", "x-slack-request-timestamp": "1", Other: undefined };
    expect(header(headers, "x-slack-signature")).toBe("v0=abc");
    expect(header(headers, "X-SLACK-REQUEST-TIMESTAMP")).toBe("1");
    expect(header(headers, "X-Slack-Request-Timestamp")).toBe("1");
  });

  it("takes the first of repeated values and answers undefined for an absent one", () => {
    expect(header({ "x-slack-signature": ["v0=first", "v0=second"] }, "X-Slack-Signature")).toBe("v0=first");
    expect(header({ Other: undefined }, "other")).toBeUndefined();
    expect(header({}, "x-slack-signature")).toBeUndefined();
  });
});
