/**
 * Slack message rendering: Block Kit blocks plus the plain `text` fallback, for each Slack action.
 * Pure (no SDK import, no clock read): the notifier decides what to send, this decides how it reads.
 * The fallback `text` matters on its own: it is what notifications, screen readers and search show.
 * Every value from outside is shortened to fit Block Kit's limits (bounds.ts) before it is rendered.
 */
import { ACTION_IDS, disposition, SNOOZE_OPTIONS } from "../../domain/actions.js";
import type { AlertRecord } from "../../domain/alert.js";
import type { SlackActionKind } from "../../domain/delivery.js";
import { formatDuration } from "../../domain/duration.js";
import { localDate, localDateTime, localTimeOfDay } from "../../domain/time.js";
import { blockIdFor } from "./block-id.js";
import type { ActionsBlock, MessageBlock, TextObject } from "./block-kit.js";
import {
  ALERT_TEXT_MAX,
  CONFIRM_TEXT_MAX,
  EMAIL_MAX,
  escapeMrkdwn,
  mrkdwnValue,
  NAME_MAX,
  RULE_MAX,
  STATUS_MAX,
  shortenMrkdwn,
} from "./bounds.js";

export type {
  ActionsBlock,
  ButtonElement,
  ContextBlock,
  MessageBlock,
  SectionBlock,
  StaticSelectElement,
  TextObject,
} from "./block-kit.js";
export { escapeMrkdwn };

export interface SlackMessage {
  text: string;
  blocks: MessageBlock[];
  /**
   * The alert's colour (warning amber, critical red, acknowledged/snoozed/excused grey, resolved
   * green): the notifier sends the blocks in an attachment with this colour bar.
   */
  color?: string;
}

/** Attachment colours: the state at a glance, as on-call apps show it. */
export const COLORS = {
  warning: "#F2A900",
  critical: "#D40E0D",
  quiet: "#9E9E9E",
  resolved: "#2EB67D",
} as const;

export interface RenderOptions {
  /** IANA zone of the contact center: start and end times are shown in it. */
  timezone: string;
  /** The instant a live alert's elapsed time is measured to; defaults to `record.lastNotifiedMs`. */
  nowMs?: number;
  /** Slack mention of the agent (`<@U0123>`), when agents are mentioned and the lookup found one. */
  agentMention?: string;
  /** Acknowledge / Snooze / Excuse on live alerts (`slack.interactive`); default true. */
  interactive?: boolean;
}

export type ThreadReplyKind = "escalate" | "remind" | "resolve" | "acted";

/** What one action sends: the top message's new form (posted or updated) and/or a thread reply. */
export interface RenderedAction {
  top?: SlackMessage;
  reply?: SlackMessage;
}

const EMOJI = {
  warning: ":warning:",
  critical: ":rotating_light:",
  resolved: ":white_check_mark:",
  reminder: ":hourglass_flowing_sand:",
  acknowledged: ":eyes:",
  snoozed: ":sleeping:",
  excused: ":ballot_box_with_check:",
  nudge: ":wave:",
} as const;

/** `AWAY / LUNCH`, or just `BUSY` when the secondary status repeats the primary (or is empty). */
export function statusLabel(primary: string, secondary: string): string {
  const p = primary.trim();
  const s = secondary.trim();
  if (s === "" || s.toUpperCase() === p.toUpperCase()) return p.toUpperCase();
  if (p === "") return s.toUpperCase();
  return `${p.toUpperCase()} / ${s.toUpperCase()}`;
}

/**
 * A configured escalation mention as Slack markup. The config normally holds markup already
 * (`<!subteam^S0123>`); bare ids and `@here`-style words are accepted too, so a typo'd config still pings.
 */
export function formatMention(mention: string): string {
  const m = mention.trim();
  if (m.startsWith("<") && m.endsWith(">")) return m;
  if (/^S[A-Z0-9]{6,}$/.test(m)) return `<!subteam^${m}>`;
  if (/^[UW][A-Z0-9]{6,}$/.test(m)) return `<@${m}>`;
  const special = /^@?(here|channel|everyone)$/i.exec(m);
  if (special?.[1]) return `<!${special[1].toLowerCase()}>`;
  return escapeMrkdwn(m);
}

/** Elapsed seconds from `fromMs` to `toMs`, clamped at zero (a skewed start in the future reads as 0s). */
export function secondsBetween(fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor((toMs - fromMs) / 1000));
}

/** Local time of day, or date and time when it is not on `referenceMs`'s local date (an episode over midnight). */
export function localTime(zone: string, instantMs: number, referenceMs: number): string {
  return localDate(zone, instantMs) === localDate(zone, referenceMs)
    ? localTimeOfDay(zone, instantMs)
    : localDateTime(zone, instantMs);
}

function nowOf(record: AlertRecord, options: RenderOptions): number {
  return options.nowMs ?? record.lastNotifiedMs;
}

function thresholdText(record: AlertRecord): string {
  const critical = record.criticalSeconds;
  return critical === undefined
    ? formatDuration(record.thresholdSeconds)
    : `${formatDuration(record.thresholdSeconds)}, critical ${formatDuration(critical)}`;
}

function mrkdwn(text: string): TextObject {
  return { type: "mrkdwn", text };
}

/** The record's names and status as mrkdwn, each shortened to what a message shows of it. */
function shown(record: AlertRecord): { name: string; email: string; rule: string; status: string } {
  return {
    name: mrkdwnValue(record.name, NAME_MAX),
    email: mrkdwnValue(record.email, EMAIL_MAX),
    rule: mrkdwnValue(record.ruleName, RULE_MAX),
    status: mrkdwnValue(statusLabel(record.primaryStatus, record.secondaryStatus), STATUS_MAX),
  };
}

/** The live top message: warning or critical, with elapsed time as of `nowMs`. */
function liveTopMessage(record: AlertRecord, options: RenderOptions): SlackMessage {
  const zone = options.timezone;
  const now = nowOf(record, options);
  const critical = record.severity === "critical";
  const { name, email, rule, status } = shown(record);
  const elapsed = formatDuration(secondsBetween(record.sinceMs, now));
  const since = localTime(zone, record.sinceMs, now);
  const mention = options.agentMention ? ` ${options.agentMention}` : "";
  const badge = critical ? `${EMOJI.critical} CRITICAL` : EMOJI.warning;

  const text =
    `${badge} ${rule}: ${name}${mention} (${email}) is ${status} for ${elapsed}, ` +
    `since ${since} (${zone}); threshold ${thresholdText(record)}`;

  const headline = critical
    ? `${EMOJI.critical} *CRITICAL · ${rule}*: *${name}*${mention} is *${status}* for *${elapsed}*`
    : `${EMOJI.warning} *${rule}*: *${name}*${mention} is *${status}* for *${elapsed}*`;
  const blocks: MessageBlock[] = [
    { type: "section", text: mrkdwn(headline) },
    {
      type: "section",
      fields: [
        mrkdwn(`*Agent*\n${name}\n${email}`),
        mrkdwn(`*Status*\n${status}`),
        mrkdwn(`*Since*\n${since} (${zone})`),
        mrkdwn(`*Threshold*\n${thresholdText(record)}`),
      ],
    },
    {
      type: "context",
      elements: [mrkdwn(`Rule *${rule}* · severity ${record.severity} · as of ${localTimeOfDay(zone, now)}`)],
    },
  ];
  const said = actionLine(record, zone, now);
  if (said) blocks.push({ type: "context", elements: [mrkdwn(said)] });
  const actions = options.interactive === false ? undefined : actionsBlock(record, now);
  if (actions) blocks.push(actions);
  const d = disposition(record, now);
  const quiet = d.kind === "excused" || d.kind === "acknowledged" || (d.kind === "snoozed" && d.active);
  const color = quiet ? COLORS.quiet : critical ? COLORS.critical : COLORS.warning;
  const full = said ? `${text}. ${stripEmoji(said)}` : text;
  return { text: shortenMrkdwn(full, ALERT_TEXT_MAX), blocks, color };
}

function stripEmoji(text: string): string {
  return text.replace(/^:[a-z_]+: /, "");
}

/** Who did what from Slack, as the top message shows it: the latest action (an excuse is final). */
export function actionLine(record: AlertRecord, zone: string, nowMs: number): string | undefined {
  const d = disposition(record, nowMs);
  switch (d.kind) {
    case "acknowledged":
      return `${EMOJI.acknowledged} Acknowledged by <@${d.by}> at ${localTime(zone, d.atMs, nowMs)}`;
    case "snoozed":
      return d.active
        ? `${EMOJI.snoozed} Snoozed by <@${d.by}> until ${localTime(zone, d.untilMs, nowMs)}`
        : `${EMOJI.snoozed} Snoozed by <@${d.by}> until ${localTime(zone, d.untilMs, nowMs)} (over)`;
    case "excused":
      return `${EMOJI.excused} Excused by <@${d.by}>${record.excusedMs === undefined ? "" : ` at ${localTime(zone, record.excusedMs, nowMs)}`}`;
    case "none":
      return undefined;
  }
}

/** Acknowledge / Snooze… / Excuse, without what no longer applies; none once excused (that is final). */
function actionsBlock(record: AlertRecord, nowMs: number): ActionsBlock | undefined {
  const d = disposition(record, nowMs);
  if (d.kind === "excused") return undefined;
  const elements: ActionsBlock["elements"] = [];
  if (d.kind !== "acknowledged") {
    elements.push({
      type: "button",
      action_id: ACTION_IDS.acknowledge,
      text: { type: "plain_text", text: "Acknowledge", emoji: true },
      value: "ack",
      style: "primary",
    });
  }
  elements.push({
    type: "static_select",
    action_id: ACTION_IDS.snooze,
    placeholder: { type: "plain_text", text: "Snooze…" },
    options: SNOOZE_OPTIONS.map((value) => ({ text: { type: "plain_text", text: value }, value })),
  });
  elements.push({
    type: "button",
    action_id: ACTION_IDS.excuse,
    text: { type: "plain_text", text: "Excuse", emoji: true },
    value: "excuse",
    confirm: {
      title: { type: "plain_text", text: "Excuse this episode?" },
      text: mrkdwn(excuseConfirmText(record)),
      confirm: { type: "plain_text", text: "Excuse" },
      deny: { type: "plain_text", text: "Cancel" },
    },
  });
  // A long alert id becomes a stable hash: Slack caps block_id at 255 (block-id.ts).
  return { type: "actions", block_id: blockIdFor(record.id), elements };
}

const EXCUSE_CONFIRM =
  " is approved (a coaching session, an approved break): no more reminders or escalation for this episode.";

/** The Excuse dialog's text, within its 300 characters: the status keeps its share, the name the rest. */
function excuseConfirmText(record: AlertRecord): string {
  const room = CONFIRM_TEXT_MAX - EXCUSE_CONFIRM.length - "'s ".length;
  const status = mrkdwnValue(
    statusLabel(record.primaryStatus, record.secondaryStatus),
    Math.min(STATUS_MAX, Math.floor(room / 2)),
  );
  const name = mrkdwnValue(record.name, Math.min(NAME_MAX, room - status.length));
  return `${name}'s ${status}${EXCUSE_CONFIRM}`;
}

/** The ended form of the top message: what it was, for how long, from when to when. */
function resolvedTopMessage(record: AlertRecord, options: RenderOptions): SlackMessage {
  const zone = options.timezone;
  const end = record.endedMs ?? nowOf(record, options);
  const { name, email, rule, status } = shown(record);
  const lasted = formatDuration(secondsBetween(record.sinceMs, end));
  const range = `${localTime(zone, record.sinceMs, end)}–${localTimeOfDay(zone, end)}`;
  const wasCritical = record.severity === "critical" ? ", reached critical" : "";

  const text =
    `${EMOJI.resolved} Resolved — ${name} (${email}) was ${status} for ${lasted} (${range}); ` +
    `rule ${rule}, threshold ${thresholdText(record)}${wasCritical}`;
  const blocks: MessageBlock[] = [
    {
      type: "section",
      text: mrkdwn(`${EMOJI.resolved} *Resolved* — *${name}* was *${status}* for *${lasted}* (${range})`),
    },
    {
      type: "context",
      elements: [
        mrkdwn(`${email} · rule *${rule}* · threshold ${thresholdText(record)}${wasCritical} · ${zone}`),
      ],
    },
  ];
  const said = actionLine(record, zone, end);
  if (said) blocks.push({ type: "context", elements: [mrkdwn(said)] });
  return { text: shortenMrkdwn(text, ALERT_TEXT_MAX), blocks, color: COLORS.resolved };
}

/** The top message in the record's current form: resolved, critical or warning. */
export function renderTopMessage(record: AlertRecord, options: RenderOptions): SlackMessage {
  return record.state === "resolved" ? resolvedTopMessage(record, options) : liveTopMessage(record, options);
}

/** A short reply in the alert's thread. */
export function renderThreadReply(
  kind: ThreadReplyKind,
  record: AlertRecord,
  options: RenderOptions,
): SlackMessage {
  const zone = options.timezone;
  const { name, status } = shown(record);
  let text: string;
  switch (kind) {
    case "remind": {
      const elapsed = formatDuration(secondsBetween(record.sinceMs, nowOf(record, options)));
      text = `${EMOJI.reminder} ${name} is still ${status}, for ${elapsed} now.`;
      break;
    }
    case "escalate": {
      const elapsed = formatDuration(secondsBetween(record.sinceMs, nowOf(record, options)));
      const at =
        record.criticalSeconds === undefined
          ? ""
          : ` (critical at ${formatDuration(record.criticalSeconds)})`;
      // Someone acknowledged it: the severity still shows, but the supervisors are not paged.
      const mention =
        record.escalationMention && record.acknowledgedBy === undefined
          ? ` ${formatMention(record.escalationMention)}`
          : "";
      text = `${EMOJI.critical} Now CRITICAL: ${name} has been ${status} for ${elapsed}${at}.${mention}`;
      break;
    }
    case "resolve": {
      const end = record.endedMs ?? nowOf(record, options);
      const lasted = formatDuration(secondsBetween(record.sinceMs, end));
      text = `${EMOJI.resolved} Over: ${name} is no longer ${status}, after ${lasted} (ended ${localTime(zone, end, end)}).`;
      break;
    }
    case "acted": {
      const now = nowOf(record, options);
      text = actionReply(record, zone, now);
      break;
    }
  }
  text = shortenMrkdwn(text, ALERT_TEXT_MAX);
  return { text, blocks: [{ type: "section", text: mrkdwn(text) }] };
}

/** The thread reply that records a Slack action. */
function actionReply(record: AlertRecord, zone: string, nowMs: number): string {
  switch (record.actionPending) {
    case "acknowledged":
      return `${EMOJI.acknowledged} <@${record.acknowledgedBy ?? "?"}> acknowledged this at ${localTime(zone, record.acknowledgedMs ?? nowMs, nowMs)}: no more reminders.`;
    case "snoozed":
      return `${EMOJI.snoozed} <@${record.snoozedBy ?? "?"}> snoozed this until ${localTime(zone, record.snoozedUntilMs ?? nowMs, nowMs)}.`;
    case "excused":
      return `${EMOJI.excused} <@${record.excusedBy ?? "?"}> excused this episode: no more reminders or escalation.`;
    default:
      return actionLine(record, zone, nowMs) ?? "";
  }
}

/** The direct message that nudges the agent before any supervisor is told. */
export function renderNudge(record: AlertRecord, options: RenderOptions): SlackMessage {
  const zone = options.timezone;
  const now = nowOf(record, options);
  const { name, status } = shown(record);
  const elapsed = formatDuration(secondsBetween(record.sinceMs, now));
  const since = localTime(zone, record.sinceMs, now);
  const text =
    `${EMOJI.nudge} Hi ${name} — SmartAssist shows you as *${status}* for ${elapsed} (since ${since}). ` +
    "If you're back, please switch your status in SmartAssist. If this is expected, no action is needed.";
  return { text, blocks: [{ type: "section", text: mrkdwn(text) }] };
}

/**
 * Whether renderSlackAction's answer for this action has a `reply` (a thread reply, or a nudge's
 * direct message): a counter of messages (counting-notifier.ts) asks this instead of rendering them.
 */
export function hasReply(kind: SlackActionKind, record: AlertRecord): boolean {
  switch (kind) {
    case "post":
      return false;
    case "resolve":
      // An excused episode ends quietly: the message shows it, the thread is not pinged.
      return record.excusedBy === undefined;
    case "remind":
    case "escalate":
    case "acted":
    case "nudge":
      return true;
  }
}

/**
 * Everything one action sends. `post` of an already resolved record (never delivered before) is a
 * single top-level message in the resolved form.
 */
export function renderSlackAction(
  kind: SlackActionKind,
  record: AlertRecord,
  options: RenderOptions,
): RenderedAction {
  switch (kind) {
    case "post":
      return { top: renderTopMessage(record, options) };
    case "remind":
      return { reply: renderThreadReply("remind", record, options) };
    case "escalate":
      // The top message shows critical even if the record somehow is not (the action says it turned critical).
      return {
        top: renderTopMessage({ ...record, severity: "critical" }, options),
        reply: renderThreadReply("escalate", record, options),
      };
    case "resolve": {
      const top = renderTopMessage({ ...record, state: "resolved" }, options);
      return hasReply("resolve", record)
        ? { top, reply: renderThreadReply("resolve", record, options) }
        : { top };
    }
    case "acted":
      return { top: renderTopMessage(record, options), reply: renderThreadReply("acted", record, options) };
    case "nudge":
      return { reply: renderNudge(record, options) };
  }
}
