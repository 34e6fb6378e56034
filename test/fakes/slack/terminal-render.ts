/**
 * Renders what the fake Slack received as it would read in the channel, for the terminal demo:
 * each top message in its latest form, marked "(edited)" when chat.update changed it, with its thread
 * replies under it. Plain text by default; ANSI colour only when asked (the caller knows if it is a TTY).
 */
import { channelView, type FakeSlackMessage, type RecordedSlackCall } from "./fake-slack.js";

export interface TerminalRenderOptions {
  /** ANSI colours and bold; off by default so output piped to a file stays clean. */
  color?: boolean;
  /** email → user id (FakeSlack.users), to show `<@U123>` as `@priya` rather than `@U123`. */
  users?: ReadonlyMap<string, string>;
  /** Channel id → display name, e.g. { C0123456789: "ops-alerts" }. */
  channelNames?: Readonly<Record<string, string>>;
}

const EMOJI: Record<string, string> = {
  warning: "⚠️ ",
  rotating_light: "🚨",
  white_check_mark: "✅",
  hourglass_flowing_sand: "⏳",
  hourglass: "⌛",
};

const ANSI = {
  reset: "\u001b[0m",
  bold: "\u001b[1m",
  dim: "\u001b[2m",
  red: "\u001b[31m",
  green: "\u001b[32m",
  yellow: "\u001b[33m",
  grey: "\u001b[90m",
} as const;

type Paint = (code: keyof typeof ANSI, text: string) => string;

/** Slack mrkdwn to terminal text: mentions, links, entities, emoji, and *bold*. */
export function mrkdwnToTerminal(text: string, paint: Paint, users?: ReadonlyMap<string, string>): string {
  const names = new Map<string, string>();
  for (const [email, id] of users ?? []) names.set(id, email.split("@")[0] ?? email);
  return text
    .replace(
      /<@([A-Z0-9]+)(?:\|([^>]+))?>/g,
      (_, id: string, label?: string) => `@${label ?? names.get(id) ?? id}`,
    )
    .replace(/<!subteam\^([A-Z0-9]+)(?:\|([^>]+))?>/g, (_, id: string, label?: string) =>
      label ? label : `@${id}`,
    )
    .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, "@$1")
    .replace(/<(?:mailto:)?([^|>]+)\|([^>]+)>/g, "$2")
    .replace(/<([^>]+)>/g, "$1")
    .replace(/:([a-z0-9_+-]+):/g, (whole, name: string) => EMOJI[name] ?? whole)
    .replace(/\*([^*\n]+)\*/g, (_, inner: string) => paint("bold", inner))
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

function blockLines(
  blocks: unknown,
  fallback: string,
  paint: Paint,
  users?: ReadonlyMap<string, string>,
): string[] {
  const render = (text: string) => mrkdwnToTerminal(text, paint, users);
  if (!Array.isArray(blocks) || blocks.length === 0) return render(fallback).split("\n");
  const lines: string[] = [];
  for (const block of blocks as Array<Record<string, unknown>>) {
    const text = (block.text as { text?: string } | undefined)?.text;
    if (block.type === "section") {
      if (text) lines.push(...render(text).split("\n"));
      const fields = Array.isArray(block.fields) ? (block.fields as Array<{ text?: string }>) : [];
      // A field reads "*Label*\nvalue\nvalue": one terminal line each, "Label: value · value".
      const rendered = fields.map((f) => {
        const [label = "", ...values] = (f.text ?? "").split("\n");
        return `${render(label)}: ${values.map(render).join(" · ")}`;
      });
      for (let i = 0; i < rendered.length; i += 2) lines.push(rendered.slice(i, i + 2).join("    "));
    } else if (block.type === "context") {
      const elements = Array.isArray(block.elements) ? (block.elements as Array<{ text?: string }>) : [];
      lines.push(paint("dim", elements.map((e) => render(e.text ?? "")).join("  ")));
    } else if (block.type === "header" && text) {
      lines.push(paint("bold", render(text)));
    } else if (block.type === "divider") {
      lines.push(paint("dim", "─".repeat(40)));
    }
  }
  return lines;
}

function tone(text: string): keyof typeof ANSI {
  if (text.includes(":rotating_light:")) return "red";
  if (text.includes(":warning:")) return "yellow";
  if (text.includes(":white_check_mark:")) return "green";
  return "grey";
}

/** The channel view (FakeSlack.messages()) as terminal text. */
export function renderSlackMessages(
  messages: readonly FakeSlackMessage[],
  options: TerminalRenderOptions = {},
): string {
  const paint: Paint = options.color
    ? (code, text) => `${ANSI[code]}${text}${ANSI.reset}`
    : (_, text) => text;
  const tops = messages.filter((m) => m.thread_ts === undefined || m.thread_ts === m.ts);
  const replies = messages.filter((m) => m.thread_ts !== undefined && m.thread_ts !== m.ts);
  const out: string[] = [];
  let lastChannel: string | undefined;

  for (const top of tops) {
    if (top.channel !== lastChannel) {
      if (out.length > 0) out.push("");
      out.push(paint("bold", `#${options.channelNames?.[top.channel] ?? top.channel}`));
      lastChannel = top.channel;
    }
    const bar = paint(tone(top.text), "┃");
    out.push(bar);
    for (const line of blockLines(top.blocks, top.text, paint, options.users)) out.push(`${bar} ${line}`);
    if (top.updates.length > 0) out.push(`${bar} ${paint("dim", "(edited)")}`);
    for (const reply of replies.filter((r) => r.channel === top.channel && r.thread_ts === top.ts)) {
      const [first = "", ...rest] = blockLines(reply.blocks, reply.text, paint, options.users);
      out.push(`${bar}   ${paint("grey", "↳")} ${first}`);
      for (const line of rest) out.push(`${bar}     ${line}`);
    }
  }
  const orphans = replies.filter((r) => !tops.some((t) => t.channel === r.channel && t.ts === r.thread_ts));
  for (const reply of orphans) {
    out.push(
      `${paint("grey", `↳ (thread ${reply.thread_ts} in #${reply.channel})`)} ${mrkdwnToTerminal(reply.text, paint, options.users)}`,
    );
  }
  return out.join("\n");
}

/** Recorded calls (FakeSlack.calls) as the channel reads after them; failed calls show nothing, as in Slack. */
export function renderSlackCalls(
  calls: readonly RecordedSlackCall[],
  options: TerminalRenderOptions = {},
): string {
  return renderSlackMessages(channelView(calls), options);
}
