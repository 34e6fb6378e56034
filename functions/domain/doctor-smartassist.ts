/**
 * The doctor's SmartAssist verdicts: what one probe of the Agent Status Details API said, as the
 * `smartassist.api` line naming the setting to fix, and the roster's size, searched with `limit=1`
 * probes and weighed against what one run can read at the configured pace.
 */
import type { SourceProbeResult } from "../ports.js";
import { type Check, count, fail, pass, plural } from "./doctor.js";
import type { CredentialsReading } from "./doctor-credentials.js";

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export interface ApiContext {
  host: string;
  accountId: string;
  iId: string;
  /** The local date asked for and its timeZoneOffSet. */
  date: string;
  timeZoneOffSet: number;
  /** The probe's bound on one request. */
  timeoutMs: number;
  /** Which names to give for the credentials (SMARTASSIST_CLIENT_ID... or the secret's keys). */
  credentials: CredentialsReading;
}

const IID_TEXT = /\biid\b|stream|\bbot\b/i;
const ACCOUNT_TEXT = /account/i;
const RATE_TEXT = /rate.?limit|too many requests|throttl/i;

function hostName(host: string): string {
  try {
    return new URL(host).host;
  } catch {
    return host;
  }
}

function quoted(detail: string): string {
  return detail ? `: ${detail}` : "";
}

/** What one probe said, as the `smartassist.api` line; `notChecked` when there were no credentials. */
export function smartAssistApiCheck(result: SourceProbeResult | "no-credentials", ctx: ApiContext): Check {
  const name = "smartassist.api";
  if (result === "no-credentials")
    return fail(name, "not checked: no usable credentials (see smartassist.credentials)");
  const host = hostName(ctx.host);
  const { clientId, clientSecret } = ctx.credentials.keys;
  switch (result.kind) {
    case "page":
      return pass(
        name,
        `HTTP ${result.status} in ${seconds(result.ms)} from ${host} (account ${ctx.accountId}, iId ${ctx.iId}, ${ctx.date} at timeZoneOffSet ${ctx.timeZoneOffSet})`,
      );
    case "timeout":
      return fail(
        name,
        `no answer from ${host} within ${seconds(ctx.timeoutMs)} (timed out); check smartassist.host and that this network reaches it`,
      );
    case "network": {
      const unknownHost = result.code === "ENOTFOUND" || result.code === "EAI_AGAIN";
      if (unknownHost)
        return fail(
          name,
          `unknown host ${host} (${result.code}); check smartassist.host (https://platform.kore.ai, https://de-platform.kore.ai, ...)`,
        );
      if (result.code === "ECONNREFUSED")
        return fail(name, `${host} refused the connection (ECONNREFUSED); check smartassist.host`);
      return fail(name, `cannot reach ${host} (${result.code}); check smartassist.host and the network`);
    }
    case "paced":
      return fail(
        name,
        "not checked: the client's own pace (smartassist.requestsPerMinute) allowed no request in time; try again in a minute",
      );
    case "invalid":
      return fail(
        name,
        `HTTP ${result.status} from ${host}, but not an Agent Status Details page (${result.detail}); check smartassist.host points at the SmartAssist platform`,
      );
    case "http": {
      const { status, detail } = result;
      const said = quoted(detail);
      if (status === 429 || (status >= 400 && status < 500 && RATE_TEXT.test(detail))) {
        const wait =
          result.retryAfterMs === undefined
            ? ""
            : ` (Retry-After ${Math.ceil(result.retryAfterMs / 1000)} s)`;
        return fail(
          name,
          `HTTP ${status} rate limited${wait}: the account's 60 requests/min are in use, by this project or another client; try again in a minute`,
        );
      }
      if ((status === 401 || status === 403 || status === 404) && IID_TEXT.test(detail)) {
        return fail(
          name,
          `HTTP ${status}, the iId ${ctx.iId} was refused${said}; set smartassist.iId to the app's stream id (st-…, from the app's settings)`,
        );
      }
      if (status === 401 || status === 403) {
        return fail(
          name,
          `HTTP ${status}, credentials refused${said}; check that ${clientId.name} and ${clientSecret.name} are the SmartAssist app's client id and secret, and that the app may read smartassist.iId ${ctx.iId}`,
        );
      }
      if (status === 404) {
        const what = ACCOUNT_TEXT.test(detail)
          ? `unknown account ${ctx.accountId}${said}; check smartassist.accountId`
          : `unknown account or host${said}: ${host} has no Agent Status Details API for account ${ctx.accountId}; check smartassist.host and smartassist.accountId`;
        return fail(name, `HTTP 404, ${what}`);
      }
      if (status >= 500)
        return fail(name, `HTTP ${status}, SmartAssist failed${said}; try again later (runs retry this)`);
      return fail(
        name,
        `HTTP ${status}, the request was rejected${said}; check the smartassist section of the config`,
      );
    }
  }
}

// ---- the roster's size ---------------------------------------------------------------------------

/**
 * The roster's size, found with `limit=1` probes: an exponential search on page starts, then a
 * binary one between the last page seen and the first one missing, then one read of the last page
 * for the exact count. Each probe at offset `o` says whether row `o` exists, and `hasMore` whether
 * row `o + 1` does.
 */
export interface RosterSearch {
  pageSize: number;
  /** The roster has at least this many agents... */
  low: number;
  /** ...and at most this many (Infinity while no probe has passed its end). */
  high: number;
  /** Requests made so far (the first one, smartassist.api's, included). */
  requests: number;
}

export interface RosterProbe {
  offset: number;
  limit: number;
}

/** Starts from smartassist.api's probe (offset 0, limit 1). */
export function startRosterSearch(pageSize: number, first: { rows: number; hasMore: boolean }): RosterSearch {
  return observeRoster(
    { pageSize, low: 0, high: Number.POSITIVE_INFINITY, requests: 0 },
    { offset: 0, limit: 1, ...first },
  );
}

/** The search after one more answer: at `offset`, with `limit`, `rows` came back and `hasMore`. */
export function observeRoster(
  search: RosterSearch,
  seen: { offset: number; limit: number; rows: number; hasMore: boolean },
): RosterSearch {
  let { low, high } = search;
  const { offset, rows, hasMore } = seen;
  if (rows === 0) high = Math.min(high, offset);
  else if (!hasMore) {
    // The last row is in this answer: the size is exact (when the list did not change meanwhile).
    low = Math.max(low, offset + rows);
    high = Math.min(high, offset + rows);
  } else low = Math.max(low, offset + rows + 1);
  if (low > high) high = low; // the roster changed between two probes: trust the latest rows
  return { ...search, low, high, requests: search.requests + 1 };
}

/** Pages of `pageSize` for `agents` agents. */
function pagesOf(agents: number, pageSize: number): number {
  return Math.ceil(agents / pageSize);
}

/** The next request to make, or undefined once the size is known. */
export function nextRosterProbe(search: RosterSearch): RosterProbe | undefined {
  const { pageSize: size, low, high } = search;
  if (low === high) return undefined;
  const lowPages = pagesOf(low, size);
  if (high === Number.POSITIVE_INFINITY) {
    // Exponential: is there a page at (pages known × 8)? Three probes pass a 10,000-agent roster.
    return { offset: Math.max(1, lowPages) * 8 * size, limit: 1 };
  }
  const highPages = pagesOf(high, size);
  if (lowPages < highPages) {
    // Binary: is there a page at index mid (so at least mid + 1 pages)?
    const mid = Math.floor((lowPages + highPages) / 2);
    return { offset: mid * size, limit: 1 };
  }
  // The page count is known: one read of the last page counts its rows.
  return { offset: (lowPages - 1) * size, limit: size };
}

export interface RosterBudget {
  /** Requests one run can make at this pace (run-budget.ts requestsPerRun). */
  requestsPerRun: number;
  everySeconds: number;
  requestsPerMinute: number;
  concurrency: number;
  /** To read it in one run: the interval and the pace that would do (run-budget.ts). */
  intervalForOneRun: number;
  paceForOneRun: number;
}

export function rosterCheck(
  outcome: { search: RosterSearch; ms: number; stopped?: string } | "not-checked",
  budget: RosterBudget,
): Check {
  const name = "smartassist.roster";
  if (outcome === "not-checked") return fail(name, "not checked: smartassist.api failed");
  const { search, ms, stopped } = outcome;
  const { pageSize, low, high } = search;
  const exact = low === high;
  const agents = exact ? plural(low, "agent") : `${count(low)}–${count(high)} agents`;
  const found = `found with ${search.requests} requests in ${seconds(ms)}`;
  if (stopped !== undefined && high === Number.POSITIVE_INFINITY) {
    return fail(
      name,
      `at least ${plural(low, "agent")} (${found}), then ${stopped}; run the doctor again in a minute`,
    );
  }
  const pages = pagesOf(high, pageSize);
  const minutes = budget.everySeconds / 60;
  const cut = stopped === undefined ? "" : `; ${stopped}, so the size is a range`;
  const size = `${agents} (${plural(pages, "page")} of ${pageSize}; ${found}${cut})`;
  if (pages === 0)
    return pass(
      name,
      `no agents today (${found}): nothing to watch yet, or smartassist.agents matches no one`,
    );
  // A first run also asks for the pages in flight past the end (concurrency − 1): they count too.
  const needed = pages + budget.concurrency - 1;
  const pace = `a ${minutes}-minute run makes ${count(budget.requestsPerRun)} requests at ${budget.requestsPerMinute}/min`;
  if (needed <= budget.requestsPerRun)
    return pass(
      name,
      `${size}: fits in one run (${count(needed)} of the ${count(budget.requestsPerRun)} requests a ${minutes}-minute run makes at ${budget.requestsPerMinute}/min)`,
    );
  const runs = Math.ceil(pages / Math.max(1, budget.requestsPerRun));
  return pass(
    name,
    `${size}: read in rotation every ${runs} runs (${pace}; every agent is read at least once every ${runs * minutes} minutes, open alerts in every run); to read it in one run, set schedule.every to at least ${budget.intervalForOneRun / 60}m, or smartassist.requestsPerMinute to at least ${budget.paceForOneRun} if Kore.ai raised your account's limit`,
  );
}
