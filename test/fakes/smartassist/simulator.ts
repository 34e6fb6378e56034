/**
 * A loopback protocol peer of Kore.ai SmartAssist's Agent Status Details API, for the tests, the
 * demo (`npm start`), the CLI's `simulate` command and the benchmark. Never bundled into the Lambda.
 *
 * It checks what the real API checks (route, JWT, iId, body, limit/offset), renders timelines the
 * way the real API does (see timeline.ts), enforces the account's 60 requests a minute, and lets a
 * test inject faults, latency and hung requests.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { decodeJwt, jwtVerify } from "jose";
import { renderRow, type SimAgent, type UtcWindow, utcWindow } from "./timeline.js";

export type { SimAgent, SimSegment } from "./timeline.js";

export interface SimFault {
  status: number;
  retryAfter?: string | number;
  body?: unknown;
}

export interface SimulatorOptions {
  clientId: string;
  clientSecret: string;
  accountId: string;
  iId: string;
  agents: SimAgent[];
  /** The simulator's "as of" instant (UTC ms); default the clock's now at each request. */
  now?: number;
  /** Default 0 (ephemeral); the server always binds 127.0.0.1. */
  port?: number;
  /** Time from a request's arrival to its answer (the simulator's own work included). */
  latencyMs?: number;
  /** Default 60: more requests than that in any sliding 60 s window (the `clock`) => 429 + Retry-After. */
  rateLimitPerMinute?: number;
  /**
   * The simulator's wall clock (default Date.now): request arrival times (their `at`), the rate
   * limit's window, when tokens expire, and "as of" without a fixed `now`. A test of pacing gives the
   * clients' virtual clock, so a minute of requests takes no real minute; a benchmark whose client
   * runs on a shifted clock gives the simulator the same one.
   */
  clock?: () => number;
  /** Replace the row at this agent index with raw garbage. */
  malformed?: Array<{ index: number; row: unknown }>;
  /**
   * How a wrong `iId` is refused: by default like a bad token (401 "Invalid or expired token"); with
   * a status (404, 400, 403, 401), that status and a message naming the iId.
   */
  iIdRefusal?: number;
}

export interface RecordedRequest {
  /** Arrival on the simulator's `clock` (UTC ms; default the real one). */
  at: number;
  method: string;
  path: string;
  limit: string | null;
  offset: string | null;
  /** Every request header, names lower-cased (auth, iid, content-type, ...). */
  headers: Record<string, string | undefined>;
  /** The parsed JSON body, or the raw text when it was not JSON (undefined when empty). */
  body: unknown;
  /** The status answered; 0 while not answered yet, and for hung requests. */
  status: number;
  /** The token's `appId` claim as sent (read even when the signature is wrong). */
  appId?: string;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:43211 (the config's smartassist.host). */
  url: string;
  requests: RecordedRequest[];
  setNow(ms: number | undefined): void;
  setAgents(agents: SimAgent[]): void;
  setLatency(ms: number): void;
  setRateLimit(perMinute: number): void;
  /** Queue responses to give instead of the real one for the next requests (FIFO). */
  failNext(...faults: SimFault[]): void;
  /** The next N requests never answer (to test client timeouts); they are released on close(). */
  hangNext(n: number): void;
  /** See SimulatorOptions.iIdRefusal; undefined: back to the 401 of a bad token. */
  setIIdRefusal(status: number | undefined): void;
  /**
   * Renders every row for that request window at the fixed `now` ahead of time, so that the first
   * requests are served as fast as later ones (a benchmark's first run). Does nothing without a fixed `now`.
   */
  warmUp(window: { startDate: string; endDate: string; timeZoneOffSet: number }): void;
  close(): Promise<void>;
}

/** Fixed credentials for the demo and `simulate`: the simulator accepts tokens signed with them. */
export const DEMO_CREDENTIALS: {
  clientId: "cs-demo-client-0001";
  clientSecret: string;
  accountId: string;
  iId: string;
} = {
  clientId: "cs-demo-client-0001",
  clientSecret: "demo-client-secret-not-for-production-0001",
  accountId: "63f07d26f04465685df4de00",
  iId: "st-e19dd469-90f5-5655-b0b2-858de901de00",
};

/**
 * A config's `smartassist:` block (YAML text, no trailing newline) pointing at a simulator at `url`
 * with the demo account; a test adds its own keys on the lines after it, indented by two.
 */
export function demoSmartAssistYaml(url: string): string {
  return `smartassist:
  host: ${url}
  accountId: "${DEMO_CREDENTIALS.accountId}"
  iId: "${DEMO_CREDENTIALS.iId}"`;
}

const ROUTE = /^\/agentassist\/api\/public\/analytics\/account\/([^/]+)\/agentstatusdetails\/?$/;
const MAX_LIMIT = 50;
const MAX_BODY_BYTES = 1 << 20;
const WINDOW_MS = 60_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

interface Filter {
  agents: string[] | undefined;
  startDate: string;
  endDate: string;
  timeZoneOffSet: number;
}

function errorBody(msg: string, code: number) {
  return { errors: [{ msg, code }] };
}

const DEFAULT_FAULT_MESSAGES: Record<number, string> = {
  400: "Bad request",
  401: "Invalid or expired token",
  403: "Forbidden",
  404: "Not found",
  429: "Rate limit exceeded. Try again later",
  500: "Internal server error",
  502: "Bad gateway",
  503: "Service unavailable",
  504: "Gateway timeout",
};

function isRealDate(text: unknown): text is string {
  if (typeof text !== "string") return false;
  const m = DATE.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** Validates the request body; the error names the field, as the real API's 400s do. */
function parseFilter(body: unknown): Filter | string {
  if (!isObject(body)) return "body must be a JSON object with a filter";
  const filter = body.filter;
  if (!isObject(filter)) return "filter is required";
  const agents = filter.agents;
  if (agents !== undefined && !(Array.isArray(agents) && agents.every((a) => typeof a === "string"))) {
    return "filter.agents must be an array of e-mail strings";
  }
  const dateFilter = filter.dateFilter;
  if (!isObject(dateFilter)) return "filter.dateFilter is required";
  const { startDate, endDate, timeZoneOffSet } = dateFilter;
  if (startDate === undefined) return "filter.dateFilter.startDate is required";
  if (!isRealDate(startDate)) return "filter.dateFilter.startDate must be a date yyyy-mm-dd";
  if (endDate === undefined) return "filter.dateFilter.endDate is required";
  if (!isRealDate(endDate)) return "filter.dateFilter.endDate must be a date yyyy-mm-dd";
  if (startDate > endDate) return "filter.dateFilter.startDate must not be after filter.dateFilter.endDate";
  if (timeZoneOffSet === undefined) return "filter.dateFilter.timeZoneOffSet is required";
  if (
    typeof timeZoneOffSet !== "number" ||
    !Number.isInteger(timeZoneOffSet) ||
    timeZoneOffSet < -840 ||
    timeZoneOffSet > 720
  ) {
    return "filter.dateFilter.timeZoneOffSet must be whole minutes between -840 and 720";
  }
  return { agents: agents as string[] | undefined, startDate, endDate, timeZoneOffSet };
}

/** A strictly decimal, non-negative integer query value (no `1e3`, `0x10`, `-1`, `2.5`). */
function parseCount(value: string | null): number | undefined {
  if (value === null || !/^\d{1,9}$/.test(value)) return undefined;
  return Number(value);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining so the socket can still carry the 413; just stop storing.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function lowerHeaders(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

function claimedAppId(token: string): string | undefined {
  try {
    const appId = decodeJwt(token).appId;
    return typeof appId === "string" ? appId : undefined;
  } catch {
    return undefined;
  }
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  let agents = options.agents;
  let lowerEmails: string[] | undefined;
  let now = options.now;
  let latencyMs = options.latencyMs ?? 0;
  let rateLimit = options.rateLimitPerMinute ?? 60;
  const clock = options.clock ?? Date.now;
  let hangs = 0;
  let iIdRefusal = options.iIdRefusal;
  const faults: SimFault[] = [];
  const malformed = new Map((options.malformed ?? []).map((m) => [m.index, m.row] as const));
  const requests: RecordedRequest[] = [];
  const windows = new Map<string, number[]>();
  const timers = new Set<NodeJS.Timeout>();
  const arrivals = new WeakMap<RecordedRequest, number>();
  const hung = new Set<ServerResponse>();
  // Imported once: jose would otherwise import the raw secret again on every request.
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(options.clientSecret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["verify"],
  );

  function send(
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void {
    sendText(res, record, status, JSON.stringify(body), headers);
  }

  /** Answers with a body already serialized as JSON. */
  function sendText(
    res: ServerResponse,
    record: RecordedRequest,
    status: number,
    text: string,
    headers: Record<string, string> = {},
  ): void {
    record.status = status;
    const write = () => {
      if (res.destroyed) return;
      res.writeHead(status, {
        "content-type": "application/json; charset=utf-8",
        "content-length": Buffer.byteLength(text),
        ...headers,
      });
      res.end(text);
    };
    // The latency is the server's whole answer time, counted from the request's arrival: the
    // simulator's own work (checking the token, rendering) is part of it, not added to it.
    const wait = latencyMs - (performance.now() - (arrivals.get(record) ?? performance.now()));
    if (wait <= 0) {
      write();
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      write();
    }, wait);
    timers.add(timer);
  }

  /** Sliding 60 s log per account; only admitted requests hold a slot. Returns seconds to wait. */
  function admit(accountId: string): number | undefined {
    const t = clock();
    let log = windows.get(accountId);
    if (!log) {
      log = [];
      windows.set(accountId, log);
    }
    while (log.length > 0 && (log[0] as number) <= t - WINDOW_MS) log.shift();
    if (log.length < rateLimit) {
      log.push(t);
      return undefined;
    }
    // The slot that frees first is the one taken `rateLimit` requests ago.
    const freesAt = (log[log.length - Math.max(1, rateLimit)] ?? t) + WINDOW_MS;
    return Math.max(1, Math.ceil((freesAt - t) / 1000));
  }

  // Rows as JSON text, per agent index, for one (window, "as of") pair: with a fixed `now` every page
  // of every run renders the same rows, and rendering and serializing them per request would make
  // the simulator, not the client, the bottleneck of a benchmark. Rendering is pure, so this changes
  // no answer; a new window, instant or agent list starts afresh.
  let rowCache: { key: string; texts: Array<string | undefined> } | undefined;

  function rowText(index: number, window: UtcWindow, asOf: number): string {
    if (malformed.has(index)) return JSON.stringify(malformed.get(index)) ?? "null";
    if (now === undefined) return JSON.stringify(renderRow(agents[index] as SimAgent, window, asOf));
    const key = `${window.startMs}/${window.endMs}/${window.timeZoneOffSet}/${asOf}`;
    if (rowCache?.key !== key) rowCache = { key, texts: [] };
    let text = rowCache.texts[index];
    if (text === undefined) {
      text = JSON.stringify(renderRow(agents[index] as SimAgent, window, asOf));
      rowCache.texts[index] = text;
    }
    return text;
  }

  /** One page of `data`, already as JSON text (what JSON.stringify would make of the rows). */
  function selectRowTexts(filter: Filter, offset: number, limit: number): { total: number; rows: string[] } {
    const wanted = filter.agents?.filter((a) => a.trim() !== "").map((a) => a.trim().toLowerCase()) ?? [];
    let indices: number[] | undefined;
    if (wanted.length > 0) {
      lowerEmails ??= agents.map((a) => a.email.toLowerCase());
      const set = new Set(wanted);
      indices = [];
      for (let i = 0; i < lowerEmails.length; i++) if (set.has(lowerEmails[i] as string)) indices.push(i);
    }
    const total = indices ? indices.length : agents.length;
    const window = utcWindow(filter.startDate, filter.endDate, filter.timeZoneOffSet);
    const asOf = now ?? clock();
    const rows: string[] = [];
    const end = Math.min(total, offset + limit);
    for (let k = offset; k < end; k++) rows.push(rowText(indices ? (indices[k] as number) : k, window, asOf));
    return { total, rows };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = clock();
    const arrived = performance.now();
    const url = new URL(req.url ?? "/", "http://simulator.invalid");
    const raw = await readBody(req);
    let body: unknown;
    let bodyIsJson = false;
    if (raw !== null && raw !== "") {
      try {
        body = JSON.parse(raw);
        bodyIsJson = true;
      } catch {
        body = raw;
      }
    }
    const headers = lowerHeaders(req);
    const record: RecordedRequest = {
      at,
      method: req.method ?? "",
      path: url.pathname,
      limit: url.searchParams.get("limit"),
      offset: url.searchParams.get("offset"),
      headers,
      body,
      status: 0,
    };
    arrivals.set(record, arrived);
    const token = headers.auth;
    if (token) {
      const appId = claimedAppId(token);
      if (appId !== undefined) record.appId = appId;
    }
    requests.push(record);

    const route = ROUTE.exec(url.pathname);
    const pathAccount = route ? decodeURIComponent(route[1] as string) : undefined;

    if (hangs > 0) {
      hangs--;
      hung.add(res);
      res.on("close", () => hung.delete(res));
      if (pathAccount !== undefined) admit(pathAccount);
      return;
    }
    const fault = faults.shift();
    if (fault) {
      if (pathAccount !== undefined) admit(pathAccount);
      const extra: Record<string, string> = {};
      if (fault.retryAfter !== undefined) extra["retry-after"] = String(fault.retryAfter);
      const message = DEFAULT_FAULT_MESSAGES[fault.status] ?? `Injected fault ${fault.status}`;
      return send(res, record, fault.status, fault.body ?? errorBody(message, fault.status), extra);
    }

    if (pathAccount === undefined) return send(res, record, 404, errorBody("Not found", 404));
    if (req.method !== "POST") {
      return send(res, record, 405, errorBody("Method not allowed", 405), { allow: "POST" });
    }
    const wait = admit(pathAccount);
    if (wait !== undefined) {
      return send(res, record, 429, errorBody("Rate limit exceeded. Try again later", 429), {
        "retry-after": String(wait),
      });
    }

    const unauthorized = () => send(res, record, 401, errorBody("Invalid or expired token", 401));
    if (!token) return unauthorized();
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms: ["HS256"],
        currentDate: new Date(clock()),
      });
      if (payload.appId !== options.clientId) return unauthorized();
    } catch {
      return unauthorized();
    }
    if (headers.iid !== options.iId) {
      if (iIdRefusal === undefined) return unauthorized();
      const message = `Invalid iId: no app with stream id ${headers.iid ?? "(none)"} in this account`;
      return send(res, record, iIdRefusal, errorBody(message, iIdRefusal));
    }
    if (pathAccount !== options.accountId) return send(res, record, 404, errorBody("Account not found", 404));

    const limitValue = parseCount(record.limit);
    if (limitValue === undefined || limitValue < 1) {
      return send(res, record, 400, errorBody("limit must be an integer of at least 1", 400));
    }
    const offset = parseCount(record.offset);
    if (offset === undefined) {
      return send(res, record, 400, errorBody("offset must be an integer of at least 0", 400));
    }
    const contentType = (headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
    if (contentType !== "application/json") {
      return send(res, record, 400, errorBody("Content-Type must be application/json", 400));
    }
    if (raw === null) return send(res, record, 413, errorBody("body too large", 413));
    if (!bodyIsJson) return send(res, record, 400, errorBody("body must be valid JSON", 400));
    const filter = parseFilter(body);
    if (typeof filter === "string") return send(res, record, 400, errorBody(filter, 400));

    const limit = Math.min(limitValue, MAX_LIMIT);
    const { total, rows } = selectRowTexts(filter, offset, limit);
    const head = JSON.stringify({ hasMore: offset + limit < total, limit, offset });
    sendText(res, record, 200, `${head.slice(0, -1)},"data":[${rows.join(",")}]}`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      // A client that went away mid-body: nothing to answer.
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500);
        res.end();
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setNow(ms) {
      now = ms;
    },
    setAgents(next) {
      agents = next;
      lowerEmails = undefined;
      rowCache = undefined;
    },
    setLatency(ms) {
      latencyMs = ms;
    },
    setRateLimit(perMinute) {
      rateLimit = perMinute;
    },
    failNext(...next) {
      faults.push(...next);
    },
    hangNext(n) {
      hangs += n;
    },
    setIIdRefusal(status) {
      iIdRefusal = status;
    },
    warmUp({ startDate, endDate, timeZoneOffSet }) {
      if (now === undefined) return;
      const window = utcWindow(startDate, endDate, timeZoneOffSet);
      for (let i = 0; i < agents.length; i++) rowText(i, window, now);
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const res of hung) res.destroy();
      hung.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
