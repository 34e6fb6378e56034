/**
 * The SmartAssist simulator is what the real client is tested against, so it is tested itself:
 * protocol (route, auth, body, paging, rate limit), rendering in the requested offset, and the
 * generated days the demo and benchmark rely on.
 */
import { SignJWT } from "jose";
import { request } from "undici";
import { afterEach, describe, expect, it } from "vitest";
import { parseAgentRow } from "../../functions/domain/agent.js";
import { openSegment } from "../../functions/domain/episodes.js";
import { shiftLocalDate } from "../../functions/domain/local-date.js";
import { localParts } from "../../functions/domain/time.js";
import { generateDay, generateDays } from "../fakes/smartassist/day.js";
import { DEMO_CAST, demoCenter } from "../fakes/smartassist/demo-center.js";
import {
  DEMO_CREDENTIALS,
  type SimAgent,
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../fakes/smartassist/simulator.js";

const CREDS = {
  clientId: "cs-test-client-1",
  clientSecret: "test-secret-that-is-long-enough-for-hs256",
  accountId: "63f07d26f04465685df4abcd",
  iId: "st-11111111-2222-3333-4444-555555555555",
};
const PATH = `/agentassist/api/public/analytics/account/${CREDS.accountId}/agentstatusdetails`;
const MIN = 60_000;

const running: Simulator[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

async function simulator(overrides: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  const sim = await startSimulator({ ...CREDS, agents: [], ...overrides });
  running.push(sim);
  return sim;
}

async function token(options: { appId?: string; secret?: string; expiresAt?: number } = {}): Promise<string> {
  const jwt = new SignJWT({ appId: options.appId ?? CREDS.clientId })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setJti(crypto.randomUUID());
  if (options.expiresAt !== undefined) jwt.setExpirationTime(options.expiresAt);
  else jwt.setExpirationTime("5m");
  return jwt.sign(new TextEncoder().encode(options.secret ?? CREDS.clientSecret));
}

interface Call {
  method?: "POST" | "GET";
  path?: string;
  query?: string;
  headers?: Record<string, string>;
  body?: unknown;
  rawBody?: string;
  window?: { startDate: string; endDate: string; timeZoneOffSet: number };
  agents?: string[];
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected loosely in assertions.
  json: any;
}

async function call(sim: Simulator, c: Call = {}): Promise<Answer> {
  const window = c.window ?? { startDate: "2023-03-10", endDate: "2023-03-10", timeZoneOffSet: -330 };
  const filter: Record<string, unknown> = { dateFilter: window };
  if (c.agents) filter.agents = c.agents;
  const body = c.rawBody ?? JSON.stringify(c.body ?? { filter });
  const response = await request(`${sim.url}${c.path ?? PATH}?${c.query ?? "limit=50&offset=0"}`, {
    method: c.method ?? "POST",
    headers: {
      auth: await token(),
      iId: CREDS.iId,
      "Content-Type": "application/json",
      ...c.headers,
    },
    body: c.method === "GET" ? undefined : body,
  });
  const text = await response.body.text();
  return {
    status: response.statusCode,
    headers: response.headers,
    json: text ? JSON.parse(text) : undefined,
  };
}

/** 2023-03-10 16:07:42 UTC is 21:37:42 in India and 11:07:42 in New York (EST). */
const T = Date.UTC(2023, 2, 10, 16, 7, 42);

function agent(n: number, segments: SimAgent["segments"], extra: Partial<SimAgent> = {}): SimAgent {
  return {
    userId: `u-${String(n).padStart(6, "0")}`,
    firstName: `First${n}`,
    lastName: `Last${n}`,
    email: `agent.${n}@example.com`,
    segments,
    ...extra,
  };
}

describe("SmartAssist simulator: rendering", () => {
  const timeline = agent(1, [
    { primaryStatus: "AVAILABLE", secondaryStatus: "AVAILABLE", startMs: T - 30 * MIN, endMs: T },
    { primaryStatus: "AWAY", secondaryStatus: "LUNCH", startMs: T, endMs: null },
  ]);

  it("renders times as local wall-clock text in India's offset (-330)", async () => {
    // Prepare
    const sim = await simulator({ agents: [timeline], now: T + 10 * MIN });

    // Act
    const answer = await call(sim);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual({
      hasMore: false,
      limit: 50,
      offset: 0,
      data: [
        {
          userId: "u-000001",
          firstName: "First1",
          lastName: "Last1",
          email: "agent.1@example.com",
          status: [
            {
              primaryStatus: "AVAILABLE",
              secondaryStatus: "AVAILABLE",
              startTime: "2023-03-10T21:07:42",
              endTime: "2023-03-10T21:37:42",
              duration: expect.stringMatching(/^00:(30:00|29:59|30:01)$/),
            },
            {
              primaryStatus: "AWAY",
              secondaryStatus: "LUNCH",
              startTime: "2023-03-10T21:37:42",
              endTime: "-",
              duration: "-",
            },
          ],
        },
      ],
    });
  });

  it("renders the same instants in New York's offset (300 in winter, 240 in summer)", async () => {
    // Prepare
    const summer = Date.UTC(2023, 6, 10, 16, 7, 42);
    const sim = await simulator({
      agents: [
        timeline,
        agent(2, [{ primaryStatus: "BUSY", secondaryStatus: "BUSY", startMs: summer, endMs: null }]),
      ],
      now: T + 10 * MIN,
    });

    // Act
    const winter = await call(sim, {
      window: { startDate: "2023-03-10", endDate: "2023-03-10", timeZoneOffSet: 300 },
    });
    sim.setNow(summer + MIN);
    const july = await call(sim, {
      window: { startDate: "2023-07-10", endDate: "2023-07-10", timeZoneOffSet: 240 },
    });

    // Assess
    expect(winter.json.data[0].status.map((s: { startTime: string }) => s.startTime)).toEqual([
      "2023-03-10T10:37:42",
      "2023-03-10T11:07:42",
    ]);
    expect(july.json.data[1].status).toEqual([
      {
        primaryStatus: "BUSY",
        secondaryStatus: "BUSY",
        startTime: "2023-07-10T12:07:42",
        endTime: "-",
        duration: "-",
      },
    ]);
  });

  it("cuts the timeline at now: later segments unknown, the one holding now open", async () => {
    // Prepare
    const sim = await simulator({
      agents: [
        agent(1, [
          { primaryStatus: "AVAILABLE", secondaryStatus: "AVAILABLE", startMs: T - 20 * MIN, endMs: T },
          { primaryStatus: "BUSY", secondaryStatus: "BUSY", startMs: T, endMs: T + 20 * MIN },
          { primaryStatus: "AVAILABLE", secondaryStatus: "AVAILABLE", startMs: T + 20 * MIN, endMs: null },
        ]),
      ],
      now: T + 5 * MIN,
    });

    // Act
    const answer = await call(sim);

    // Assess
    const status = answer.json.data[0].status;
    expect(status).toHaveLength(2);
    expect(status[1]).toMatchObject({ primaryStatus: "BUSY", endTime: "-", duration: "-" });
  });

  it("keeps an open segment begun before the window and drops closed ones outside it", async () => {
    // Prepare: the window is 2023-03-10 in India, i.e. [03-09 18:30Z, 03-10 18:30Z).
    const yesterday = Date.UTC(2023, 2, 9, 12, 0, 0);
    const sim = await simulator({
      agents: [
        agent(1, [
          {
            primaryStatus: "AVAILABLE",
            secondaryStatus: "AVAILABLE",
            startMs: yesterday,
            endMs: yesterday + MIN,
          },
          { primaryStatus: "BUSY", secondaryStatus: "BUSY", startMs: yesterday + MIN, endMs: null },
        ]),
        agent(2, [
          {
            primaryStatus: "AVAILABLE",
            secondaryStatus: "AVAILABLE",
            startMs: yesterday,
            endMs: yesterday + MIN,
          },
        ]),
        agent(3, null),
      ],
      now: T,
    });

    // Act
    const answer = await call(sim);

    // Assess
    const [one, two, three] = answer.json.data;
    expect(one.status).toEqual([
      {
        primaryStatus: "BUSY",
        secondaryStatus: "BUSY",
        startTime: "2023-03-09T17:31:00",
        endTime: "-",
        duration: "-",
      },
    ]);
    expect(two.status).toEqual([]);
    expect(three).not.toHaveProperty("status");
    expect(three.userId).toBe("u-000003");
  });

  it("makes about one closed duration in ten a second off, the same on every request", async () => {
    // Prepare
    const segments = Array.from({ length: 400 }, (_, i) => ({
      primaryStatus: "BUSY",
      secondaryStatus: "BUSY",
      startMs: T - 400 * MIN + i * MIN,
      endMs: T - 400 * MIN + i * MIN + 50_000,
    }));
    const sim = await simulator({ agents: [agent(1, segments)], now: T });

    // Act
    const first = await call(sim);
    const second = await call(sim);

    // Assess
    const durations: string[] = first.json.data[0].status.map((s: { duration: string }) => s.duration);
    const off = durations.filter((d) => d !== "00:00:50");
    expect(durations).toHaveLength(400);
    expect(off.length).toBeGreaterThan(15);
    expect(off.length).toBeLessThan(70);
    expect(off.every((d) => d === "00:00:49" || d === "00:00:51")).toBe(true);
    expect(second.json).toEqual(first.json);
  });

  it("keeps only the requested agents' e-mails, case-insensitively", async () => {
    // Prepare
    const sim = await simulator({ agents: [1, 2, 3, 4].map((n) => agent(n, [])), now: T });

    // Act
    const answer = await call(sim, { agents: ["AGENT.3@example.com", "agent.1@EXAMPLE.com"] });

    // Assess
    expect(answer.json.data.map((r: { userId: string }) => r.userId)).toEqual(["u-000001", "u-000003"]);
    expect(answer.json.hasMore).toBe(false);
  });

  it("replaces a row with garbage where asked", async () => {
    // Prepare
    const sim = await simulator({
      agents: [agent(1, []), agent(2, [])],
      now: T,
      malformed: [{ index: 1, row: { userId: 42, status: "nope" } }],
    });

    // Act
    const answer = await call(sim);

    // Assess
    expect(answer.json.data[1]).toEqual({ userId: 42, status: "nope" });
    expect(answer.json.data[0].userId).toBe("u-000001");
  });
});

describe("SmartAssist simulator: paging", () => {
  it("pages with limit/offset and says hasMore until the last page", async () => {
    // Prepare
    const sim = await simulator({ agents: Array.from({ length: 120 }, (_, i) => agent(i + 1, [])), now: T });

    // Act
    const pages = await Promise.all([0, 50, 100].map((o) => call(sim, { query: `limit=50&offset=${o}` })));

    // Assess
    expect(pages.map((p) => [p.json.offset, p.json.data.length, p.json.hasMore])).toEqual([
      [0, 50, true],
      [50, 50, true],
      [100, 20, false],
    ]);
    expect(pages[2]?.json.data[19].userId).toBe("u-000120");
    expect(sim.requests.map((r) => r.offset).sort()).toEqual(["0", "100", "50"]);
  });

  it("caps limit at 50 and says so", async () => {
    // Prepare
    const sim = await simulator({ agents: Array.from({ length: 70 }, (_, i) => agent(i + 1, [])), now: T });

    // Act
    const answer = await call(sim, { query: "limit=200&offset=0" });

    // Assess
    expect(answer.json.limit).toBe(50);
    expect(answer.json.data).toHaveLength(50);
    expect(answer.json.hasMore).toBe(true);
  });

  it("answers an empty page past the end", async () => {
    // Prepare
    const sim = await simulator({ agents: [agent(1, [])], now: T });

    // Act
    const answer = await call(sim, { query: "limit=10&offset=10" });

    // Assess
    expect(answer.json).toEqual({ hasMore: false, limit: 10, offset: 10, data: [] });
  });
});

describe("SmartAssist simulator: refusals", () => {
  it.each([
    ["a bad signature", async () => ({ auth: await token({ secret: "another-secret-of-enough-length-x" }) })],
    ["a wrong appId", async () => ({ auth: await token({ appId: "cs-someone-else" }) })],
    [
      "an expired token",
      async () => ({ auth: await token({ expiresAt: Math.floor(Date.now() / 1000) - 60 }) }),
    ],
    ["a wrong iId", async () => ({ iId: "st-wrong" })],
    ["no token", async () => ({ auth: "" })],
  ])("answers 401 to %s", async (_label, headers) => {
    // Prepare
    const sim = await simulator({ agents: [agent(1, [])], now: T });

    // Act
    const answer = await call(sim, { headers: await headers() });

    // Assess
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ errors: [{ msg: "Invalid or expired token", code: 401 }] });
  });

  it("records the appId it was shown and the lower-cased headers", async () => {
    // Prepare
    const sim = await simulator({ now: T });

    // Act
    await call(sim, { headers: { auth: await token({ appId: "cs-someone-else" }) } });

    // Assess
    const [recorded] = sim.requests;
    expect(recorded).toMatchObject({ method: "POST", path: PATH, limit: "50", offset: "0", status: 401 });
    expect(recorded?.appId).toBe("cs-someone-else");
    expect(recorded?.headers.iid).toBe(CREDS.iId);
    expect(recorded?.headers["content-type"]).toBe("application/json");
    expect(recorded?.body).toMatchObject({ filter: { dateFilter: { timeZoneOffSet: -330 } } });
  });

  it.each([
    [
      "no startDate",
      { body: { filter: { dateFilter: { endDate: "2023-03-10", timeZoneOffSet: 0 } } } },
      "startDate",
    ],
    [
      "a bad endDate",
      {
        body: {
          filter: { dateFilter: { startDate: "2023-03-10", endDate: "2023-02-30", timeZoneOffSet: 0 } },
        },
      },
      "endDate",
    ],
    [
      "start after end",
      { window: { startDate: "2023-03-11", endDate: "2023-03-10", timeZoneOffSet: 0 } },
      "startDate",
    ],
    [
      "a text offset",
      {
        body: {
          filter: { dateFilter: { startDate: "2023-03-10", endDate: "2023-03-10", timeZoneOffSet: "-330" } },
        },
      },
      "timeZoneOffSet",
    ],
    ["agents not a list", { agents: "a@x.com" as unknown as string[] }, "agents"],
    ["no filter", { body: {} }, "filter"],
    ["a body that is not JSON", { rawBody: "{nope" }, "JSON"],
    ["a text content type", { headers: { "Content-Type": "text/plain" } }, "Content-Type"],
    ["no limit", { query: "offset=0" }, "limit"],
    ["limit 0", { query: "limit=0&offset=0" }, "limit"],
    ["a negative offset", { query: "limit=10&offset=-1" }, "offset"],
    ["a fractional offset", { query: "limit=10&offset=1.5" }, "offset"],
  ] as Array<[string, Call, string]>)("answers 400 to %s, naming the field", async (_label, c, field) => {
    // Prepare
    const sim = await simulator({ agents: [agent(1, [])], now: T });

    // Act
    const answer = await call(sim, c);

    // Assess
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].msg).toContain(field);
  });

  it("answers 404 to a wrong path or account and 405 to a wrong method", async () => {
    // Prepare
    const sim = await simulator({ now: T });

    // Act
    const wrongPath = await call(sim, { path: "/agentassist/api/public/analytics/agentstatusdetails" });
    const wrongAccount = await call(sim, { path: PATH.replace(CREDS.accountId, "000000000000000000000000") });
    const wrongMethod = await call(sim, { method: "GET" });

    // Assess
    expect(wrongPath.status).toBe(404);
    expect(wrongAccount.status).toBe(404);
    expect(wrongAccount.json.errors[0].msg).toMatch(/account/i);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.allow).toBe("POST");
  });

  it("accepts the demo credentials when started with them", async () => {
    // Prepare
    const sim = await startSimulator({ ...DEMO_CREDENTIALS, agents: [agent(1, [])], now: T });
    running.push(sim);
    const auth = await new SignJWT({ appId: DEMO_CREDENTIALS.clientId })
      .setProtectedHeader({ alg: "HS256" })
      .sign(new TextEncoder().encode(DEMO_CREDENTIALS.clientSecret));

    // Act
    const answer = await call(sim, {
      path: `/agentassist/api/public/analytics/account/${DEMO_CREDENTIALS.accountId}/agentstatusdetails`,
      headers: { auth, iId: DEMO_CREDENTIALS.iId },
    });

    // Assess
    expect(DEMO_CREDENTIALS.clientId).toMatch(/^cs-/);
    expect(answer.status).toBe(200);
    expect(answer.json.data).toHaveLength(1);
  });
});

describe("SmartAssist simulator: rate limit and faults", () => {
  it("answers 429 with Retry-After past the per-minute limit", async () => {
    // Prepare
    const sim = await simulator({ agents: [agent(1, [])], now: T, rateLimitPerMinute: 3 });

    // Act
    const answers: Answer[] = [];
    for (let i = 0; i < 5; i++) answers.push(await call(sim));

    // Assess
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    const refused = answers[3] as Answer;
    expect(refused.json).toEqual({ errors: [{ msg: "Rate limit exceeded. Try again later", code: 429 }] });
    const retryAfter = Number(refused.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(sim.requests.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
  });

  it("lets the limit be raised at run time", async () => {
    // Prepare
    const sim = await simulator({ agents: [agent(1, [])], now: T, rateLimitPerMinute: 1 });
    await call(sim);

    // Act
    const refused = await call(sim);
    sim.setRateLimit(10);
    const admitted = await call(sim);

    // Assess
    expect(refused.status).toBe(429);
    expect(admitted.status).toBe(200);
  });

  it("gives queued faults first, in order, then the real answer", async () => {
    // Prepare
    const sim = await simulator({ agents: [agent(1, [])], now: T });
    sim.failNext({ status: 503 }, { status: 429, retryAfter: 1 }, { status: 500, body: { oops: true } });

    // Act
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await call(sim));

    // Assess
    expect(answers.map((a) => a.status)).toEqual([503, 429, 500, 200]);
    expect(answers[0]?.json.errors[0].msg).toBeTypeOf("string");
    expect(answers[1]?.headers["retry-after"]).toBe("1");
    expect(answers[2]?.json).toEqual({ oops: true });
    expect(sim.requests.map((r) => r.status)).toEqual([503, 429, 500, 200]);
  });

  it("delays answers by the configured latency", async () => {
    // Prepare
    const sim = await simulator({ agents: [agent(1, [])], now: T, latencyMs: 150 });

    // Act
    const started = performance.now();
    const answer = await call(sim);
    const elapsed = performance.now() - started;

    // Assess
    expect(answer.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(140);
  });

  it("leaves hung requests unanswered until close() releases them", async () => {
    // Prepare
    const sim = await startSimulator({ ...CREDS, agents: [agent(1, [])], now: T });
    sim.hangNext(1);

    // Act
    const pending = call(sim).then(
      (a) => a.status,
      () => "released",
    );
    const early = await Promise.race([pending, new Promise((r) => setTimeout(() => r("waiting"), 200))]);
    const closing = performance.now();
    await sim.close();
    const closeMs = performance.now() - closing;

    // Assess
    expect(early).toBe("waiting");
    expect(await pending).toBe("released");
    expect(closeMs).toBeLessThan(1000);
    expect(sim.requests[0]?.status).toBe(0);
  });
});

describe("SmartAssist simulator: generated days", () => {
  it("is deterministic for a seed and varies with it", () => {
    // Prepare
    const options = { agents: 300, timezone: "Asia/Kolkata", date: "2023-03-10" };

    // Act
    const a = generateDay({ ...options, seed: 7 });
    const b = generateDay({ ...options, seed: 7 });
    const c = generateDay({ ...options, seed: 8 });

    // Assess
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(a)).not.toBe(JSON.stringify(c));
    expect(a[0]?.userId).toBe("u-000001");
    expect(new Set(a.map((x) => x.email)).size).toBe(300);
    expect(a.some((x) => x.email.endsWith("@tier2.example.com"))).toBe(true);
    expect(a.some((x) => x.segments === null)).toBe(true);
  });

  it("starts shifts between 07:00 and 11:00 local, across a DST change", () => {
    // Prepare: 2024-03-10 is the spring-forward day in New York.
    const day = generateDay({ seed: 3, agents: 200, timezone: "America/New_York", date: "2024-03-10" });

    // Act
    const starts = day.flatMap((a) =>
      a.segments?.[0] ? [localParts("America/New_York", a.segments[0].startMs)] : [],
    );

    // Assess
    expect(starts.length).toBeGreaterThan(180);
    for (const p of starts) {
      expect(p.day).toBe(10);
      expect(p.hour).toBeGreaterThanOrEqual(7);
      expect(p.hour).toBeLessThan(11);
    }
  });

  it("gives exactly segmentsPerAgent segments, ordered and not overlapping", () => {
    // Prepare / Act
    const day = generateDay({
      seed: 11,
      agents: 500,
      timezone: "Asia/Kolkata",
      date: "2023-03-10",
      segmentsPerAgent: 20,
    });

    // Assess
    const withStatus = day.filter((a) => a.segments && a.segments.length > 0);
    expect(withStatus.length).toBeGreaterThan(450);
    for (const a of withStatus) {
      const s = a.segments ?? [];
      expect(s).toHaveLength(20);
      for (let i = 1; i < s.length; i++) {
        const prev = s[i - 1];
        expect(prev?.endMs).not.toBeNull();
        expect(s[i]?.startMs).toBeGreaterThanOrEqual(prev?.endMs ?? Number.POSITIVE_INFINITY);
      }
    }
  });

  it("generates the benchmark's 50,000 agents × 20 segments", () => {
    // Act (how fast is the benchmark's business, not a test's)
    const day = generateDay({
      seed: 1,
      agents: 50_000,
      timezone: "Asia/Kolkata",
      date: "2023-03-10",
      segmentsPerAgent: 20,
    });

    // Assess
    expect(day).toHaveLength(50_000);
    const withStatus = day.filter((a) => a.segments !== null && a.segments.length > 0);
    expect(withStatus.length).toBeGreaterThan(45_000);
    expect(withStatus.every((a) => a.segments?.length === 20)).toBe(true);
  });

  it("serves any of several days as the API does: yesterday replayable today, one center throughout", async () => {
    // Prepare: a week and today, as `simulate` serves them; mid-day of the last date in India.
    const options = { seed: 5, agents: 300, timezone: "Asia/Kolkata" };
    const dates = Array.from({ length: 8 }, (_, i) => shiftLocalDate("2023-03-03", i));
    const days = generateDays({ ...options, dates });
    const now = Date.UTC(2023, 2, 10, 8, 0, 0);
    const sim = await simulator({ agents: days, now });
    const dayOf = (date: string) => ({ startDate: date, endDate: date, timeZoneOffSet: -330 });
    const read = async (date: string, from = sim) => {
      const rows: Array<{ email: string; status?: unknown[] }> = [];
      for (let offset = 0; ; offset += 50) {
        const page = await call(from, { query: `limit=50&offset=${offset}`, window: dayOf(date) });
        rows.push(...page.json.data);
        if (!page.json.hasMore) break;
      }
      return rows;
    };

    // Act
    const yesterday = await read("2023-03-09");
    const today = await read("2023-03-10");
    const before = await read("2023-03-02");

    // Assess: yesterday is that date's own generated day, whole (closed, nothing open) ...
    const alone = await simulator({ agents: generateDay({ ...options, date: "2023-03-09" }), now });
    expect(yesterday.map((r) => r.email)).toEqual((await read("2023-03-09", alone)).map((r) => r.email));
    const parsedYesterday = yesterday.map((r) => parseAgentRow(r, -330).agent);
    expect(parsedYesterday.filter((a) => a && a.segments.length > 0).length).toBeGreaterThan(250);
    expect(parsedYesterday.some((a) => a && openSegment(a.segments))).toBe(false);
    // ... its stuck agents closed at midnight, not run on into today ...
    const lastEnds = parsedYesterday.flatMap((a) => a?.segments.slice(-1) ?? []).map((s) => s.endMs);
    expect(lastEnds).toContain(Date.UTC(2023, 2, 9, 18, 30));
    // ... today shows only today (what a single day showed before), and before the week, no status.
    const todayAlone = await simulator({ agents: generateDay({ ...options, date: "2023-03-10" }), now });
    expect(today).toEqual(await read("2023-03-10", todayAlone));
    expect(before.every((r) => r.status === undefined || r.status.length === 0)).toBe(true);
  });

  it("shows stuck, logged-out and status-less agents to a mid-day check", async () => {
    // Prepare: 13:30 in India on that day.
    const now = Date.UTC(2023, 2, 10, 8, 0, 0);
    const sim = await simulator({
      agents: generateDay({ seed: 42, agents: 1000, timezone: "Asia/Kolkata", date: "2023-03-10" }),
      now,
    });

    // Act
    const rows: unknown[] = [];
    for (let offset = 0; ; offset += 50) {
      const page = await call(sim, { query: `limit=50&offset=${offset}` });
      rows.push(...page.json.data);
      if (!page.json.hasMore) break;
    }

    // Assess
    const agents = rows.map((r) => parseAgentRow(r, -330).agent);
    const stuck = agents.filter((a) => {
      const open = a && openSegment(a.segments);
      if (!open) return false;
      const minutes = (now - open.startMs) / MIN;
      return open.primaryStatus === "BUSY"
        ? minutes >= 60
        : /^(LUNCH|NBK)$/.test(open.secondaryStatus) && minutes >= 45;
    });
    const noOpen = agents.filter((a) => a && a.segments.length > 0 && !openSegment(a.segments));
    expect(rows).toHaveLength(1000);
    expect(stuck.length).toBeGreaterThanOrEqual(10);
    expect(noOpen.length).toBeGreaterThanOrEqual(20);
    expect(rows.filter((r) => !Object.hasOwn(r as object, "status")).length).toBeGreaterThan(5);
  });
});

describe("demo center", () => {
  /** The open segment and how long it has lasted, per demo role, as the simulator shows it at `at`. */
  async function picture(anchor: number, at: number) {
    const sim = await simulator({
      agents: demoCenter(anchor, "Asia/Kolkata"),
      now: at,
    });
    const start = new Date(at - 2 * 3_600_000 + 330 * MIN).toISOString().slice(0, 10);
    const end = new Date(at + 330 * MIN).toISOString().slice(0, 10);
    const page = await call(sim, { window: { startDate: start, endDate: end, timeZoneOffSet: -330 } });
    const byEmail = new Map<string, { status: string; minutes: number } | null>();
    for (const row of page.json.data) {
      const parsed = parseAgentRow(row, -330).agent;
      const open = parsed && openSegment(parsed.segments);
      byEmail.set(
        row.email,
        open ? { status: open.secondaryStatus, minutes: Math.floor((at - open.startMs) / MIN) } : null,
      );
    }
    return { rows: page.json.data as Array<{ email: string; status?: unknown }>, byEmail };
  }

  it("shows the intended picture at now and 35 minutes later", async () => {
    // Prepare
    const anchor = Date.UTC(2023, 2, 10, 8, 0, 0);

    // Act
    const first = await picture(anchor, anchor);
    const later = await picture(anchor, anchor + 35 * MIN);

    // Assess
    expect(first.rows.length).toBe(41);
    expect(first.byEmail.get(DEMO_CAST.longLunch)).toEqual({ status: "LUNCH", minutes: 22 });
    expect(first.byEmail.get(DEMO_CAST.criticalNbk)).toEqual({ status: "NBK", minutes: 34 });
    expect(first.byEmail.get(DEMO_CAST.stuckBusy)).toEqual({ status: "BUSY", minutes: 41 });
    expect(first.byEmail.get(DEMO_CAST.backToBackBusy)?.status).toBe("BUSY");
    expect(first.byEmail.get(DEMO_CAST.shortBusy)).toEqual({ status: "BUSY", minutes: 12 });
    expect(first.byEmail.get(DEMO_CAST.breakAfterLongBusy)).toEqual({ status: "BREAK", minutes: 5 });
    expect(first.byEmail.get(DEMO_CAST.loggedOutAfterLunch)).toBeNull();
    expect(first.rows.find((r) => r.email === DEMO_CAST.noStatus)).not.toHaveProperty("status");
    expect(first.byEmail.get(DEMO_CAST.nudgedBreak)).toEqual({ status: "BREAK", minutes: 11 });
    expect(later.byEmail.get(DEMO_CAST.nudgedBreak)?.status).not.toBe("BREAK");
    expect(later.byEmail.get(DEMO_CAST.longLunch)?.status).toBe("AVAILABLE");
    expect(later.byEmail.get(DEMO_CAST.criticalNbk)).toEqual({ status: "NBK", minutes: 69 });
    expect(later.byEmail.get(DEMO_CAST.stuckBusy)).toEqual({ status: "BUSY", minutes: 76 });
  });

  it("keeps everyone else clear of any threshold at both instants", async () => {
    // Prepare
    const anchor = Date.UTC(2023, 2, 10, 8, 0, 0);
    const cast = new Set<string>(Object.values(DEMO_CAST));

    for (const at of [anchor, anchor + 10 * MIN, anchor + 35 * MIN]) {
      // Act
      const { byEmail } = await picture(anchor, at);

      // Assess
      for (const [email, open] of byEmail) {
        // Not open: in a short logout gap, which is fine too.
        if (cast.has(email) || open === null) continue;
        const limit = open?.status === "BUSY" ? 30 : 15;
        if (open?.status !== "AVAILABLE") expect(open?.minutes ?? 0, email).toBeLessThan(limit);
      }
    }
  });
});
