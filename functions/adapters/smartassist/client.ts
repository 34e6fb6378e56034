/**
 * SmartAssist Agent Status Details client: paginated reads with bounded concurrency, self-pacing,
 * retries with backoff on 429/5xx/network errors, and a timeout per request.
 */
import * as z from "zod";
import type { AppConfig } from "../../domain/config.js";
import type { QueryWindow } from "../../domain/time.js";
import type { AgentPage, AgentStatusSource, FetchReport } from "../../ports.js";
import { type Clock, systemClock } from "./clock.js";
import {
  CredentialsRefusedError,
  RequestRejectedError,
  RetryableError,
  SourceUnavailableError,
} from "./errors.js";
import { type AppCredentials, tokenSigner } from "./jwt.js";
import { Pacer } from "./pacer.js";

/** The config's `smartassist` section, plus what the run supplies. */
export interface SmartAssistClientOptions extends Readonly<AppConfig["smartassist"]> {
  credentials: AppCredentials;
  clock?: Clock;
  random?: () => number;
  /** Attempts per page, the first included. */
  maxAttempts?: number;
  /** Longest a single page may spend retrying, waits included. */
  maxRetryMs?: number;
  /** Told about every request: for latency metrics and logs (never gets the token). */
  onRequest?: (info: { offset: number; status: number | "error"; ms: number; attempt: number }) => void;
}

const pageSchema = z.object({
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

/** fetch reports a failed connection as TypeError("fetch failed") with the socket error as its cause. */
function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && (error as { cause?: unknown }).cause !== undefined;
}

function networkCause(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  return String(cause?.code ?? cause?.message ?? (error as Error).message);
}

export class SmartAssistClient implements AgentStatusSource {
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly pacer: Pacer;
  private readonly sign: () => string;
  private readonly url: string;
  private readonly maxAttempts: number;
  private readonly maxRetryMs: number;
  /** Pages the previous run of this client read: centers change size slowly. */
  private lastPages = 0;

  constructor(private readonly options: SmartAssistClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.pacer = new Pacer(options.requestsPerMinute, this.clock);
    this.sign = tokenSigner(options.credentials, () => Date.now());
    this.url = `${options.host}/agentassist/api/public/analytics/account/${encodeURIComponent(options.accountId)}/agentstatusdetails`;
    this.maxAttempts = options.maxAttempts ?? 5;
    this.maxRetryMs = options.maxRetryMs ?? 90_000;
  }

  async fetchAll(
    window: QueryWindow,
    onPage: (page: AgentPage) => void,
    options: { deadlineMs?: number } = {},
  ): Promise<FetchReport> {
    const report: FetchReport = {
      pages: 0,
      requests: 0,
      failedPages: [],
      rateLimited: 0,
      retries: 0,
      truncated: false,
      latencyMs: { count: 0, total: 0, max: 0 },
    };
    const body = JSON.stringify({
      filter: {
        ...(this.options.agents.length > 0 ? { agents: this.options.agents } : {}),
        dateFilter: {
          startDate: window.startDate,
          endDate: window.endDate,
          timeZoneOffSet: window.timeZoneOffSet,
        },
      },
    });
    const abort = new AbortController();
    const step = this.options.pageSize;
    let endOffset = Number.POSITIVE_INFINITY;
    let nextOffset = 0;
    let fatal: unknown;
    // Pages handed to onPage; the ones past the end (known only once every page is in) are not counted.
    const delivered: number[] = [];

    // `release` frees the page's slot once the page is read and its hasMore known, before its rows
    // are evaluated: the next request then goes out first, and the evaluation overlaps its wait.
    const fetchOne = async (offset: number, release?: () => void): Promise<void> => {
      try {
        const page = await this.fetchPage(offset, body, report, abort.signal, options.deadlineMs);
        // An empty page is past the end whatever it claims, so a misbehaving server cannot loop us.
        if (page.data.length === 0) endOffset = Math.min(endOffset, offset);
        else if (!page.hasMore) endOffset = Math.min(endOffset, offset + step);
        if (offset < endOffset || offset === 0) {
          delivered.push(offset);
          if (release) {
            release();
            // One turn of the event loop: the paging loop starts the next request before onPage runs.
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
          onPage({ offset, rows: page.data, timeZoneOffSet: window.timeZoneOffSet });
        }
      } catch (error) {
        if (abort.signal.aborted && fatal !== undefined) return;
        // A refused request on the first page means the request itself is wrong; on a page read ahead of
        // the end it may only be a server that dislikes offsets past its list: that page failed, no more.
        if (
          error instanceof CredentialsRefusedError ||
          (error instanceof RequestRejectedError && offset === 0)
        ) {
          fatal ??= error;
          abort.abort(error);
          return;
        }
        if (error instanceof DeadlineReached) {
          report.truncated = true;
          endOffset = Math.min(endOffset, offset);
          return;
        }
        if (offset === 0) {
          fatal ??= new SourceUnavailableError((error as Error).message);
          abort.abort(fatal);
          return;
        }
        report.failedPages.push({ offset, error: (error as Error).message });
      }
    };

    // The first page alone: most small centers fit in it, and it tells whether there is more. A client
    // that already read a larger center (a warm Lambda container) starts with every slot busy instead.
    if (this.lastPages <= 1) {
      await fetchOne(nextOffset);
      nextOffset += step;
      if (fatal !== undefined) throw fatal;
    }

    // Then up to `concurrency` pages in flight. There is no total in the response, so pages are
    // requested ahead of the one that says hasMore=false; those past the end come back empty.
    // A slot is held from a page's request to its response; the task, until its rows are evaluated.
    const inFlight = new Set<Promise<void>>();
    const tasks = new Set<Promise<void>>();
    while (fatal === undefined) {
      while (inFlight.size < this.options.concurrency && nextOffset < endOffset && fatal === undefined) {
        let release: () => void = () => {};
        const slot = new Promise<void>((resolve) => {
          release = () => {
            inFlight.delete(slot);
            resolve();
          };
        });
        inFlight.add(slot);
        const task: Promise<void> = fetchOne(nextOffset, release).finally(() => {
          release();
          tasks.delete(task);
        });
        tasks.add(task);
        nextOffset += step;
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight);
    }
    await Promise.allSettled(tasks);
    if (fatal !== undefined) throw fatal;
    // Pages requested past the end are not part of the center: their failures are not the run's.
    report.failedPages = report.failedPages.filter((p) => p.offset < endOffset);
    report.pages = delivered.filter((offset) => offset < endOffset || offset === 0).length;
    this.lastPages = report.pages;
    return report;
  }

  private async fetchPage(
    offset: number,
    body: string,
    report: FetchReport,
    signal: AbortSignal,
    deadlineMs: number | undefined,
  ): Promise<z.infer<typeof pageSchema>> {
    const started = this.clock.now();
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      if (!(await this.pacer.acquire(signal, deadlineMs))) throw new DeadlineReached();
      report.requests++;
      try {
        return await this.attempt(offset, body, report, signal, attempt);
      } catch (error) {
        if (!(error instanceof RetryableError) || signal.aborted) throw error;
        lastError = error;
        if (error.rateLimited) report.rateLimited++;
        const backoff = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** (attempt - 1)) * this.random();
        const wait = Math.max(backoff, error.retryAfterMs ?? 0);
        if (error.retryAfterMs !== undefined) this.pacer.pauseUntil(this.clock.now() + error.retryAfterMs);
        const spent = this.clock.now() - started;
        if (attempt === this.maxAttempts || spent + wait > this.maxRetryMs) break;
        if (deadlineMs !== undefined && this.clock.now() + wait >= deadlineMs) throw new DeadlineReached();
        report.retries++;
        await this.clock.sleep(wait, signal);
      }
    }
    throw new Error(`page at offset ${offset} failed: ${(lastError as Error).message}`);
  }

  private async attempt(
    offset: number,
    body: string,
    report: FetchReport,
    runSignal: AbortSignal,
    attempt: number,
  ): Promise<z.infer<typeof pageSchema>> {
    const started = performance.now();
    const timeoutMs = this.options.timeoutSeconds * 1000;
    const signal = AbortSignal.any([runSignal, AbortSignal.timeout(timeoutMs)]);
    const note = (status: number | "error") => {
      const ms = performance.now() - started;
      report.latencyMs.count++;
      report.latencyMs.total += ms;
      report.latencyMs.max = Math.max(report.latencyMs.max, ms);
      this.options.onRequest?.({ offset, status, ms, attempt });
    };
    let response: Response;
    try {
      response = await fetch(`${this.url}?limit=${this.options.pageSize}&offset=${offset}`, {
        method: "POST",
        headers: { auth: this.sign(), iId: this.options.iId, "Content-Type": "application/json" },
        body,
        signal,
      });
    } catch (error) {
      note("error");
      if (runSignal.aborted) throw error;
      if (signal.aborted) throw new RetryableError(`timed out after ${this.options.timeoutSeconds}s`);
      if (isNetworkError(error)) throw new RetryableError(`network error: ${networkCause(error)}`);
      throw error;
    }
    const statusCode = response.status;
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      note("error");
      if (runSignal.aborted) throw error;
      throw new RetryableError(
        signal.aborted ? `timed out after ${this.options.timeoutSeconds}s` : "connection lost",
      );
    }
    note(statusCode);
    if (statusCode >= 200 && statusCode < 300) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new RetryableError("response is not JSON");
      }
      const page = pageSchema.safeParse(parsed);
      if (!page.success) {
        const issue = page.error.issues[0];
        throw new RetryableError(
          `response is not a page (${issue?.path.join(".") || "body"}: ${issue?.message})`,
        );
      }
      return page.data;
    }
    const detail = errorDetail(text);
    const retryAfterMs = parseRetryAfter(response.headers.get("retry-after") ?? undefined, Date.now());
    if (statusCode === 429 || (statusCode >= 400 && statusCode < 500 && RATE_LIMIT_TEXT.test(detail))) {
      throw new RetryableError(`rate limited (HTTP ${statusCode})`, retryAfterMs, true);
    }
    if (statusCode === 401 || statusCode === 403) throw new CredentialsRefusedError(statusCode, detail);
    if (statusCode >= 500 || statusCode === 408)
      throw new RetryableError(`HTTP ${statusCode}${detail ? `: ${detail}` : ""}`, retryAfterMs);
    throw new RequestRejectedError(statusCode, detail);
  }
}

/** The run's deadline came before this page could start: stop paging, say so. */
class DeadlineReached extends Error {
  constructor() {
    super("run deadline reached");
    this.name = "DeadlineReached";
  }
}
