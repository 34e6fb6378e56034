/**
 * Lists fitted into Block Kit's limits without losing an item: items joined within a length (then
 * `…and N more`), lines packed into section texts, and lines packed into replies (a section at most
 * SECTION_TEXT_MAX, a reply at most its room of block text), every line in exactly one. Pure.
 */
import { SECTION_TEXT_MAX, shortenMrkdwn } from "./bounds.js";

/**
 * `items` joined by `separator`, as many as fit in `max` characters, then `more(n)` for the n left
 * out: a list that does not fit says so rather than stopping mid-item.
 */
export function joinWithin(
  items: readonly string[],
  separator: string,
  max: number,
  more: (left: number) => string,
): string {
  let text = "";
  for (const [index, item] of items.entries()) {
    const next = index === 0 ? item : `${text}${separator}${item}`;
    const left = items.length - index - 1;
    if (next.length + (left > 0 ? separator.length + more(left).length : 0) > max)
      return shortenMrkdwn(index === 0 ? more(items.length) : `${text}${separator}${more(left + 1)}`, max);
    text = next;
  }
  return text;
}

/** Lines packed into section texts of at most SECTION_TEXT_MAX characters, in order. */
export function packSections(lines: readonly string[], max = SECTION_TEXT_MAX): string[] {
  const sections: string[] = [];
  let current = "";
  for (const raw of lines) {
    const line = shortenMrkdwn(raw, max);
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

/** Room kept for ` (part 12 of 34)` after a reply's heading. */
export const PART_LABEL_MAX = 40;

/** What one reply of a list holds: its sections, and how many of the list's lines they are. */
export interface ListPart {
  sections: string[];
  lines: number;
}

/**
 * Lines packed into replies: sections of at most SECTION_TEXT_MAX, each reply at most `room`
 * characters of block text and `maxSections` sections. In order; every line in exactly one reply.
 */
export function packParts(lines: readonly string[], room: number, maxSections: number): ListPart[] {
  const parts: ListPart[] = [];
  let part: ListPart = { sections: [], lines: 0 };
  let used = 0;
  for (const raw of lines) {
    const line = shortenMrkdwn(raw, Math.min(SECTION_TEXT_MAX, room));
    const last = part.sections.length - 1;
    const current = part.sections[last];
    if (
      current !== undefined &&
      current.length + 1 + line.length <= SECTION_TEXT_MAX &&
      used + 1 + line.length <= room
    ) {
      part.sections[last] = `${current}\n${line}`;
      used += 1 + line.length;
    } else if (current !== undefined && (used + line.length > room || part.sections.length >= maxSections)) {
      parts.push(part);
      part = { sections: [line], lines: 0 };
      used = line.length;
    } else {
      part.sections.push(line);
      used += line.length;
    }
    part.lines += 1;
  }
  if (part.sections.length > 0) parts.push(part);
  return parts;
}
