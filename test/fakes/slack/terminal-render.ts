/**
 * Renders what the fake Slack received as it would read in the channel, for the terminal demo:
 * each top message in its latest form, marked "(edited)" when chat.update changed it, with its thread
 * replies under it; attachments behind a bar in their colour, action blocks as button rows, DMs labelled.
 * Plain text by default; ANSI colour only when asked (the caller knows if it is a TTY).
 */
import {
  channelView,
  type FakeSlackEphemeral,
  type FakeSlackMessage,
  type RecordedSlackCall,
} from "./fake-slack.js";

export interface TerminalRenderOptions {
  /** ANSI colours and bold; off by default so output piped to a file stays clean. */
  color?: boolean;
  /** email → user id (FakeSlack.users), to show `<@U123>` as `@priya` rather than `@U123`. */
  users?: ReadonlyMap<string, string>;
  /** Channel id → display name, e.g. { C0123456789: "ops-alerts" }. */
  channelNames?: Readonly<Record<string, string>>;
  /** DM channel id → user id (FakeSlack.directMessages), to label a DM with its user. */
  directMessages?: ReadonlyMap<string, string>;
}

const EMOJI: Record<string, string> = {
  warning: "⚠️ ",
  rotating_light: "🚨",
  white_check_mark: "✅",
  hourglass_flowing_sand: "⏳",
  hourglass: "⌛",
  // Slack actions and nudges (issue 8)
  eyes: "👀",
  sleeping: "😴",
  zzz: "💤",
  wave: "👋",
  no_entry_sign: "🚫",
  information_source: "ℹ️ ",
  // The board
  red_circle: "🔴",
  large_orange_circle: "🟠",
  ballot_box_with_check: "☑️ ",
};

const ANSI = {
  reset: "\u001b[0m",
  bold: "\u001b[1m",
  dim: "\u001b[2m",
  red: "\u001b[31m",
  green: "\u001b[32m",
  yellow: "\u001b[33m",
  blue: "\u001b[34m",
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
    } else if (block.type === "actions") {
      const elements = Array.isArray(block.elements) ? (block.elements as ActionElement[]) : [];
      lines.push(elements.map((e) => actionLabel(e, paint)).join(" "));
    }
  }
  return lines;
}

interface ActionElement {
  type?: string;
  text?: { text?: string };
  placeholder?: { text?: string };
  initial_option?: { text?: { text?: string } };
  style?: string;
}

/** A button as `[Label]`, a menu as `[Placeholder ▾]`; primary green, danger red, as Slack colours them. */
function actionLabel(element: ActionElement, paint: Paint): string {
  if (element.type === "button") {
    const label = `[${element.text?.text ?? "Button"}]`;
    if (element.style === "primary") return paint("green", label);
    if (element.style === "danger") return paint("red", label);
    return paint("bold", label);
  }
  const shown = element.initial_option?.text?.text ?? element.placeholder?.text ?? "Select";
  return paint("bold", `[${shown} ▾]`);
}

/**
 * The terminal colour nearest an attachment's `color`: Slack's named colours, or a hex value by hue
 * (amber → yellow, red, green, blue), low saturation grey.
 */
export function colorTone(color: unknown): keyof typeof ANSI {
  if (color === "good") return "green";
  if (color === "warning") return "yellow";
  if (color === "danger") return "red";
  const match = typeof color === "string" ? /^#?([0-9a-f]{6})$/i.exec(color) : null;
  if (!match) return "grey";
  const n = Number.parseInt(match[1] as string, 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  const max = Math.max(r, g, b);
  if (max - Math.min(r, g, b) < 48) return "grey";
  if (r === max) return g > r * 0.6 ? "yellow" : "red";
  if (g === max) return "green";
  return "blue";
}

interface Attachment {
  color?: unknown;
  blocks?: unknown;
  text?: string;
  fallback?: string;
}

function attachmentsOf(value: unknown): Attachment[] {
  return Array.isArray(value)
    ? value.filter((a): a is Attachment => typeof a === "object" && a !== null)
    : [];
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

  const names = new Map<string, string>();
  for (const [email, id] of options.users ?? []) names.set(id, email.split("@")[0] ?? email);
  const channelLabel = (channel: string): string => {
    const named = options.channelNames?.[channel];
    if (named) return `#${named}`;
    if (channel.startsWith("D")) {
      const user = options.directMessages?.get(channel);
      return user ? `DM @${names.get(user) ?? user}` : `DM ${channel}`;
    }
    return `#${channel}`;
  };

  for (const top of tops) {
    if (top.channel !== lastChannel) {
      if (out.length > 0) out.push("");
      out.push(paint("bold", channelLabel(top.channel)));
      lastChannel = top.channel;
    }
    const attachments = attachmentsOf(top.attachments);
    const bar = paint(attachments[0] ? colorTone(attachments[0].color) : tone(top.text), "┃");
    out.push(bar);
    // With attachments, Slack shows top-level blocks, else the text, above them (and nothing when empty).
    const hasBlocks = Array.isArray(top.blocks) && top.blocks.length > 0;
    if (hasBlocks || top.text !== "" || attachments.length === 0) {
      for (const line of blockLines(top.blocks, top.text, paint, options.users)) out.push(`${bar} ${line}`);
    }
    for (const attachment of attachments) {
      const edge = paint(colorTone(attachment.color), "▌");
      const fallback = attachment.text ?? attachment.fallback ?? "";
      for (const line of blockLines(attachment.blocks, fallback, paint, options.users)) {
        out.push(`${bar} ${edge} ${line}`);
      }
    }
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

/** Ephemeral answers (FakeSlack.ephemerals()), each marked with the one user who sees it. */
export function renderEphemerals(
  ephemerals: readonly FakeSlackEphemeral[],
  options: TerminalRenderOptions = {},
): string {
  const paint: Paint = options.color
    ? (code, text) => `${ANSI[code]}${text}${ANSI.reset}`
    : (_, text) => text;
  const names = new Map<string, string>();
  for (const [email, id] of options.users ?? []) names.set(id, email.split("@")[0] ?? email);
  return ephemerals
    .map((e) => {
      const where = options.channelNames?.[e.channel] ?? e.channel;
      const who = `only @${names.get(e.user) ?? e.user} sees, in #${where}:`;
      const body = blockLines(e.blocks, e.text, paint, options.users).join(" ");
      return `${paint("dim", who)} ${body}`;
    })
    .join("\n");
}
