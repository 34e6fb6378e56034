/**
 * The shift digest as a Slack message: Block Kit with a plain `text` fallback. Pure. Names, e-mails
 * and rules are shortened to fit (bounds.ts), and a list too long for its section says how many it
 * leaves out, so the digest is never refused for one long name.
 */
import type { HeaderBlock, KnownBlock } from "@slack/web-api";
import type { ChannelDigest, DayReport } from "../../domain/digest.js";
import { weekdayOf } from "../../domain/local-date.js";
import {
  ALERT_TEXT_MAX,
  CONTEXT_TEXT_MAX,
  EMAIL_MAX,
  HEADER_TEXT_MAX,
  mrkdwnValue,
  NAME_MAX,
  plainValue,
  RULE_MAX,
  SECTION_TEXT_MAX,
  shortenMrkdwn,
} from "./bounds.js";
import { joinWithin } from "./list-packing.js";

export interface DigestMessage {
  text: string;
  blocks: KnownBlock[];
}

const DAY_NAMES: Record<string, string> = {
  mon: "Monday",
  tue: "Tuesday",
  wed: "Wednesday",
  thu: "Thursday",
  fri: "Friday",
  sat: "Saturday",
  sun: "Sunday",
};

function versus(now: number, before: number): string {
  if (before === 0) return now === 0 ? "same as" : "none";
  const percent = Math.round(((now - before) / before) * 100);
  if (percent === 0) return "same as";
  return `${percent > 0 ? "▲" : "▼"} ${Math.abs(percent)}% vs`;
}

export function digestMessage(digest: ChannelDigest, report: DayReport, asOf: string): DigestMessage {
  const day = DAY_NAMES[weekdayOf(report.date)] ?? "";
  const heading = `Shift digest — ${day} ${report.date}`;
  if (digest.alerts === 0) {
    const text = `${heading}: a quiet day — no alerts so far (${report.timezone}, as of ${asOf}).`;
    return {
      text,
      blocks: [
        {
          type: "section",
          text: { type: "mrkdwn", text: `:sunny: *${heading}*: a quiet day — no alerts so far.` },
        },
      ],
    };
  }
  const { weekBefore } = digest;
  const lastWeek = `last ${day}`;
  const alertsLine =
    weekBefore.alerts === 0
      ? `${digest.alerts} (none ${lastWeek})`
      : `${digest.alerts} (${versus(digest.alerts, weekBefore.alerts)} ${lastWeek}: ${weekBefore.alerts})`;
  const minutesLine =
    weekBefore.minutesPastThreshold === 0
      ? `${digest.minutesPastThreshold} min (none ${lastWeek})`
      : `${digest.minutesPastThreshold} min (${versus(digest.minutesPastThreshold, weekBefore.minutesPastThreshold)} ${lastWeek}: ${weekBefore.minutesPastThreshold})`;
  const byRule = joinWithin(
    [
      "*By rule*",
      ...digest.byRule.map(
        (r) =>
          `• ${mrkdwnValue(r.rule, RULE_MAX)} — ${r.alerts} alert${r.alerts === 1 ? "" : "s"}, ${r.minutesPastThreshold} min`,
      ),
    ],
    "\n",
    SECTION_TEXT_MAX,
    (n) => `…and ${n} more rules`,
  );
  const top = joinWithin(
    [
      `*Top ${digest.top.length} by minutes past threshold*`,
      ...digest.top.map(
        (a, i) =>
          `${i + 1}. ${mrkdwnValue(a.name || a.email, NAME_MAX)} (${mrkdwnValue(a.email, EMAIL_MAX)}) — ${a.minutesPastThreshold} min, ${a.alerts} alert${a.alerts === 1 ? "" : "s"}`,
      ),
    ],
    "\n",
    SECTION_TEXT_MAX,
    (n) => `…and ${n} more`,
  );
  const context = [
    digest.longest
      ? `Longest: ${mrkdwnValue(digest.longest.email, EMAIL_MAX)}, ${mrkdwnValue(digest.longest.rule, RULE_MAX)}, ${digest.longest.minutes} min`
      : "",
    `${mrkdwnValue(report.timezone, RULE_MAX)}, as of ${asOf}`,
  ].filter(Boolean);
  const header: HeaderBlock = {
    type: "header",
    text: { type: "plain_text", text: plainValue(heading, HEADER_TEXT_MAX), emoji: true },
  };
  const blocks: KnownBlock[] = [
    header,
    {
      type: "section",
      fields: [
        { type: "mrkdwn", text: `*Alerts*\n${alertsLine}` },
        { type: "mrkdwn", text: `*Agents involved*\n${digest.agents}` },
        { type: "mrkdwn", text: `*Minutes past threshold*\n${minutesLine}` },
        {
          type: "mrkdwn",
          text: `*Median time to acknowledge*\n${digest.medianMinutesToAcknowledge === null ? "none acknowledged" : `${digest.medianMinutesToAcknowledge} min`}`,
        },
      ],
    },
    { type: "section", text: { type: "mrkdwn", text: byRule } },
    { type: "section", text: { type: "mrkdwn", text: top } },
    {
      type: "context",
      elements: [{ type: "mrkdwn", text: shortenMrkdwn(context.join(" · "), CONTEXT_TEXT_MAX) }],
    },
  ];
  const text = `${heading}: ${digest.alerts} alert${digest.alerts === 1 ? "" : "s"}, ${digest.agents} agent${digest.agents === 1 ? "" : "s"}, ${digest.minutesPastThreshold} min past threshold.`;
  return { text: shortenMrkdwn(text, ALERT_TEXT_MAX), blocks };
}
