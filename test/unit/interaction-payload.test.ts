import { describe, expect, it } from "vitest";
import { blockIdFor } from "../../functions/adapters/slack/block-id.js";
import {
  clickFrom,
  formBody,
  MAX_INTERACTION_BODY_BYTES,
  type ParsedInteraction,
  parseInteractionBody,
} from "../../functions/adapters/slack/interaction-payload.js";

/** A block_actions payload shaped like the ones Slack sends for a button and a static_select. */
function blockActions(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: "block_actions",
    user: { id: "U0123ABCD", username: "priya", name: "priya", team_id: "T00000001" },
    api_app_id: "A00000001",
    token: "legacy-verification-token",
    container: { type: "message", message_ts: "1718000000.000100", channel_id: "C0123456789" },
    trigger_id: "1.2.3",
    team: { id: "T00000001", domain: "example" },
    channel: { id: "C0123456789", name: "ops-alerts" },
    message: { ts: "1718000000.000100", text: "Priya is on LUNCH for 32 min", blocks: [] },
    response_url: "https://hooks.slack.com/actions/T00000001/1/abc",
    actions: [
      {
        action_id: "alert.snooze",
        block_id: "alert#u-1#Long break#2025-06-10T06:00:00.000Z",
        type: "static_select",
        selected_option: { text: { type: "plain_text", text: "30 min" }, value: "30m" },
        action_ts: "1718000100.000200",
      },
    ],
    ...overrides,
  };
}

function invalidReason(parsed: ParsedInteraction): string {
  expect(parsed.kind).toBe("invalid");
  return parsed.kind === "invalid" ? parsed.reason : "";
}

describe("parseInteractionBody", () => {
  it("parses a block_actions payload and keeps the fields it does not validate", () => {
    const parsed = parseInteractionBody(formBody(blockActions()));
    expect(parsed.kind).toBe("block_actions");
    if (parsed.kind !== "block_actions") return;
    const { payload } = parsed;
    expect(payload.user.id).toBe("U0123ABCD");
    expect(payload.channel?.id).toBe("C0123456789");
    expect(payload.message?.ts).toBe("1718000000.000100");
    expect(payload.response_url).toBe("https://hooks.slack.com/actions/T00000001/1/abc");
    expect(payload.actions[0]).toMatchObject({
      action_id: "alert.snooze",
      block_id: "alert#u-1#Long break#2025-06-10T06:00:00.000Z",
      selected_option: { value: "30m" },
    });
    // Loose: unknown keys survive, at the top and inside.
    expect(payload.trigger_id).toBe("1.2.3");
    expect(payload.message?.text).toBe("Priya is on LUNCH for 32 min");
    expect(payload.user.team_id).toBe("T00000001");
  });

  it("parses a button press with a value and no optional fields", () => {
    const body = formBody({
      type: "block_actions",
      user: { id: "U1" },
      actions: [{ action_id: "alert.ack", block_id: "b1", type: "button", value: "ack" }],
    });
    const parsed = parseInteractionBody(body);
    expect(parsed).toEqual({
      kind: "block_actions",
      payload: {
        type: "block_actions",
        user: { id: "U1" },
        actions: [{ action_id: "alert.ack", block_id: "b1", type: "button", value: "ack" }],
      },
    });
  });

  it("decodes the form as Slack encodes it (spaces as +, reserved characters escaped)", () => {
    const text = "a+b & c=d % é";
    const body = `payload=${encodeURIComponent(JSON.stringify(blockActions({ message: { ts: "1.2", text } }))).replaceAll("%20", "+")}`;
    const parsed = parseInteractionBody(body);
    expect(body).toContain("a%2Bb+%26+c%3Dd+%25+%C3%A9");
    expect(parsed.kind === "block_actions" && parsed.payload.message?.text).toBe(text);
  });

  it("ignores payload types it does not handle", () => {
    for (const type of ["view_submission", "shortcut", "message_action", "block_suggestion"]) {
      expect(parseInteractionBody(formBody({ type, user: { id: "U1" } }))).toEqual({ kind: "ignored", type });
    }
  });

  it("refuses a body without a payload field", () => {
    expect(invalidReason(parseInteractionBody(""))).toBe("no payload field in the form body");
    expect(invalidReason(parseInteractionBody("token=x&command=%2Fhi"))).toBe(
      "no payload field in the form body",
    );
    expect(invalidReason(parseInteractionBody("payload="))).toBe("no payload field in the form body");
  });

  it("refuses a payload that is not a JSON object with a string type", () => {
    expect(invalidReason(parseInteractionBody("payload=%7Bnot+json"))).toBe("payload is not JSON");
    expect(invalidReason(parseInteractionBody(formBody([1, 2])))).toBe("payload is not a JSON object");
    expect(invalidReason(parseInteractionBody(formBody("block_actions")))).toBe(
      "payload is not a JSON object",
    );
    expect(invalidReason(parseInteractionBody("payload=null"))).toBe("payload is not a JSON object");
    expect(invalidReason(parseInteractionBody(formBody({ user: { id: "U1" } })))).toBe(
      "payload has no string type",
    );
    expect(invalidReason(parseInteractionBody(formBody({ type: 7 })))).toBe("payload has no string type");
  });

  it("names the field a block_actions payload lacks", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [blockActions({ user: undefined }), "user"],
      [blockActions({ user: { name: "x" } }), "user.id"],
      [blockActions({ actions: [] }), "actions"],
      [blockActions({ actions: "alert.ack" }), "actions"],
      [blockActions({ actions: [{ block_id: "b" }] }), "actions.0.action_id"],
      [blockActions({ actions: [{ action_id: "alert.ack", block_id: "" }] }), "actions.0.block_id"],
      [
        blockActions({ actions: [{ action_id: "alert.snooze", block_id: "b", selected_option: {} }] }),
        "actions.0.selected_option.value",
      ],
      [blockActions({ message: { text: "no ts" } }), "message.ts"],
      [blockActions({ channel: { name: "no id" } }), "channel.id"],
    ];
    for (const [payload, field] of cases) {
      expect(invalidReason(parseInteractionBody(formBody(payload)))).toBe(
        `block_actions payload: ${field} is missing or invalid`,
      );
    }
  });

  it("never quotes payload values in a reason", () => {
    const reason = invalidReason(
      parseInteractionBody(formBody(blockActions({ user: { id: 42, name: "Secret Name" } }))),
    );
    expect(reason).not.toContain("Secret Name");
    expect(reason).not.toContain("42");
  });
});

describe("a deselect and the click it makes", () => {
  it("takes selected_option null (a cleared static_select) as a payload, not a 400", () => {
    const parsed = parseInteractionBody(
      formBody(
        blockActions({ actions: [{ action_id: "alert.snooze", block_id: "b", selected_option: null }] }),
      ),
    );
    expect(parsed.kind).toBe("block_actions");
    if (parsed.kind !== "block_actions") return;
    expect(clickFrom(parsed.payload).actions).toEqual([
      { actionId: "alert.snooze", target: { kind: "id", id: "b" }, selected: null },
    ]);
  });

  it("hands the use case who clicked, where to answer and each action in its own terms", () => {
    const parsed = parseInteractionBody(formBody(blockActions()));
    if (parsed.kind !== "block_actions") throw new Error(parsed.kind);
    expect(clickFrom(parsed.payload)).toEqual({
      user: "U0123ABCD",
      responseUrl: "https://hooks.slack.com/actions/T00000001/1/abc",
      channel: "C0123456789",
      actions: [
        {
          actionId: "alert.snooze",
          target: { kind: "id", id: "alert#u-1#Long break#2025-06-10T06:00:00.000Z" },
          selected: "30m",
          actionTs: "1718000100.000200",
        },
      ],
    });
  });

  it("a hashed block_id becomes a target that matches only the id it stands for", () => {
    const id = `${"u".repeat(300)}#long-break#2025-06-10T06:00:00.000Z`;
    const parsed = parseInteractionBody(
      formBody(blockActions({ actions: [{ action_id: "alert.ack", block_id: blockIdFor(id), value: "x" }] })),
    );
    if (parsed.kind !== "block_actions") throw new Error(parsed.kind);
    const target = clickFrom(parsed.payload).actions[0]?.target;
    expect(target?.kind).toBe("hashed");
    if (target?.kind !== "hashed") return;
    expect(target.matches(id)).toBe(true);
    expect(target.matches(`${id}x`)).toBe(false);
  });
});

describe("formBody", () => {
  it("is the one form field Slack sends, round-tripping the payload", () => {
    const payload = blockActions();
    const body = formBody(payload);
    expect(body.startsWith("payload=")).toBe(true);
    expect([...new URLSearchParams(body).keys()]).toEqual(["payload"]);
    expect(JSON.parse(new URLSearchParams(body).get("payload") ?? "")).toEqual(payload);
  });

  it("keeps a realistic payload well under the body limit", () => {
    expect(MAX_INTERACTION_BODY_BYTES).toBe(65_536);
    expect(Buffer.byteLength(formBody(blockActions()))).toBeLessThan(MAX_INTERACTION_BODY_BYTES / 16);
  });
});
