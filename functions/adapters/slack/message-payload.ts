/**
 * A rendered message as Web API arguments: chat.postMessage and chat.update, with the blocks at the
 * top level or inside an attachment whose colour bar shows the alert's state; and the same message
 * as plain text, for when Slack refuses the blocks. Every message passes boundMessage (bounds.ts)
 * here, the last guard before Slack sees it. Pure.
 */
import { boundMessage, MESSAGE_TEXT_MAX, shortenMrkdwn } from "./bounds.js";

/** What every renderer produces (messages.ts, rollup-messages.ts): a fallback text and blocks. */
export interface OutgoingMessage {
  text: string;
  blocks: readonly unknown[];
  /** The attachment colour bar; without it the blocks go at the top level. */
  color?: string;
}

/** A new message, or a reply in the thread of `threadTs`. */
export function postArgs(
  channel: string,
  message: OutgoingMessage,
  threadTs?: string,
): Record<string, unknown> {
  const bounded = boundMessage(message);
  return {
    channel,
    text: bounded.text,
    ...body(bounded),
    // E-mail addresses in the text must not grow link previews in an operations channel.
    unfurl_links: false,
    unfurl_media: false,
    ...(threadTs === undefined ? {} : { thread_ts: threadTs }),
  };
}

/** The message at `ts` rewritten as `message`. */
export function updateArgs(channel: string, ts: string, message: OutgoingMessage): Record<string, unknown> {
  const bounded = boundMessage(message);
  // An update without attachments would keep the old ones beside new blocks: always send both keys.
  return bounded.color === undefined
    ? { channel, ts, text: bounded.text, blocks: bounded.blocks, attachments: [] }
    : { channel, ts, text: bounded.text, blocks: [], ...body(bounded) };
}

/** Blocks at the top level, or inside an attachment whose colour bar shows the alert's state. */
function body(message: OutgoingMessage): Record<string, unknown> {
  if (message.color === undefined) return { blocks: message.blocks };
  return { attachments: [{ color: message.color, fallback: message.text, blocks: message.blocks }] };
}

/**
 * The same call with the message as plain text: its `text` only (bounded), no blocks, no
 * attachments; an update clears the old ones. Undefined when there is no text to send, or when the
 * call was plain text already (the same payload again would be refused again).
 */
export function plainTextArgs(
  method: string,
  args: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const original = typeof args.text === "string" ? args.text : "";
  const text = shortenMrkdwn(original, MESSAGE_TEXT_MAX);
  const hadBlocks = nonEmpty(args.blocks) || nonEmpty(args.attachments);
  if (text === "" || (!hadBlocks && text === original)) return undefined;
  const { blocks: _blocks, attachments: _attachments, ...rest } = args;
  return method === "chat.update" ? { ...rest, text, blocks: [], attachments: [] } : { ...rest, text };
}

const nonEmpty = (value: unknown): boolean => Array.isArray(value) && value.length > 0;
