/**
 * The doctor's two probe adapters against their loopback peers: SmartAssistClient.probe (one paced,
 * unretried request) with the simulator, SlackDoctorProbe (@slack/web-api) with the fake Slack.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SlackDoctorProbe } from "../../functions/adapters/slack/doctor-probe.js";
import { SmartAssistClient } from "../../functions/adapters/smartassist/client.js";
import { MemoryRateLimiter } from "../../functions/adapters/state/memory-rate-limiter.js";
import { parseConfig } from "../../functions/domain/config.js";
import type { SharedRateLimiter } from "../../functions/ports.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { DEMO_CREDENTIALS, type Simulator, startSimulator } from "../fakes/smartassist/simulator.js";

const TOKEN = "xoxb-probe-test-0001";
const WINDOW = { startDate: "2025-06-10", endDate: "2025-06-10", timeZoneOffSet: -330 };

let sim: Simulator;
let slack: FakeSlack;

beforeAll(async () => {
  const agents = Array.from({ length: 120 }, (_, i) => ({
    userId: `u-${i}`,
    firstName: "A",
    lastName: String(i),
    email: `a${i}@example.com`,
    segments: [],
  }));
  sim = await startSimulator({ ...DEMO_CREDENTIALS, agents, rateLimitPerMinute: 10_000 });
  slack = await startFakeSlack({
    token: TOKEN,
    users: { "priya@example.com": "U0123ABCD" },
    usergroups: { S0456EFGH: ["U0123ABCD"] },
    workspace: {
      scopes: ["chat:write", "users:read"],
      channels: { C0123456789: { name: "ops", member: false }, G0PRIVATE1: { name: "sup", private: true } },
      groupHandles: { S0456EFGH: "supervisors" },
    },
  });
});

afterAll(async () => {
  await Promise.all([sim?.close(), slack?.close()]);
});

function client(
  extra: Record<string, unknown> = {},
  secret = DEMO_CREDENTIALS.clientSecret,
  limiter?: SharedRateLimiter,
): SmartAssistClient {
  const { config } = parseConfig(
    {
      timezone: "Asia/Kolkata",
      smartassist: {
        host: sim.url,
        accountId: DEMO_CREDENTIALS.accountId,
        iId: DEMO_CREDENTIALS.iId,
        ...extra,
      },
      rules: [{ name: "B", primaryStatus: "BUSY", threshold: "30m" }],
    },
    "probe.yaml",
  );
  return new SmartAssistClient({
    ...config.smartassist,
    credentials: { clientId: DEMO_CREDENTIALS.clientId, clientSecret: secret },
    ...(limiter ? { limiter } : {}),
  });
}

describe("SmartAssistClient.probe", () => {
  it("asks for limit=1 at the offset and says how many rows came and whether more follow", async () => {
    const c = client();
    try {
      const before = sim.requests.length;
      expect(await c.probe(WINDOW, 0, { timeoutMs: 2000 })).toMatchObject({
        kind: "page",
        rows: 1,
        hasMore: true,
      });
      expect(await c.probe(WINDOW, 119, { timeoutMs: 2000 })).toMatchObject({
        kind: "page",
        rows: 1,
        hasMore: false,
      });
      expect(await c.probe(WINDOW, 150, { timeoutMs: 2000 })).toMatchObject({ kind: "page", rows: 0 });
      expect(await c.probe(WINDOW, 100, { timeoutMs: 2000, limit: 50 })).toMatchObject({
        rows: 20,
        hasMore: false,
      });
      const sent = sim.requests.slice(before);
      expect(sent.map((r) => [r.limit, r.offset])).toEqual([
        ["1", "0"],
        ["1", "119"],
        ["1", "150"],
        ["50", "100"],
      ]);
      expect(sent[0]?.body).toEqual({ filter: { dateFilter: WINDOW } });
    } finally {
      await c.close();
    }
  });

  it("reports a 200 that is not a page as invalid, naming the field", async () => {
    const c = client();
    try {
      sim.failNext({ status: 200, body: { hasMore: "yes", rows: [] } });
      expect(await c.probe(WINDOW, 0, { timeoutMs: 2000 })).toMatchObject({
        kind: "invalid",
        status: 200,
        detail: expect.stringMatching(/^hasMore: /),
      });
    } finally {
      await c.close();
    }
  });

  it("reports a refusal as it came, in one request, without retrying", async () => {
    const c = client({}, "wrong-secret");
    try {
      const before = sim.requests.length;
      sim.failNext({ status: 503 });
      expect(await c.probe(WINDOW, 0, { timeoutMs: 2000 })).toMatchObject({ kind: "http", status: 503 });
      expect(await c.probe(WINDOW, 0, { timeoutMs: 2000 })).toMatchObject({
        kind: "http",
        status: 401,
        detail: "Invalid or expired token",
      });
      expect(sim.requests.length - before).toBe(2);
    } finally {
      await c.close();
    }
  });

  it("times out at its own bound, and never waits for the pacer past notAfterMs", async () => {
    const c = client({ requestsPerMinute: 1, timeout: "1m" });
    try {
      sim.hangNext(1);
      const started = performance.now();
      expect(await c.probe(WINDOW, 0, { timeoutMs: 300 })).toMatchObject({ kind: "timeout" });
      expect(performance.now() - started).toBeLessThan(2000);
      // One request a minute, already used: the next slot is a minute away.
      const paced = await c.probe(WINDOW, 0, { timeoutMs: 300, notAfterMs: Date.now() + 1000 });
      expect(paced.kind).toBe("paced");
    } finally {
      await c.close();
    }
  });
});

describe("SmartAssistClient.probe in a shared rate window", () => {
  it("counts in the window every invocation shares, and waits no longer than notAfterMs when it is spent", async () => {
    // Prepare: a window of 2 a minute shared by two clients (two invocations).
    const shared = new MemoryRateLimiter();
    const first = client({ requestsPerMinute: 2 }, DEMO_CREDENTIALS.clientSecret, shared);
    const second = client({ requestsPerMinute: 2 }, DEMO_CREDENTIALS.clientSecret, shared);
    try {
      // Act: one probe from each, then a third from the first.
      const a = await first.probe(WINDOW, 0, { timeoutMs: 2000 });
      const b = await second.probe(WINDOW, 0, { timeoutMs: 2000 });
      const c = await first.probe(WINDOW, 0, { timeoutMs: 2000, notAfterMs: Date.now() + 500 });

      // Assess: both in the shared window; the third found it spent (by the other client's request too).
      expect([a.kind, b.kind]).toEqual(["page", "page"]);
      expect(shared.times).toHaveLength(2);
      expect(c.kind).toBe("paced");
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe("SlackDoctorProbe", () => {
  const probe = () => new SlackDoctorProbe({ token: TOKEN, apiUrl: slack.url, timeoutMs: 1000 });

  it("auth.test: the bot, the workspace and the scopes from the x-oauth-scopes header", async () => {
    const result = await probe().identity();
    expect(result).toEqual({
      ok: true,
      value: {
        team: "Fake Workspace",
        teamId: "T00000001",
        url: "https://fake-workspace.slack.com/",
        user: "agent-status-alerts",
        userId: "U00000BOT",
        botId: "B00000001",
        scopes: ["chat:write", "users:read"],
      },
    });
  });

  it("a missing scope comes back as Slack says it, with the scope needed", async () => {
    expect(await probe().channel("C0123456789")).toEqual({
      ok: false,
      error: "missing_scope",
      needed: "channels:read",
    });
    expect(await probe().groups()).toMatchObject({
      ok: false,
      error: "missing_scope",
      needed: "usergroups:read",
    });
  });

  it("conversations.info, users.info and usergroups.list with the scopes", async () => {
    slack.workspace.scopes = ["chat:write", "users:read", "channels:read", "groups:read", "usergroups:read"];
    const p = probe();
    expect(await p.channel("C0123456789")).toEqual({
      ok: true,
      value: { id: "C0123456789", name: "ops", isMember: false, isPrivate: false, isArchived: false },
    });
    expect(await p.channel("G0PRIVATE1")).toMatchObject({
      ok: true,
      value: { isPrivate: true, isMember: true },
    });
    expect(await p.channel("C0NOSUCH00")).toEqual({ ok: false, error: "channel_not_found" });
    expect(await p.user("U0123ABCD")).toEqual({
      ok: true,
      value: { id: "U0123ABCD", name: "priya", deleted: false },
    });
    expect(await p.user("U0NOBODY")).toEqual({ ok: false, error: "user_not_found" });
    expect(await p.groups()).toEqual({
      ok: true,
      value: [{ id: "S0456EFGH", handle: "supervisors", enabled: true, members: 1 }],
    });
    expect(await p.postTest("C0123456789", "hello")).toEqual({ ok: false, error: "not_in_channel" });
  });

  it("a bad token, and a slow Slack bounded by the timeout", async () => {
    const bad = new SlackDoctorProbe({ token: "xoxb-wrong", apiUrl: slack.url, timeoutMs: 1000 });
    expect(await bad.identity()).toEqual({ ok: false, error: "invalid_auth" });
    slack.failNext("auth.test", { delayMs: 3000 });
    const started = performance.now();
    expect(await probe().identity()).toEqual({ ok: false, error: "timeout" });
    expect(performance.now() - started).toBeLessThan(2500);
  });
});
