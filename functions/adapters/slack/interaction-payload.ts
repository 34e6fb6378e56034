/**
 * What Slack POSTs to the interactivity URL: `application/x-www-form-urlencoded` with one field, `payload`,
 * holding JSON. Only the fields we act on are validated; everything else Slack sends is kept as is (loose
 * objects), so a new field on Slack's side never breaks the endpoint.
 */
import * as z from "zod";
import type { ActionTarget, Click, ClickedAction } from "../../domain/actions.js";
import { isHashedBlockId, matchesBlockId } from "./block-id.js";

/** Larger bodies are refused (413) before parsing: a block_actions payload is a few KB. */
export const MAX_INTERACTION_BODY_BYTES = 64 * 1024;

const nonEmpty = z.string().min(1);

const actionSchema = z.looseObject({
  action_id: nonEmpty,
  block_id: nonEmpty,
  type: z.string().optional(),
  value: z.string().optional(),
  // null: a static_select's selection cleared (Slack sends that on a deselect).
  selected_option: z.looseObject({ value: z.string() }).nullable().optional(),
  action_ts: z.string().optional(),
});

export const blockActionsPayloadSchema = z.looseObject({
  type: z.literal("block_actions"),
  user: z.looseObject({
    id: nonEmpty,
    name: z.string().optional(),
    username: z.string().optional(),
  }),
  actions: z.array(actionSchema).min(1),
  response_url: z.string().optional(),
  channel: z.looseObject({ id: nonEmpty }).optional(),
  message: z.looseObject({ ts: nonEmpty }).optional(),
  container: z.looseObject({}).optional(),
  team: z.looseObject({}).nullable().optional(),
});

export type BlockActionsPayload = z.infer<typeof blockActionsPayloadSchema>;
export type BlockAction = BlockActionsPayload["actions"][number];

export type ParsedInteraction =
  | { kind: "block_actions"; payload: BlockActionsPayload }
  | { kind: "ignored"; type: string }
  | { kind: "invalid"; reason: string };

/** `actions.0.block_id` style: the path of the first failing field. */
function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.length === 0 ? "payload" : path.map(String).join(".");
}

/**
 * The form body as an interaction. Invalid means a 400: no `payload` field, not JSON, not an object with a
 * string `type`, or a block_actions payload without what we need. Another type (view_submission, shortcut,
 * ...) is ignored with a 200, so Slack does not show the user an error for something we never offered.
 * Reasons name fields, never values (the payload holds user names and message text).
 */
export function parseInteractionBody(rawBody: string): ParsedInteraction {
  const field = new URLSearchParams(rawBody).get("payload");
  if (field === null || field.trim() === "")
    return { kind: "invalid", reason: "no payload field in the form body" };
  let json: unknown;
  try {
    json = JSON.parse(field);
  } catch {
    return { kind: "invalid", reason: "payload is not JSON" };
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return { kind: "invalid", reason: "payload is not a JSON object" };
  }
  const type = (json as { type?: unknown }).type;
  if (typeof type !== "string" || type === "") {
    return { kind: "invalid", reason: "payload has no string type" };
  }
  if (type !== "block_actions") return { kind: "ignored", type };
  const parsed = blockActionsPayloadSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = fieldPath(issue?.path ?? []);
    return { kind: "invalid", reason: `block_actions payload: ${path} is missing or invalid` };
  }
  return { kind: "block_actions", payload: parsed.data };
}

/** A `block_id` as the alert or roll-up it names: the id itself, or a hash to match held ids against. */
export function targetOf(blockId: string): ActionTarget {
  if (!isHashedBlockId(blockId)) return { kind: "id", id: blockId };
  return { kind: "hashed", blockId, matches: (id) => matchesBlockId(id, blockId) };
}

/** A verified block_actions payload in the use case's terms: who, where to answer, which actions. */
export function clickFrom(payload: BlockActionsPayload): Click {
  const click: Click = {
    user: payload.user.id,
    actions: payload.actions.map((action) => {
      const clicked: ClickedAction = { actionId: action.action_id, target: targetOf(action.block_id) };
      if (action.selected_option !== undefined) clicked.selected = action.selected_option?.value ?? null;
      if (action.value !== undefined) clicked.value = action.value;
      if (action.action_ts !== undefined && action.action_ts !== "") clicked.actionTs = action.action_ts;
      return clicked;
    }),
  };
  if (payload.response_url !== undefined) click.responseUrl = payload.response_url;
  if (payload.channel?.id !== undefined) click.channel = payload.channel.id;
  return click;
}

/** The form body Slack would send for this payload (`payload=<url-encoded JSON>`), for tests and the demo. */
export function formBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}
