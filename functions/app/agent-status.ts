/**
 * `/agent-status [TEXT]`: the board of the channel the command is typed in (or of the default
 * channel) as the last run left it, narrowed to agents whose name or e-mail contains TEXT. Read from
 * the board's state alone (one read, never SmartAssist), so the answer comes well within Slack's 3 s.
 */
import { type BoardModel, boardModel } from "../domain/board.js";
import type { BoardStore } from "../ports.js";

export interface AgentStatusCommand {
  /** The channel it was typed in. */
  channelId: string;
  /** What follows the command: a filter, or empty. */
  text: string;
}

export type AgentStatusAnswer =
  | { kind: "board"; model: BoardModel }
  | { kind: "none"; channel: string | undefined };

export async function agentStatus(
  deps: { store: BoardStore; defaultChannel: string | undefined },
  command: AgentStatusCommand,
): Promise<AgentStatusAnswer> {
  const channels = [command.channelId, deps.defaultChannel].filter((c): c is string => !!c);
  const boards = await deps.store.loadBoards([...new Set(channels)]);
  // The channel's own board first, else the default one's.
  const board = channels.map((c) => boards.find((b) => b.channel === c)).find((b) => b?.snapshot);
  if (!board?.snapshot) return { kind: "none", channel: deps.defaultChannel };
  const filter = command.text.trim();
  return { kind: "board", model: boardModel(board.snapshot, filter === "" ? undefined : filter) };
}
