import { jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { tokenSigner } from "../../functions/adapters/smartassist/jwt.js";

const credentials = { clientId: "cs-0123", clientSecret: "a-client-secret-of-some-length" };

describe("tokenSigner", () => {
  it("signs an HS256 JWT that a standard verifier accepts, with appId, iat, a short exp and a jti", async () => {
    const sign = tokenSigner(credentials, () => Date.parse("2026-01-01T00:00:00Z"));
    const token = sign();

    const { payload, protectedHeader } = await jwtVerify(
      token,
      new TextEncoder().encode(credentials.clientSecret),
      {
        currentDate: new Date("2026-01-01T00:01:00Z"),
      },
    );

    expect(protectedHeader).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload.appId).toBe("cs-0123");
    expect(payload.iat).toBe(Date.parse("2026-01-01T00:00:00Z") / 1000);
    expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(300);
    expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("gives every token a fresh jti and never carries the secret", () => {
    const sign = tokenSigner(credentials);
    const [a, b] = [sign(), sign()];
    const jti = (t: string) => JSON.parse(Buffer.from(t.split(".")[1] ?? "", "base64url").toString()).jti;
    expect(jti(a)).not.toBe(jti(b));
    expect(a).not.toContain(credentials.clientSecret);
  });

  it("is refused by a verifier with another secret", async () => {
    const token = tokenSigner(credentials)();
    await expect(jwtVerify(token, new TextEncoder().encode("another-secret"))).rejects.toThrow();
  });
});
