/**
 * A message Slack refuses as built (`invalid_blocks`, `msg_blocks_too_long`, ...) is sent again at
 * once as plain text, so the alert is seen and not left pending; and a roll-up part Slack refuses
 * holds back none of the roll-up's other parts. The notifier against the fake Slack on loopback,
 * through the real @slack/web-api client.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChannelPacer } from "../../functions/adapters/slack/channel-pacer.js";
import { SlackNotifier, type SlackNotifierOptions } from "../../functions/adapters/slack/slack-notifier.js";
import type { RollupWork } from "../../functions/domain/rollup.js";
import { type FakeSlack, type RecordedSlackCall, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { CHANNEL, lunchAlert, MIN, rollupMember, SINCE, ZONE } from "../fixtures/lunch-alert.js";

const TOKEN = "xoxb-test-fallback-secretvalue";

let slack: FakeSlack;
let warnings: string[];
/** Calls before this index were the test's preparation. */
let since = 0;

beforeEach(async () => {
  slack = await startFakeSlack({ token: TOKEN, users: { "priya.sharma@example.com": "U0PRIYA01" } });
  warnings = [];
  since = 0;
});
afterEach(async () => {
  await slack.close();
});

const notifier = (options: Partial<SlackNotifierOptions> = {}) =>
  new SlackNotifier({
    token: TOKEN,
    apiUrl: slack.url,
    timezone: ZONE,
    // No one-a-second turns: these tests are about what is sent, not when (slack-pacing.test.ts).
    pacer: new ChannelPacer({ intervalMs: 0 }),
    logger: { warn: (msg) => warnings.push(msg) },
    ...options,
  });

const answered = (c: RecordedSlackCall) => (c.response as { ok?: boolean; error?: string }).error ?? "ok";
const calls = (method: string) => slack.calls.slice(since).filter((c) => c.method === method);

describe("a message Slack refuses as built", () => {
  for (const error of ["invalid_blocks", "msg_blocks_too_long", "invalid_attachments", "msg_too_long"]) {
    it(`${error} on a new alert: the same alert as plain text in the same call, delivered`, async () => {
      // Prepare
      slack.failNext("chat.postMessage", { error });

      // Act
      const result = await notifier().deliver({ kind: "post", record: lunchAlert() });

      // Assess
      expect(result).toEqual({ ok: true, ts: expect.stringMatching(/^\d+\.\d{6}$/), channel: CHANNEL });
      const [refused, plain] = calls("chat.postMessage");
      expect([refused, plain].map((c) => c && answered(c))).toEqual([error, "ok"]);
      expect(refused?.args.attachments).toBeDefined();
      expect(plain?.args.blocks).toBeUndefined();
      expect(plain?.args.attachments).toBeUndefined();
      expect(plain?.args.text).toBe(refused?.args.text);
      const [message] = slack.messages();
      expect(message?.ts).toBe(result.ts);
      expect(message?.text).toContain("Priya Sharma (priya.sharma@example.com) is AWAY / LUNCH for 22m");
      expect(warnings).toContain("slack refused the message as built; sending it as plain text");
    });
  }

  it("on an escalation's update: the top message rewritten as plain text (old blocks cleared), then the reply", async () => {
    // Prepare
    const n = notifier();
    const posted = await n.deliver({ kind: "post", record: lunchAlert() });
    const alert = { ...lunchAlert(), slackTs: posted.ts as string, severity: "critical" as const };
    slack.failNext("chat.update", { error: "msg_blocks_too_long" });

    // Act
    const result = await n.deliver({
      kind: "escalate",
      record: { ...alert, lastNotifiedMs: SINCE + 31 * MIN },
    });

    // Assess
    expect(result).toEqual({ ok: true, ts: posted.ts, channel: CHANNEL });
    expect(calls("chat.update").map(answered)).toEqual(["msg_blocks_too_long", "ok"]);
    const [top, reply] = slack.messages();
    expect(top?.updates).toEqual([
      { text: expect.stringMatching(/^:rotating_light: CRITICAL/), blocks: [], attachments: [] },
    ]);
    expect(reply?.thread_ts).toBe(posted.ts);
    expect(reply?.text).toContain("Now CRITICAL");
  });

  it("on a reply and on the agent's nudge alike", async () => {
    // Prepare
    const n = notifier();
    const posted = await n.deliver({ kind: "post", record: lunchAlert() });
    slack.failNext("chat.postMessage", { error: "invalid_blocks" }, {}, { error: "invalid_blocks" });

    // Act
    const remind = await n.deliver({
      kind: "remind",
      record: { ...lunchAlert(), slackTs: posted.ts as string, lastNotifiedMs: SINCE + 52 * MIN },
    });
    const nudge = await n.deliver({ kind: "nudge", record: lunchAlert({ state: "nudged" }) });

    // Assess: the reminder's refused post and its plain twin, then the nudge's.
    expect([remind.ok, nudge]).toEqual([true, { ok: true, nudge: "sent" }]);
    expect(calls("chat.postMessage").map(answered)).toEqual([
      "ok",
      "invalid_blocks",
      "ok",
      "invalid_blocks",
      "ok",
    ]);
    const texts = slack.messages().map((m) => [m.thread_ts === posted.ts, m.channel.startsWith("D"), m.text]);
    expect(texts).toEqual([
      [false, false, expect.stringContaining("Priya Sharma")],
      [true, false, expect.stringContaining("still AWAY / LUNCH, for 52m now")],
      [false, true, expect.stringContaining("switch your status in SmartAssist")],
    ]);
  });

  it("stays pending when the plain text cannot go either (Slack down), and is not sent as plain text for other errors", async () => {
    // Prepare
    const n = notifier({ retries: 0 });
    slack.failNext(
      "chat.postMessage",
      { error: "invalid_blocks" },
      { status: 503 },
      { error: "not_in_channel" },
    );

    // Act
    const down = await n.deliver({ kind: "post", record: lunchAlert() });
    const notInChannel = await n.deliver({ kind: "post", record: lunchAlert() });

    // Assess
    expect(down).toEqual({ ok: false, error: "http_503", transient: true });
    expect(notInChannel).toEqual({ ok: false, error: "not_in_channel", transient: false });
    expect(calls("chat.postMessage")).toHaveLength(3);
    expect(slack.messages()).toEqual([]);
  });
});

describe("a roll-up part Slack refuses holds back none of the others", () => {
  /** A roll-up already posted (its message only); then this run's work on it. */
  async function postedRollup(n: SlackNotifier, size: number, resolved: number): Promise<RollupWork> {
    const open = Array.from({ length: size }, (_, i) => rollupMember(i + 1));
    const first = await n.deliverRollup({
      id: "rollup#u-1",
      channel: CHANNEL,
      members: open,
      unlisted: [],
      escalated: [],
      resolved: [],
      reminded: [],
    });
    expect(first.error).toBeUndefined();
    const members = open.map((m, i) =>
      i < resolved ? { ...m, state: "resolved" as const, endedMs: SINCE + 40 * MIN } : m,
    );
    since = slack.calls.length;
    return {
      id: "rollup#u-1",
      channel: CHANNEL,
      ts: first.ts as string,
      members,
      unlisted: members,
      escalated: [],
      resolved: members.slice(0, resolved),
      reminded: [],
    };
  }

  it("a refused list reply goes as plain text naming its agents; the update and the resolve reply follow", async () => {
    // Prepare
    const n = notifier();
    const work = await postedRollup(n, 30, 10);
    slack.failNext("chat.postMessage", { error: "msg_blocks_too_long" });

    // Act
    const outcome = await n.deliverRollup(work);

    // Assess
    expect(outcome).toMatchObject({ listed: work.members.map((m) => m.id), resolveShown: true });
    expect(outcome.error).toBeUndefined();
    expect(calls("chat.postMessage").map(answered)).toEqual(["msg_blocks_too_long", "ok", "ok"]);
    expect(calls("chat.update").map(answered)).toEqual(["ok"]);
    const [top, list, over] = slack.messages();
    expect(top?.text).toContain("20 of 30 still firing");
    expect(list?.blocks).toBeUndefined();
    for (const m of work.members) expect(list?.text).toMatch(new RegExp(`${m.name}\\b`));
    expect(JSON.stringify(over?.blocks)).toContain("Over: 10 agents");
  });

  it("a part refused even as plain text stays pending alone: the other parts, the update and the resolve reply go out", async () => {
    // Prepare: 300 agents, a list of several parts; the first refused as built and as plain text.
    const n = notifier();
    const work = await postedRollup(n, 300, 100);
    slack.failNext("chat.postMessage", { error: "msg_blocks_too_long" }, { error: "msg_too_long" });

    // Act
    const outcome = await n.deliverRollup(work);

    // Assess
    const parts = calls("chat.postMessage").filter((c) =>
      String(c.args.text).startsWith("Agents in this roll-up"),
    );
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(parts.slice(0, 2).map(answered)).toEqual(["msg_blocks_too_long", "msg_too_long"]);
    expect(
      parts
        .slice(2)
        .map(answered)
        .every((a) => a === "ok"),
    ).toBe(true);
    expect(outcome.error).toBe("msg_too_long");
    expect(outcome.transient).toBeUndefined();
    expect(outcome.resolveShown).toBe(true);
    // The first part's agents are left for the next run; every other agent is listed.
    expect(outcome.listed.length).toBeGreaterThan(0);
    expect(outcome.listed.length).toBeLessThan(300);
    expect(outcome.listed).toEqual(work.members.slice(300 - outcome.listed.length).map((m) => m.id));
    expect(calls("chat.update").map(answered)).toEqual(["ok"]);
    expect(slack.messages().find((m) => m.ts === work.ts)?.text).toContain("200 of 300 still firing");
  });

  it("a transient failure still ends the roll-up's turn: no update, nothing marked", async () => {
    // Prepare
    const n = notifier({ retries: 0 });
    const work = await postedRollup(n, 30, 10);
    slack.failNext("chat.postMessage", { status: 503 });

    // Act
    const outcome = await n.deliverRollup(work);

    // Assess
    expect(outcome).toMatchObject({ listed: [], resolveShown: false, error: "http_503", transient: true });
    expect(calls("chat.update")).toEqual([]);
    expect(calls("chat.postMessage")).toHaveLength(1);
  });
});
