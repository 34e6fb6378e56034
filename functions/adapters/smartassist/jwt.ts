/**
 * The SmartAssist API token: HS256 signed with the app's client secret, claim `appId` (so spelled),
 * plus `iat`, a short `exp` and a fresh `jti` for apps that reject a replayed token.
 */
import { randomUUID } from "node:crypto";
import { SignJWT } from "jose";

const TOKEN_LIFETIME_SECONDS = 300;

export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

export function tokenSigner(credentials: AppCredentials, now: () => number = Date.now) {
  const key = new TextEncoder().encode(credentials.clientSecret);
  return async (): Promise<string> => {
    const iat = Math.floor(now() / 1000);
    return new SignJWT({ appId: credentials.clientId })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setIssuedAt(iat)
      .setExpirationTime(iat + TOKEN_LIFETIME_SECONDS)
      .setJti(randomUUID())
      .sign(key);
  };
}
