/**
 * Roll-up rendering: the roll-up message, the complete list in its thread, and the grouped replies
 * (reminders, escalation, resolves). Pure, like messages.ts.
 *
 * Every payload stays inside Block Kit's limits (50 blocks a message, 3,000 characters a section
 * text): lists are split over sections and, past a reply's share, over several replies. Nothing is
 * cut silently: a list that does not fit one message goes on in the next, and the roll-up message
 * itself says how many agents it does not list (`…and N more`) and where they are.
 */
import type { AlertRecord } from "../../domain/alert.js";
import { formatDuration } from "../../domain/duration.js";
import { ROLLUP_TOP_LINES, rollupCounts } from "../../domain/rollup.js";
import { localTimeOfDay } from "../../domain/time.js";
import { COLORS, escapeMrkdwn, formatMention, localTime, secondsBetween, statusLabel } from "./messages.js";

/** Block Kit: a section's text holds at most 3,000 characters. */
export const SECTION_TEXT_MAX = 3_000;
/** Block Kit: a message holds at most 50 blocks. */
export const MESSAGE_BLOCKS_MAX = 50;
/**
 * Sections per thread reply, well under the 50-block limit: keeps each message around 30,000
 * characters, so a reply stays readable and far from Slack's overall message size limit.
 */
export const SECTIONS_PER_REPLY = 10;
/** The fallback `text` is what notifications show; Slack truncates it past 40,000 characters. */
const FALLBACK_TEXT_MAX = 3_000;
/** A single name longer than this is shortened (visibly, with `…`) so one line always fits a section. */
const FIELD_MAX = 300;

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

function clip(raw: string): string {
  // One agent, one line: a newline inside a name must not break a list apart.
  const text = raw.replace(/\s+/g, " ");
  return text.length <= FIELD_MAX ? text : `${text.slice(0, FIELD_MAX - 1)}…`;
}

function who(record: AlertRecord): string {
  return escapeMrkdwn(clip(record.name || record.email));
}

function status(record: AlertRecord): string {
  return escapeMrkdwn(clip(statusLabel(record.primaryStatus, record.secondaryStatus)));
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
  const email = escapeMrkdwn(clip(record.email));
  const rule = escapeMrkdwn(clip(record.ruleName));
  const since = localTime(zone, record.sinceMs, options.nowMs);
  if (record.state === "resolved") {
    const end = record.endedMs ?? options.nowMs;
    return `• ~${who(record)}~ (${email}) — was ${status(record)} for ${formatDuration(secondsBetween(record.sinceMs, end))}, since ${since} · ${rule}`;
  }
  const elapsed = formatDuration(secondsBetween(record.sinceMs, options.nowMs));
  const critical = record.severity === "critical" ? " · critical" : "";
  return `• *${who(record)}* (${email}) — ${status(record)} for ${elapsed}, since ${since} · ${rule}${critical}`;
}

/** Lines packed into section texts of at most SECTION_TEXT_MAX characters, in order. */
export function packSections(lines: readonly string[], max = SECTION_TEXT_MAX): string[] {
  const sections: string[] = [];
  let current = "";
  for (const raw of lines) {
    const line = raw.length <= max ? raw : `${raw.slice(0, max - 1)}…`;
    if (current === "") current = line;
    else if (current.length + 1 + line.length <= max) current += `\n${line}`;
    else {
      sections.push(current);
      current = line;
    }
  }
  if (current !== "") sections.push(current);
  return sections;
}

/** A fallback text naming as many agents as fit (the blocks carry every one of them). */
function namesFallback(head: string, records: readonly AlertRecord[]): string {
  let text = head;
  let named = 0;
  for (const r of records) {
    const name = clip(r.name || r.email);
    const next = `${text}${named === 0 ? ": " : ", "}${name}`;
    if (next.length > FALLBACK_TEXT_MAX - 20) break;
    text = next;
    named++;
  }
  return named < records.length
    ? `${text}${named === 0 ? "" : ","} and ${records.length - named} more`
    : text;
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
  const perRule = counts.byRule.map(([rule, n]) => `${escapeMrkdwn(clip(rule))}: ${n}`);
  const headline = `${emoji} *${counts.total} agents past their threshold at once* — *${state}*${critical}`;

  const shown = members.slice(0, ROLLUP_TOP_LINES);
  const blocks: RollupBlock[] = [
    { type: "section", text: mrkdwn(headline) },
    ...packSections([`*By rule* — ${perRule.join(" · ")}`]).map(
      (text): RollupBlock => ({ type: "section", text: mrkdwn(text) }),
    ),
    ...packSections(shown.map((r) => topLine(r, options))).map(
      (text): RollupBlock => ({ type: "section", text: mrkdwn(text) }),
    ),
  ];
  const rest = members.length - shown.length;
  if (rest > 0)
    blocks.push({
      type: "context",
      elements: [mrkdwn(`…and ${rest} more — the complete list is in the thread`)],
    });
  blocks.push({
    type: "context",
    elements: [
      mrkdwn(
        `One message for ${counts.total} alerts raised together; reminders, escalations and ends follow in the thread · as of ${localTimeOfDay(zone, options.nowMs)} (${zone})`,
      ),
    ],
  });
  if ((options.interactive ?? true) && !over)
    blocks.push({
      type: "actions",
      block_id: id,
      elements: [
        {
          type: "button",
          action_id: ROLLUP_ACK_ACTION_ID,
          text: { type: "plain_text", text: "Acknowledge all", emoji: true },
          value: id,
        },
      ],
    });
  const head = `${over ? "Over" : "Alert storm"}: ${counts.total} agents past their threshold at once (${counts.byRule
    .map(([rule, n]) => `${rule} ${n}`)
    .join(", ")}) — ${state}`;
  const color = over ? COLORS.resolved : counts.critical > 0 ? COLORS.critical : COLORS.warning;
  return { text: namesFallback(head, shown), blocks: capBlocks(blocks), color };
}

/** Never over 50 blocks (not reachable with 40 lines and a few rules, but a bound is a bound). */
function capBlocks(blocks: RollupBlock[]): RollupBlock[] {
  if (blocks.length <= MESSAGE_BLOCKS_MAX) return blocks;
  const tail = blocks.slice(-2);
  return [...blocks.slice(0, MESSAGE_BLOCKS_MAX - 3), { type: "context", elements: [mrkdwn("…")] }, ...tail];
}

/**
 * A list of agents as thread replies: a heading, then the lines, split over as many replies as
 * Block Kit needs (SECTIONS_PER_REPLY sections each), every reply saying which part it is.
 */
function listReplies(
  heading: string,
  records: readonly AlertRecord[],
  lines: string[],
  fallbackHead: string,
): RollupReply[] {
  const sections = packSections(lines);
  const parts: string[][] = [];
  for (let i = 0; i < sections.length; i += SECTIONS_PER_REPLY)
    parts.push(sections.slice(i, i + SECTIONS_PER_REPLY));
  // Which records each part names, for its fallback text.
  const messages: RollupReply[] = [];
  let line = 0;
  for (const [index, part] of parts.entries()) {
    const count = part.reduce((n, text) => n + text.split("\n").length, 0);
    const named = records.slice(line, line + count);
    line += count;
    const of = parts.length > 1 ? ` (part ${index + 1} of ${parts.length})` : "";
    messages.push({
      message: {
        text: namesFallback(`${fallbackHead}${of}`, named),
        blocks: [
          { type: "section", text: mrkdwn(`${heading}${of}`) },
          ...part.map((text): RollupBlock => ({ type: "section", text: mrkdwn(text) })),
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
