/**
 * The driving side of the interactivity URL: size, signature and payload checked before the use case
 * sees a click, with today's statuses and metric names; the check alone reusable for any signed body.
 */
import { describe, expect, it } from "vitest";
import { formBody } from "../../functions/adapters/slack/interaction-payload.js";
import {
  answerInteraction,
  type InteractionRequestMetric,
  verifySlackRequest,
} from "../../functions/adapters/slack/interaction-request.js";
import { signSlackRequest } from "../../functions/adapters/slack/signature.js";
import type { Click } from "../../functions/domain/actions.js";

const SECRET = "unit-signing-secret";
const NOW = Date.parse("2025-06-10T06:00:00Z");
const ts = Math.floor(NOW / 1000);

const signed = (rawBody: string, secret = SECRET, timestamp = ts) => ({
  rawBody,
  headers: {
    "X-Slack-Request-Timestamp": String(timestamp),
    "X-Slack-Signature": signSlackRequest(secret, timestamp, rawBody),
  },
});

const ack = formBody({
  type: "block_actions",
  user: { id: "U1" },
  actions: [{ action_id: "alert.ack", block_id: "a-1", action_ts: "1.1" }],
});

function run(
  request: ReturnType<typeof signed> & { bodyBytes?: number },
  refresh?: () => Promise<string | undefined>,
) {
  const counted: InteractionRequestMetric[] = [];
  const warnings: string[] = [];
  const clicks: Click[] = [];
  const answer = answerInteraction(
    request,
    {
      signingSecret: SECRET,
      ...(refresh ? { refreshSigningSecret: refresh } : {}),
      nowMs: NOW,
      log: { warn: (m) => warnings.push(m) },
      count: (m) => counted.push(m),
    },
    async (click) => {
      clicks.push(click);
    },
  );
  return { answer, counted, warnings, clicks };
}

describe("verifySlackRequest (any signed Slack body: interactions, slash commands)", () => {
  it("passes a body signed now with the secret", () => {
    expect(
      verifySlackRequest(signed("command=%2Fagent-status"), { signingSecret: SECRET, nowMs: NOW }),
    ).toEqual({
      ok: true,
    });
  });

  it("refuses a large body with 413 before looking at the signature", () => {
    const big = "x".repeat(70_000);
    expect(
      verifySlackRequest({ rawBody: big, headers: {} }, { signingSecret: SECRET, nowMs: NOW }),
    ).toMatchObject({
      ok: false,
      rejected: "size",
      status: 413,
    });
    expect(
      verifySlackRequest(signed("x", SECRET), { signingSecret: SECRET, nowMs: NOW, maxBytes: 0 }),
    ).toMatchObject({ status: 413 });
  });

  it("refuses a wrong, stale or missing signature with 401, naming the reason", () => {
    const check = (request: { rawBody: string; headers: Record<string, string> }) =>
      verifySlackRequest(request, { signingSecret: SECRET, nowMs: NOW });
    expect(check(signed(ack, "forged"))).toMatchObject({
      status: 401,
      reason: "X-Slack-Signature does not match",
    });
    expect(check(signed(ack, SECRET, ts - 301))).toMatchObject({ status: 401 });
    expect(check({ rawBody: ack, headers: {} })).toMatchObject({
      status: 401,
      reason: "missing X-Slack-Request-Timestamp header",
    });
  });
});

describe("answerInteraction", () => {
  it("hands a verified block_actions payload to the use case as a Click and answers 200", async () => {
    const { answer, counted, clicks } = run(signed(ack));
    expect(await answer).toEqual({ status: 200, body: "" });
    expect(counted).toEqual([]);
    expect(clicks).toEqual([
      {
        user: "U1",
        actions: [{ actionId: "alert.ack", target: { kind: "id", id: "a-1" }, actionTs: "1.1" }],
      },
    ]);
  });

  it("answers as before: 413, 401, 400, ignored 200 — each counted, none reaching the use case", async () => {
    const cases = [
      { request: { ...signed(ack), bodyBytes: 70_000 }, status: 413, metric: "InteractionRejectedSize" },
      { request: signed(ack, "forged"), status: 401, metric: "InteractionRejectedSignature" },
      { request: signed("nothing=here"), status: 400, metric: "InteractionRejectedPayload" },
      {
        request: signed(formBody({ type: "view_submission", user: { id: "U1" } })),
        status: 200,
        metric: "InteractionIgnored",
      },
    ];
    for (const c of cases) {
      const { answer, counted, clicks } = run(c.request);
      expect((await answer).status).toBe(c.status);
      expect(counted).toEqual([c.metric]);
      expect(clicks).toEqual([]);
    }
  });

  it("on a signature mismatch checks once more with a fresher secret (a rotated one)", async () => {
    const rotated = run(signed(ack, "rotated-secret"), async () => "rotated-secret");
    expect((await rotated.answer).status).toBe(200);
    expect(rotated.counted).toEqual([]);
    expect(rotated.clicks).toHaveLength(1);

    const forged = run(signed(ack, "forged"), async () => undefined);
    expect(await forged.answer).toEqual({ status: 401, body: "invalid signature" });
    expect(forged.counted).toEqual(["InteractionRejectedSignature"]);
  });
});
