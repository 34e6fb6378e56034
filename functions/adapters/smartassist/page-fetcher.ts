/**
 * One page of Agent Status Details over HTTP: the request (undici's `request` on the client's own
 * Agent: measured, about a third less CPU per page than the global fetch, no WHATWG objects per
 * call), what a response means (a page, a rate limit, refused credentials, a retryable failure), the
 * retries with backoff and Retry-After, and the doctor's single unretried probe. Paging over the
 * roster, and which pages to read, is the client's (client.ts).
 */
import * as z from "zod";
import type { QueryWindow } from "../../domain/time.js";
import type { ReadReport, SourceProbeResult } from "../../ports.js";
import type { SmartAssistClientOptions } from "./client.js";
import { type Clock, systemClock } from "./clock.js";
import { CredentialsRefusedError, RequestRejectedError, RetryableError } from "./errors.js";
import { tokenSigner } from "./jwt.js";
import type { Pacer, PacerLane } from "./pacer.js";
import { createAgent, request, type UndiciAgent } from "./undici-agent.js";

export const pageSchema = z.object({
  hasMore: z.boolean(),
  limit: z.number().optional(),
  offset: z.number().optional(),
  data: z.array(z.unknown()),
});

const BASE_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 20_000;
const RATE_LIMIT_TEXT = /rate.?limit|too many requests|throttl/i;

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === "") return undefined;
  if (/^\d+(\.\d+)?$/.test(text.trim())) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function errorDetail(body: string): string {
  try {
    const parsed = JSON.parse(body) as {
      errors?: Array<{ msg?: unknown }>;
      message?: unknown;
      error?: unknown;
    };
    const msg = parsed.errors?.[0]?.msg ?? parsed.message ?? parsed.error;
    if (typeof msg === "string") return msg.slice(0, 200);
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.replace(/\s+/g, " ").trim().slice(0, 200);
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

/**
 * undici's errors carry a `code` (its own UND_ERR_*, or the socket's ECONNREFUSED, ECONNRESET, ...):
 * every one of them is worth another attempt, and the code says what happened without any header.
 */
function describeNetworkError(error: unknown, timeoutSeconds: number): string {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && TIMEOUT_CODES.has(code)) return `timed out after ${timeoutSeconds}s`;
  if (code === "UND_ERR_SOCKET") return "connection lost";
  const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return `network error: ${String(code ?? cause ?? (error as Error | undefined)?.message ?? error)}`;
}

/** A page as the API answers it. */
export type Page = z.infer<typeof pageSchema>;

/** A 2xx body read as a page, or what is wrong with it (not JSON; the first schema issue). */
function readPage(
  text: string,
): { page: Page } | { problem: "not-json" } | { problem: "not-a-page"; detail: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { problem: "not-json" };
  }
  const page = pageSchema.safeParse(parsed);
  if (page.success) return { page: page.data };
  const issue = page.error.issues[0];
  return { problem: "not-a-page", detail: `${issue?.path.join(".") || "body"}: ${issue?.message}` };
}

/** The request body of a read: the date window, and the agents' e-mails when it reads by e-mail. */
export function requestBody(window: QueryWindow, agents: readonly string[]): string {
  return JSON.stringify({
    filter: {
      ...(agents.length > 0 ? { agents } : {}),
      dateFilter: {
        startDate: window.startDate,
        endDate: window.endDate,
        timeZoneOffSet: window.timeZoneOffSet,
      },
    },
  });
}

export class PageFetcher {
  readonly #pacer: Pacer;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #sign: () => string;
  readonly #origin: string;
  readonly #path: string;
  readonly #maxAttempts: number;
  readonly #maxRetryMs: number;
  /**
   * Our own connection pool, built once: `concurrency` keep-alive sockets to the one host, with
   * header and body timeouts, instead of the process-wide dispatcher behind the global fetch.
   */
  readonly #dispatcher: UndiciAgent;
  /** A request's round trip on the pacer's clock, smoothed (0 until one is measured). */
  #roundTripMs = 0;

  constructor(
    private readonly options: SmartAssistClientOptions,
    pacer: Pacer,
  ) {
    this.#pacer = pacer;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#sign = tokenSigner(options.credentials, () => Date.now());
    const base = new URL(options.host);
    this.#origin = base.origin;
    this.#path = `${base.pathname.replace(/\/+$/, "")}/agentassist/api/public/analytics/account/${encodeURIComponent(options.accountId)}/agentstatusdetails`;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#maxRetryMs = options.maxRetryMs ?? 90_000;
    const timeoutMs = Math.max(1, Math.round(options.timeoutSeconds * 1000));
    this.#dispatcher = createAgent({
      connections: options.concurrency,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connectTimeout: timeoutMs,
      // Idle sockets are kept a little while between pages, not across Lambda freezes of minutes.
      keepAliveTimeout: 10_000,
      keepAliveMaxTimeout: 60_000,
    });
  }

  /** The smoothed round trip (ms, on the pacer's clock): what spaces a shared reservation's slots. */
  get roundTripMs(): number {
    return this.#roundTripMs;
  }

  /** Closes the pool's sockets. */
  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  /** One POST for `limit` rows at `offset`: the Agent's own request(), no URL parsed per call. */
  #send(limit: number, offset: number, body: string, signal: AbortSignal) {
    return request(this.#dispatcher, {
      origin: this.#origin,
      method: "POST",
      path: `${this.#path}?limit=${limit}&offset=${offset}`,
      headers: { auth: this.#sign(), iId: this.options.iId, "content-type": "application/json" },
      body,
      signal,
    });
  }

  /**
   * The doctor's probe: one request (`limit`, default 1) at `offset`, paced like every other (in the
   * shared window too, when there is one), never retried, answered within `timeoutMs` whatever
   * `smartassist.timeout` says. Never throws.
   */
  async probe(
    body: string,
    offset: number,
    options: { timeoutMs: number; limit?: number; notAfterMs?: number },
  ): Promise<SourceProbeResult> {
    const started = performance.now();
    const ms = () => performance.now() - started;
    const signal = AbortSignal.timeout(Math.max(1, options.timeoutMs));
    const limit = Math.max(1, Math.min(options.limit ?? 1, this.options.pageSize));
    try {
      // Through a lane, so a shared rate window (every invocation's requests) counts the probe too.
      const lane = this.#pacer.lane({ class: "priority", expected: 1, initialBatch: 1 });
      if (!(await lane.acquire(signal, options.notAfterMs))) return { kind: "paced", ms: ms() };
      const response = await this.#send(limit, offset, body, signal);
      const text = await response.body.text();
      const status = response.statusCode;
      this.options.onRequest?.({ offset, status, ms: ms(), attempt: 1 });
      if (status < 200 || status >= 300) {
        const retryAfterMs = parseRetryAfter(response.headers["retry-after"], Date.now());
        return {
          kind: "http",
          status,
          detail: errorDetail(text),
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
          ms: ms(),
        };
      }
      const read = readPage(text);
      if ("problem" in read) {
        const detail = read.problem === "not-json" ? "the response is not JSON" : read.detail;
        return { kind: "invalid", status, detail, ms: ms() };
      }
      return { kind: "page", status, rows: read.page.data.length, hasMore: read.page.hasMore, ms: ms() };
    } catch (error) {
      const code = (error as { code?: unknown } | undefined)?.code;
      if (signal.aborted || (typeof code === "string" && TIMEOUT_CODES.has(code)))
        return { kind: "timeout", ms: ms() };
      const cause = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
      const known = typeof code === "string" ? code : typeof cause === "string" ? cause : undefined;
      return { kind: "network", code: known ?? (error as Error | undefined)?.name ?? "error", ms: ms() };
    }
  }

  /**
   * One page, retried. `signal` aborts everything (the run failed); `waits.signal` also ends the waits
   * before a request (the pacer, a backoff), and a page no longer `wanted` (past the roster's end) is
   * not sent: PastTheEnd.
   */
  async fetchPage(
    offset: number,
    body: string,
    report: ReadReport,
    signal: AbortSignal,
    deadlineMs: number | undefined,
    lane: PacerLane,
    waits: { signal: AbortSignal; wanted: () => boolean } = { signal, wanted: () => true },
  ): Promise<Page> {
    const started = this.#clock.now();
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.#maxAttempts; attempt++) {
      if (!waits.wanted()) throw new PastTheEnd();
      if (!(await lane.acquire(waits.signal, deadlineMs))) throw new DeadlineReached();
      // The wait may have outlasted the roster's end being found: the slot is spent, the request is not.
      if (!waits.wanted()) throw new PastTheEnd();
      report.requests++;
      try {
        return await this.#attempt(offset, body, report, signal, attempt);
      } catch (error) {
        if (!(error instanceof RetryableError) || signal.aborted) throw error;
        lastError = error;
        if (error.rateLimited) report.rateLimited++;
        const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1)) * this.#random();
        const wait = Math.max(backoff, error.retryAfterMs ?? 0);
        if (error.retryAfterMs !== undefined) this.#pacer.pauseUntil(this.#clock.now() + error.retryAfterMs);
        const spent = this.#clock.now() - started;
        if (attempt === this.#maxAttempts || spent + wait > this.#maxRetryMs) break;
        if (deadlineMs !== undefined && this.#clock.now() + wait >= deadlineMs) throw new DeadlineReached();
        report.retries++;
        await this.#clock.sleep(wait, waits.signal);
      }
    }
    throw new Error(`page at offset ${offset} failed: ${(lastError as Error).message}`);
  }

  async #attempt(
    offset: number,
    body: string,
    report: ReadReport,
    runSignal: AbortSignal,
    attempt: number,
  ): Promise<Page> {
    const started = performance.now();
    const startedOnClock = this.#clock.now();
    const note = (status: number | "error") => {
      const ms = performance.now() - started;
      // On the pacer's clock (a virtual one in tests): what spaces a batch's reserved slots.
      if (status === 200) {
        const trip = this.#clock.now() - startedOnClock;
        this.#roundTripMs = this.#roundTripMs === 0 ? trip : 0.8 * this.#roundTripMs + 0.2 * trip;
      }
      report.latencyMs.count++;
      report.latencyMs.total += ms;
      report.latencyMs.max = Math.max(report.latencyMs.max, ms);
      this.options.onRequest?.({ offset, status, ms, attempt });
    };
    let statusCode: number;
    let retryAfter: string | string[] | undefined;
    let text: string;
    try {
      // The Agent's header and body timeouts bound each request; the run's signal aborts them all.
      const response = await this.#send(this.options.pageSize, offset, body, runSignal);
      statusCode = response.statusCode;
      retryAfter = response.headers["retry-after"];
      text = await response.body.text();
    } catch (error) {
      note("error");
      if (runSignal.aborted) throw error;
      throw new RetryableError(describeNetworkError(error, this.options.timeoutSeconds));
    }
    note(statusCode);
    if (statusCode >= 200 && statusCode < 300) {
      const read = readPage(text);
      if (!("problem" in read)) return read.page;
      throw new RetryableError(
        read.problem === "not-json" ? "response is not JSON" : `response is not a page (${read.detail})`,
      );
    }
    const detail = errorDetail(text);
    const retryAfterMs = parseRetryAfter(retryAfter, Date.now());
    if (statusCode === 429 || (statusCode >= 400 && statusCode < 500 && RATE_LIMIT_TEXT.test(detail))) {
      throw new RetryableError(`rate limited (HTTP ${statusCode})`, retryAfterMs, true);
    }
    if (statusCode === 401 || statusCode === 403) throw new CredentialsRefusedError(statusCode, detail);
    if (statusCode >= 500 || statusCode === 408)
      throw new RetryableError(`HTTP ${statusCode}${detail ? `: ${detail}` : ""}`, retryAfterMs);
    throw new RequestRejectedError(statusCode, detail);
  }
}

/** A page found to be past the roster's end before it was sent: it is not sent, and it is no failure. */
export class PastTheEnd extends Error {
  constructor() {
    super("past the end of the roster");
    this.name = "PastTheEnd";
  }
}

/** The run's deadline came before this page could start: stop paging, say so. */
export class DeadlineReached extends Error {
  constructor() {
    super("run deadline reached");
    this.name = "DeadlineReached";
  }
}
