/**
 * The driving side of the `/agent-status` slash command (`POST /slack/commands`), shared by the
 * `interactions` Lambda and `cli serve`: signed and verified exactly like interactions
 * (verifySlackRequest: 413, then 401), then the form body (`command`, `text`, `user_id`,
 * `channel_id`, `response_url`, ...) parsed (400 without a command), then answered at once with an
 * ephemeral JSON body: `{"response_type": "ephemeral", "text", "blocks"}`.
 */
import type { AgentStatusAnswer, AgentStatusCommand } from "../../app/agent-status.js";
import { renderBoard } from "./board-messages.js";
import { boundMessage } from "./bounds.js";
import { type HttpAnswer, type SlackRequest, verifySlackRequest } from "./interaction-request.js";

/** The slash command's Request URL path, in the Function URL and in `cli serve` alike. */
export const COMMANDS_PATH = "/slack/commands";
export const AGENT_STATUS_COMMAND = "/agent-status";

export interface SlashCommand extends AgentStatusCommand {
  command: string;
  userId: string;
  responseUrl?: string;
}

/** The form body Slack POSTs for a slash command; undefined without a command or a channel. */
export function parseCommandBody(rawBody: string): SlashCommand | undefined {
  const form = new URLSearchParams(rawBody);
  const command = form.get("command") ?? "";
  const channelId = form.get("channel_id") ?? "";
  if (command === "" || channelId === "") return undefined;
  const parsed: SlashCommand = {
    command,
    channelId,
    text: form.get("text") ?? "",
    userId: form.get("user_id") ?? "",
  };
  const responseUrl = form.get("response_url");
  if (responseUrl) parsed.responseUrl = responseUrl;
  return parsed;
}

const json = (status: number, body: Record<string, unknown>): HttpAnswer => ({
  status,
  body: JSON.stringify(body),
  contentType: "application/json; charset=utf-8",
});

/** The answer Slack shows the caller only. */
export function ephemeralAnswer(answer: AgentStatusAnswer): Record<string, unknown> {
  if (answer.kind === "none")
    return {
      response_type: "ephemeral",
      text: "No board yet: the next check run draws it (slack.board: true in the config).",
    };
  const message = boundMessage(renderBoard(answer.model));
  return { response_type: "ephemeral", text: message.text, blocks: message.blocks };
}

export interface AnswerCommandOptions {
  signingSecret: string;
  /** On a signature mismatch, a fresher signing secret to check once more (rotated), or undefined. */
  refreshSigningSecret?: () => Promise<string | undefined>;
  nowMs: number;
  log: { warn(message: string, extra?: Record<string, unknown>): void };
}

/** One request to `/slack/commands`, answered: verified, parsed, handled, and the JSON to show. */
export async function answerCommand(
  request: SlackRequest,
  options: AnswerCommandOptions,
  handle: (command: SlashCommand) => Promise<AgentStatusAnswer>,
): Promise<HttpAnswer> {
  let check = verifySlackRequest(request, options);
  if (!check.ok && check.rejected === "signature" && options.refreshSigningSecret) {
    const fresher = await options.refreshSigningSecret();
    if (fresher !== undefined) check = verifySlackRequest(request, { ...options, signingSecret: fresher });
  }
  if (!check.ok) {
    options.log.warn(
      check.rejected === "size" ? "command refused: body too large" : "command refused: not signed by Slack",
      check.rejected === "size" ? { bytes: check.bytes } : { reason: check.reason },
    );
    return { status: check.status, body: check.body };
  }
  const command = parseCommandBody(request.rawBody);
  if (!command) {
    options.log.warn("command refused: malformed body");
    return { status: 400, body: "malformed command" };
  }
  if (command.command !== AGENT_STATUS_COMMAND)
    return json(200, { response_type: "ephemeral", text: `Unknown command ${command.command}.` });
  return json(200, ephemeralAnswer(await handle(command)));
}
