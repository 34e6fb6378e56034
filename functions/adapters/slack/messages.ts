/**
 * Slack message rendering: Block Kit blocks plus the plain `text` fallback, for each Slack action.
 * Pure (no SDK import, no clock read): the notifier decides what to send, this decides how it reads.
 * The fallback `text` matters on its own: it is what notifications, screen readers and search show.
 */
import type { AlertRecord } from "../../domain/alert.js";
import type { SlackActionKind } from "../../domain/delivery.js";
import { formatDuration } from "../../domain/duration.js";
import { localDate, localDateTime, localTimeOfDay } from "../../domain/time.js";

/** Minimal Block Kit shapes: only what these messages use (kept local so this module stays SDK-free). */
export interface TextObject {
  type: "mrkdwn" | "plain_text";
  text: string;
}
export interface SectionBlock {
  type: "section";
  text?: TextObject;
  fields?: TextObject[];
}
export interface ContextBlock {
  type: "context";
  elements: TextObject[];
}
export type MessageBlock = SectionBlock | ContextBlock;

export interface SlackMessage {
  text: string;
  blocks: MessageBlock[];
}

export interface RenderOptions {
  /** IANA zone of the contact center: start and end times are shown in it. */
  timezone: string;
  /** The instant a live alert's elapsed time is measured to; defaults to `record.lastNotifiedMs`. */
  nowMs?: number;
  /** Slack mention of the agent (`<@U0123>`), when agents are mentioned and the lookup found one. */
  agentMention?: string;
}

export type ThreadReplyKind = "escalate" | "remind" | "resolve";

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
} as const;

/** Slack's mrkdwn treats `&`, `<` and `>` as markup: names and statuses are data, so escape them. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

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
function secondsBetween(fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor((toMs - fromMs) / 1000));
}

/** Local time of day, or date and time when it is not on `referenceMs`'s local date (an episode over midnight). */
function localTime(zone: string, instantMs: number, referenceMs: number): string {
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

/** The live top message: warning or critical, with elapsed time as of `nowMs`. */
function liveTopMessage(record: AlertRecord, options: RenderOptions): SlackMessage {
  const zone = options.timezone;
  const now = nowOf(record, options);
  const critical = record.severity === "critical";
  const name = escapeMrkdwn(record.name);
  const email = escapeMrkdwn(record.email);
  const rule = escapeMrkdwn(record.ruleName);
  const status = escapeMrkdwn(statusLabel(record.primaryStatus, record.secondaryStatus));
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
  return { text, blocks };
}

/** The ended form of the top message: what it was, for how long, from when to when. */
function resolvedTopMessage(record: AlertRecord, options: RenderOptions): SlackMessage {
  const zone = options.timezone;
  const end = record.endedMs ?? nowOf(record, options);
  const name = escapeMrkdwn(record.name);
  const email = escapeMrkdwn(record.email);
  const rule = escapeMrkdwn(record.ruleName);
  const status = escapeMrkdwn(statusLabel(record.primaryStatus, record.secondaryStatus));
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
  return { text, blocks };
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
  const name = escapeMrkdwn(record.name);
  const status = escapeMrkdwn(statusLabel(record.primaryStatus, record.secondaryStatus));
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
      const mention = record.escalationMention ? ` ${formatMention(record.escalationMention)}` : "";
      text = `${EMOJI.critical} Now CRITICAL: ${name} has been ${status} for ${elapsed}${at}.${mention}`;
      break;
    }
    case "resolve": {
      const end = record.endedMs ?? nowOf(record, options);
      const lasted = formatDuration(secondsBetween(record.sinceMs, end));
      text = `${EMOJI.resolved} Over: ${name} is no longer ${status}, after ${lasted} (ended ${localTime(zone, end, end)}).`;
      break;
    }
  }
  return { text, blocks: [{ type: "section", text: mrkdwn(text) }] };
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
    case "resolve":
      return {
        top: renderTopMessage({ ...record, state: "resolved" }, options),
        reply: renderThreadReply("resolve", record, options),
      };
  }
}
