/**
 * Block Kit's limits, and the one way everything we render is kept inside them. Slack refuses a
 * message with one field over its limit (`invalid_blocks`) or too much block text overall
 * (`msg_blocks_too_long`), and refuses the identical payload again on every run: an alert for an
 * agent with a long name would never be seen. So values from outside (names, e-mails, statuses,
 * rules) are shortened visibly, with `…`, before they are rendered, and `boundMessage` is the last
 * guard on every message we send. Pure.
 *
 * Lengths are UTF-16 code units (`String.length`): never fewer than the characters Slack counts, so
 * a text within a limit here is within it at Slack too; a cut never splits a surrogate pair.
 */
import { MAX_BLOCK_ID } from "./block-id.js";

/** A section's `text`. */
export const SECTION_TEXT_MAX = 3_000;
/** One of a section's `fields`, and how many it may have. */
export const SECTION_FIELD_MAX = 2_000;
export const SECTION_FIELDS_MAX = 10;
/** One element of a context block, and how many it may have. */
export const CONTEXT_TEXT_MAX = 2_000;
export const CONTEXT_ELEMENTS_MAX = 10;
/** A header block's plain text. */
export const HEADER_TEXT_MAX = 150;
/** A button's label and value. */
export const BUTTON_TEXT_MAX = 75;
export const BUTTON_VALUE_MAX = 2_000;
/** A confirm dialog: its title, its text, and each of its two buttons. */
export const CONFIRM_TITLE_MAX = 100;
export const CONFIRM_TEXT_MAX = 300;
export const CONFIRM_BUTTON_MAX = 30;
/** A select's placeholder, its options' labels and values. */
export const PLACEHOLDER_MAX = 150;
export const OPTION_TEXT_MAX = 75;
export const OPTION_VALUE_MAX = 150;
/** `block_id` and `action_id`. */
export const ID_MAX = MAX_BLOCK_ID;
/** Blocks in one message (attachments' blocks included). */
export const MESSAGE_BLOCKS_MAX = 50;
/** What Slack takes of block text in one message before `msg_blocks_too_long` ("about 12,000"). */
export const SLACK_BLOCK_TEXT_MAX = 12_000;
/** Our own bound on a message's block text: under Slack's, with a margin for what it counts that we don't. */
export const MESSAGE_BLOCK_TEXT_MAX = 11_000;
/** Slack answers `msg_too_long` past this much `text`. */
export const SLACK_TEXT_MAX = 40_000;
/** Our bound on any message's `text` (a roll-up list part names up to a few hundred agents in it). */
export const MESSAGE_TEXT_MAX = 12_000;
/** The `text` of one alert: what a notification shows; plenty for everything an alert says. */
export const ALERT_TEXT_MAX = 3_000;

/** How much of a value from outside a message shows (each well inside every field it goes into). */
export const NAME_MAX = 100;
export const EMAIL_MAX = 120;
export const STATUS_MAX = 80;
/** The config allows rule and team names up to 100 characters. */
export const RULE_MAX = 100;

/** Errors for which Slack will refuse the same payload every time: a retry cannot help, a plain text can. */
export const PAYLOAD_REFUSALS: ReadonlySet<string> = new Set([
  "invalid_blocks",
  "msg_blocks_too_long",
  "invalid_attachments",
  "msg_too_long",
]);

const ELLIPSIS = "…";

/** `text` cut to at most `max` code units, `…` included, never inside a surrogate pair. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return "";
  let end = max - ELLIPSIS.length;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1; // a high surrogate: its pair would be cut off
  return `${text.slice(0, Math.max(0, end))}${ELLIPSIS}`;
}

/** One line: a newline inside a name must not break a list apart or a headline in two. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Slack's mrkdwn treats `&`, `<` and `>` as markup: names and statuses are data, so escape them. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/**
 * A value from outside as mrkdwn: on one line, escaped, and at most `max` code units once escaped
 * (`…` included). The cut is made before escaping, so it never splits an entity.
 */
export function mrkdwnValue(raw: string, max: number): string {
  const text = oneLine(raw);
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;
  const budget = max - ELLIPSIS.length;
  let out = "";
  for (const char of text) {
    const next = ESCAPES[char] ?? char;
    if (out.length + next.length > budget) break;
    out += next;
  }
  return `${out}${ELLIPSIS}`;
}

/** A plain value from outside (no markup): on one line, at most `max` code units. */
export function plainValue(raw: string, max: number): string {
  return shorten(oneLine(raw), max);
}

/**
 * Text that already holds markup, cut to `max` without leaving half of an entity (`&amp;`) or of a
 * `<…>` token (a mention, a link) at the end.
 */
export function shortenMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = shorten(text, max).slice(0, -ELLIPSIS.length);
  let end = cut.length;
  const open = cut.lastIndexOf("<");
  if (open > cut.lastIndexOf(">")) end = open;
  const amp = cut.lastIndexOf("&", end - 1);
  if (amp >= 0 && cut.indexOf(";", amp) < 0) end = Math.min(end, amp);
  return `${cut.slice(0, end)}${ELLIPSIS}`;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Every text object's `text` in these blocks, summed: what Slack measures as a message's block text. */
export function blockTextLength(blocks: unknown): number {
  let total = 0;
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
    } else if (isObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (key === "text" && typeof child === "string") total += child.length;
        else walk(child);
      }
    }
  };
  walk(blocks);
  return total;
}

/** A text object with its text cut to `max` (mrkdwn safely; plain text as it is). */
function boundText(value: unknown, max: number): unknown {
  if (!isObject(value) || typeof value.text !== "string") return value;
  const text = value.type === "mrkdwn" ? shortenMrkdwn(value.text, max) : shorten(value.text, max);
  return text === value.text ? value : { ...value, text };
}

function boundId(value: unknown): unknown {
  return typeof value === "string" ? shorten(value, ID_MAX) : value;
}

function boundConfirm(confirm: unknown): unknown {
  if (!isObject(confirm)) return confirm;
  return {
    ...confirm,
    title: boundText(confirm.title, CONFIRM_TITLE_MAX),
    text: boundText(confirm.text, CONFIRM_TEXT_MAX),
    confirm: boundText(confirm.confirm, CONFIRM_BUTTON_MAX),
    deny: boundText(confirm.deny, CONFIRM_BUTTON_MAX),
  };
}

function boundElement(element: unknown): unknown {
  if (!isObject(element)) return element;
  const out: Json = { ...element };
  if ("action_id" in out) out.action_id = boundId(out.action_id);
  if (element.type === "button") {
    out.text = boundText(out.text, BUTTON_TEXT_MAX);
    if (typeof out.value === "string") out.value = shorten(out.value, BUTTON_VALUE_MAX);
  }
  if ("confirm" in out) out.confirm = boundConfirm(out.confirm);
  if ("placeholder" in out) out.placeholder = boundText(out.placeholder, PLACEHOLDER_MAX);
  if (Array.isArray(out.options))
    out.options = out.options.map((option: unknown) =>
      isObject(option)
        ? {
            ...option,
            text: boundText(option.text, OPTION_TEXT_MAX),
            ...(typeof option.value === "string" ? { value: shorten(option.value, OPTION_VALUE_MAX) } : {}),
          }
        : option,
    );
  return out;
}

/** One block with every field inside its own limit. */
function boundBlock(block: unknown): unknown {
  if (!isObject(block)) return block;
  const out: Json = { ...block };
  if ("block_id" in out) out.block_id = boundId(out.block_id);
  switch (block.type) {
    case "section":
      if ("text" in out) out.text = boundText(out.text, SECTION_TEXT_MAX);
      if (Array.isArray(out.fields))
        out.fields = out.fields
          .slice(0, SECTION_FIELDS_MAX)
          .map((f: unknown) => boundText(f, SECTION_FIELD_MAX));
      if (isObject(out.accessory)) out.accessory = boundElement(out.accessory);
      break;
    case "context":
      if (Array.isArray(out.elements))
        out.elements = out.elements
          .slice(0, CONTEXT_ELEMENTS_MAX)
          .map((e: unknown) => boundText(e, CONTEXT_TEXT_MAX));
      break;
    case "header":
      out.text = boundText(out.text, HEADER_TEXT_MAX);
      break;
    case "actions":
      if (Array.isArray(out.elements)) out.elements = out.elements.map(boundElement);
      break;
  }
  return out;
}

/** The section and context texts of `blocks`, the ones that give way when a message has too much text. */
function prose(blocks: Json[]): Json[] {
  const texts: Json[] = [];
  for (const block of blocks) {
    if (block.type === "section") {
      if (isObject(block.text)) texts.push(block.text);
      if (Array.isArray(block.fields)) texts.push(...block.fields.filter(isObject));
    } else if (block.type === "context" && Array.isArray(block.elements)) {
      texts.push(...block.elements.filter(isObject));
    }
  }
  return texts.filter((t) => typeof t.text === "string");
}

/**
 * The longest texts cut to one common length, the shortest that brings the total under `budget`:
 * a headline and the buttons stay whole, the long list gives way.
 */
function fitProse(blocks: Json[], budget: number): void {
  const total = blockTextLength(blocks);
  if (total <= budget) return;
  const texts = prose(blocks);
  const lengths = texts.map((t) => (t.text as string).length);
  const fixed = total - lengths.reduce((a, b) => a + b, 0);
  const room = Math.max(0, budget - fixed);
  // The largest cap whose capped lengths fit the room.
  let low = 0;
  let high = Math.max(0, ...lengths);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    const used = lengths.reduce((sum, n) => sum + Math.min(n, mid), 0);
    if (used <= room) low = mid;
    else high = mid - 1;
  }
  for (const text of texts) {
    const value = text.text as string;
    if (value.length > low)
      text.text = text.type === "mrkdwn" ? shortenMrkdwn(value, Math.max(1, low)) : shorten(value, low);
  }
}

/**
 * The last guard on a message: every field inside its limit, at most 50 blocks (the last ones, the
 * buttons, kept), at most MESSAGE_BLOCK_TEXT_MAX of block text, the `text` at most MESSAGE_TEXT_MAX.
 * A message rendered within the limits comes back unchanged.
 */
export function boundMessage<M extends { text: string; blocks: readonly unknown[] }>(message: M): M {
  let blocks = message.blocks.map(boundBlock).filter(isObject);
  if (blocks.length > MESSAGE_BLOCKS_MAX) {
    const tail = blocks.slice(-2);
    blocks = [
      ...blocks.slice(0, MESSAGE_BLOCKS_MAX - 3),
      { type: "context", elements: [{ type: "mrkdwn", text: "…" }] },
      ...tail,
    ];
  }
  // Cut copies: the texts boundBlock left alone are still the caller's objects.
  if (blockTextLength(blocks) > MESSAGE_BLOCK_TEXT_MAX) {
    blocks = structuredClone(blocks);
    fitProse(blocks, MESSAGE_BLOCK_TEXT_MAX);
  }
  // The same shapes came in: only strings inside them were shortened (and blocks past 50 dropped).
  return {
    ...message,
    text: shortenMrkdwn(message.text, MESSAGE_TEXT_MAX),
    blocks: blocks as unknown as M["blocks"],
  };
}
