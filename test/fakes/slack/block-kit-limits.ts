/**
 * Block Kit's limits as Slack enforces them on chat.postMessage, chat.update and chat.postEphemeral,
 * for the fake Slack (and for tests that check a rendered payload the way Slack would). Written from
 * Slack's reference, apart from the production code's own bounding (functions/adapters/slack/bounds.ts),
 * so that each checks the other:
 *
 * - a field over its limit, an unknown block type, an empty text, more than 50 blocks (the blocks
 *   inside attachments counted too): `invalid_blocks`, with the JSON pointer of the first in `errors`;
 * - attachments that are not a list of objects: `invalid_attachments`;
 * - more than about 12,000 characters of block text in one message: `msg_blocks_too_long`;
 * - a `text` past 40,000 characters: `msg_too_long`.
 */

export type LimitError = "invalid_blocks" | "invalid_attachments" | "msg_blocks_too_long" | "msg_too_long";

export interface LimitViolation {
  error: LimitError;
  /** JSON pointer of the offending value (`/attachments/0/blocks/4/elements/2/confirm/text`). */
  pointer: string;
  /** What is wrong, in a few words (as Slack's `errors` and `response_metadata.messages` say it). */
  detail: string;
}

export const BLOCK_KIT = {
  blocks: 50,
  blockText: 12_000,
  text: 40_000,
  sectionText: 3_000,
  sectionField: 2_000,
  sectionFields: 10,
  contextText: 2_000,
  contextElements: 10,
  headerText: 150,
  id: 255,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2_000,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  placeholder: 150,
  options: 100,
  optionText: 75,
  optionValue: 150,
} as const;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Every violation in a message's arguments (`text`, `blocks`, `attachments`), in document order. */
export function blockKitViolations(args: Record<string, unknown>): LimitViolation[] {
  const out: LimitViolation[] = [];
  const bad = (pointer: string, detail: string) => out.push({ error: "invalid_blocks", pointer, detail });

  const text = (value: unknown, pointer: string, max: number, only?: "plain_text") => {
    if (!isObject(value)) return bad(pointer, "must be a text object");
    if (value.type !== "plain_text" && (only !== undefined || value.type !== "mrkdwn"))
      return bad(`${pointer}/type`, `must be ${only ?? "mrkdwn or plain_text"}`);
    if (typeof value.text !== "string" || value.text.length === 0)
      return bad(`${pointer}/text`, "must be a non-empty string");
    if (value.text.length > max) bad(`${pointer}/text`, `must be at most ${max} characters`);
  };
  const id = (value: unknown, pointer: string, required: boolean) => {
    if (value === undefined && !required) return;
    if (typeof value !== "string" || value.length === 0) return bad(pointer, "must be a non-empty string");
    if (value.length > BLOCK_KIT.id) bad(pointer, `must be at most ${BLOCK_KIT.id} characters`);
  };
  const confirm = (value: unknown, pointer: string) => {
    if (!isObject(value)) return bad(pointer, "must be a confirm object");
    text(value.title, `${pointer}/title`, BLOCK_KIT.confirmTitle, "plain_text");
    text(value.text, `${pointer}/text`, BLOCK_KIT.confirmText);
    text(value.confirm, `${pointer}/confirm`, BLOCK_KIT.confirmButton, "plain_text");
    text(value.deny, `${pointer}/deny`, BLOCK_KIT.confirmButton, "plain_text");
  };
  const element = (value: unknown, pointer: string) => {
    if (!isObject(value)) return bad(pointer, "must be an element object");
    id(value.action_id, `${pointer}/action_id`, false);
    if (value.confirm !== undefined) confirm(value.confirm, `${pointer}/confirm`);
    if (value.type === "button") {
      text(value.text, `${pointer}/text`, BLOCK_KIT.buttonText, "plain_text");
      if (
        value.value !== undefined &&
        (typeof value.value !== "string" || value.value.length > BLOCK_KIT.buttonValue)
      )
        bad(`${pointer}/value`, `must be a string of at most ${BLOCK_KIT.buttonValue} characters`);
    } else if (value.type === "static_select") {
      if (value.placeholder !== undefined)
        text(value.placeholder, `${pointer}/placeholder`, BLOCK_KIT.placeholder, "plain_text");
      const options = value.options;
      if (!Array.isArray(options) || options.length === 0 || options.length > BLOCK_KIT.options)
        return bad(`${pointer}/options`, `must be 1 to ${BLOCK_KIT.options} options`);
      for (const [i, option] of options.entries()) {
        const at = `${pointer}/options/${i}`;
        if (!isObject(option)) {
          bad(at, "must be an option object");
          continue;
        }
        text(option.text, `${at}/text`, BLOCK_KIT.optionText);
        if (typeof option.value !== "string" || option.value.length > BLOCK_KIT.optionValue)
          bad(`${at}/value`, `must be a string of at most ${BLOCK_KIT.optionValue} characters`);
      }
    } else {
      bad(`${pointer}/type`, "is not an element type this fake knows");
    }
  };
  const block = (value: unknown, pointer: string) => {
    if (!isObject(value)) return bad(pointer, "must be a block object");
    id(value.block_id, `${pointer}/block_id`, false);
    switch (value.type) {
      case "section": {
        if (value.text === undefined && value.fields === undefined)
          return bad(pointer, "a section needs text or fields");
        if (value.text !== undefined) text(value.text, `${pointer}/text`, BLOCK_KIT.sectionText);
        if (value.fields !== undefined) {
          const fields = value.fields;
          if (!Array.isArray(fields) || fields.length === 0 || fields.length > BLOCK_KIT.sectionFields)
            return bad(`${pointer}/fields`, `must be 1 to ${BLOCK_KIT.sectionFields} text objects`);
          for (const [i, field] of fields.entries())
            text(field, `${pointer}/fields/${i}`, BLOCK_KIT.sectionField);
        }
        if (value.accessory !== undefined) element(value.accessory, `${pointer}/accessory`);
        return;
      }
      case "context": {
        const elements = value.elements;
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > BLOCK_KIT.contextElements)
          return bad(`${pointer}/elements`, `must be 1 to ${BLOCK_KIT.contextElements} elements`);
        for (const [i, e] of elements.entries()) text(e, `${pointer}/elements/${i}`, BLOCK_KIT.contextText);
        return;
      }
      case "header":
        return text(value.text, `${pointer}/text`, BLOCK_KIT.headerText, "plain_text");
      case "actions": {
        const elements = value.elements;
        if (!Array.isArray(elements) || elements.length === 0 || elements.length > BLOCK_KIT.actionsElements)
          return bad(`${pointer}/elements`, `must be 1 to ${BLOCK_KIT.actionsElements} elements`);
        for (const [i, e] of elements.entries()) element(e, `${pointer}/elements/${i}`);
        return;
      }
      case "divider":
        return;
      default:
        bad(`${pointer}/type`, "is not a block type this fake knows");
    }
  };

  // Every block of the message, top level and in attachments, each with its pointer.
  const lists: Array<{ blocks: unknown[]; pointer: string }> = [];
  if (args.blocks !== undefined) {
    if (Array.isArray(args.blocks)) lists.push({ blocks: args.blocks, pointer: "/blocks" });
    else bad("/blocks", "must be an array of blocks");
  }
  if (args.attachments !== undefined) {
    if (!Array.isArray(args.attachments))
      out.push({ error: "invalid_attachments", pointer: "/attachments", detail: "must be an array" });
    else
      for (const [i, attachment] of args.attachments.entries()) {
        if (!isObject(attachment)) {
          out.push({
            error: "invalid_attachments",
            pointer: `/attachments/${i}`,
            detail: "must be an object",
          });
          continue;
        }
        if (attachment.blocks === undefined) continue;
        if (Array.isArray(attachment.blocks))
          lists.push({ blocks: attachment.blocks, pointer: `/attachments/${i}/blocks` });
        else bad(`/attachments/${i}/blocks`, "must be an array of blocks");
      }
  }
  let count = 0;
  let blockText = 0;
  for (const list of lists) {
    for (const [i, b] of list.blocks.entries()) block(b, `${list.pointer}/${i}`);
    count += list.blocks.length;
    blockText += textLength(list.blocks);
  }
  if (count > BLOCK_KIT.blocks)
    bad("/blocks", `no more than ${BLOCK_KIT.blocks} blocks are allowed (${count})`);
  if (blockText > BLOCK_KIT.blockText)
    out.push({
      error: "msg_blocks_too_long",
      pointer: "/blocks",
      detail: `${blockText} characters of block text, over ${BLOCK_KIT.blockText}`,
    });
  if (typeof args.text === "string" && args.text.length > BLOCK_KIT.text)
    out.push({ error: "msg_too_long", pointer: "/text", detail: `over ${BLOCK_KIT.text} characters` });
  return out;
}

/** The characters of every text object's `text` under `value`: what a message's block text is. */
export function textLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + textLength(item), 0);
  if (!isObject(value)) return 0;
  let n = 0;
  for (const [key, child] of Object.entries(value))
    n += key === "text" && typeof child === "string" ? child.length : textLength(child);
  return n;
}

/** Slack's answer to a message it refuses, or undefined when it would take it. */
export function limitRefusal(args: Record<string, unknown>): Record<string, unknown> | undefined {
  const [first] = blockKitViolations(args);
  if (!first) return undefined;
  const message = `${first.detail} [json-pointer:${first.pointer}]`;
  return {
    ok: false,
    error: first.error,
    errors: [message],
    response_metadata: { messages: [`[ERROR] ${message}`] },
  };
}
