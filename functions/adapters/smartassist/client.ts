/**
 * SmartAssist Agent Status Details client: paginated reads with bounded concurrency and self-pacing
 * (in a shared rate window when there is one). A roster too large for one run is read in rotation
 * from a cursor, and open alerts can be re-read by e-mail. One page's request, its retries and
 * timeout are page-fetcher.ts's.
 */
import { setMaxListeners } from "node:events";
import type { AppConfig } from "../../domain/config.js";
import type { QueryWindow } from "../../domain/time.js";
import {
  type AgentPage,
  type AgentStatusSource,
  type FetchOptions,
  type FetchReport,
  type ReadReport,
  readReport,
  type SharedRateLimiter,
  type SourceProbe,
  type SourceProbeResult,
} from "../../ports.js";
import { type Clock, systemClock } from "./clock.js";
import { CredentialsRefusedError, RequestRejectedError, SourceUnavailableError } from "./errors.js";
import type { AppCredentials } from "./jwt.js";
import { Pacer, type PacerLane } from "./pacer.js";
import { DeadlineReached, PageFetcher, PastTheEnd, requestBody } from "./page-fetcher.js";

/** The config's `smartassist` section, plus what the run supplies. */
export interface SmartAssistClientOptions extends Readonly<AppConfig["smartassist"]> {
  credentials: AppCredentials;
  clock?: Clock;
  random?: () => number;
  /** Attempts per page, the first included. */
  maxAttempts?: number;
  /** Longest a single page may spend retrying, waits included. */
  maxRetryMs?: number;
  /**
   * One rate budget with every other invocation (the state file, the state table): requests are
   * paced by slots reserved from it, the re-reads by e-mail as `priority`, the rotation as `rotation`.
   * Without it the client paces only itself.
   */
  limiter?: SharedRateLimiter;
  /** Told about every request: for latency metrics and logs (never gets the token). */
  onRequest?: (info: { offset: number; status: number | "error"; ms: number; attempt: number }) => void;
}

/** DESIGN: open alerts are re-read by e-mail, at most 50 a request. */
const MAX_EMAILS_PER_REQUEST = 50;

/** One paging pass over [from, until): what it learnt of the roster's end and where it stopped. */
interface RangeResult {
  /** Offset just past the roster's last page, once a page said so; Infinity while unknown. */
  end: number;
  /** The first page within the roster refused by the deadline; Infinity when none was. */
  stop: number;
  /** Pages handed to onPage that are part of the roster. */
  delivered: number;
}

interface RangeRequest {
  body: string;
  window: QueryWindow;
  from: number;
  until: number;
  report: ReadReport;
  onPage: (page: AgentPage) => void;
  deadlineMs: number | undefined;
  /** Start with every slot busy instead of reading `from` alone first. */
  burst: boolean;
  /** Pages a previous run counted: do not request past them until a page says there is more. */
  softEnd: number;
  /** What a failure of the first page means: the whole run failed, or (rotation past 0) the roster ends there. */
  first: "fatal" | "end-if-rejected" | "page";
  /** The read's admission: the pacer itself, or its class's slots in the shared window. */
  lane: PacerLane;
  byEmail?: true;
}

/**
 * A shared window's reservation (one read and one conditional write of the state table's `#limiter`
 * item) covers up to this many rounds of `concurrency` requests, its slots spaced a round trip per
 * round (the client's smoothed latency) so each starts within its grace. A lane starts at one round
 * and doubles while every slot was started in time, halving when one was not: a 42-page tick makes 4
 * reservations instead of 11.
 */
export const SHARED_BATCH_ROUNDS = 4;

export class SmartAssistClient implements AgentStatusSource, SourceProbe {
  private readonly clock: Clock;
  private readonly pacer: Pacer;
  /** One page over HTTP, retried; the probe. */
  private readonly pages: PageFetcher;
  /** Pages the previous run of this client read: centers change size slowly. */
  private lastPages = 0;

  constructor(private readonly options: SmartAssistClientOptions) {
    this.clock = options.clock ?? systemClock;
    this.pacer = new Pacer(
      options.requestsPerMinute,
      this.clock,
      options.limiter
        ? {
            limiter: options.limiter,
            maxBatch: options.concurrency * SHARED_BATCH_ROUNDS,
            perRound: options.concurrency,
            roundMs: () => this.pages.roundTripMs,
          }
        : undefined,
    );
    this.pages = new PageFetcher(options, this.pacer);
  }

  /** Closes the pool's sockets (the CLI, at exit); a Lambda container keeps its client. */
  close(): Promise<void> {
    return this.pages.close();
  }

  async fetchAll(
    window: QueryWindow,
    onPage: (page: AgentPage) => void,
    options: FetchOptions = {},
  ): Promise<FetchReport> {
    const step = this.options.pageSize;
    const start = Math.max(0, options.startOffset ?? 0);
    const report: FetchReport = { ...readReport(), startOffset: start, nextOffset: 0 };
    const body = requestBody(window, this.options.agents);
    const known = options.knownPages ?? 0;
    const burst = this.lastPages > 1 || known - start / step > 1;
    // A tick reads its share of the roster, not all of it: at most `maxPages` pages, wrapping at the end.
    const limit = options.maxPages === undefined ? undefined : Math.max(0, Math.floor(options.maxPages));
    const headUntil = limit === undefined ? Number.POSITIVE_INFINITY : start + limit * step;
    // Reservations are sized by the pages this read expects: its share, the pages known (from the
    // cursor, or this client's last read), or a guess.
    const roster = known > 0 ? known : this.lastPages > 0 ? this.lastPages : this.options.concurrency * 2;
    const expected = Math.max(1, Math.min(roster, limit ?? Number.POSITIVE_INFINITY));
    const rotationLane = this.pacer.lane({
      class: "rotation",
      expected,
      initialBatch: burst ? Math.min(this.options.concurrency, expected) : 1,
      ...(options.headroom !== undefined ? { headroom: options.headroom } : {}),
    });
    const maxWait = options.maxWaitMs;
    const lane: PacerLane =
      maxWait === undefined
        ? rotationLane
        : {
            // A slot further off than maxWaitMs is not waited for: the read stops there (DeadlineReached).
            acquire: (signal, notAfterMs = Number.POSITIVE_INFINITY) =>
              rotationLane.acquire(signal, Math.min(notAfterMs, this.clock.now() + maxWait)),
          };
    const base = { body, window, report, onPage, deadlineMs: options.deadlineMs, lane };

    // From the cursor to the roster's end...
    const head = await this.readRange({
      ...base,
      from: start,
      until: headUntil,
      burst,
      softEnd: known > 0 ? known * step : Number.POSITIVE_INFINITY,
      first: start === 0 ? "fatal" : "end-if-rejected",
    });
    let end = head.end;
    let stop = head.stop;
    let delivered = head.delivered;
    // The share ended before the roster did: the next tick goes on from there.
    const cut = stop === Number.POSITIVE_INFINITY && end > headUntil;
    let sliceEnd = cut ? headUntil : undefined;
    const left = limit === undefined ? Number.POSITIVE_INFINITY : limit - head.delivered;
    // ...then from 0 back up to where this run started: the wrap.
    if (!cut && stop === Number.POSITIVE_INFINITY && start > 0 && left > 0) {
      const until = Math.min(start, end, left * step);
      if (until < Math.min(start, end)) sliceEnd = until;
      const tail = await this.readRange({
        ...base,
        from: 0,
        until,
        burst: until > step,
        softEnd: Number.POSITIVE_INFINITY,
        // Pages were read already: a failure here costs those agents this run, not the run.
        first: "page",
      });
      end = Math.min(end, tail.end);
      stop = tail.stop;
      delivered += tail.delivered;
    }
    report.truncated = stop !== Number.POSITIVE_INFINITY;
    report.nextOffset = report.truncated ? stop : (sliceEnd ?? 0);
    if (end !== Number.POSITIVE_INFINITY) report.rosterPages = Math.max(1, Math.ceil(end / step));
    report.pages = delivered;
    this.lastPages = report.rosterPages ?? delivered;
    return report;
  }

  async fetchAgents(
    window: QueryWindow,
    emails: string[],
    onPage: (page: AgentPage) => void,
    options: { deadlineMs?: number } = {},
  ): Promise<ReadReport> {
    const report = readReport();
    const size = Math.min(this.options.pageSize, MAX_EMAILS_PER_REQUEST);
    const chunks: string[][] = [];
    for (let i = 0; i < emails.length; i += size) chunks.push(emails.slice(i, i + size));
    const lane = this.pacer.lane({
      class: "priority",
      expected: chunks.length,
      initialBatch: Math.min(this.options.concurrency, chunks.length),
    });
    // A page's worth of e-mails per request, so each is one page; `concurrency` of them at once.
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < chunks.length) {
        const chunk = chunks[next++] as string[];
        const result = await this.readRange({
          body: requestBody(window, chunk),
          window,
          report,
          onPage,
          deadlineMs: options.deadlineMs,
          from: 0,
          until: Number.POSITIVE_INFINITY,
          burst: false,
          softEnd: Number.POSITIVE_INFINITY,
          first: "page",
          byEmail: true,
          lane,
        });
        report.pages += result.delivered;
        if (result.stop !== Number.POSITIVE_INFINITY) report.truncated = true;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, chunks.length) }, worker));
    return report;
  }

  /**
   * The doctor's probe: one request (`limit`, default 1) at `offset`, paced like every other (in the
   * shared window too, when there is one), never retried, answered within `timeoutMs` whatever
   * `smartassist.timeout` says. Never throws.
   */
  probe(
    window: QueryWindow,
    offset: number,
    options: { timeoutMs: number; limit?: number; notAfterMs?: number },
  ): Promise<SourceProbeResult> {
    return this.pages.probe(requestBody(window, this.options.agents), offset, options);
  }

  /** Reads pages `from`, `from + step`, ... below `until`, until the roster ends or the deadline comes. */
  private async readRange(request: RangeRequest): Promise<RangeResult> {
    const { body, window, from, until, report, onPage, deadlineMs } = request;
    const abort = new AbortController();
    // Every page in flight listens on this one signal (request, pacer wait, backoff sleep): more than
    // Node's default of 10 is expected, not a leak.
    setMaxListeners(this.options.concurrency * 4 + 10, abort.signal);
    const step = this.options.pageSize;
    let endOffset = Number.POSITIVE_INFINITY;
    let stopOffset = Number.POSITIVE_INFINITY;
    let softEnd = Math.max(request.softEnd, from + step);
    let nextOffset = from;
    let fatal: unknown;
    // Pages handed to onPage; the ones past the end (known only once every page is in) are not counted.
    const delivered: number[] = [];
    const failed: ReadReport["failedPages"] = [];

    // `release` frees the page's slot once the page is read and its hasMore known, before its rows
    // are evaluated: the next request then goes out first, and the evaluation overlaps its wait.
    // Pages waiting to be sent (for the pacer, or before a retry) by offset: once a page says where the
    // roster ends, those past it are dropped before they go out. One already on the wire cannot be
    // called back: up to concurrency − 1 of those are what paging without a total costs.
    const waiting = new Map<number, AbortController>();
    const learnEnd = (end: number) => {
      endOffset = Math.min(endOffset, end);
      for (const [offset, wait] of waiting) if (offset >= endOffset) wait.abort(new PastTheEnd());
    };

    const fetchOne = async (offset: number, release?: () => void): Promise<void> => {
      // Its waits end when the run aborts too (one listener per page in flight, removed with it).
      const wait = new AbortController();
      const relay = () => wait.abort(abort.signal.reason);
      abort.signal.addEventListener("abort", relay, { once: true });
      waiting.set(offset, wait);
      const wanted = () => offset < endOffset || offset === from;
      try {
        const page = await this.pages.fetchPage(
          offset,
          body,
          report,
          abort.signal,
          deadlineMs,
          request.lane,
          {
            signal: wait.signal,
            wanted,
          },
        );
        // An empty page is past the end whatever it claims, so a misbehaving server cannot loop us.
        if (page.data.length === 0) learnEnd(offset);
        else if (!page.hasMore) learnEnd(offset + step);
        // The roster grew past what a previous run counted: read ahead again.
        else if (offset + step >= softEnd) softEnd = Number.POSITIVE_INFINITY;
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
        // Not sent: the roster was found to end before this page while it waited.
        if (error instanceof PastTheEnd || (wait.signal.aborted && !wanted())) return;
        if (error instanceof DeadlineReached) {
          stopOffset = Math.min(stopOffset, offset);
          return;
        }
        if (error instanceof CredentialsRefusedError) {
          fatal ??= error;
          abort.abort(error);
          return;
        }
        if (offset === from && request.first === "end-if-rejected" && error instanceof RequestRejectedError) {
          // A server that refuses offsets past its list, and the roster shrank below the cursor.
          endOffset = Math.min(endOffset, offset);
          return;
        }
        // A refused request on the first page means the request itself is wrong; on a page read ahead of
        // the end it may only be a server that dislikes offsets past its list: that page failed, no more.
        if (offset === from && request.first !== "page") {
          fatal ??=
            error instanceof RequestRejectedError
              ? error
              : new SourceUnavailableError((error as Error).message);
          abort.abort(fatal);
          return;
        }
        failed.push({
          offset,
          error: (error as Error).message,
          ...(request.byEmail ? { byEmail: true } : {}),
        });
      } finally {
        waiting.delete(offset);
        abort.signal.removeEventListener("abort", relay);
      }
    };

    // The first page alone: most small centers fit in it, and it tells whether there is more. A client
    // that already read a larger center (a warm Lambda container) starts with every slot busy instead.
    if (!request.burst) {
      await fetchOne(nextOffset);
      nextOffset += step;
      if (fatal !== undefined) throw fatal;
    }

    // Then up to `concurrency` pages in flight. There is no total in the response, so pages are
    // requested ahead of the one that says hasMore=false; those past the end come back empty.
    // A slot is held from a page's request to its response; the task, until its rows are evaluated.
    const inFlight = new Set<Promise<void>>();
    const tasks = new Set<Promise<void>>();
    const more = () => nextOffset < Math.min(endOffset, stopOffset, until, softEnd) && fatal === undefined;
    while (fatal === undefined) {
      while (inFlight.size < this.options.concurrency && more()) {
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
    report.failedPages.push(...failed.filter((p) => p.offset < endOffset));
    const pages = delivered.filter((offset) => offset < endOffset || offset === 0).length;
    // A page refused at the deadline beyond the roster's end cuts nothing short.
    const stop = stopOffset < endOffset && stopOffset < until ? stopOffset : Number.POSITIVE_INFINITY;
    return { end: endOffset, stop, delivered: pages };
  }
}
