/**
 * Minimal Block Kit shapes: only what the per-episode messages use, kept here (not the SDK's
 * types) so that rendering stays SDK-free. Their limits are in bounds.ts.
 */
export interface TextObject {
  type: "mrkdwn" | "plain_text";
  text: string;
}
export interface SectionBlock {
  type: "section";
  text?: TextObject;
  fields?: TextObject[];
}
export interface ContextBlock {
  type: "context";
  elements: TextObject[];
}
export interface ButtonElement {
  type: "button";
  action_id: string;
  text: { type: "plain_text"; text: string; emoji?: boolean };
  value?: string;
  style?: "primary" | "danger";
  confirm?: {
    title: { type: "plain_text"; text: string };
    text: TextObject;
    confirm: { type: "plain_text"; text: string };
    deny: { type: "plain_text"; text: string };
  };
}
export interface StaticSelectElement {
  type: "static_select";
  action_id: string;
  placeholder: { type: "plain_text"; text: string };
  options: Array<{ text: { type: "plain_text"; text: string }; value: string }>;
}
export interface ActionsBlock {
  type: "actions";
  block_id: string;
  elements: Array<ButtonElement | StaticSelectElement>;
}
export type MessageBlock = SectionBlock | ContextBlock | ActionsBlock;
