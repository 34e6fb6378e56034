/**
 * A loopback fake of the Slack Web API, for tests and the demo. It speaks the real wire format
 * (POST /api/<method>, form-encoded or JSON bodies, Bearer auth, `{ok, error}` answers, 429 with
 * Retry-After), so the real @slack/web-api WebClient can be pointed at it with SLACK_API_URL.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { limitRefusal } from "./block-kit-limits.js";
import { createWorkspace, type FakeWorkspace, type FakeWorkspaceOptions } from "./fake-slack-workspace.js";

export interface RecordedSlackCall {
  method: string;
  args: Record<string, unknown>;
  token?: string;
  /** Epoch ms the request arrived. */
  at: number;
  response: unknown;
  status: number;
}

export interface FakeSlackMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  /** The message as it reads now, every chat.update applied. */
  text: string;
  blocks?: unknown;
  /** Legacy attachments (each with `color` and `blocks`), as the latest post or update set them. */
  attachments?: unknown;
  /** Each chat.update, in order (the latest is what `text`/`blocks`/`attachments` show). */
  updates: Array<{ text: string; blocks?: unknown; attachments?: unknown }>;
}

/** A file uploaded the files.uploadV2 way: URL asked for, bytes sent there, upload completed. */
export interface FakeSlackFile {
  id: string;
  filename: string;
  /** The length announced to files.getUploadURLExternal. */
  length: number;
  alt_text?: string;
  /** The bytes received at the upload URL (the file part of a multipart body, or the raw body). */
  bytes?: Buffer;
  /** Set by files.completeUploadExternal. */
  completed: boolean;
  title?: string;
  channel?: string;
  thread_ts?: string;
  initial_comment?: string;
}

export interface SlackFault {
  /** Answer HTTP `status` (default 200) with `{ok:false, error}`. */
  error?: string;
  /** HTTP status to answer with: 500, 503, 429, ... */
  status?: number;
  /** Seconds, sent as the Retry-After header (with status 429 unless another is given). */
  retryAfter?: number;
  /** Hold the answer this long first (a slow Slack; lets tests hit timeouts). */
  delayMs?: number;
}

export interface FakeSlack {
  /** Base URL for the client (SLACK_API_URL), e.g. http://127.0.0.1:PORT/api/ */
  url: string;
  /** Every request, including failed ones. */
  calls: RecordedSlackCall[];
  /** The channels as they would look: top messages and replies, with chat.update applied. */
  messages(): FakeSlackMessage[];
  /** email → user id, for users.lookupByEmail. */
  users: Map<string, string>;
  /** Files uploaded with files.uploadV2, in the order their upload URLs were asked for. */
  files(): FakeSlackFile[];
  /** Queue faults for the next calls of `method` (`*` for any method), one fault per call. */
  failNext(method: string, ...faults: SlackFault[]): void;
  /** How many calls were answered HTTP 429 (by the rate limit option or a queued fault). */
  rateLimited(): number;
  close(): Promise<void>;
  // ---- Slack actions (issue 8): DMs, user groups, ephemeral answers, response_url ----
  /** DM channel id (`D…`) → user id, for every conversations.open so far. */
  directMessages: ReadonlyMap<string, string>;
  /** User group id (`S…`) → member user ids, for usergroups.users.list. */
  usergroups: Map<string, string[]>;
  /** Every successful chat.postEphemeral, in order. */
  ephemerals(): FakeSlackEphemeral[];
  /** A loopback response_url (`http://127.0.0.1:PORT/response/<id>`); a fresh id when none is given. */
  responseUrl(id?: string): string;
  /** Every POST to a response_url, in order (JSON body as sent). */
  responses: FakeSlackResponse[];
  /** The doctor's view of the workspace: scopes, channels, users, user groups (fake-slack-workspace.ts). */
  workspace: FakeWorkspace;
  /** Messages pinned with pins.add, in order. */
  pins(): Array<{ channel: string; ts: string }>;
}

export interface FakeSlackEphemeral {
  channel: string;
  /** The one user who sees it. */
  user: string;
  text: string;
  blocks?: unknown;
  thread_ts?: string;
  /** The `message_ts` Slack answered with. */
  ts: string;
}

export interface FakeSlackResponse {
  id: string;
  /** The JSON body: `text`, `response_type`, `replace_original`, `delete_original`, `blocks`, ... */
  body: Record<string, unknown>;
  /** Epoch ms it arrived. */
  at: number;
}

export interface FakeSlackOptions {
  /** The bot token requests must carry; any non-empty token is accepted when unset. */
  token?: string;
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Initial email → user id entries. */
  users?: Record<string, string>;
  /** Enforce Slack's chat.postMessage limit per channel (see "Rate limiting" below); off when unset. */
  rateLimit?: PostRateLimit;
  /** Initial user group id → member ids, for usergroups.users.list. */
  usergroups?: Record<string, string[]>;
  /** Scopes, channels, users and user groups for auth.test's header and the doctor's calls. */
  workspace?: FakeWorkspaceOptions;
}

/** Methods whose message Slack checks against Block Kit's limits (block-kit-limits.ts). */
const LIMITED_METHODS = new Set(["chat.postMessage", "chat.update", "chat.postEphemeral"]);

/** Arguments Slack takes as JSON inside a form field (the SDK JSON-encodes every non-scalar value). */
const JSON_FIELDS = new Set(["blocks", "attachments", "metadata", "files"]);

/** Rebuilds the channel view from recorded calls: successful posts, then successful updates applied. */
export function channelView(calls: readonly RecordedSlackCall[]): FakeSlackMessage[] {
  const messages: FakeSlackMessage[] = [];
  const byKey = new Map<string, FakeSlackMessage>();
  for (const call of calls) {
    if (call.status !== 200 || (call.response as { ok?: boolean } | undefined)?.ok !== true) continue;
    const response = call.response as { channel?: string; ts?: string };
    if (call.method === "chat.postMessage" && response.channel && response.ts) {
      const message: FakeSlackMessage = {
        channel: response.channel,
        ts: response.ts,
        text: String(call.args.text ?? ""),
        updates: [],
      };
      if (typeof call.args.thread_ts === "string") message.thread_ts = call.args.thread_ts;
      if (call.args.blocks !== undefined) message.blocks = call.args.blocks;
      if (call.args.attachments !== undefined) message.attachments = call.args.attachments;
      messages.push(message);
      byKey.set(`${response.channel}/${response.ts}`, message);
    } else if (call.method === "chat.update" && response.channel && response.ts) {
      const message = byKey.get(`${response.channel}/${response.ts}`);
      if (!message) continue;
      const update: { text: string; blocks?: unknown; attachments?: unknown } = {
        text: String(call.args.text ?? message.text),
      };
      if (call.args.blocks !== undefined) update.blocks = call.args.blocks;
      if (call.args.attachments !== undefined) update.attachments = call.args.attachments;
      message.updates.push(update);
      message.text = update.text;
      if (update.blocks !== undefined) message.blocks = update.blocks;
      if (update.attachments !== undefined) message.attachments = update.attachments;
    }
  }
  return messages;
}

function parseBody(raw: string, contentType: string): Record<string, unknown> {
  if (raw === "") return {};
  if (contentType.includes("application/json")) {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (JSON_FIELDS.has(key)) {
      try {
        args[key] = JSON.parse(value);
      } catch {
        args[key] = value; // Slack answers invalid_blocks for this; the handler checks.
      }
    } else {
      args[key] = value;
    }
  }
  return args;
}

async function readRaw(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function readBody(req: IncomingMessage): Promise<string> {
  return (await readRaw(req)).toString("utf8");
}

/**
 * The file bytes of an upload: the SDK posts multipart/form-data (one part); a raw body is accepted
 * too, as Slack's upload URL does.
 */
function uploadedBytes(raw: Buffer, contentType: string): Buffer {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!contentType.startsWith("multipart/form-data") || !boundary) return raw;
  const marker = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = raw.indexOf(marker);
  const headersEnd = raw.indexOf("\r\n\r\n", start);
  const end = raw.indexOf(Buffer.concat([Buffer.from("\r\n"), marker]), headersEnd);
  if (start < 0 || headersEnd < 0 || end < 0) return raw;
  return raw.subarray(headersEnd + 4, end);
}

/** Slack channel ids look like C0123ABCD; a `#name` gets a stable fake id, as Slack answers with ids. */
function channelIdFor(channel: string, ids: Map<string, string>): string {
  if (/^[CGD][A-Z0-9]{6,}$/.test(channel)) return channel;
  const name = channel.replace(/^#/, "").toLowerCase();
  let id = ids.get(name);
  if (!id) {
    id = `C${String(ids.size + 1).padStart(8, "0")}F`;
    ids.set(name, id);
  }
  return id;
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const calls: RecordedSlackCall[] = [];
  const users = new Map<string, string>(Object.entries(options.users ?? {}));
  const faults = new Map<string, SlackFault[]>();
  const channelIds = new Map<string, string>();
  const files = new Map<string, FakeSlackFile>();
  let baseUrl = "";
  /** Live state, for validating thread_ts and chat.update (`channel/ts` → message). */
  const live = new Map<string, { channel: string; ts: string; text: string; thread_ts?: string }>();
  const pinned: Array<{ channel: string; ts: string }> = [];
  let lastTs = 0;
  const limiter = options.rateLimit ? postRateLimiter(options.rateLimit, channelIds) : undefined;

  // Unique, increasing ts in Slack's "seconds.micros" shape, near the real clock.
  const nextTs = (): string => {
    lastTs = Math.max(Math.floor(Date.now() / 1000) * 1_000_000, lastTs + 100);
    return `${Math.floor(lastTs / 1_000_000)}.${String(lastTs % 1_000_000).padStart(6, "0")}`;
  };

  const takeFault = (method: string): SlackFault | undefined => {
    for (const key of [method, "*"]) {
      const queue = faults.get(key);
      if (queue && queue.length > 0) return queue.shift();
    }
    return undefined;
  };

  const hasText = (args: Record<string, unknown>) =>
    (typeof args.text === "string" && args.text !== "") ||
    Array.isArray(args.blocks) ||
    (Array.isArray(args.attachments) && args.attachments.length > 0);
  const actions = createActionsState(options, users);
  const workspace = createWorkspace(options.workspace, users, actions.usergroups);

  function handle(method: string, args: Record<string, unknown>): Record<string, unknown> {
    // Block Kit's limits, as Slack checks them before anything else about a message.
    if (LIMITED_METHODS.has(method)) {
      const refused = limitRefusal(args);
      if (refused) return refused;
    }
    switch (method) {
      case "auth.test":
        return {
          ok: true,
          url: "https://fake-workspace.slack.com/",
          team: "Fake Workspace",
          user: "agent-status-alerts",
          team_id: "T00000001",
          user_id: "U00000BOT",
          bot_id: "B00000001",
        };
      case "chat.postMessage": {
        if (typeof args.channel !== "string" || args.channel === "")
          return { ok: false, error: "channel_not_found" };
        if (args.blocks !== undefined && !Array.isArray(args.blocks))
          return { ok: false, error: "invalid_blocks" };
        if (args.attachments !== undefined && !Array.isArray(args.attachments))
          return { ok: false, error: "invalid_attachments" };
        if (!hasText(args)) return { ok: false, error: "no_text" };
        // A user id as the channel posts into the bot's DM with that user, as Slack does.
        const channel = actions.dmFor(args.channel) ?? channelIdFor(args.channel, channelIds);
        const threadTs =
          typeof args.thread_ts === "string" && args.thread_ts !== "" ? args.thread_ts : undefined;
        if (threadTs !== undefined && !live.has(`${channel}/${threadTs}`))
          return { ok: false, error: "thread_not_found" };
        const ts = nextTs();
        const text = typeof args.text === "string" ? args.text : "";
        live.set(`${channel}/${ts}`, { channel, ts, text, ...(threadTs ? { thread_ts: threadTs } : {}) });
        const message: Record<string, unknown> = {
          type: "message",
          user: "U00000BOT",
          bot_id: "B00000001",
          ts,
          text,
        };
        if (args.blocks !== undefined) message.blocks = args.blocks;
        if (args.attachments !== undefined) message.attachments = args.attachments;
        if (threadTs) message.thread_ts = threadTs;
        return { ok: true, channel, ts, message };
      }
      case "chat.update": {
        if (typeof args.channel !== "string" || args.channel === "")
          return { ok: false, error: "channel_not_found" };
        if (args.blocks !== undefined && !Array.isArray(args.blocks))
          return { ok: false, error: "invalid_blocks" };
        if (args.attachments !== undefined && !Array.isArray(args.attachments))
          return { ok: false, error: "invalid_attachments" };
        const channel = actions.dmFor(args.channel) ?? channelIdFor(args.channel, channelIds);
        const ts = typeof args.ts === "string" ? args.ts : "";
        const existing = live.get(`${channel}/${ts}`);
        if (!existing) return { ok: false, error: "message_not_found" };
        if (!hasText(args)) return { ok: false, error: "no_text" };
        const text = typeof args.text === "string" ? args.text : existing.text;
        existing.text = text;
        const message: Record<string, unknown> = { text };
        if (args.blocks !== undefined) message.blocks = args.blocks;
        if (args.attachments !== undefined) message.attachments = args.attachments;
        return { ok: true, channel, ts, text, message };
      }
      case "files.getUploadURLExternal": {
        const filename = typeof args.filename === "string" ? args.filename : "";
        const length = Number(args.length);
        if (filename === "") return { ok: false, error: "invalid_arguments" };
        if (!Number.isInteger(length) || length <= 0) return { ok: false, error: "invalid_arguments" };
        const id = `F${String(files.size + 1).padStart(9, "0")}`;
        const file: FakeSlackFile = { id, filename, length, completed: false };
        if (typeof args.alt_text === "string") file.alt_text = args.alt_text;
        files.set(id, file);
        // On loopback, like everything else here: the client posts the bytes to this URL next.
        return { ok: true, upload_url: `${baseUrl}/upload/v1/${id}`, file_id: id };
      }
      case "files.completeUploadExternal": {
        const list = Array.isArray(args.files)
          ? (args.files as Array<{ id?: unknown; title?: unknown }>)
          : [];
        if (list.length === 0) return { ok: false, error: "invalid_arguments" };
        const channel =
          typeof args.channel_id === "string" && args.channel_id !== ""
            ? channelIdFor(args.channel_id, channelIds)
            : undefined;
        const threadTs =
          typeof args.thread_ts === "string" && args.thread_ts !== "" ? args.thread_ts : undefined;
        if (threadTs !== undefined && channel !== undefined && !live.has(`${channel}/${threadTs}`))
          return { ok: false, error: "thread_not_found" };
        const found = list.map((f) => files.get(String(f.id)));
        // Slack completes only files whose bytes arrived at their upload URL.
        if (found.some((f) => f === undefined || f.bytes === undefined || f.completed))
          return { ok: false, error: "file_not_found" };
        const completed = found as FakeSlackFile[];
        completed.forEach((file, i) => {
          file.completed = true;
          const title = list[i]?.title;
          file.title = typeof title === "string" && title !== "" ? title : file.filename;
          if (channel !== undefined) file.channel = channel;
          if (threadTs !== undefined) file.thread_ts = threadTs;
          if (typeof args.initial_comment === "string") file.initial_comment = args.initial_comment;
        });
        return {
          ok: true,
          files: completed.map((f) => ({
            id: f.id,
            name: f.filename,
            title: f.title,
            size: f.bytes?.length ?? 0,
            mimetype: f.filename.endsWith(".png") ? "image/png" : "application/octet-stream",
          })),
        };
      }
      case "pins.add": {
        if (typeof args.channel !== "string" || args.channel === "")
          return { ok: false, error: "channel_not_found" };
        const channel = channelIdFor(args.channel, channelIds);
        const ts = typeof args.timestamp === "string" ? args.timestamp : "";
        if (!live.has(`${channel}/${ts}`)) return { ok: false, error: "message_not_found" };
        if (pinned.some((p) => p.channel === channel && p.ts === ts))
          return { ok: false, error: "already_pinned" };
        pinned.push({ channel, ts });
        return { ok: true };
      }
      case "users.lookupByEmail": {
        const email = typeof args.email === "string" ? args.email.trim().toLowerCase() : "";
        const id = [...users].find(([known]) => known.toLowerCase() === email)?.[1];
        if (!id) return { ok: false, error: "users_not_found" };
        return { ok: true, user: { id, name: email.split("@")[0], profile: { email } } };
      }
      default:
        return (
          actions.handle(method, args, nextTs) ??
          workspace.handle(method, args) ?? { ok: false, error: "unknown_method" }
        );
    }
  }

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname.startsWith(RESPONSE_PATH)) return actions.serveResponse(req, res, url, takeFault);
    // The method is the last path segment: /api/chat.postMessage (and a bare /chat.postMessage).
    const method = decodeURIComponent(url.pathname.replace(/^\/(api\/)?/, ""));
    const upload = /^\/upload\/v1\/(F\w+)$/.exec(url.pathname);
    if (upload) {
      // The upload URL: no token needed (Slack's is pre-signed); answers text, as Slack does.
      const bytes = uploadedBytes(await readRaw(req), String(req.headers["content-type"] ?? ""));
      const file = files.get(upload[1] ?? "");
      const fault = takeFault("upload");
      const status = fault?.status ?? (req.method !== "POST" ? 405 : !file || file.completed ? 404 : 200);
      if (status === 200 && file) file.bytes = bytes;
      const body = status === 200 ? `OK - ${bytes.length}` : "not found";
      calls.push({
        method: "upload",
        args: { file_id: upload[1], bytes: bytes.length },
        at,
        response: body,
        status,
      });
      res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
      res.end(body);
      return;
    }
    const raw = await readBody(req);
    let args: Record<string, unknown>;
    try {
      args = {
        ...Object.fromEntries(url.searchParams),
        ...parseBody(raw, String(req.headers["content-type"] ?? "")),
      };
    } catch {
      args = {};
    }
    const auth = String(req.headers.authorization ?? "");
    const bearer = auth.startsWith("Bearer ") ? auth.slice(7) : undefined;
    const bodyToken = typeof args.token === "string" ? args.token : undefined;
    const token = bearer ?? bodyToken;
    delete args.token;

    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      const call: RecordedSlackCall = { method, args, at, response: body, status };
      if (token !== undefined) call.token = token;
      calls.push(call);
      const payload = typeof body === "string" ? body : JSON.stringify(body);
      res.writeHead(status, {
        "content-type":
          typeof body === "string" ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
        ...headers,
      });
      res.end(payload);
    };

    if (req.method !== "POST" && req.method !== "GET") return send(405, "method not allowed");
    const fault = takeFault(method);
    if (fault) {
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      const pureDelay =
        fault.error === undefined && fault.status === undefined && fault.retryAfter === undefined;
      if (!pureDelay) {
        const status = fault.status ?? (fault.retryAfter !== undefined ? 429 : 200);
        const headers: Record<string, string> =
          fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {};
        // A 5xx from Slack's edge is an HTML page, not JSON: the client must cope with that too.
        if (status >= 500 && fault.error === undefined)
          return send(status, `<html><body>${status}</body></html>`, headers);
        const error = fault.error ?? (status === 429 ? "ratelimited" : "fatal_error");
        return send(status, { ok: false, error }, headers);
      }
    }

    if (!token) return send(200, { ok: false, error: "not_authed" });
    if (options.token !== undefined && token !== options.token)
      return send(200, { ok: false, error: "invalid_auth" });
    const wait = limiter?.admit(method, args);
    if (wait !== undefined)
      return send(429, { ok: false, error: "ratelimited" }, { "retry-after": String(wait) });
    return send(200, workspace.refuse(method, args) ?? handle(method, args), workspace.headers());
  }

  const server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    users,
    messages: () => channelView(calls),
    files: () => [...files.values()].map((f) => ({ ...f })),
    rateLimited: () => calls.filter((c) => c.status === 429).length,
    failNext(method, ...more) {
      const queue = faults.get(method) ?? [];
      queue.push(...more);
      faults.set(method, queue);
    },
    directMessages: actions.directMessages,
    usergroups: actions.usergroups,
    ephemerals: () => ephemeralView(calls),
    responseUrl: (id) =>
      `http://127.0.0.1:${port}${RESPONSE_PATH}${encodeURIComponent(id ?? actions.nextResponseId())}`,
    responses: actions.responses,
    workspace: workspace.state,
    pins: () => pinned.map((p) => ({ ...p })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

// ---- Slack actions (issue 8): DMs, user groups, ephemeral answers, response_url ----

/** Path prefix of the fake response_url endpoint (`/response/<id>`). */
const RESPONSE_PATH = "/response/";

/** Every successful chat.postEphemeral in the recorded calls. */
export function ephemeralView(calls: readonly RecordedSlackCall[]): FakeSlackEphemeral[] {
  const out: FakeSlackEphemeral[] = [];
  for (const call of calls) {
    if (call.method !== "chat.postEphemeral" || call.status !== 200) continue;
    const response = call.response as { ok?: boolean; message_ts?: string };
    if (response.ok !== true || !response.message_ts) continue;
    const ephemeral: FakeSlackEphemeral = {
      channel: String(call.args.channel),
      user: String(call.args.user),
      text: typeof call.args.text === "string" ? call.args.text : "",
      ts: response.message_ts,
    };
    if (call.args.blocks !== undefined) ephemeral.blocks = call.args.blocks;
    if (typeof call.args.thread_ts === "string") ephemeral.thread_ts = call.args.thread_ts;
    out.push(ephemeral);
  }
  return out;
}

/** The state and handlers behind conversations.open, usergroups.users.list, chat.postEphemeral, response_url. */
function createActionsState(options: FakeSlackOptions, users: Map<string, string>) {
  const directMessages = new Map<string, string>(); // D… → U…
  const dmByUser = new Map<string, string>(); // U… → D…
  const usergroups = new Map<string, string[]>(Object.entries(options.usergroups ?? {}));
  const responses: FakeSlackResponse[] = [];
  let responseCount = 0;

  const knownUser = (id: string) => [...users.values()].includes(id);
  /** The bot's DM with a user: one stable `D…` id per user, as Slack keeps one IM per pair. */
  const openDm = (user: string): string => {
    let channel = dmByUser.get(user);
    if (!channel) {
      channel = `D${String(dmByUser.size + 1).padStart(9, "0")}`;
      dmByUser.set(user, channel);
      directMessages.set(channel, user);
    }
    return channel;
  };

  function handle(
    method: string,
    args: Record<string, unknown>,
    nextTs: () => string,
  ): Record<string, unknown> | undefined {
    switch (method) {
      case "conversations.open": {
        const ids = String(args.users ?? "")
          .split(",")
          .map((id) => id.trim())
          .filter((id) => id !== "");
        if (ids.length === 0) return { ok: false, error: "users_list_not_supplied" };
        // Group DMs (several users) are not something this project opens.
        if (ids.length > 1) return { ok: false, error: "not_implemented" };
        const [user = ""] = ids;
        if (!knownUser(user)) return { ok: false, error: "user_not_found" };
        return { ok: true, channel: { id: openDm(user) } };
      }
      case "usergroups.users.list": {
        const group = typeof args.usergroup === "string" ? args.usergroup : "";
        const members = usergroups.get(group);
        if (!members) return { ok: false, error: "no_such_subteam" };
        return { ok: true, users: [...members] };
      }
      case "chat.postEphemeral": {
        if (typeof args.channel !== "string" || args.channel === "")
          return { ok: false, error: "channel_not_found" };
        if (typeof args.user !== "string" || args.user === "") return { ok: false, error: "user_not_found" };
        if (args.blocks !== undefined && !Array.isArray(args.blocks))
          return { ok: false, error: "invalid_blocks" };
        const hasContent = (typeof args.text === "string" && args.text !== "") || Array.isArray(args.blocks);
        if (!hasContent) return { ok: false, error: "no_text" };
        return { ok: true, message_ts: nextTs() };
      }
      default:
        return undefined;
    }
  }

  /** A response_url POST: JSON, no token (Slack's URL is its own credential), recorded, answered `{ok}`. */
  async function serveResponse(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    takeFault: (method: string) => SlackFault | undefined,
  ): Promise<void> {
    const at = Date.now();
    const id = decodeURIComponent(url.pathname.slice(RESPONSE_PATH.length));
    const raw = await readBody(req);
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify(body));
    };
    if (req.method !== "POST") return answer(405, { ok: false, error: "method_not_allowed" });
    const fault = takeFault("response_url");
    if (fault) {
      if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
      if (fault.status !== undefined || fault.error !== undefined)
        return answer(fault.status ?? 404, { ok: false, error: fault.error ?? "expired_url" });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return answer(400, { ok: false, error: "invalid_payload" });
    }
    if (typeof body !== "object" || body === null || Array.isArray(body))
      return answer(400, { ok: false, error: "invalid_payload" });
    responses.push({ id, body: body as Record<string, unknown>, at });
    return answer(200, { ok: true });
  }

  return {
    directMessages,
    usergroups,
    responses,
    handle,
    serveResponse,
    nextResponseId: () => `r${++responseCount}`,
    /** `U…` as a post's channel means the DM with that user (opened on first use). */
    dmFor: (channel: string): string | undefined =>
      /^[UW][A-Z0-9]{2,}$/.test(channel) && knownUser(channel) ? openDm(channel) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Rate limiting (opt-in). Slack documents chat.postMessage as "1 per second per channel, short
// bursts allowed": a token bucket per channel, `burst` deep, refilled at `perSecond`. A call over it
// is answered HTTP 429 with Retry-After in whole seconds, as Slack does. Thread replies count too.

export interface PostRateLimit {
  /** Sustained posts per second per channel; default 1. */
  perSecond?: number;
  /** Posts a full bucket admits back to back; default 3. */
  burst?: number;
}

function postRateLimiter(limit: PostRateLimit, channelIds: Map<string, string>) {
  const perSecond = limit.perSecond ?? 1;
  const burst = limit.burst ?? 3;
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return {
    /** undefined: admitted (a token taken); else the Retry-After in seconds. */
    admit(method: string, args: Record<string, unknown>): number | undefined {
      if (method !== "chat.postMessage" || typeof args.channel !== "string") return undefined;
      const channel = channelIdFor(args.channel, channelIds);
      const now = Date.now();
      const bucket = buckets.get(channel) ?? { tokens: burst, atMs: now };
      bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.atMs) / 1000) * perSecond);
      bucket.atMs = now;
      buckets.set(channel, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return undefined;
      }
      return Math.max(1, Math.ceil((1 - bucket.tokens) / perSecond));
    },
  };
}
