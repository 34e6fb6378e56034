/**
 * The SmartAssist API token: HS256 signed with the app's client secret, claim `appId` (so spelled),
 * plus `iat`, a short `exp` and a fresh `jti` for apps that reject a replayed token.
 * node:crypto's HMAC is synchronous and needs no key import per token: one is signed per request.
 */
import { createHmac, randomUUID } from "node:crypto";

const TOKEN_LIFETIME_SECONDS = 300;
const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

export interface AppCredentials {
  clientId: string;
  clientSecret: string;
}

export function tokenSigner(credentials: AppCredentials, now: () => number = Date.now) {
  return (): string => {
    const iat = Math.floor(now() / 1000);
    const claims = { appId: credentials.clientId, iat, exp: iat + TOKEN_LIFETIME_SECONDS, jti: randomUUID() };
    const signingInput = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
    const signature = createHmac("sha256", credentials.clientSecret).update(signingInput).digest("base64url");
    return `${signingInput}.${signature}`;
  };
}
