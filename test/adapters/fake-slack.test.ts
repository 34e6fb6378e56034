/**
 * The fake Slack's side of Slack actions (issue 8), driven through the real @slack/web-api WebClient as
 * the adapters use it: DMs, user groups, ephemeral answers, response_url, and attachments on messages.
 */
import { LogLevel, WebClient } from "@slack/web-api";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { renderEphemerals, renderSlackMessages } from "../fakes/slack/terminal-render.js";

const TOKEN = "xoxb-test-token";
let slack: FakeSlack;
let client: WebClient;

beforeEach(async () => {
  slack = await startFakeSlack({
    token: TOKEN,
    users: { "priya@example.com": "U0PRIYA01", "omar@example.com": "U0OMAR001" },
    usergroups: { S0ONCALL1: ["U0PRIYA01", "U0OMAR001"] },
  });
  // No retries: a failure must show as the error, not a wait.
  client = new WebClient(TOKEN, {
    slackApiUrl: slack.url,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
  });
});

afterEach(async () => {
  await slack.close();
});

/** The error code a Slack call fails with (WebClient throws on `ok: false`). */
async function slackError(call: () => Promise<unknown>): Promise<string> {
  try {
    await call();
  } catch (error) {
    return String((error as { data?: { error?: string } }).data?.error);
  }
  throw new Error("expected the call to fail");
}

const ALERT_ATTACHMENT = (color: string, state: string) => [
  {
    color,
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*Priya* on LUNCH for 32 min ${state}` } },
      {
        type: "actions",
        block_id: "alert-1",
        elements: [
          { type: "button", action_id: "alert.ack", text: { type: "plain_text", text: "Acknowledge" } },
          {
            type: "static_select",
            action_id: "alert.snooze",
            placeholder: { type: "plain_text", text: "Snooze…" },
            options: [{ text: { type: "plain_text", text: "15 min" }, value: "15m" }],
          },
          {
            type: "button",
            action_id: "alert.excuse",
            text: { type: "plain_text", text: "Excuse" },
            // Slack requires all four parts of a confirm dialog (the fake checks Block Kit's schema).
            confirm: {
              title: { type: "plain_text", text: "Excuse?" },
              text: { type: "mrkdwn", text: "No more reminders for this episode." },
              confirm: { type: "plain_text", text: "Excuse" },
              deny: { type: "plain_text", text: "Cancel" },
            },
          },
        ],
      },
    ],
  },
];

describe("conversations.open", () => {
  it("opens one stable DM channel per user", async () => {
    const first = await client.conversations.open({ users: "U0PRIYA01" });
    const again = await client.conversations.open({ users: "U0PRIYA01" });
    const other = await client.conversations.open({ users: "U0OMAR001" });
    expect(first.ok).toBe(true);
    expect(first.channel?.id).toMatch(/^D[A-Z0-9]{8,}$/);
    expect(again.channel?.id).toBe(first.channel?.id);
    expect(other.channel?.id).not.toBe(first.channel?.id);
    expect([...slack.directMessages]).toEqual([
      [first.channel?.id, "U0PRIYA01"],
      [other.channel?.id, "U0OMAR001"],
    ]);
  });

  it("answers user_not_found for a user it does not know", async () => {
    expect(await slackError(() => client.conversations.open({ users: "U0NOBODY1" }))).toBe("user_not_found");
  });

  it("keeps DMs in messages() like any channel, also when posted to the user id", async () => {
    const opened = await client.conversations.open({ users: "U0PRIYA01" });
    const dm = opened.channel?.id as string;
    await client.chat.postMessage({ channel: dm, text: "You have been on LUNCH for 10 min" });
    const byUser = await client.chat.postMessage({ channel: "U0PRIYA01", text: "Still on LUNCH" });
    expect(byUser.channel).toBe(dm);
    expect(slack.messages().map((m) => [m.channel, m.text])).toEqual([
      [dm, "You have been on LUNCH for 10 min"],
      [dm, "Still on LUNCH"],
    ]);
  });
});

describe("usergroups.users.list", () => {
  it("lists a group's members, from the options and from later changes", async () => {
    const listed = await client.usergroups.users.list({ usergroup: "S0ONCALL1" });
    expect(listed.users).toEqual(["U0PRIYA01", "U0OMAR001"]);
    slack.usergroups.set("S0LEADS01", ["U0LEAD001"]);
    expect((await client.usergroups.users.list({ usergroup: "S0LEADS01" })).users).toEqual(["U0LEAD001"]);
  });

  it("answers no_such_subteam for an unknown group", async () => {
    expect(await slackError(() => client.usergroups.users.list({ usergroup: "S0NOPE001" }))).toBe(
      "no_such_subteam",
    );
  });
});

describe("chat.postEphemeral", () => {
  it("records the answer for the one user and returns a message_ts, outside the channel view", async () => {
    const answer = await client.chat.postEphemeral({
      channel: "C0123456789",
      user: "U0OMAR001",
      text: "Only responders can act on alerts.",
    });
    expect(answer.ok).toBe(true);
    expect(answer.message_ts).toMatch(/^\d+\.\d{6}$/);
    expect(slack.ephemerals()).toEqual([
      {
        channel: "C0123456789",
        user: "U0OMAR001",
        text: "Only responders can act on alerts.",
        ts: answer.message_ts,
      },
    ]);
    expect(slack.messages()).toEqual([]);
  });

  it("renders in the terminal with the one user who sees it", async () => {
    await client.chat.postEphemeral({
      channel: "C0123456789",
      user: "U0OMAR001",
      text: ":no_entry_sign: Only responders can act on alerts.",
    });
    expect(
      renderEphemerals(slack.ephemerals(), { users: slack.users, channelNames: { C0123456789: "ops" } }),
    ).toBe("only @omar sees, in #ops: 🚫 Only responders can act on alerts.");
  });

  it("refuses one without a user or any text", async () => {
    expect(
      await slackError(() => client.chat.postEphemeral({ channel: "C0123456789", user: "", text: "x" })),
    ).toBe("user_not_found");
    expect(
      await slackError(() =>
        client.chat.postEphemeral({ channel: "C0123456789", user: "U0OMAR001", text: "" }),
      ),
    ).toBe("no_text");
    expect(slack.ephemerals()).toEqual([]);
  });
});

describe("response_url", () => {
  it("gives loopback URLs and records every JSON POST to them", async () => {
    const url = slack.responseUrl("alert-1");
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/response\/alert-1$/);
    const generated = slack.responseUrl();
    expect(generated).not.toBe(slack.responseUrl());

    const body = { response_type: "ephemeral", replace_original: false, text: "This alert is already over." };
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true });
    expect(slack.responses).toEqual([{ id: "alert-1", body, at: expect.any(Number) }]);
  });

  it("refuses a body that is not JSON, and can fail on demand", async () => {
    const url = slack.responseUrl("x");
    const bad = await fetch(url, { method: "POST", body: "text=hello" });
    expect(bad.status).toBe(400);
    slack.failNext("response_url", { status: 404, error: "expired_url" });
    const expired = await fetch(url, { method: "POST", body: JSON.stringify({ text: "late" }) });
    expect(expired.status).toBe(404);
    expect(slack.responses).toEqual([]);
  });
});

describe("attachments", () => {
  it("are stored on the message, and chat.update replaces them", async () => {
    const posted = await client.chat.postMessage({
      channel: "C0123456789",
      text: "Priya is on LUNCH for 32 min",
      attachments: ALERT_ATTACHMENT("#f2c744", ""),
    });
    await client.chat.update({
      channel: "C0123456789",
      ts: posted.ts as string,
      text: "Priya is on LUNCH for 32 min (acknowledged)",
      attachments: ALERT_ATTACHMENT("#9e9e9e", "👀 Acknowledged by <@U0OMAR001>"),
    });
    const [message] = slack.messages();
    expect(message?.attachments).toEqual(ALERT_ATTACHMENT("#9e9e9e", "👀 Acknowledged by <@U0OMAR001>"));
    expect(message?.updates).toHaveLength(1);
    expect(message?.updates[0]?.attachments).toEqual(message?.attachments);
  });

  it("count as content without text or blocks, and must be a list", async () => {
    const posted = await client.chat.postMessage({
      channel: "C0123456789",
      attachments: ALERT_ATTACHMENT("#e01e5a", ""),
    } as Parameters<WebClient["chat"]["postMessage"]>[0]);
    expect(posted.ok).toBe(true);
    expect(
      await slackError(() =>
        client.apiCall("chat.postMessage", { channel: "C0123456789", text: "x", attachments: "nope" }),
      ),
    ).toBe("invalid_attachments");
  });

  it("render in the terminal with the attachment's colour bar, buttons and DMs labelled", async () => {
    const posted = await client.chat.postMessage({
      channel: "C0123456789",
      text: "Priya is on LUNCH for 32 min",
      attachments: ALERT_ATTACHMENT("#e01e5a", ""),
    });
    await client.chat.postMessage({
      channel: "C0123456789",
      thread_ts: posted.ts as string,
      text: ":eyes: Acknowledged by <@U0OMAR001>",
    });
    const dm = (await client.conversations.open({ users: "U0PRIYA01" })).channel?.id as string;
    await client.chat.postMessage({ channel: dm, text: "You have been on LUNCH for 10 min" });

    const plain = renderSlackMessages(slack.messages(), {
      users: slack.users,
      directMessages: slack.directMessages,
    });
    expect(plain).toContain("┃ ▌ Priya on LUNCH for 32 min");
    expect(plain).toContain("[Acknowledge] [Snooze… ▾] [Excuse]");
    expect(plain).toContain("↳ 👀 Acknowledged by @omar");
    expect(plain).toContain("DM @priya");
    expect(plain).not.toContain("\u001b[");

    const coloured = renderSlackMessages(slack.messages(), {
      color: true,
      directMessages: slack.directMessages,
    });
    expect(coloured).toContain("\u001b[31m▌"); // #e01e5a is red
  });
});
