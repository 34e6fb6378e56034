/**
 * The schema's issues as the config's error lines: `path: what is wrong`, a key left out said to be
 * required, and an unknown key an error when it is one typo from a known one, else a warning.
 */
import * as z from "zod";
import { strictSchema } from "./config-schema.js";
import { closest, orList } from "./spelling.js";

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text === "" ? "(top level)" : text;
}

function valueAt(raw: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The schema under optional, default and transform wrappers. */
function unwrap(schema: z.core.$ZodType): z.core.$ZodType {
  let current = schema;
  for (;;) {
    if (
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault ||
      current instanceof z.ZodNullable
    )
      current = current.unwrap();
    else if (current instanceof z.ZodPipe) current = current.in;
    else return current;
  }
}

/** The keys the schema knows for the mapping at `path` (array indexes step into the element). */
function knownKeysAt(schema: z.core.$ZodType, path: ReadonlyArray<PropertyKey>): string[] {
  let current: z.core.$ZodType | undefined = schema;
  for (const part of path) {
    const inner: z.core.$ZodType = unwrap(current);
    if (inner instanceof z.ZodObject) current = inner.shape[String(part)];
    else if (inner instanceof z.ZodArray) current = inner.element;
    else return [];
    if (current === undefined) return [];
  }
  const inner = unwrap(current);
  return inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
}

export function describeIssues(
  raw: unknown,
  issues: ReadonlyArray<z.core.$ZodIssue>,
): { errors: string[]; unknown: string[] } {
  const errors: string[] = [];
  const unknown: string[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      // One typo from a known key (`critcal`) is an error: ignoring it would silently drop the
      // setting meant. Anything further off is likely a note or a newer key: a warning.
      const known = knownKeysAt(strictSchema, issue.path);
      for (const key of issue.keys) {
        const meant = closest(key, known, 1);
        if (meant.length > 0)
          errors.push(`${formatPath([...issue.path, key])}: unknown key: did you mean ${orList(meant)}?`);
        else unknown.push(`${formatPath([...issue.path, key])}: unknown key (ignored)`);
      }
    } else if (issue.code === "invalid_type" && valueAt(raw, issue.path) === undefined) {
      errors.push(`${formatPath(issue.path)}: required, ${issue.message.replace(/^Invalid input: /, "")}`);
    } else {
      errors.push(`${formatPath(issue.path)}: ${issue.message.replace(/^Invalid input: /, "")}`);
    }
  }
  return { errors, unknown };
}
