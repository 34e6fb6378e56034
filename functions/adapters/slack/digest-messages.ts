/** The shift digest as a Slack message: Block Kit with a plain `text` fallback. Pure. */
import type { HeaderBlock, KnownBlock } from "@slack/web-api";
import type { ChannelDigest, DayReport } from "../../domain/digest.js";
import { weekdayOf } from "../../domain/digest.js";

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

/** Slack mrkdwn treats &, < and > as markup: names from SmartAssist are shown, never interpreted. */
function mrkdwnText(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

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
  const byRule = digest.byRule
    .map(
      (r) =>
        `• ${mrkdwnText(r.rule)} — ${r.alerts} alert${r.alerts === 1 ? "" : "s"}, ${r.minutesPastThreshold} min`,
    )
    .join("\n");
  const top = digest.top
    .map(
      (a, i) =>
        `${i + 1}. ${mrkdwnText(a.name || a.email)} (${mrkdwnText(a.email)}) — ${a.minutesPastThreshold} min, ${a.alerts} alert${a.alerts === 1 ? "" : "s"}`,
    )
    .join("\n");
  const context = [
    digest.longest
      ? `Longest: ${mrkdwnText(digest.longest.email)}, ${mrkdwnText(digest.longest.rule)}, ${digest.longest.minutes} min`
      : "",
    `${report.timezone}, as of ${asOf}`,
  ].filter(Boolean);
  const header: HeaderBlock = {
    type: "header",
    text: { type: "plain_text", text: heading.slice(0, 150), emoji: true },
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
    { type: "section", text: { type: "mrkdwn", text: `*By rule*\n${byRule}`.slice(0, 3000) } },
    {
      type: "section",
      text: {
        type: "mrkdwn",
        text: `*Top ${digest.top.length} by minutes past threshold*\n${top}`.slice(0, 3000),
      },
    },
    { type: "context", elements: [{ type: "mrkdwn", text: context.join(" · ") }] },
  ];
  const text = `${heading}: ${digest.alerts} alert${digest.alerts === 1 ? "" : "s"}, ${digest.agents} agent${digest.agents === 1 ? "" : "s"}, ${digest.minutesPastThreshold} min past threshold.`;
  return { text, blocks };
}
