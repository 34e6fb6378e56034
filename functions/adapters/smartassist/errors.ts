/**
 * Why a SmartAssist read failed, in terms an operator can act on. No secret is ever part of a
 * message. Each error a run acts on says which `SourceFailure` (ports.ts) it is.
 */
import type { SourceFailure } from "../../ports.js";

/** 401/403: the client id/secret (or the iId) was refused. Retrying does not help; rotation might. */
export class CredentialsRefusedError extends Error {
  readonly sourceFailure: SourceFailure = "credentials-refused";
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(
      `SmartAssist refused the credentials (HTTP ${status}${detail ? `: ${detail}` : ""}); check the client id, client secret and iId`,
    );
    this.name = "CredentialsRefusedError";
  }
}

/** A 4xx other than auth and rate limits: the request itself is wrong (account id, body, host path). */
export class RequestRejectedError extends Error {
  readonly sourceFailure: SourceFailure = "request-rejected";
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(`SmartAssist rejected the request (HTTP ${status}${detail ? `: ${detail}` : ""})`);
    this.name = "RequestRejectedError";
  }
}

/** Nothing could be read: the API is unreachable or kept failing after every retry. */
export class SourceUnavailableError extends Error {
  readonly sourceFailure: SourceFailure = "unavailable";
  constructor(detail: string) {
    super(`SmartAssist is unreachable: ${detail}`);
    this.name = "SourceUnavailableError";
  }
}

/** A failure worth another attempt (429, 5xx, network, timeout), with the server's wait if it gave one. */
export class RetryableError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly rateLimited = false,
  ) {
    super(message);
    this.name = "RetryableError";
  }
}
