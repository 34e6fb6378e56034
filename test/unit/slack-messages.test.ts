import { describe, expect, it } from "vitest";
import {
  COLORS,
  escapeMrkdwn,
  formatMention,
  hasReply,
  renderSlackAction,
  renderThreadReply,
  renderTopMessage,
  statusLabel,
} from "../../functions/adapters/slack/messages.js";
import { lunchAlert, MIN, SINCE, ZONE } from "../fixtures/lunch-alert.js";

const record = lunchAlert;

function blockText(blocks: unknown[]): string {
  return JSON.stringify(blocks);
}

describe("statusLabel", () => {
  it("joins primary and secondary, and collapses a repeated default status", () => {
    // Prepare / Act / Assess
    expect(statusLabel("AWAY", "LUNCH")).toBe("AWAY / LUNCH");
    expect(statusLabel("BUSY", "BUSY")).toBe("BUSY");
    expect(statusLabel("Busy", "busy")).toBe("BUSY");
    expect(statusLabel("AWAY", "")).toBe("AWAY");
  });
});

describe("renderTopMessage (live warning)", () => {
  it("names agent, e-mail, status, elapsed, local start, threshold and rule in the fallback text", () => {
    // Prepare
    const alert = record();

    // Act
    const message = renderTopMessage(alert, { timezone: ZONE, nowMs: SINCE + 22 * MIN });

    // Assess
    expect(message.text).toContain(":warning:");
    expect(message.text).toContain("Priya Sharma");
    expect(message.text).toContain("priya.sharma@example.com");
    expect(message.text).toContain("AWAY / LUNCH");
    expect(message.text).toContain("for 22m");
    expect(message.text).toContain("since 13:05 (Asia/Kolkata)");
    expect(message.text).toContain("threshold 15m");
    expect(message.text).toContain("Long break");
    expect(message.text).not.toContain("CRITICAL");
    expect(message.blocks.length).toBeGreaterThan(0);
    expect(blockText(message.blocks)).toContain("AWAY / LUNCH");
  });

  it("formats an hour-long episode with formatDuration and shows BUSY alone", () => {
    // Prepare
    const alert = record({ primaryStatus: "BUSY", secondaryStatus: "BUSY", ruleName: "Stuck in BUSY" });

    // Act
    const message = renderTopMessage(alert, { timezone: ZONE, nowMs: SINCE + 65 * MIN });

    // Assess
    expect(message.text).toContain("is BUSY for 1h 05m");
    expect(message.text).not.toContain("BUSY / BUSY");
  });

  it("defaults elapsed to the record's last notification and clamps a future start at 0s", () => {
    // Prepare
    const alert = record({ sinceMs: SINCE + 5 * MIN, lastNotifiedMs: SINCE });

    // Act
    const message = renderTopMessage(alert, { timezone: ZONE });

    // Assess
    expect(message.text).toContain("for 0s");
  });

  it("shows the date when the episode started on an earlier local day", () => {
    // Prepare: 23:50 local on the 9th, seen at 00:20 on the 10th.
    const since = Date.UTC(2023, 2, 9, 18, 20);
    const alert = record({ sinceMs: since });

    // Act
    const message = renderTopMessage(alert, { timezone: ZONE, nowMs: since + 30 * MIN });

    // Assess
    expect(message.text).toContain("since 2023-03-09 23:50 (Asia/Kolkata)");
  });

  it("includes the agent mention when given and escapes mrkdwn in names", () => {
    // Prepare
    const alert = record({ name: "Ana <Ops> & Co" });

    // Act
    const message = renderTopMessage(alert, { timezone: ZONE, agentMention: "<@U0AGENT1>" });

    // Assess
    expect(message.text).toContain("<@U0AGENT1>");
    expect(message.text).toContain("Ana &lt;Ops&gt; &amp; Co");
    expect(blockText(message.blocks)).not.toContain("<Ops>");
  });
});

describe("renderTopMessage (critical and resolved)", () => {
  it("makes critical severity visible", () => {
    // Prepare
    const alert = record({ severity: "critical" });

    // Act
    const message = renderTopMessage(alert, { timezone: ZONE, nowMs: SINCE + 31 * MIN });

    // Assess
    expect(message.text).toMatch(/^:rotating_light: CRITICAL/);
    expect(message.text).toContain("critical 30m");
    expect(blockText(message.blocks)).toContain("CRITICAL");
  });

  it("shows a resolved alert with how long it lasted and its local time range", () => {
    // Prepare
    const alert = record({ state: "resolved", endedMs: SINCE + 41 * MIN });

    // Act
    const message = renderTopMessage(alert, { timezone: ZONE, nowMs: SINCE + 45 * MIN });

    // Assess
    expect(message.text).toContain(
      ":white_check_mark: Resolved — Priya Sharma (priya.sharma@example.com) was AWAY / LUNCH for 41m (13:05–13:46)",
    );
    expect(message.text).toContain("Long break");
    expect(blockText(message.blocks)).toContain("Resolved");
  });
});

describe("renderThreadReply", () => {
  it("reminds with the elapsed time now", () => {
    // Act
    const reply = renderThreadReply("remind", record(), { timezone: ZONE, nowMs: SINCE + 45 * MIN });

    // Assess
    expect(reply.text).toContain("still AWAY / LUNCH, for 45m now");
  });

  it("escalates with the configured mention", () => {
    // Prepare
    const alert = record({ severity: "critical", escalationMention: "<!subteam^S0123456789>" });

    // Act
    const reply = renderThreadReply("escalate", alert, { timezone: ZONE, nowMs: SINCE + 31 * MIN });

    // Assess
    expect(reply.text).toContain("CRITICAL");
    expect(reply.text).toContain("31m");
    expect(reply.text).toContain("<!subteam^S0123456789>");
  });

  it("says when a resolved episode ended", () => {
    // Act
    const reply = renderThreadReply("resolve", record({ state: "resolved", endedMs: SINCE + 41 * MIN }), {
      timezone: ZONE,
    });

    // Assess
    expect(reply.text).toContain("after 41m");
    expect(reply.text).toContain("13:46");
  });
});

describe("renderSlackAction", () => {
  it("maps each action to the messages it sends", () => {
    // Prepare
    const options = { timezone: ZONE, nowMs: SINCE + 31 * MIN };

    // Act
    const post = renderSlackAction("post", record(), options);
    const remind = renderSlackAction("remind", record(), options);
    const escalate = renderSlackAction("escalate", record({ severity: "critical" }), options);
    const resolve = renderSlackAction(
      "resolve",
      record({ state: "resolved", endedMs: SINCE + 41 * MIN }),
      options,
    );
    const lateResolvedPost = renderSlackAction(
      "post",
      record({ state: "resolved", endedMs: SINCE + 41 * MIN }),
      options,
    );

    // Assess
    expect(post.top?.text).toContain(":warning:");
    expect(post.reply).toBeUndefined();
    expect(remind.top).toBeUndefined();
    expect(remind.reply?.text).toContain("still");
    expect(escalate.top?.text).toContain("CRITICAL");
    expect(escalate.reply?.text).toContain("Now CRITICAL");
    expect(resolve.top?.text).toContain("Resolved");
    expect(resolve.reply?.text).toContain("no longer");
    expect(lateResolvedPost.top?.text).toContain("Resolved");
    expect(lateResolvedPost.reply).toBeUndefined();
  });
});

describe("hasReply", () => {
  it("says whether renderSlackAction renders a reply, for every action", () => {
    // Prepare
    const options = { timezone: ZONE, nowMs: SINCE + 31 * MIN };
    const ended = { state: "resolved" as const, endedMs: SINCE + 41 * MIN };
    const records = [
      record(),
      record({ severity: "critical" }),
      record({ ...ended }),
      record({ ...ended, excusedBy: "U123" }),
      record({ state: "nudged", nudgedMs: SINCE + 10 * MIN }),
    ];
    const kinds = ["post", "remind", "escalate", "resolve", "acted", "nudge"] as const;

    for (const r of records)
      for (const kind of kinds) {
        // Act
        const rendered = renderSlackAction(kind, r, options);

        // Assess
        expect(hasReply(kind, r), `${kind} of a ${r.state} record`).toBe(rendered.reply !== undefined);
      }
  });
});

describe("formatMention / escapeMrkdwn", () => {
  it("accepts markup, bare ids and @here", () => {
    expect(formatMention("<!subteam^S0123456789>")).toBe("<!subteam^S0123456789>");
    expect(formatMention("S0123456789")).toBe("<!subteam^S0123456789>");
    expect(formatMention("U0123456789")).toBe("<@U0123456789>");
    expect(formatMention("@here")).toBe("<!here>");
    expect(escapeMrkdwn("a<b>&c")).toBe("a&lt;b&gt;&amp;c");
  });
});

describe("the actions block on a live alert", () => {
  const actionsOf = (message: { blocks: unknown[] }) =>
    message.blocks.find((b) => (b as { type: string }).type === "actions") as
      | { block_id: string; elements: Array<{ action_id: string; options?: Array<{ value: string }> }> }
      | undefined;

  it("carries Acknowledge, Snooze… (15m/30m/1h/2h) and Excuse, keyed by the alert id", () => {
    // Prepare
    const alert = record();
    // Act
    const actions = actionsOf(renderTopMessage(alert, { timezone: ZONE, nowMs: SINCE + 20 * MIN }));
    // Assess
    expect(actions?.block_id).toBe(alert.id);
    expect(actions?.elements.map((e) => e.action_id)).toEqual(["alert.ack", "alert.snooze", "alert.excuse"]);
    expect(actions?.elements[1]?.options?.map((o) => o.value)).toEqual(["15m", "30m", "1h", "2h"]);
    expect(JSON.stringify(actions?.elements[2])).toContain('"confirm"');
  });

  it("is left out with slack.interactive false, and on an ended alert", () => {
    const alert = record();
    expect(actionsOf(renderTopMessage(alert, { timezone: ZONE, interactive: false }))).toBeUndefined();
    expect(
      actionsOf(
        renderTopMessage({ ...alert, state: "resolved", endedMs: SINCE + 40 * MIN }, { timezone: ZONE }),
      ),
    ).toBeUndefined();
  });

  it("colours the attachment by state: amber, red, grey once acknowledged, green when over", () => {
    const alert = record();
    const colour = (r: typeof alert) =>
      renderTopMessage(r, { timezone: ZONE, nowMs: SINCE + 20 * MIN }).color;
    expect(colour(alert)).toBe(COLORS.warning);
    expect(colour({ ...alert, severity: "critical" })).toBe(COLORS.critical);
    expect(colour({ ...alert, acknowledgedBy: "U1", acknowledgedMs: SINCE + 16 * MIN })).toBe(COLORS.quiet);
    expect(colour({ ...alert, state: "resolved", endedMs: SINCE + 30 * MIN })).toBe(COLORS.resolved);
  });
});
