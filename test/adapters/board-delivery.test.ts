/** The board's Slack side against the fake Slack: post, update in place, re-post when gone, pin once. */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { renderBoard } from "../../functions/adapters/slack/board-messages.js";
import { SlackNotifier } from "../../functions/adapters/slack/slack-notifier.js";
import { type BoardModel, boardModel, boardSnapshot } from "../../functions/domain/board.js";
import { countAgent, emptyCounts } from "../../functions/domain/board-counts.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { CHANNEL, lunchAlert, MIN, SINCE, ZONE } from "../fixtures/lunch-alert.js";
import { config } from "../unit/builders.js";

const TOKEN = "xoxb-test-board-1111";

function model(stuck: number): BoardModel {
  const counts = emptyCounts();
  for (let i = 0; i < 41; i++)
    countAgent(counts, { primary: i < 6 ? "AWAY" : "AVAILABLE", secondary: "LUNCH" });
  const open = Array.from({ length: stuck }, (_, i) =>
    lunchAlert({ id: `u-${i}`, userId: `u-${i}`, name: `Agent ${i}`, sinceMs: SINCE - i * MIN }),
  );
  const cfg = { ...config({ timezone: ZONE }), slack: { ...config().slack, channel: CHANNEL } };
  return boardModel(
    boardSnapshot(cfg, {
      channel: CHANNEL,
      nowMs: SINCE + 30 * MIN,
      counts,
      open,
      due: [],
      everyMs: 5 * MIN,
    }),
  );
}

describe("the board in Slack", () => {
  let slack: FakeSlack;
  const notifier = () => new SlackNotifier({ token: TOKEN, apiUrl: slack.url, timezone: ZONE });

  beforeEach(async () => {
    slack = await startFakeSlack({ token: TOKEN });
  });
  afterEach(async () => {
    await slack.close();
  });

  it("renders the exact text line, the lines, …and N more and the status mix within Block Kit's limits", () => {
    const message = renderBoard(model(45));
    expect(message.text).toBe("Now stuck: 45 of 41 agents (Long break 45) · as of 13:35");
    const json = JSON.stringify(message.blocks);
    expect(json).toContain("…and 15 more");
    expect(json).toContain("AVAILABLE 35 · BUSY 0 · AWAY 6 (LUNCH 6) · logged out 0");
    expect(message.blocks.length).toBeLessThanOrEqual(50);
  });

  it("posts the board, then updates it in place, one call each", async () => {
    const first = await notifier().publishBoard(CHANNEL, model(2), undefined, false);
    expect(first).toMatchObject({ ok: true, reposted: false });
    const ts = first.ok ? first.ts : "";
    const second = await notifier().publishBoard(CHANNEL, model(3), ts, false);
    expect(second).toEqual({ ok: true, ts, reposted: false });
    expect(slack.calls.map((c) => c.method)).toEqual(["chat.postMessage", "chat.update"]);
    const [board] = slack.messages();
    expect(board?.text).toBe("Now stuck: 3 of 41 agents (Long break 3) · as of 13:35");
    expect(board?.updates).toHaveLength(1);
  });

  it("posts the board anew when its message is gone, and pins the new one", async () => {
    for (const error of ["message_not_found", "cant_update_message"]) {
      slack.failNext("chat.update", { error });
      const result = await notifier().publishBoard(CHANNEL, model(1), "1700000000.000100", true);
      expect(result).toMatchObject({ ok: true, reposted: true, pinned: true });
    }
    expect(slack.calls.map((c) => c.method)).toEqual([
      "chat.update",
      "chat.postMessage",
      "pins.add",
      "chat.update",
      "chat.postMessage",
      "pins.add",
    ]);
    expect(slack.pins()).toHaveLength(2);
  });

  it("pins only when posting, once", async () => {
    const first = await notifier().publishBoard(CHANNEL, model(1), undefined, true);
    const ts = first.ok ? first.ts : "";
    await notifier().publishBoard(CHANNEL, model(2), ts, true);
    expect(slack.pins()).toEqual([{ channel: CHANNEL, ts }]);
    expect(slack.calls.filter((c) => c.method === "pins.add")).toHaveLength(1);
  });

  it("reports another failure without posting a second board", async () => {
    slack.failNext("chat.update", { error: "channel_not_found" });
    const result = await notifier().publishBoard(CHANNEL, model(1), "1700000000.000100", false);
    expect(result).toMatchObject({ ok: false, error: "channel_not_found" });
    expect(slack.calls.map((c) => c.method)).toEqual(["chat.update"]);
  });
});
