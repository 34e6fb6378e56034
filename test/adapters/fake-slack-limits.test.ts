/**
 * The fake Slack refuses what real Slack refuses: Block Kit's limits on chat.postMessage, chat.update
 * and chat.postEphemeral, through the real @slack/web-api client on loopback. A value at a limit is
 * taken, one character over is not.
 */
import { LogLevel, WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";

const TOKEN = "xoxb-test-limits";
const CHANNEL = "C0123456789";

let slack: FakeSlack;
let client: WebClient;

beforeEach(async () => {
  slack = await startFakeSlack({ token: TOKEN });
  // Quiet: the client logs the `response_metadata.messages` of every refusal, which these tests provoke.
  const none = () => undefined;
  client = new WebClient(TOKEN, {
    slackApiUrl: slack.url,
    retryConfig: { retries: 0 },
    logger: {
      debug: none,
      info: none,
      warn: none,
      error: none,
      setLevel: none,
      getLevel: () => LogLevel.ERROR,
      setName: none,
    },
  });
});

afterEach(async () => {
  await slack.close();
});

/** Slack's answer to a post of these arguments: "ok", or its error code and the JSON pointer it names. */
async function post(args: Record<string, unknown>, method = "chat.postMessage"): Promise<string> {
  try {
    await client.apiCall(method, { channel: CHANNEL, text: "fallback", ...args });
    return "ok";
  } catch (error) {
    const data = (error as { data?: { error?: string; errors?: string[] } }).data;
    const pointer = /json-pointer:([^\]]+)/.exec(data?.errors?.[0] ?? "")?.[1];
    return pointer ? `${data?.error} ${pointer}` : String(data?.error);
  }
}

const section = (text: string) => ({ type: "section", text: { type: "mrkdwn", text } });
const button = (overrides: Record<string, unknown> = {}) => ({
  type: "button",
  action_id: "alert.ack",
  text: { type: "plain_text", text: "Acknowledge" },
  ...overrides,
});
const confirm = (overrides: Record<string, unknown> = {}) => ({
  title: { type: "plain_text", text: "Excuse this episode?" },
  text: { type: "mrkdwn", text: "No more reminders." },
  confirm: { type: "plain_text", text: "Excuse" },
  deny: { type: "plain_text", text: "Cancel" },
  ...overrides,
});
const actions = (...elements: unknown[]) => ({ type: "actions", block_id: "alert-1", elements });
const plain = (text: string) => ({ type: "plain_text", text });

describe("the fake Slack enforces Block Kit's limits", () => {
  it("a section text of 3,000 is taken, 3,001 is invalid_blocks", async () => {
    expect(await post({ blocks: [section("a".repeat(3000))] })).toBe("ok");
    expect(await post({ blocks: [section("a".repeat(3001))] })).toBe("invalid_blocks /blocks/0/text/text");
  });

  it("a section field over 2,000, or more than 10 fields, is invalid_blocks", async () => {
    const field = (n: number) => ({ type: "mrkdwn", text: "f".repeat(n) });
    expect(await post({ blocks: [{ type: "section", fields: [field(2000)] }] })).toBe("ok");
    expect(await post({ blocks: [{ type: "section", fields: [field(10), field(2001)] }] })).toBe(
      "invalid_blocks /blocks/0/fields/1/text",
    );
    expect(
      await post({ blocks: [{ type: "section", fields: Array.from({ length: 11 }, () => field(1)) }] }),
    ).toBe("invalid_blocks /blocks/0/fields");
  });

  it("a button text over 75, a confirm text over 300 or a confirm button over 30 is invalid_blocks", async () => {
    expect(
      await post({ blocks: [actions(button({ text: plain("b".repeat(75)), confirm: confirm() }))] }),
    ).toBe("ok");
    expect(await post({ blocks: [actions(button({ text: plain("b".repeat(76)) }))] })).toBe(
      "invalid_blocks /blocks/0/elements/0/text/text",
    );
    expect(
      await post({
        blocks: [actions(button({ confirm: confirm({ text: { type: "mrkdwn", text: "c".repeat(301) } }) }))],
      }),
    ).toBe("invalid_blocks /blocks/0/elements/0/confirm/text/text");
    expect(
      await post({ blocks: [actions(button({ confirm: confirm({ deny: plain("d".repeat(31)) }) }))] }),
    ).toBe("invalid_blocks /blocks/0/elements/0/confirm/deny/text");
    expect(await post({ blocks: [actions(button({ confirm: { title: plain("Excuse?") } }))] })).toBe(
      "invalid_blocks /blocks/0/elements/0/confirm/text",
    );
  });

  it("a block_id or an action_id over 255 is invalid_blocks", async () => {
    expect(
      await post({
        blocks: [{ ...actions(button({ action_id: "a".repeat(255) })), block_id: "b".repeat(255) }],
      }),
    ).toBe("ok");
    expect(await post({ blocks: [{ ...actions(button()), block_id: "b".repeat(256) }] })).toBe(
      "invalid_blocks /blocks/0/block_id",
    );
    expect(await post({ blocks: [actions(button({ action_id: "a".repeat(256) }))] })).toBe(
      "invalid_blocks /blocks/0/elements/0/action_id",
    );
  });

  it("counts the blocks inside attachments: 50 in all are taken, 51 are invalid_blocks", async () => {
    const blocks = (n: number) => Array.from({ length: n }, (_, i) => section(`line ${i}`));
    const attachments = (n: number) => [{ color: "#F2A900", blocks: blocks(n) }];
    expect(await post({ blocks: blocks(20), attachments: attachments(30) })).toBe("ok");
    expect(await post({ blocks: blocks(20), attachments: attachments(31) })).toBe("invalid_blocks /blocks");
    expect(await post({ attachments: [{ color: "#F2A900", blocks: [section("x".repeat(3001))] }] })).toBe(
      "invalid_blocks /attachments/0/blocks/0/text/text",
    );
  });

  it("refuses more than 12,000 characters of block text as msg_blocks_too_long, top level and in attachments", async () => {
    const sections = (each: number, n: number) => Array.from({ length: n }, () => section("x".repeat(each)));
    expect(await post({ blocks: sections(3000, 4) })).toBe("ok");
    expect(await post({ blocks: sections(3000, 4).concat(section("x")) })).toBe(
      "msg_blocks_too_long /blocks",
    );
    expect(await post({ attachments: [{ color: "#D40E0D", blocks: sections(2500, 5) }] })).toBe(
      "msg_blocks_too_long /blocks",
    );
  });

  it("refuses a text past 40,000 characters as msg_too_long", async () => {
    expect(await post({ text: "t".repeat(40_000) })).toBe("ok");
    expect(await post({ text: "t".repeat(40_001) })).toBe("msg_too_long /text");
  });

  it("checks chat.update and chat.postEphemeral the same way, and keeps the refused message unchanged", async () => {
    const posted = await client.chat.postMessage({
      channel: CHANNEL,
      text: "first",
      blocks: [section("first")],
    });
    const ts = posted.ts as string;
    expect(await post({ ts, blocks: [section("a".repeat(3001))] }, "chat.update")).toBe(
      "invalid_blocks /blocks/0/text/text",
    );
    expect(await post({ user: "U0PRIYA01", blocks: [section("a".repeat(3001))] }, "chat.postEphemeral")).toBe(
      "invalid_blocks /blocks/0/text/text",
    );
    expect(slack.messages()).toEqual([expect.objectContaining({ ts, text: "first", updates: [] })]);
    expect(slack.ephemerals()).toEqual([]);
  });

  it("refuses empty texts and block types it does not know, as Slack does", async () => {
    expect(await post({ blocks: [section("")] })).toBe("invalid_blocks /blocks/0/text/text");
    expect(await post({ blocks: [{ type: "carousel" }] })).toBe("invalid_blocks /blocks/0/type");
    expect(
      await post({ blocks: [{ type: "divider" }, { type: "header", text: plain("h".repeat(151)) }] }),
    ).toBe("invalid_blocks /blocks/1/text/text");
  });
});
