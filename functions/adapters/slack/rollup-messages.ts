/**
 * Roll-up rendering: the roll-up message, the complete list in its thread, and the grouped replies
 * (reminders, escalation, resolves). Pure, like messages.ts.
 *
 * Every payload stays inside Block Kit's limits (bounds.ts): 50 blocks and about 12,000 characters
 * of block text a message, 3,000 a section. Nothing is cut silently: a list that does not fit one
 * message goes on in the next reply, each saying which part it is, and the roll-up message itself
 * says how many agents it does not list (`…and N more`) and where they are. A name too long for a
 * line is shortened with `…`.
 */
import type { AlertRecord } from "../../domain/alert.js";
import { formatDuration } from "../../domain/duration.js";
import { ROLLUP_TOP_LINES, rollupCounts } from "../../domain/rollup.js";
import { localTimeOfDay } from "../../domain/time.js";
import { blockIdFor } from "./block-id.js";
import {
  ALERT_TEXT_MAX,
  blockTextLength,
  EMAIL_MAX,
  MESSAGE_BLOCK_TEXT_MAX,
  MESSAGE_BLOCKS_MAX,
  MESSAGE_TEXT_MAX,
  mrkdwnValue,
  NAME_MAX,
  RULE_MAX,
  SECTION_TEXT_MAX,
  STATUS_MAX,
  shortenMrkdwn,
} from "./bounds.js";
import { joinWithin, PART_LABEL_MAX, packParts, packSections } from "./list-packing.js";
import { COLORS, formatMention, localTime, secondsBetween, statusLabel } from "./messages.js";

export { MESSAGE_BLOCKS_MAX, SECTION_TEXT_MAX };

export interface RollupText {
  type: "mrkdwn" | "plain_text";
  text: string;
  emoji?: boolean;
}
export type RollupBlock =
  | { type: "section"; text: RollupText }
  | { type: "context"; elements: RollupText[] }
  | {
      type: "actions";
      block_id: string;
      elements: Array<{
        type: "button";
        action_id: string;
        text: RollupText;
        value: string;
        style?: "primary";
      }>;
    };

export interface RollupMessage {
  text: string;
  blocks: RollupBlock[];
  /** The attachment colour bar (messages.ts COLORS), as the per-episode messages show their state. */
  color?: string;
}

/** One reply of a list split over several, and the alerts it names. */
export interface RollupReply {
  message: RollupMessage;
  records: AlertRecord[];
}

export interface RollupRenderOptions {
  /** IANA zone of the contact center: start and end times are shown in it. */
  timezone: string;
  /** The run's instant: live elapsed times are measured to it. */
  nowMs: number;
  /** Show the `Acknowledge all` button (slack.interactive); default true. */
  interactive?: boolean;
}

/** The thread reply after `Acknowledge all`. */
export function renderRollupAcknowledged(by: string, count: number): RollupMessage {
  const text =
    count === 1
      ? `:eyes: <@${by}> acknowledged the one alert still open here: no more reminders.`
      : `:eyes: <@${by}> acknowledged all ${count} alerts still open here: no more reminders.`;
  return { text, blocks: [{ type: "section", text: mrkdwn(text) }] };
}

/** The button a click handler finds the roll-up by: `block_id` is the roll-up's id. */
export const ROLLUP_ACK_ACTION_ID = "rollup.ack";

const mrkdwn = (text: string): RollupText => ({ type: "mrkdwn", text });

function who(record: AlertRecord): string {
  return mrkdwnValue(record.name || record.email, NAME_MAX);
}

function status(record: AlertRecord): string {
  return mrkdwnValue(statusLabel(record.primaryStatus, record.secondaryStatus), STATUS_MAX);
}

/** One agent in the roll-up message: name, status, elapsed, local start (or how long it lasted). */
function topLine(record: AlertRecord, options: RollupRenderOptions): string {
  const zone = options.timezone;
  if (record.state === "resolved") {
    const end = record.endedMs ?? options.nowMs;
    return `• ~${who(record)}~ — ${status(record)} · over after ${formatDuration(secondsBetween(record.sinceMs, end))}`;
  }
  const badge = record.severity === "critical" ? ":rotating_light: " : "";
  const elapsed = formatDuration(secondsBetween(record.sinceMs, options.nowMs));
  return `• ${badge}*${who(record)}* — ${status(record)} · ${elapsed} · since ${localTime(zone, record.sinceMs, options.nowMs)}`;
}

/** One agent in the thread's complete list: everything the per-episode message would name. */
function listLine(record: AlertRecord, options: RollupRenderOptions): string {
  const zone = options.timezone;
  const email = mrkdwnValue(record.email, EMAIL_MAX);
  const rule = mrkdwnValue(record.ruleName, RULE_MAX);
  const since = localTime(zone, record.sinceMs, options.nowMs);
  if (record.state === "resolved") {
    const end = record.endedMs ?? options.nowMs;
    return `• ~${who(record)}~ (${email}) — was ${status(record)} for ${formatDuration(secondsBetween(record.sinceMs, end))}, since ${since} · ${rule}`;
  }
  const elapsed = formatDuration(secondsBetween(record.sinceMs, options.nowMs));
  const critical = record.severity === "critical" ? " · critical" : "";
  return `• *${who(record)}* (${email}) — ${status(record)} for ${elapsed}, since ${since} · ${rule}${critical}`;
}

/** A fallback text naming the agents (as many as fit `max`; the blocks carry every one of them). */
function namesFallback(head: string, records: readonly AlertRecord[], max: number): string {
  const names = records.map(who);
  if (names.length === 0) return shortenMrkdwn(head, max);
  return joinWithin([`${head}: ${names[0]}`, ...names.slice(1)], ", ", max, (n) => `and ${n} more`);
}

/** The headline's state: `37 still firing`, `12 of 37 still firing`, or `all 37 over`. */
export function rollupStateText(members: readonly AlertRecord[]): string {
  const { total, firing } = rollupCounts(members);
  if (firing === 0) return `all ${total} over`;
  if (firing === total) return `${total} still firing`;
  return `${firing} of ${total} still firing`;
}

/** The roll-up message, as it reads now; also what a click handler re-renders after `Acknowledge all`. */
export function renderRollupTop(
  id: string,
  members: readonly AlertRecord[],
  options: RollupRenderOptions,
): RollupMessage {
  const zone = options.timezone;
  const counts = rollupCounts(members);
  const state = rollupStateText(members);
  const over = counts.firing === 0;
  const emoji = over ? ":white_check_mark:" : counts.critical > 0 ? ":rotating_light:" : ":warning:";
  const critical = counts.critical > 0 && !over ? ` · ${counts.critical} critical` : "";
  const rules = counts.byRule.map(([rule, n]) => `${mrkdwnValue(rule, RULE_MAX)}: ${n}`);
  const headline = `${emoji} *${counts.total} agents past their threshold at once* — *${state}*${critical}`;
  const byRule = joinWithin(
    [`*By rule* — ${rules[0] ?? ""}`, ...rules.slice(1)],
    " · ",
    SECTION_TEXT_MAX,
    (n) => `…and ${n} more rules`,
  );
  const footer: RollupBlock = {
    type: "context",
    elements: [
      mrkdwn(
        `One message for ${counts.total} alerts raised together; reminders, escalations and ends follow in the thread · as of ${localTimeOfDay(zone, options.nowMs)} (${zone})`,
      ),
    ],
  };
  const actions: RollupBlock[] =
    (options.interactive ?? true) && !over
      ? [
          {
            type: "actions",
            // A long roll-up id becomes a stable hash: Slack caps block_id at 255 (block-id.ts).
            block_id: blockIdFor(id),
            elements: [
              {
                type: "button",
                action_id: ROLLUP_ACK_ACTION_ID,
                text: { type: "plain_text", text: "Acknowledge all", emoji: true },
                value: blockIdFor(id),
              },
            ],
          },
        ]
      : [];
  const moreNote = (rest: number): RollupBlock => ({
    type: "context",
    elements: [mrkdwn(`…and ${rest} more — the complete list is in the thread`)],
  });

  // The first 40 agents, as many of them as the message's block text has room for.
  const room =
    MESSAGE_BLOCK_TEXT_MAX -
    blockTextLength([{ text: headline }, { text: byRule }, footer, moreNote(members.length), ...actions]);
  const lines: string[] = [];
  let used = 0;
  for (const member of members.slice(0, ROLLUP_TOP_LINES)) {
    const line = shortenMrkdwn(topLine(member, options), SECTION_TEXT_MAX);
    if (used + line.length + 1 > room) break;
    lines.push(line);
    used += line.length + 1;
  }
  const rest = members.length - lines.length;
  const blocks: RollupBlock[] = [
    { type: "section", text: mrkdwn(headline) },
    { type: "section", text: mrkdwn(byRule) },
    ...packSections(lines).map((text): RollupBlock => ({ type: "section", text: mrkdwn(text) })),
    ...(rest > 0 ? [moreNote(rest)] : []),
    footer,
    ...actions,
  ];
  const head = joinWithin(
    [
      `${over ? "Over" : "Alert storm"}: ${counts.total} agents past their threshold at once (${counts.byRule[0] ? `${mrkdwnValue(counts.byRule[0][0], RULE_MAX)} ${counts.byRule[0][1]}` : ""}`,
      ...counts.byRule.slice(1).map(([rule, n]) => `${mrkdwnValue(rule, RULE_MAX)} ${n}`),
    ],
    ", ",
    ALERT_TEXT_MAX / 2,
    (n) => `${n} more rules`,
  );
  const color = over ? COLORS.resolved : counts.critical > 0 ? COLORS.critical : COLORS.warning;
  return {
    text: namesFallback(`${head}) — ${state}`, members.slice(0, lines.length), ALERT_TEXT_MAX),
    blocks,
    color,
  };
}

/**
 * A list of agents as thread replies: a heading, then the lines, split over as many replies as
 * Block Kit needs, every reply saying which part it is and naming its agents in its `text` (which
 * is what a plain-text fallback of the reply sends, so no agent is left out of it either).
 */
function listReplies(
  heading: string,
  records: readonly AlertRecord[],
  lines: string[],
  fallbackHead: string,
): RollupReply[] {
  const title = shortenMrkdwn(heading, SECTION_TEXT_MAX - PART_LABEL_MAX);
  const parts = packParts(
    lines,
    MESSAGE_BLOCK_TEXT_MAX - title.length - PART_LABEL_MAX,
    MESSAGE_BLOCKS_MAX - 1,
  );
  const messages: RollupReply[] = [];
  let line = 0;
  for (const [index, part] of parts.entries()) {
    const named = records.slice(line, line + part.lines);
    line += part.lines;
    const of = parts.length > 1 ? ` (part ${index + 1} of ${parts.length})` : "";
    messages.push({
      message: {
        text: namesFallback(`${fallbackHead}${of}`, named, MESSAGE_TEXT_MAX),
        blocks: [
          { type: "section", text: mrkdwn(`${title}${of}`) },
          ...part.sections.map((text): RollupBlock => ({ type: "section", text: mrkdwn(text) })),
        ],
      },
      records: named,
    });
  }
  return messages;
}

/** The thread's complete list (for a roll-up just posted, or the members it still lacks). */
export function renderRollupList(
  members: readonly AlertRecord[],
  all: readonly AlertRecord[],
  options: RollupRenderOptions,
): RollupReply[] {
  const heading =
    members.length === all.length
      ? `*All ${all.length} agents in this roll-up*`
      : `*${members.length} more of the ${all.length} agents in this roll-up*`;
  return listReplies(
    heading,
    members,
    members.map((r) => listLine(r, options)),
    `Agents in this roll-up (${members.length} of ${all.length})`,
  );
}

export type RollupReplyKind = "remind" | "escalate" | "resolve";

/** One grouped reply for the run (more than one only when Block Kit needs it). */
export function renderRollupReply(
  kind: RollupReplyKind,
  records: readonly AlertRecord[],
  all: readonly AlertRecord[],
  options: RollupRenderOptions,
): RollupReply[] {
  const zone = options.timezone;
  const n = records.length;
  const agents = `${n} agent${n === 1 ? "" : "s"}`;
  let heading: string;
  let lines: string[];
  switch (kind) {
    case "remind":
      heading = `:hourglass_flowing_sand: *Still going: ${agents}*`;
      lines = records.map(
        (r) =>
          `• *${who(r)}* — still ${status(r)}, for ${formatDuration(secondsBetween(r.sinceMs, options.nowMs))} now`,
      );
      break;
    case "escalate": {
      const mentions = [
        ...new Set(
          records.flatMap((r) =>
            // An acknowledged alert escalates without the supervisor mention (someone is on it).
            r.escalationMention && r.acknowledgedBy === undefined ? [formatMention(r.escalationMention)] : [],
          ),
        ),
      ];
      heading = `:rotating_light: *Now CRITICAL: ${agents}*${mentions.length > 0 ? ` ${mentions.join(" ")}` : ""}`;
      lines = records.map((r) => {
        const at =
          r.criticalSeconds === undefined ? "" : ` (critical at ${formatDuration(r.criticalSeconds)})`;
        return `• *${who(r)}* — ${status(r)} for ${formatDuration(secondsBetween(r.sinceMs, options.nowMs))}${at}`;
      });
      break;
    }
    case "resolve":
      heading = `:white_check_mark: *Over: ${agents}* — ${rollupStateText(all)}`;
      lines = records.map((r) => {
        const end = r.endedMs ?? options.nowMs;
        return `• *${who(r)}* — no longer ${status(r)}, after ${formatDuration(secondsBetween(r.sinceMs, end))} (ended ${localTime(zone, end, end)})`;
      });
      break;
  }
  const head = { remind: "Still going", escalate: "Now CRITICAL", resolve: "Over" }[kind];
  return listReplies(heading, records, lines, `${head}: ${agents}`);
}
