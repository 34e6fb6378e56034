/**
 * `serve`: Slack's interactivity endpoint on this machine — `POST /slack/interactions`, the same use
 * case as the `interactions` Lambda, with the JSON state file, and the `/agent-status` slash command
 * at `POST /slack/commands` (the board's last snapshot, from the same file). For a local setup (a
 * tunnel to Slack) and for the demo.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { answerCommand, COMMANDS_PATH } from "../adapters/slack/command-request.js";
import { MAX_INTERACTION_BODY_BYTES } from "../adapters/slack/interaction-payload.js";
import {
  answerInteraction,
  INTERACTIONS_PATH,
  responseUrlResponder,
} from "../adapters/slack/interaction-request.js";
import { slackNotifierFor } from "../adapters/slack/slack-notifier.js";
import { JsonFileAlertStore } from "../adapters/state/json-file-store.js";
import { agentStatus } from "../app/agent-status.js";
import { handleInteraction, type InteractionDeps, SLACK_UPDATE_BOUND_MS } from "../app/handle-interaction.js";
import type { Log } from "../app/logger.js";
import type { AppConfig } from "../domain/config.js";
import type { BoardStore, EventPublisher } from "../ports.js";

/**
 * Acknowledge all's writes in flight at once with the JSON state file: all of them. The file store
 * takes puts made while a write is under way together, in one locked rewrite, so all at once is two
 * rewrites of the file where 32 at a time would be one per batch of 32.
 */
export const SERVE_ACKNOWLEDGE_ALL_CONCURRENCY = Number.POSITIVE_INFINITY;

export interface ServeOptions {
  config: AppConfig;
  statePath: string;
  signingSecret: string;
  /** Without a bot token the state still changes; the next check run redraws the message. */
  slackBotToken?: string;
  slackApiUrl?: string;
  port: number;
  host?: string;
  log: Log;
  events?: EventPublisher;
}

export interface RunningServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/** Starts the endpoint; resolves once it listens. */
export async function serveInteractions(options: ServeOptions): Promise<RunningServer> {
  const { config, log } = options;
  // Expiry is the check runs' business (they prune the file): whatever the file holds is tracked,
  // also when the runs evaluate as of another instant (`check --now`).
  const store = new JsonFileAlertStore(options.statePath, { nowMs: 0 });
  const deps: InteractionDeps = {
    config,
    store,
    log,
    // Without a bot token a refusal still reaches the user through the click's response_url.
    responder: responseUrlResponder(SLACK_UPDATE_BOUND_MS),
    acknowledgeAllConcurrency: SERVE_ACKNOWLEDGE_ALL_CONCURRENCY,
    ...(options.events ? { events: options.events } : {}),
  };
  if (options.slackBotToken) {
    deps.notifier = slackNotifierFor(config, {
      token: options.slackBotToken,
      apiUrl: options.slackApiUrl,
      logger: log,
      maxRetryTimeMs: SLACK_UPDATE_BOUND_MS,
      pace: "clicks",
    });
  }

  const server = createServer((req, res) => {
    void route(deps, store, options.signingSecret, req, res).catch((error: unknown) => {
      log.error("interaction failed", { error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) send(res, 500, "internal error");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}${INTERACTIONS_PATH}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(
  deps: InteractionDeps,
  boards: BoardStore,
  signingSecret: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = (req.url ?? "/").split("?")[0];
  if (path !== INTERACTIONS_PATH && path !== COMMANDS_PATH) return send(res, 404, "not found");
  if (req.method !== "POST") {
    res.setHeader("allow", "POST");
    return send(res, 405, "method not allowed");
  }
  const body = await readBody(req, MAX_INTERACTION_BODY_BYTES);
  if (body === undefined) {
    deps.log.warn("interaction refused: body too large", {
      bytes: Number(req.headers["content-length"]) || undefined,
    });
    return send(res, 413, "payload too large");
  }
  const request = { rawBody: body.toString("utf8"), bodyBytes: body.length, headers: req.headers };
  const verify = { signingSecret, nowMs: Date.now(), log: deps.log };
  const answer =
    path === COMMANDS_PATH
      ? await answerCommand(request, verify, (command) =>
          agentStatus({ store: boards, defaultChannel: deps.config.slack.channel }, command),
        )
      : await answerInteraction(request, verify, (click) => handleInteraction(deps, click));
  send(res, answer.status, answer.body, answer.contentType);
}

/** The raw body, or undefined as soon as it grows past `limit` (the rest is not read into memory). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > limit) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on("data", (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > limit) {
        over = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: string, contentType?: string): void {
  res.writeHead(status, {
    "content-type": contentType ?? "text/plain; charset=utf-8",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
}
