/**
 * A decision that owes Slack work carries the deciding run's lease in its own write, so a send costs
 * two writes (the decision, then what the send established), not three; and a lease the run could not
 * use (Slack down) is ended before the run does, so the next run, seconds later, sends at once.
 * Real adapters on loopback: the simulator, the real client, the fake Slack Web API behind the real
 * notifier; the store in memory, its writes counted.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { MemoryAlertStore } from "../../functions/adapters/state/memory-store.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { type AppConfig, parseConfig } from "../../functions/domain/config.js";
import { loopbackRun } from "../fakes/loopback-run.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";

const TOKEN = "xoxb-decision-lease";
const MIN = 60_000;
const T0 = Date.parse("2023-03-10T08:30:00Z");

const agents: SimAgent[] = [1, 2, 3].map((n) => ({
  userId: `u-${n}`,
  firstName: "Agent",
  lastName: String(n),
  email: `agent${n}@example.com`,
  segments: [{ primaryStatus: "AWAY", secondaryStatus: "LUNCH", startMs: T0 - 20 * MIN, endMs: null }],
}));

/** The memory store, counting the writes made to it. */
class CountingStore extends MemoryAlertStore {
  puts = 0;
  override put(record: AlertRecord, expectedVersion: number | null): Promise<boolean> {
    this.puts++;
    return super.put(record, expectedVersion);
  }
}

let sim: Simulator;
let slack: FakeSlack;
let config: AppConfig;

beforeAll(async () => {
  [sim, slack] = await Promise.all([
    startSimulator({ ...DEMO_CREDENTIALS, agents, now: T0, rateLimitPerMinute: 10_000 }),
    startFakeSlack({ token: TOKEN }),
  ]);
  config = parseConfig(
    {
      timezone: "Asia/Kolkata",
      smartassist: { host: sim.url, accountId: DEMO_CREDENTIALS.accountId, iId: DEMO_CREDENTIALS.iId },
      rules: [{ name: "Long lunch", secondaryStatus: ["LUNCH"], threshold: "15m" }],
      slack: { channel: "C-OPS", rollup: 0 },
    },
    "test config",
  ).config;
});

afterAll(async () => {
  await Promise.all([sim.close(), slack.close()]);
});

beforeEach(() => {
  slack.calls.length = 0;
});

function check(store: MemoryAlertStore, withSlack = true) {
  const run = {
    store,
    client: { maxAttempts: 1 },
    ...(withSlack ? { slack: { url: slack.url, token: TOKEN } } : {}),
  };
  return loopbackRun(config, run, { nowMs: T0 });
}

const posts = () =>
  slack.calls.filter((c) => c.method === "chat.postMessage" && (c.response as { ok: boolean }).ok);

describe("the decision's write carries the delivery lease", () => {
  it("posts each alert with two writes, and leaves no lease behind", async () => {
    const store = new CountingStore({ nowMs: () => T0 });
    const run = await check(store);
    expect(run.slack).toMatchObject({ delivered: 3, failed: 0, pending: 0 });
    expect(posts()).toHaveLength(3);
    // One decision (lease included) and one record of the post per alert.
    expect(store.puts).toBe(6);
    const records = await store.load();
    expect(records.filter((r) => r.slackTs !== undefined)).toHaveLength(3);
    expect(records.every((r) => r.lease === undefined)).toBe(true);
  });

  it("takes no lease in a run without Slack: the next run posts at once", async () => {
    const store = new CountingStore({ nowMs: () => T0 });
    const dry = await check(store, false);
    expect(dry.slack).toMatchObject({ delivered: 0, pending: 3 });
    expect((await store.load()).every((r) => r.lease === undefined)).toBe(true);
    const next = await check(store);
    expect(next.slack).toMatchObject({ delivered: 3, pending: 0 });
    expect(posts()).toHaveLength(3);
  });

  it("ends the leases Slack's outage left unused: the next run, at once, posts them", async () => {
    const store = new CountingStore({ nowMs: () => T0 });
    slack.failNext("chat.postMessage", { status: 503 }, { status: 503 }, { status: 503 });
    const down = await check(store);
    expect(down.slack.delivered).toBe(0);
    expect(posts()).toHaveLength(0);
    expect((await store.load()).every((r) => r.lease === undefined)).toBe(true);
    const next = await check(store);
    expect(next.slack).toMatchObject({ delivered: 3, failed: 0, pending: 0 });
    expect(posts()).toHaveLength(3);
  });
});
