/**
 * The Slack adapter against the fake Slack Web API on loopback, through the real @slack/web-api client.
 */

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { COLORS } from "../../functions/adapters/slack/messages.js";
import {
  normalizeApiUrl,
  SlackNotifier,
  type SlackNotifierOptions,
} from "../../functions/adapters/slack/slack-notifier.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { renderSlackCalls } from "../fakes/slack/terminal-render.js";
import { CHANNEL, lunchAlert, MIN, SINCE, ZONE } from "../fixtures/lunch-alert.js";

const TOKEN = "xoxb-test-1111-2222-secretvalue";

const record = lunchAlert;

describe("SlackNotifier against the fake Slack Web API", () => {
  let slack: FakeSlack;
  let warnings: Array<{ msg: string; extra?: Record<string, unknown> }>;

  const notifier = (options: Partial<SlackNotifierOptions> = {}) =>
    new SlackNotifier({
      token: TOKEN,
      apiUrl: slack.url,
      timezone: ZONE,
      logger: { warn: (msg, extra) => warnings.push(extra === undefined ? { msg } : { msg, extra }) },
      ...options,
    });

  /** Posts the record's top message and returns the record as the state would keep it. */
  async function posted(n: SlackNotifier, overrides: Partial<AlertRecord> = {}): Promise<AlertRecord> {
    const base = record(overrides);
    const result = await n.deliver({ kind: "post", record: base });
    expect(result.ok).toBe(true);
    return {
      ...base,
      slackTs: result.ts as string,
      channel: result.channel as string,
      notifiedSeverity: base.severity,
    };
  }

  beforeEach(async () => {
    slack = await startFakeSlack({ token: TOKEN });
    warnings = [];
  });

  afterEach(async () => {
    await slack.close();
  });

  it("posts a firing alert as one top-level message with blocks and fallback text", async () => {
    // Prepare
    const n = notifier();

    // Act
    const result = await n.deliver({ kind: "post", record: record() });

    // Assess
    expect(result).toEqual({ ok: true, ts: expect.stringMatching(/^\d+\.\d{6}$/), channel: CHANNEL });
    const messages = slack.messages();
    expect(messages).toHaveLength(1);
    const [top] = messages;
    expect(top?.ts).toBe(result.ts);
    expect(top?.thread_ts).toBeUndefined();
    expect(top?.text).toContain("Priya Sharma (priya.sharma@example.com) is AWAY / LUNCH for 22m");
    expect(top?.text).toContain("since 13:05 (Asia/Kolkata)");
    // The SDK sends attachments JSON-encoded inside the form body; the fake parsed them back. The blocks
    // sit in an attachment whose colour bar shows the state, with the actions block keyed by the alert id.
    const [attachment] = (slack.calls[0]?.args.attachments ?? []) as Array<{
      color: string;
      blocks: unknown[];
    }>;
    expect(attachment?.color).toBe(COLORS.warning);
    expect(attachment?.blocks).toContainEqual(
      expect.objectContaining({ type: "actions", block_id: record().id }),
    );
    expect(slack.calls[0]?.token).toBe(TOKEN);
    expect(slack.calls[0]?.args.unfurl_links).toBe("false");
  });

  it("returns the channel id Slack answers with", async () => {
    // Prepare
    const n = notifier();

    // Act
    const result = await n.deliver({ kind: "post", record: record({ channel: "#ops-alerts" }) });

    // Assess
    expect(result.ok).toBe(true);
    expect(result.channel).toMatch(/^C[A-Z0-9]+$/);
    expect(slack.messages()[0]?.channel).toBe(result.channel);
  });

  it("posts a reminder as a reply in the alert's thread", async () => {
    // Prepare
    const n = notifier();
    const alert = await posted(n);

    // Act
    const result = await n.deliver({
      kind: "remind",
      record: { ...alert, lastNotifiedMs: SINCE + 52 * MIN },
    });

    // Assess
    expect(result).toEqual({ ok: true, ts: alert.slackTs, channel: CHANNEL });
    const messages = slack.messages();
    expect(messages).toHaveLength(2);
    expect(messages[1]?.thread_ts).toBe(alert.slackTs);
    expect(messages[1]?.text).toContain("still AWAY / LUNCH, for 52m now");
    expect(messages[0]?.updates).toHaveLength(0);
  });

  it("escalates: updates the top message to critical, then replies in the thread with the mention", async () => {
    // Prepare
    const n = notifier();
    const alert = await posted(n);
    const critical = {
      ...alert,
      severity: "critical" as const,
      lastNotifiedMs: SINCE + 31 * MIN,
      escalationMention: "<!subteam^S0123456789>",
    };

    // Act
    const result = await n.deliver({ kind: "escalate", record: critical });

    // Assess
    expect(result).toEqual({ ok: true, ts: alert.slackTs, channel: CHANNEL });
    const methods = slack.calls.map((c) => c.method);
    expect(methods).toEqual(["chat.postMessage", "chat.update", "chat.postMessage"]);
    const [top, reply] = slack.messages();
    expect(top?.updates).toHaveLength(1);
    expect(top?.text).toMatch(/^:rotating_light: CRITICAL/);
    expect(top?.text).toContain("for 31m");
    expect(reply?.thread_ts).toBe(alert.slackTs);
    expect(reply?.text).toContain("Now CRITICAL");
    expect(reply?.text).toContain("<!subteam^S0123456789>");
  });

  it("resolves: updates the top message in place and adds a short thread reply", async () => {
    // Prepare
    const n = notifier();
    const alert = await posted(n);
    const resolved = { ...alert, state: "resolved" as const, endedMs: SINCE + 41 * MIN };

    // Act
    const result = await n.deliver({ kind: "resolve", record: resolved });

    // Assess
    expect(result.ok).toBe(true);
    const messages = slack.messages();
    expect(messages).toHaveLength(2);
    expect(messages[0]?.ts).toBe(alert.slackTs);
    expect(messages[0]?.text).toContain(
      ":white_check_mark: Resolved — Priya Sharma (priya.sharma@example.com) was AWAY / LUNCH for 41m (13:05–13:46)",
    );
    expect(messages[0]?.updates).toHaveLength(1);
    expect(messages[1]?.thread_ts).toBe(alert.slackTs);
    expect(messages[1]?.text).toContain("after 41m");
  });

  it("posts a never-delivered, already resolved alert as one top-level message in the resolved form", async () => {
    // Prepare
    const n = notifier();

    // Act
    const result = await n.deliver({
      kind: "post",
      record: record({ state: "resolved", endedMs: SINCE + 41 * MIN }),
    });

    // Assess
    expect(result.ok).toBe(true);
    const messages = slack.messages();
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toContain("Resolved");
    expect(messages[0]?.thread_ts).toBeUndefined();
  });

  it("surfaces a Slack ok:false as {ok:false} with Slack's error code, without retrying it", async () => {
    // Prepare
    const n = notifier();
    slack.failNext("chat.postMessage", { error: "channel_not_found" });

    // Act
    const result = await n.deliver({ kind: "post", record: record() });

    // Assess
    expect(result).toEqual({ ok: false, error: "channel_not_found", transient: false });
    expect(slack.calls).toHaveLength(1);
    expect(slack.messages()).toHaveLength(0);
  });

  it("escalation is not ok when the top message update fails, and then sends no reply", async () => {
    // Prepare
    const n = notifier();
    const alert = await posted(n);
    slack.failNext("chat.update", { error: "cant_update_message" });

    // Act
    const result = await n.deliver({ kind: "escalate", record: { ...alert, severity: "critical" } });

    // Assess
    expect(result).toEqual({ ok: false, error: "cant_update_message", transient: false });
    expect(slack.messages()).toHaveLength(1);
  });

  it("escalation is not ok when the reply fails after the update (the next run redoes both)", async () => {
    // Prepare
    const n = notifier();
    const alert = await posted(n);
    slack.failNext("chat.postMessage", { error: "is_archived" });

    // Act
    const result = await n.deliver({ kind: "escalate", record: { ...alert, severity: "critical" } });

    // Assess
    expect(result).toEqual({ ok: false, error: "is_archived", transient: false });
    expect(slack.messages()[0]?.updates).toHaveLength(1);
  });

  it("a resolve whose top message was deleted is done, with a warning, instead of failing forever", async () => {
    // Prepare
    const n = notifier();
    const alert = record({ slackTs: "1600000000.000100", state: "resolved", endedMs: SINCE + 41 * MIN });

    // Act
    const result = await n.deliver({ kind: "resolve", record: alert });

    // Assess
    expect(result.ok).toBe(true);
    expect(warnings.some((w) => w.msg.includes("gone"))).toBe(true);
    expect(slack.messages()).toHaveLength(0);
  });

  it("waits out a 429 with Retry-After 1 and then succeeds", async () => {
    // Prepare
    const n = notifier();
    slack.failNext("chat.postMessage", { status: 429, retryAfter: 1 });
    const started = Date.now();

    // Act
    const result = await n.deliver({ kind: "post", record: record() });

    // Assess
    const elapsed = Date.now() - started;
    expect(result.ok).toBe(true);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(slack.calls.map((c) => c.status)).toEqual([429, 200]);
    expect(slack.messages()).toHaveLength(1);
    expect(warnings.some((w) => w.msg.includes("rate limited"))).toBe(true);
  });

  it("gives up at once on a Retry-After longer than the bound: ok:false, alert stays pending", async () => {
    // Prepare
    const n = notifier({ maxRetryTimeMs: 2_000 });
    slack.failNext("chat.postMessage", { status: 429, retryAfter: 60 });
    const started = Date.now();

    // Act
    const result = await n.deliver({ kind: "post", record: record() });
    const second = await n.deliver({ kind: "post", record: record() });

    // Assess: the second delivery honours the same Retry-After without calling Slack again.
    expect(result).toEqual({ ok: false, error: "ratelimited", transient: true });
    expect(second).toEqual({ ok: false, error: "ratelimited", transient: true });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(slack.calls).toHaveLength(1);
  });

  it("retries a persistent 500 a bounded number of times, then gives ok:false within the bound", async () => {
    // Prepare
    const n = notifier({ retries: 2, maxRetryTimeMs: 5_000 });
    slack.failNext("chat.postMessage", { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const started = Date.now();

    // Act
    const result = await n.deliver({ kind: "post", record: record() });

    // Assess
    expect(result).toEqual({ ok: false, error: "http_500", transient: true });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(slack.calls).toHaveLength(3);
  });

  it("recovers from a single 503", async () => {
    // Prepare
    const n = notifier();
    slack.failNext("chat.postMessage", { status: 503 });

    // Act
    const result = await n.deliver({ kind: "post", record: record() });

    // Assess
    expect(result.ok).toBe(true);
    expect(slack.calls.map((c) => c.status)).toEqual([503, 200]);
  });

  it("aborts a request that hangs past the delivery bound", async () => {
    // Prepare
    const n = notifier({ maxRetryTimeMs: 800 });
    slack.failNext("chat.postMessage", { delayMs: 5_000 });
    const started = Date.now();

    // Act
    const result = await n.deliver({ kind: "post", record: record() });

    // Assess
    expect(result).toEqual({ ok: false, error: "timeout", transient: true });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it("bounds a whole delivery, not each request: an escalation's two calls share one deadline", async () => {
    // Prepare: each call alone is under the bound; together they are not.
    const n = notifier({ maxRetryTimeMs: 1_000, requestTimeoutMs: 1_000 });
    const alert = await posted(n);
    slack.failNext("chat.update", { delayMs: 600 });
    slack.failNext("chat.postMessage", { delayMs: 5_000 });
    const started = Date.now();

    // Act
    const result = await n.deliver({ kind: "escalate", record: { ...alert, severity: "critical" } });

    // Assess
    expect(result).toEqual({ ok: false, error: "timeout", transient: true });
    expect(Date.now() - started).toBeLessThan(1_400);
    expect(slack.messages()[0]?.updates).toHaveLength(1);
  });

  it("looks up an agent's mention once and reuses it (found and not found alike)", async () => {
    // Prepare
    slack.users.set("priya.sharma@example.com", "U0PRIYA01");
    const n = notifier({ mentionAgents: true });
    const other = { userId: "u-2", email: "nobody@example.com", name: "No Body" };

    // Act
    const first = await n.deliver({ kind: "post", record: record() });
    const second = await n.deliver({ kind: "post", record: record({ sinceMs: SINCE + MIN }) });
    const third = await n.deliver({ kind: "post", record: record(other) });
    const fourth = await n.deliver({ kind: "post", record: record({ ...other, sinceMs: SINCE + MIN }) });

    // Assess
    expect([first.ok, second.ok, third.ok, fourth.ok]).toEqual([true, true, true, true]);
    const lookups = slack.calls.filter((c) => c.method === "users.lookupByEmail");
    expect(lookups.map((c) => c.args.email)).toEqual(["priya.sharma@example.com", "nobody@example.com"]);
    const texts = slack.messages().map((m) => m.text);
    expect(texts[0]).toContain("<@U0PRIYA01>");
    expect(texts[1]).toContain("<@U0PRIYA01>");
    expect(texts[2]).not.toContain("<@");
  });

  it("a rate-limited lookup does not hold up the alert, and is asked again next time", async () => {
    // Prepare
    slack.users.set("priya.sharma@example.com", "U0PRIYA01");
    const n = notifier({ mentionAgents: true });
    slack.failNext("users.lookupByEmail", { status: 429, retryAfter: 1 });
    const started = Date.now();

    // Act
    const first = await n.deliver({ kind: "post", record: record() });
    const quickly = Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    const second = await n.deliver({ kind: "post", record: record({ sinceMs: SINCE + MIN }) });

    // Assess
    expect([first.ok, second.ok]).toEqual([true, true]);
    expect(quickly).toBeLessThan(500);
    const texts = slack.messages().map((m) => m.text);
    expect(texts[0]).not.toContain("<@");
    expect(texts[1]).toContain("<@U0PRIYA01>");
    expect(slack.calls.filter((c) => c.method === "users.lookupByEmail")).toHaveLength(2);
  });

  it("never puts the token in an error string or a log line", async () => {
    // Prepare
    const wrong = notifier({ token: "xoxb-wrong-token-value" });
    const n = notifier({ retries: 1, maxRetryTimeMs: 2_000 });

    // Act
    const refused = await wrong.deliver({ kind: "post", record: record() });
    slack.failNext("chat.postMessage", { error: `invalid_auth ${TOKEN}` });
    const echoed = await n.deliver({ kind: "post", record: record() });
    await slack.close();
    const unreachable = await n.deliver({ kind: "post", record: record() });
    slack = await startFakeSlack({ token: TOKEN }); // for afterEach

    // Assess
    expect(refused).toEqual({ ok: false, error: "invalid_auth", transient: false });
    expect(echoed.ok).toBe(false);
    expect(echoed.error).toContain("[redacted]");
    expect(unreachable.ok).toBe(false);
    expect(unreachable.error).toBe("request_failed: ECONNREFUSED");
    const everything = JSON.stringify([refused, echoed, unreachable, warnings]);
    expect(everything).not.toContain(TOKEN);
    expect(everything).not.toContain("xoxb-wrong-token-value");
  });

  it("accepts the API URL with or without /api/", async () => {
    // Prepare
    const bare = slack.url.replace(/api\/$/, "");
    const n = notifier({ apiUrl: bare });

    // Act
    const result = await n.deliver({ kind: "post", record: record() });

    // Assess
    expect(normalizeApiUrl(bare)).toBe(slack.url);
    expect(normalizeApiUrl(slack.url.replace(/\/$/, ""))).toBe(slack.url);
    expect(normalizeApiUrl(undefined)).toBe("https://slack.com/api/");
    expect(result.ok).toBe(true);
  });
});

describe("fake Slack wire format", () => {
  let slack: FakeSlack;

  beforeEach(async () => {
    slack = await startFakeSlack({ token: TOKEN });
  });

  afterEach(async () => {
    await slack.close();
  });

  async function call(
    method: string,
    body: unknown,
    token = TOKEN,
  ): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${slack.url}${method}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json; charset=utf-8" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  }

  it("answers JSON bodies, checks the token, and refuses unknown methods and unknown messages", async () => {
    // Act
    const auth = await call("auth.test", {});
    const badAuth = await call("auth.test", {}, "xoxb-nope");
    const unknown = await call("chat.frobnicate", {});
    const update = await call("chat.update", { channel: CHANNEL, ts: "1.000100", text: "x" });
    const lookup = await call("users.lookupByEmail", { email: "ghost@example.com" });
    const post = await call("chat.postMessage", { channel: CHANNEL, text: "hello", blocks: [] });

    // Assess
    expect(auth.body).toMatchObject({ ok: true, team_id: "T00000001" });
    expect(badAuth.body).toEqual({ ok: false, error: "invalid_auth" });
    expect(unknown.body).toEqual({ ok: false, error: "unknown_method" });
    expect(update.body).toEqual({ ok: false, error: "message_not_found" });
    expect(lookup.body).toEqual({ ok: false, error: "users_not_found" });
    expect(post.body).toMatchObject({ ok: true, channel: CHANNEL, message: { text: "hello" } });
    expect(slack.calls).toHaveLength(6);
  });
});

describe("terminal rendering of the fake Slack channel", () => {
  it("shows top messages, edits and thread replies; colour only when asked", async () => {
    // Prepare
    const slack = await startFakeSlack({ token: TOKEN });
    try {
      const n = new SlackNotifier({ token: TOKEN, apiUrl: slack.url, timezone: ZONE });
      const first = await n.deliver({ kind: "post", record: record() });
      const alert = { ...record(), slackTs: first.ts as string };
      await n.deliver({ kind: "remind", record: { ...alert, lastNotifiedMs: SINCE + 52 * MIN } });
      await n.deliver({
        kind: "resolve",
        record: { ...alert, state: "resolved", endedMs: SINCE + 60 * MIN },
      });

      // Act
      const plain = renderSlackCalls(slack.calls);
      const coloured = renderSlackCalls(slack.calls, { color: true });

      // Assess
      expect(plain).toContain(`#${CHANNEL}`);
      expect(plain).toContain("✅ Resolved — Priya Sharma was AWAY / LUNCH for 1h 00m (13:05–14:05)");
      expect(plain).toContain("(edited)");
      expect(plain).toMatch(/↳ ⏳ Priya Sharma is still AWAY \/ LUNCH, for 52m now\./);
      expect(plain).not.toContain("\u001b[");
      expect(plain).not.toContain("*");
      expect(coloured).toContain("\u001b[");
    } finally {
      await slack.close();
    }
  });
});
