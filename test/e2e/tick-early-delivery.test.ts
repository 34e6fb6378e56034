/**
 * The tick reads its open alerts first and sends what they owe on messages already posted (a resolve's
 * update and thread reply) while the rotation is still being read: Slack's one-a-second pace in a
 * channel overlaps SmartAssist's latency instead of adding to it. Real adapters on loopback: the
 * SmartAssist simulator, the real client, the fake Slack Web API behind the real notifier.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryAlertStore } from "../../functions/adapters/state/memory-store.js";
import { type AppConfig, parseConfig } from "../../functions/domain/config.js";
import { loopbackRun } from "../fakes/loopback-run.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";

const TOKEN = "xoxb-early-delivery";
const MIN = 60_000;
const T0 = Date.parse("2023-03-10T08:30:00Z"); // 14:00 in India
const AGENTS = 200;
const STUCK = [0, 1, 2];

/** 200 agents; the first three on LUNCH from 20 minutes before T0 until `lunchEndMs` (null: still on it). */
function center(lunchEndMs: number | null): SimAgent[] {
  return Array.from({ length: AGENTS }, (_, i) => ({
    userId: `u-${String(i).padStart(3, "0")}`,
    firstName: "Agent",
    lastName: String(i),
    email: `agent${i}@example.com`,
    segments: STUCK.includes(i)
      ? [
          { primaryStatus: "AWAY", secondaryStatus: "LUNCH", startMs: T0 - 20 * MIN, endMs: lunchEndMs },
          ...(lunchEndMs === null
            ? []
            : [
                {
                  primaryStatus: "AVAILABLE",
                  secondaryStatus: "AVAILABLE",
                  startMs: lunchEndMs,
                  endMs: null,
                },
              ]),
        ]
      : [{ primaryStatus: "AVAILABLE", secondaryStatus: "AVAILABLE", startMs: T0 - 60 * MIN, endMs: null }],
  }));
}

let sim: Simulator;
let slack: FakeSlack;
let config: AppConfig;

beforeAll(async () => {
  [sim, slack] = await Promise.all([
    startSimulator({ ...DEMO_CREDENTIALS, agents: center(null), now: T0, rateLimitPerMinute: 10_000 }),
    startFakeSlack({ token: TOKEN }),
  ]);
  config = parseConfig(
    {
      timezone: "Asia/Kolkata",
      smartassist: {
        host: sim.url,
        accountId: DEMO_CREDENTIALS.accountId,
        iId: DEMO_CREDENTIALS.iId,
        pageSize: 10,
        concurrency: 1,
        requestsPerMinute: 600,
      },
      // Every minute: each tick reads the whole roster, 20 pages one after the other.
      schedule: { every: "1m" },
      rules: [{ name: "Long lunch", secondaryStatus: ["LUNCH"], threshold: "15m" }],
      slack: { channel: "C-OPS", rollup: 0 },
    },
    "test config",
  ).config;
});

afterAll(async () => {
  await Promise.all([sim.close(), slack.close()]);
});

function tick(store: MemoryAlertStore, nowMs: number) {
  return loopbackRun(config, { store, slack: { url: slack.url, token: TOKEN } }, { nowMs, mode: "tick" });
}

describe("a tick's open alerts", () => {
  it("have their resolves shown while the rotation is read, each once", async () => {
    // Arrange: a first tick posts three alerts; then the three agents come back and pages slow down.
    const store = new MemoryAlertStore({ nowMs: () => T0 + 2 * MIN });
    const first = await tick(store, T0);
    expect(first.summary.transitions.map((t) => t.type)).toEqual(["fired", "fired", "fired"]);
    const back = T0 + MIN;
    sim.setAgents(center(back));
    sim.setNow(T0 + 2 * MIN);
    sim.setLatency(300);
    slack.calls.length = 0;
    const before = sim.requests.length;

    // Act: the next tick.
    const second = await tick(store, T0 + 2 * MIN);

    // Assert: the three resolves, each shown once (an update and a thread reply)...
    const resolved = second.summary.transitions.filter((t) => t.type === "resolved");
    expect(resolved.map((t) => t.userId).sort()).toEqual(["u-000", "u-001", "u-002"]);
    const updates = slack.calls.filter((c) => c.method === "chat.update");
    const replies = slack.calls.filter((c) => c.method === "chat.postMessage" && c.args.thread_ts);
    expect(updates).toHaveLength(3);
    expect(replies).toHaveLength(3);
    expect(slack.calls.filter((c) => c.method === "chat.postMessage" && !c.args.thread_ts)).toHaveLength(0);
    expect(second.slack).toMatchObject({ failed: 0, pending: 0 });
    // ...read first (one request by e-mail), then sent while the rotation's 20 pages were still coming.
    const requests = sim.requests.slice(before);
    expect(requests).toHaveLength(21);
    const lastPage = Math.max(...requests.map((r) => r.at));
    expect(Math.max(...replies.map((c) => c.at))).toBeLessThan(lastPage);
    // The replies kept Slack's pace in the channel.
    const times = replies.map((c) => c.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++)
      expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1_000);

    // And a third tick has nothing left to send.
    slack.calls.length = 0;
    sim.setLatency(0);
    const third = await tick(store, T0 + 3 * MIN);
    expect(third.summary.transitions).toEqual([]);
    expect(slack.calls.filter((c) => c.method.startsWith("chat."))).toEqual([]);
  });
});
