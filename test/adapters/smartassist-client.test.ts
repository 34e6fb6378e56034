import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  SmartAssistClient,
  type SmartAssistClientOptions,
} from "../../functions/adapters/smartassist/client.js";
import type { Clock } from "../../functions/adapters/smartassist/clock.js";
import {
  CredentialsRefusedError,
  SourceUnavailableError,
} from "../../functions/adapters/smartassist/errors.js";
import { MemoryRateLimiter } from "../../functions/adapters/state/memory-rate-limiter.js";
import type { QueryWindow } from "../../functions/domain/time.js";
import type { AgentPage, SharedRateLimiter } from "../../functions/ports.js";
import { generateDay } from "../fakes/smartassist/day.js";
import { DEMO_CREDENTIALS, type Simulator, startSimulator } from "../fakes/smartassist/simulator.js";
import { type VirtualTime, virtualTime } from "../fakes/virtual-time.js";

const WINDOW: QueryWindow = { startDate: "2023-03-10", endDate: "2023-03-10", timeZoneOffSet: -330 };
const NOW = Date.parse("2023-03-10T08:30:00Z"); // 14:00 in India
const agents = generateDay({ seed: 7, agents: 120, timezone: "Asia/Kolkata", date: "2023-03-10" });

let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator({ ...DEMO_CREDENTIALS, agents, now: NOW });
});

afterEach(async () => {
  await sim.close();
});

function client(overrides: Partial<SmartAssistClientOptions> = {}): SmartAssistClient {
  return new SmartAssistClient({
    host: sim.url,
    accountId: DEMO_CREDENTIALS.accountId,
    iId: DEMO_CREDENTIALS.iId,
    agents: [],
    pageSize: 50,
    concurrency: 4,
    requestsPerMinute: 600,
    timeoutSeconds: 5,
    credentials: { clientId: DEMO_CREDENTIALS.clientId, clientSecret: DEMO_CREDENTIALS.clientSecret },
    random: () => 0,
    ...overrides,
  });
}

async function readAll(c: SmartAssistClient, window = WINDOW) {
  const pages: AgentPage[] = [];
  const report = await c.fetchAll(window, (p) => pages.push(p));
  return {
    pages,
    report,
    userIds: pages.flatMap((p) => p.rows.map((r) => (r as { userId: string }).userId)),
  };
}

describe("SmartAssistClient against the simulator", () => {
  it("reads every page with the documented request shape", async () => {
    const { report, userIds } = await readAll(client());

    expect(new Set(userIds).size).toBe(120);
    expect(report).toMatchObject({ pages: 3, failedPages: [], truncated: false });
    const first = sim.requests[0];
    expect(first).toMatchObject({
      method: "POST",
      limit: "50",
      offset: "0",
      status: 200,
      appId: DEMO_CREDENTIALS.clientId,
    });
    expect(first?.path).toBe(
      `/agentassist/api/public/analytics/account/${DEMO_CREDENTIALS.accountId}/agentstatusdetails`,
    );
    expect(first?.headers.iid).toBe(DEMO_CREDENTIALS.iId);
    expect(first?.headers["content-type"]).toBe("application/json");
    expect(first?.body).toEqual({
      filter: { dateFilter: { startDate: "2023-03-10", endDate: "2023-03-10", timeZoneOffSet: -330 } },
    });
    const offsets = sim.requests.map((r) => Number(r.offset));
    expect(new Set(offsets).size).toBe(offsets.length);
    // Page 0 first and alone; the rest are in flight together, so they arrive in any order.
    expect(offsets[0]).toBe(0);
    expect([...offsets].sort((a, b) => a - b).slice(0, 3)).toEqual([0, 50, 100]);
    expect(offsets.every((o) => o % 50 === 0)).toBe(true);
    expect(sim.requests.every((r) => r.limit === "50")).toBe(true);
  });

  it("starts with every slot busy once it has seen a multi-page center, and with page 0 alone before", async () => {
    const c = client({ concurrency: 4 });
    sim.setLatency(150);
    await readAll(c);
    const firstRun = sim.requests.splice(0);
    await readAll(c);
    const secondRun = sim.requests.splice(0);

    // First run: page 0 answers (≥150 ms) before anything else is asked.
    expect((firstRun[1]?.at ?? 0) - (firstRun[0]?.at ?? 0)).toBeGreaterThanOrEqual(140);
    // Second run: the first four requests all go out before the first answer comes back.
    const starts = secondRun.slice(0, 4).map((r) => r.at);
    expect(Math.max(...starts) - Math.min(...starts)).toBeLessThan(140);
    expect(
      secondRun
        .map((r) => Number(r.offset))
        .sort((a, b) => a - b)
        .slice(0, 4),
    ).toEqual([0, 50, 100, 150]);
  });

  it("signs a fresh token for every request", async () => {
    await readAll(client());
    const tokens = sim.requests.map((r) => r.headers.auth);
    expect(new Set(tokens).size).toBe(tokens.length);
    const payload = JSON.parse(Buffer.from(String(tokens[0]).split(".")[1] ?? "", "base64url").toString());
    expect(payload).toMatchObject({ appId: DEMO_CREDENTIALS.clientId });
    expect(payload.exp - payload.iat).toBeLessThanOrEqual(3600);
    expect(typeof payload.jti).toBe("string");
  });

  it("sends the e-mail filter and a smaller page size", async () => {
    const wanted = agents.slice(0, 7).map((a) => a.email);
    const { userIds } = await readAll(client({ agents: wanted, pageSize: 5 }));
    expect(userIds).toHaveLength(7);
    expect(sim.requests[0]?.body).toMatchObject({ filter: { agents: wanted } });
    expect(sim.requests[0]?.limit).toBe("5");
  });

  it("reads a one-page center with a single request", async () => {
    sim.setAgents(agents.slice(0, 30));
    const { report } = await readAll(client());
    expect(report.requests).toBe(1);
    expect(sim.requests).toHaveLength(1);
  });

  it("waits out a 429 with Retry-After and then succeeds", async () => {
    sim.failNext({ status: 429, retryAfter: 1 });
    const started = Date.now();
    const { report, userIds } = await readAll(client());
    expect(new Set(userIds).size).toBe(120);
    expect(report.rateLimited).toBe(1);
    expect(report.retries).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it("treats a 4xx that names a rate limit like a 429", async () => {
    sim.failNext({ status: 400, body: { errors: [{ msg: "Rate limit exceeded for account" }] } });
    const { report } = await readAll(client());
    expect(report.rateLimited).toBe(1);
    expect(report.failedPages).toEqual([]);
  });

  it("retries a 5xx with backoff", async () => {
    sim.failNext({ status: 503 }, { status: 502 });
    const { report, userIds } = await readAll(client());
    expect(new Set(userIds).size).toBe(120);
    expect(report.retries).toBe(2);
  });

  it("retries a 200 whose body is not a page", async () => {
    sim.failNext({ status: 200, body: { hasMore: "yes", rows: [] } });
    const { report, userIds } = await readAll(client());
    expect(new Set(userIds).size).toBe(120);
    expect(report.retries).toBe(1);
    expect(report.failedPages).toEqual([]);
  });

  it("fails fast with 'credentials refused' on a 401, without retrying", async () => {
    const c = client({
      credentials: { clientId: DEMO_CREDENTIALS.clientId, clientSecret: "wrong-secret-value" },
    });
    const error = await c.fetchAll(WINDOW, () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsRefusedError);
    expect((error as Error).message).toMatch(/refused the credentials \(HTTP 401/);
    expect((error as Error).message).not.toContain("wrong-secret-value");
    expect(sim.requests).toHaveLength(1);
  });

  it("times out a request that never answers and retries it", async () => {
    sim.hangNext(1);
    const { report, userIds } = await readAll(client({ timeoutSeconds: 0.3 }));
    expect(new Set(userIds).size).toBe(120);
    expect(report.retries).toBe(1);
  });

  it("reports a page that keeps failing and carries on with the others", async () => {
    // The first page succeeds; then every request to offset 50 fails for all attempts.
    const c = client({ maxAttempts: 2, concurrency: 1 });
    const pages: AgentPage[] = [];
    const run = c.fetchAll(WINDOW, (p) => {
      pages.push(p);
      if (p.offset === 0) sim.failNext({ status: 500 }, { status: 500 });
    });
    const report = await run;
    expect(report.failedPages.map((p) => p.offset)).toEqual([50]);
    expect(pages.map((p) => p.offset)).toEqual([0, 100]);
  });

  it("does not count pages read ahead of the end as failed when a strict server refuses them", async () => {
    // A server that answers 400 for offsets past its list (100 agents), where the simulator answers empty.
    const strict = createServer((req, res) => {
      const offset = Number(new URL(req.url ?? "/", "http://x").searchParams.get("offset"));
      req.resume();
      res.setHeader("content-type", "application/json");
      if (offset >= 100) {
        res.statusCode = 400;
        res.end(JSON.stringify({ errors: [{ msg: "offset out of range" }] }));
        return;
      }
      const data = Array.from({ length: 50 }, (_, i) => ({
        userId: `u-${offset + i}`,
        email: `a${offset + i}@x.y`,
      }));
      res.end(JSON.stringify({ hasMore: offset + 50 < 100, limit: 50, offset, data }));
    });
    await new Promise<void>((resolve) => strict.listen(0, "127.0.0.1", resolve));
    try {
      const port = (strict.address() as AddressInfo).port;
      const { report, userIds } = await readAll(client({ host: `http://127.0.0.1:${port}`, concurrency: 4 }));
      expect(userIds).toHaveLength(100);
      expect(report.failedPages).toEqual([]);
    } finally {
      strict.close();
    }
  });

  it("says the API is unreachable when nothing can be read", async () => {
    const url = sim.url;
    await sim.close();
    const c = client({ host: url, maxAttempts: 2 });
    await expect(c.fetchAll(WINDOW, () => {})).rejects.toBeInstanceOf(SourceUnavailableError);
    sim = await startSimulator({ ...DEMO_CREDENTIALS, agents, now: NOW });
  });

  it("keeps to its own pace under the server's limit", async () => {
    sim.setRateLimit(60);
    sim.setAgents(generateDay({ seed: 3, agents: 400, timezone: "Asia/Kolkata", date: "2023-03-10" }));
    const { report } = await readAll(client({ requestsPerMinute: 60, concurrency: 8 }));
    expect(report.rateLimited).toBe(0);
    expect(sim.requests.every((r) => r.status === 200)).toBe(true);
  });

  it("stops paging at the deadline and says it was truncated", async () => {
    sim.setAgents(generateDay({ seed: 3, agents: 400, timezone: "Asia/Kolkata", date: "2023-03-10" }));
    const c = client({ requestsPerMinute: 2, concurrency: 2 });
    const pages: AgentPage[] = [];
    const report = await c.fetchAll(WINDOW, (p) => pages.push(p), { deadlineMs: Date.now() + 1_000 });
    expect(report.truncated).toBe(true);
    expect(pages.length).toBe(2);
  });
});

/** Virtual time for the pacer and backoff: sleeping moves it at once; requests still go to the simulator. */
function virtualClock(start: number): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const offsetsOf = (requests: Simulator["requests"]) => requests.map((r) => Number(r.offset));

describe("SmartAssistClient rotation over a roster larger than one run", () => {
  const roster = generateDay({ seed: 3, agents: 400, timezone: "Asia/Kolkata", date: "2023-03-10" });

  it("reads from the cursor to the end, then wraps to 0 and stops where it started", async () => {
    const { pages, report, userIds } = await (async () => {
      const got: AgentPage[] = [];
      const r = await client().fetchAll(WINDOW, (p) => got.push(p), { startOffset: 50 });
      return {
        pages: got,
        report: r,
        userIds: got.flatMap((p) => p.rows.map((x) => (x as { userId: string }).userId)),
      };
    })();

    expect(new Set(userIds).size).toBe(120);
    expect(pages.map((p) => p.offset).sort((a, b) => a - b)).toEqual([0, 50, 100]);
    expect(report).toMatchObject({
      startOffset: 50,
      nextOffset: 0,
      rosterPages: 3,
      truncated: false,
      pages: 3,
    });
    expect(offsetsOf(sim.requests)[0]).toBe(50);
    // The wrap reads only below the cursor: nothing from 50 up is asked for twice.
    const wrapped = offsetsOf(sim.requests).slice(offsetsOf(sim.requests).indexOf(0));
    expect(wrapped.every((o) => o < 50)).toBe(true);
  });

  it("is refused by the pacer at once when the next slot is past the deadline, and stops at a page boundary", async () => {
    sim.setAgents(roster);
    const clock = virtualClock(Date.parse("2023-03-10T08:30:00Z"));
    const c = client({ requestsPerMinute: 2, concurrency: 1, clock });
    const started = performance.now();
    const pages: AgentPage[] = [];
    const report = await c.fetchAll(WINDOW, (p) => pages.push(p), { deadlineMs: clock.now() + 30_000 });

    expect(report).toMatchObject({ truncated: true, startOffset: 0, nextOffset: 100, pages: 2 });
    expect(report.rosterPages).toBeUndefined();
    expect(offsetsOf(sim.requests)).toEqual([0, 50]);
    // The third slot opens at +60 s, after the deadline: refused without waiting for it.
    expect(clock.slept).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("with maxWaitMs, waits for a slot that opens soon, and stops (the rest owed) at one further off", async () => {
    sim.setAgents(roster); // 8 pages
    const clock = virtualClock(Date.parse("2023-03-10T08:30:00Z"));
    // 3 a minute, used 59 s ago by another invocation: about 2 s (with the window's 1 s grace) to wait.
    const limiter = new MemoryRateLimiter({ nowMs: () => clock.now() });
    await limiter.reserve({
      count: 3,
      perMinute: 3,
      notAfterMs: Number.POSITIVE_INFINITY,
      class: "rotation",
    });
    await clock.sleep(59_000);
    clock.slept.length = 0;
    const c = client({ requestsPerMinute: 3, concurrency: 1, clock, limiter });
    sim.requests.length = 0;
    const pages: AgentPage[] = [];

    // Act: a rotation allowed 2.5 s of waiting a request, with minutes left to it (without maxWaitMs
    // it would sleep a minute for the fourth slot).
    const report = await c.fetchAll(WINDOW, (p) => pages.push(p), {
      deadlineMs: clock.now() + 200_000,
      maxWaitMs: 2_500,
    });

    // Assess: the three slots freed as the other invocation's aged out were used; the fourth (a minute
    // off) was not waited for: the read stopped at a page boundary, the rest left to the next run.
    expect(offsetsOf(sim.requests)).toEqual([0, 50, 100]);
    expect(report).toMatchObject({ truncated: true, startOffset: 0, nextOffset: 150, pages: 3 });
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2_500);
  });

  it("reads every agent within ⌈pages ÷ pages per run⌉ runs, each run starting where the last stopped", async () => {
    sim.setAgents(roster); // 8 pages
    const seen = new Set<string>();
    const starts: number[] = [];
    let cursor = { nextOffset: 0, rosterPages: undefined as number | undefined };
    for (let run = 0; run < 3; run++) {
      // A fresh client per run, as the CLI is: 3 requests per run, deadline before the pacer's next minute.
      const clock = virtualClock(Date.parse("2023-03-10T08:30:00Z") + run * 300_000);
      const c = client({ requestsPerMinute: 3, concurrency: 2, clock });
      sim.requests.length = 0;
      const report = await c.fetchAll(
        WINDOW,
        (p) => {
          for (const row of p.rows) seen.add((row as { userId: string }).userId);
        },
        {
          deadlineMs: clock.now() + 30_000,
          startOffset: cursor.nextOffset,
          knownPages: cursor.rosterPages ?? null,
        },
      );
      starts.push(offsetsOf(sim.requests)[0] as number);
      cursor = { nextOffset: report.nextOffset, rosterPages: report.rosterPages ?? cursor.rosterPages };
      await c.close();
    }
    expect(starts).toEqual([0, 150, 300]);
    expect(seen.size).toBe(400);
    expect(cursor.rosterPages).toBe(8);
    expect(cursor.nextOffset).toBe(0); // the third run reached the end: the next cycle starts over
  });

  it("treats a cursor past a roster that shrank as its end, and wraps to 0", async () => {
    const got: string[] = [];
    const report = await client().fetchAll(
      WINDOW,
      (p) => got.push(...p.rows.map((r) => (r as { userId: string }).userId)),
      { startOffset: 500 },
    );
    expect(new Set(got).size).toBe(120);
    expect(report).toMatchObject({ truncated: false, nextOffset: 0, rosterPages: 3 });
  });

  it("asks for no page past the end a previous run counted", async () => {
    const { report } = await (async () => {
      const r = await client({ concurrency: 4 }).fetchAll(WINDOW, () => {}, { knownPages: 3 });
      return { report: r };
    })();
    expect(report.requests).toBe(3);
    expect(offsetsOf(sim.requests).sort((a, b) => a - b)).toEqual([0, 50, 100]);
  });

  it("reads past a known end when the roster has grown since", async () => {
    sim.setAgents(roster); // 8 pages where 3 were counted
    const got = new Set<string>();
    const report = await client().fetchAll(
      WINDOW,
      (p) => {
        for (const r of p.rows) got.add((r as { userId: string }).userId);
      },
      { knownPages: 3 },
    );
    expect(got.size).toBe(400);
    expect(report.rosterPages).toBe(8);
  });
});

/**
 * Real time run `factor` times faster: the pacer's minute passes in 60,000 / factor ms. Whole virtual
 * seconds, as a millisecond clock is whole (a continuous clock would never equal a slot it computed).
 */
function fastClock(factor: number): Clock {
  const realStart = performance.now();
  const start = Date.parse("2023-03-10T08:30:00Z");
  return {
    now: () => start + Math.floor(((performance.now() - realStart) * factor) / 1000) * 1000,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const onAbort = () => {
          clearTimeout(timer);
          reject(signal?.reason);
        };
        const timer = setTimeout(
          () => {
            signal?.removeEventListener("abort", onAbort);
            resolve();
          },
          Math.max(0, ms / factor),
        );
        signal?.addEventListener("abort", onAbort, { once: true });
      }),
  };
}

describe("SmartAssistClient pages past the end of the roster", () => {
  it("asks a first run, without a cursor, for at most concurrency − 1 pages past the end", async () => {
    // Prepare: 3 pages, 4 in flight, nothing known of the roster's size
    sim.setLatency(20);
    // Act
    const { report } = await readAll(client({ concurrency: 4 }));
    // Assess: page 0 alone, then 50, 100, 150, 200 at once; 100 says the roster ends there
    expect(report.pages).toBe(3);
    expect(offsetsOf(sim.requests).filter((o) => o >= 150).length).toBeLessThanOrEqual(3);
  });

  it("sends no page that was still waiting for the pacer when a page said where the roster ends", async () => {
    // Prepare: 4 requests a minute, the minute 300 ms long: page 0, then 50, 100 and 150 take the
    // minute's slots and 200 waits for the next minute, long after page 100 said hasMore false
    sim.setLatency(20);
    const c = client({ concurrency: 4, requestsPerMinute: 4, clock: fastClock(200) });
    // Act
    const { report, userIds } = await readAll(c);
    // Assess: 150 was already on the wire (that one concurrency makes unavoidable); 200 never left
    expect(new Set(userIds).size).toBe(120);
    expect(offsetsOf(sim.requests).sort((a, b) => a - b)).toEqual([0, 50, 100, 150]);
    expect(report).toMatchObject({
      pages: 3,
      requests: 4,
      failedPages: [],
      truncated: false,
      rosterPages: 3,
    });
  });

  it("does not retry a page past the end that was backing off when the end was found", async () => {
    // Prepare: 3 pages; the pages read ahead (150, 200) fail fast with a 503 and back off 500 ms
    // (virtual: 50 ms here), while page 100 answers after 30 ms that the roster ends there
    const requests: number[] = [];
    const server = createServer((req, res) => {
      const offset = Number(new URL(req.url ?? "/", "http://x").searchParams.get("offset"));
      requests.push(offset);
      req.resume();
      res.setHeader("content-type", "application/json");
      if (offset >= 150) {
        res.statusCode = 503;
        res.end(JSON.stringify({ message: "try again" }));
        return;
      }
      const data = Array.from({ length: 50 }, (_, i) => ({
        userId: `u-${offset + i}`,
        email: `a${offset + i}@x.y`,
      }));
      setTimeout(
        () => res.end(JSON.stringify({ hasMore: offset < 100, limit: 50, offset, data })),
        offset === 100 ? 30 : 0,
      );
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const c = client({
        host: `http://127.0.0.1:${port}`,
        concurrency: 4,
        clock: fastClock(10),
        random: () => 1,
      });
      // Act
      const { report, userIds } = await readAll(c);
      // Assess: 150, 200 and 250 (started when 50 was in) went out once, in flight with 100, and were
      // not asked again
      expect(userIds).toHaveLength(150);
      expect(requests.sort((x, y) => x - y)).toEqual([0, 50, 100, 150, 200, 250]);
      expect(report).toMatchObject({ pages: 3, requests: 6, retries: 3, failedPages: [], rosterPages: 3 });
    } finally {
      server.close();
    }
  });
});

describe("SmartAssistClient re-read by e-mail", () => {
  it("asks for the given agents only, a page's worth of e-mails a request, all at offset 0", async () => {
    const wanted = agents.slice(0, 70).map((a) => a.email.toUpperCase()); // matched case-insensitively
    const got = new Set<string>();
    const report = await client().fetchAgents(WINDOW, wanted, (p) => {
      for (const r of p.rows) got.add((r as { userId: string }).userId);
    });

    expect(got).toEqual(new Set(agents.slice(0, 70).map((a) => a.userId)));
    expect(report).toMatchObject({ pages: 2, requests: 2, failedPages: [], truncated: false });
    const filters = sim.requests.map((r) => (r.body as { filter: { agents: string[] } }).filter.agents);
    expect(filters.map((f) => f.length).sort()).toEqual([20, 50]);
    expect(filters.flat().sort()).toEqual([...wanted].sort());
    expect(sim.requests.every((r) => r.offset === "0")).toBe(true);
  });

  it("reports a failed e-mail page without failing the run", async () => {
    sim.failNext({ status: 400, body: { errors: [{ msg: "bad agents" }] } });
    const report = await client().fetchAgents(WINDOW, [agents[0]?.email ?? ""], () => {});
    expect(report.failedPages).toMatchObject([{ offset: 0, byEmail: true }]);
  });
});

describe("SmartAssistClient on a rate limiter shared with other invocations", () => {
  const big = generateDay({ seed: 5, agents: 1_500, timezone: "Asia/Kolkata", date: "2023-03-10" });
  let time: VirtualTime;
  let shared: Simulator;

  beforeEach(async () => {
    time = virtualTime(NOW, { waitForHttp: true });
    // The account's limit at our pace: a request over it would be refused with a 429.
    shared = await startSimulator({
      ...DEMO_CREDENTIALS,
      agents: big,
      now: NOW,
      clock: () => time.now(),
      rateLimitPerMinute: 50,
    });
  });

  afterEach(async () => {
    time.close();
    await shared.close();
  });

  function sharedClient(limiter: SharedRateLimiter): SmartAssistClient {
    return client({ host: shared.url, requestsPerMinute: 50, concurrency: 4, clock: time, limiter });
  }

  it("keeps two overlapping runs under the limit in any 60 s window together, and reads everything", async () => {
    const limiter = new MemoryRateLimiter({ nowMs: () => time.now() });
    const a = sharedClient(limiter);
    const b = sharedClient(limiter);
    const seen = { a: new Set<string>(), b: new Set<string>(), reread: new Set<string>() };
    const collect = (into: Set<string>) => (p: AgentPage) => {
      for (const row of p.rows) into.add((row as { userId: string }).userId);
    };
    const emails = big.slice(0, 600).map((x) => x.email);
    const [ra, rb, rr] = await Promise.all([
      a.fetchAll(WINDOW, collect(seen.a), { knownPages: 30 }),
      b.fetchAll(WINDOW, collect(seen.b), { knownPages: 30 }),
      b.fetchAgents(WINDOW, emails, collect(seen.reread)),
    ]);
    await Promise.all([a.close(), b.close()]);

    expect(seen.a.size).toBe(1_500);
    expect(seen.b.size).toBe(1_500);
    expect(seen.reread.size).toBe(600);
    for (const report of [ra, rb, rr]) expect(report).toMatchObject({ failedPages: [], rateLimited: 0 });
    const arrivals = shared.requests.map((r) => r.at);
    expect(arrivals).toHaveLength(30 + 30 + 12);
    expect(shared.requests.every((r) => r.status === 200)).toBe(true);
    expect(maxInAnyWindow(arrivals, 60_000)).toBeLessThanOrEqual(50);
    // Each client alone would have sent everything at once: together they waited for a second window.
    expect(arrivals.filter((at) => at === NOW)).toHaveLength(50);
    expect(time.now() - NOW).toBeGreaterThanOrEqual(60_000);
  });

  it("reserves a rotation's slots a few rounds at a time, every one of them used", async () => {
    // Arrange: a limiter that counts its reservations (each one a read and a write of #limiter in AWS).
    const inner = new MemoryRateLimiter({ nowMs: () => time.now() });
    const counts: number[] = [];
    const limiter: SharedRateLimiter = {
      reserve: (request) => {
        counts.push(request.count);
        return inner.reserve(request);
      },
    };
    const c = sharedClient(limiter);
    // Act: 30 pages at concurrency 4.
    const report = await c.fetchAll(WINDOW, () => {}, { knownPages: 30 });
    await c.close();
    // Assert: batches of one round, then two, then four (SHARED_BATCH_ROUNDS), not one per round;
    // no slot given up (each recorded instant is a request the simulator received).
    expect(report).toMatchObject({ pages: 30, failedPages: [] });
    expect(counts).toEqual([4, 8, 16, 2]);
    expect(inner.times).toHaveLength(shared.requests.length);
    expect(shared.requests).toHaveLength(30);
  });

  it("leaves the rotation's pages to the next run when the shared window has no room before the deadline", async () => {
    const limiter = new MemoryRateLimiter({ nowMs: () => time.now() });
    // Another invocation spent the window a moment ago.
    await limiter.reserve({ count: 50, perMinute: 50, notAfterMs: NOW + 1, class: "priority" });
    const c = sharedClient(limiter);
    const report = await c.fetchAll(WINDOW, () => {}, { deadlineMs: NOW + 30_000, startOffset: 200 });
    await c.close();
    expect(report).toMatchObject({ truncated: true, startOffset: 200, nextOffset: 200, pages: 0 });
    expect(shared.requests).toHaveLength(0);
    expect(time.jumps).toEqual([]);
  });

  it("keeps the rotation's headroom free for the re-reads of open alerts", async () => {
    const limiter = new MemoryRateLimiter({ nowMs: () => time.now() });
    const c = sharedClient(limiter);
    const first = await c.fetchAll(WINDOW, () => {}, {
      deadlineMs: NOW + 30_000,
      knownPages: 30,
      headroom: 10,
    });
    expect(first).toMatchObject({ truncated: false, pages: 30 });
    // The next run's rotation stops at 40 in the window, 10 short of the limit.
    const second = await c.fetchAll(WINDOW, () => {}, {
      deadlineMs: NOW + 30_000,
      knownPages: 30,
      headroom: 10,
    });
    expect(second).toMatchObject({ truncated: true, pages: 10, nextOffset: 500 });
    const reread = await c.fetchAgents(
      WINDOW,
      big.slice(0, 500).map((x) => x.email),
      () => {},
      { deadlineMs: NOW + 30_000 },
    );
    await c.close();
    expect(reread).toMatchObject({ pages: 10, truncated: false, failedPages: [] });
    expect(
      maxInAnyWindow(
        shared.requests.map((r) => r.at),
        60_000,
      ),
    ).toBe(50);
  });
});

function maxInAnyWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((x, y) => x - y);
  let max = 0;
  for (const start of sorted)
    max = Math.max(max, sorted.filter((t) => t >= start && t < start + windowMs).length);
  return max;
}
