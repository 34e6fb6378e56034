/**
 * Pacing and roll-ups against the fake Slack with Slack's chat.postMessage limit on (per channel,
 * about one a second, a short burst), through the real @slack/web-api client on loopback.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SlackNotifier, type SlackNotifierOptions } from "../../functions/adapters/slack/slack-notifier.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import type { RollupWork } from "../../functions/domain/rollup.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";

const TOKEN = "xoxb-test-pacing-secretvalue";
const NOW = Date.parse("2023-03-10T08:20:00Z");

function member(i: number): AlertRecord {
  return {
    id: `u-${i}#break#2023-03-10T08:00:00.000Z`,
    userId: `u-${i}`,
    email: `storm${i}@example.com`,
    name: `Storm${i} Agent`,
    ruleKey: "break",
    ruleName: "Long break",
    primaryStatus: "AWAY",
    secondaryStatus: "BREAK",
    sinceMs: Date.parse("2023-03-10T08:00:00Z") + i,
    thresholdSeconds: 900,
    severity: "warning",
    state: "open",
    firedMs: NOW,
    lastNotifiedMs: NOW,
    version: 1,
    expiresAt: 0,
    channel: "C0STORM01",
  };
}

const message = (n: number) => ({ text: `message ${n}`, blocks: [] });

describe("posting within Slack's per-channel limit", () => {
  let slack: FakeSlack;
  afterEach(async () => {
    await slack.close();
  });

  const notifier = (options: Partial<SlackNotifierOptions> = {}) =>
    new SlackNotifier({
      token: TOKEN,
      apiUrl: slack.url,
      timezone: "Asia/Kolkata",
      now: () => NOW,
      ...options,
    });

  it("the fake answers 429 with Retry-After past the burst, per channel", async () => {
    slack = await startFakeSlack({ token: TOKEN, rateLimit: { perSecond: 1, burst: 2 } });
    const post = (channel: string) =>
      fetch(`${slack.url}chat.postMessage`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ channel, text: "hi" }),
      });
    const answers = [
      await post("C0AAAAAA1"),
      await post("C0AAAAAA1"),
      await post("C0AAAAAA1"),
      await post("C0BBBBBB2"),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429, 200]);
    expect(answers[2]?.headers.get("retry-after")).toBe("1");
    expect(slack.rateLimited()).toBe(1);
  });

  it("paces posts into one channel so that none is refused, replies included", async () => {
    slack = await startFakeSlack({ token: TOKEN, rateLimit: { perSecond: 1, burst: 1 } });
    const n = notifier();
    const top = await n.post("C0STORM01", message(0));
    expect(top.ok).toBe(true);
    const ts = top.ok ? top.ts : "";
    for (let i = 1; i < 4; i++) expect((await n.post("C0STORM01", message(i), ts)).ok).toBe(true);
    expect(slack.rateLimited()).toBe(0);
    const at = slack.calls.map((c) => c.at);
    for (let i = 1; i < at.length; i++)
      expect((at[i] as number) - (at[i - 1] as number)).toBeGreaterThanOrEqual(1_000);
  });

  it("honours a 429's Retry-After and then succeeds", async () => {
    slack = await startFakeSlack({ token: TOKEN });
    slack.failNext("chat.postMessage", { retryAfter: 1 });
    const started = Date.now();
    const result = await notifier().post("C0STORM01", message(1));
    expect(result.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(slack.rateLimited()).toBe(1);
  });

  it("does not start a post whose turn comes after the run's deadline", async () => {
    slack = await startFakeSlack({ token: TOKEN, rateLimit: { perSecond: 1, burst: 1 } });
    const n = notifier({ deadlineMs: Date.now() + 2_000 });
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await n.post("C0STORM01", message(i)));
    expect(results.map((r) => (r.ok ? "ok" : r.error))).toEqual(["ok", "ok", "paced_past_deadline"]);
    expect(slack.calls).toHaveLength(2);
    expect(slack.rateLimited()).toBe(0);
  });

  it("delivers a 300-agent roll-up as one message and its complete list, without a 429", async () => {
    slack = await startFakeSlack({ token: TOKEN, rateLimit: { perSecond: 1, burst: 3 } });
    const members = Array.from({ length: 300 }, (_, i) => member(i + 1));
    const work: RollupWork = {
      id: `rollup#${members[0]?.id}`,
      channel: "C0STORM01",
      members,
      unlisted: members,
      escalated: [],
      resolved: [],
      reminded: [],
    };
    const outcome = await notifier().deliverRollup(work);
    expect(outcome.error).toBeUndefined();
    expect(outcome.ts).toMatch(/^\d+\.\d{6}$/);
    expect(outcome.listed).toHaveLength(300);
    const view = slack.messages();
    expect(view.filter((m) => m.thread_ts === undefined)).toHaveLength(1);
    expect(view.filter((m) => m.thread_ts === outcome.ts).length).toBeGreaterThanOrEqual(1);
    const all = view.map((m) => JSON.stringify(m.blocks)).join("");
    for (const m of members) expect(all).toMatch(new RegExp(`${m.name}\\b`));
    expect(slack.rateLimited()).toBe(0);
  });
});
