/**
 * The board as a Slack message (DESIGN.md, "The board"): the `text` line the model gives, then the
 * stuck lines (at most 30, then `…and N more`), who is coming up, and the status mix, in Block Kit
 * within the limits of bounds.ts (a section at most SECTION_TEXT_MAX, 50 blocks, ~12,000 characters
 * of block text). The same rendering answers `/agent-status`. Pure.
 */
import type { BoardModel, ComingUpLine, StuckLine } from "../../domain/board.js";
import { formatDuration } from "../../domain/duration.js";
import type { MessageBlock } from "./block-kit.js";
import {
  CONTEXT_TEXT_MAX,
  EMAIL_MAX,
  MESSAGE_TEXT_MAX,
  mrkdwnValue,
  NAME_MAX,
  RULE_MAX,
  STATUS_MAX,
  shortenMrkdwn,
} from "./bounds.js";
import { packSections } from "./list-packing.js";
import type { OutgoingMessage } from "./message-payload.js";
import { statusLabel } from "./messages.js";

const SEVERITY_ICON = { warning: ":large_orange_circle:", critical: ":red_circle:" } as const;
const MARK_ICON = {
  acknowledged: " :eyes:",
  snoozed: " :sleeping:",
  excused: " :ballot_box_with_check:",
} as const;

export function stuckLineText(line: StuckLine): string {
  const name = mrkdwnValue(line.name || line.email, NAME_MAX);
  const status = mrkdwnValue(statusLabel(line.primaryStatus, line.secondaryStatus), STATUS_MAX);
  const over = line.overdueSeconds > 0 ? ` (${formatDuration(line.overdueSeconds)} over)` : "";
  const mark = line.mark ? MARK_ICON[line.mark] : "";
  return `${SEVERITY_ICON[line.severity]} *${name}* · ${status} · ${formatDuration(line.elapsedSeconds)}${over} · ${mrkdwnValue(line.rule, RULE_MAX)}${mark}`;
}

export function comingUpText(line: ComingUpLine): string {
  const name = mrkdwnValue(line.name || line.email, NAME_MAX);
  const status = mrkdwnValue(statusLabel(line.primaryStatus, line.secondaryStatus), STATUS_MAX);
  const when = line.inMinutes <= 0 ? "due now" : `due in ${line.inMinutes} min`;
  return `:hourglass_flowing_sand: *${name}* · ${status} · ${when}`;
}

const context = (text: string): MessageBlock => ({
  type: "context",
  elements: [{ type: "mrkdwn", text: shortenMrkdwn(text, CONTEXT_TEXT_MAX) }],
});
const section = (text: string): MessageBlock => ({ type: "section", text: { type: "mrkdwn", text } });

/** The board message: its `text` is the model's line exactly (the notification and the fallback). */
export function renderBoard(model: BoardModel): OutgoingMessage {
  const blocks: MessageBlock[] = [section(`*${mrkdwnValue(model.text, MESSAGE_TEXT_MAX)}*`)];
  if (model.filter !== undefined)
    blocks.push(
      context(`Only agents whose name or e-mail contains “${mrkdwnValue(model.filter, EMAIL_MAX)}”`),
    );
  if (model.lines.length > 0)
    for (const text of packSections(model.lines.map(stuckLineText))) blocks.push(section(text));
  if (model.more > 0) blocks.push(context(`…and ${model.more} more`));
  if (model.comingUp.length > 0) {
    blocks.push(section("*Coming up*"));
    for (const text of packSections(model.comingUp.map(comingUpText))) blocks.push(section(text));
    if (model.comingUpMore > 0) blocks.push(context(`…and ${model.comingUpMore} more`));
  }
  blocks.push(context(model.mix));
  return { text: model.text, blocks };
}
