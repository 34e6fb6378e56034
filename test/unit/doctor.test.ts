/** The doctor's verdicts (domain/doctor*.ts): probe results in, check lines out; and the roster search. */
import { describe, expect, it } from "vitest";
import { parseConfig } from "../../functions/domain/config.js";
import { checkLine, configCheck, configuredChannels, doctorReport } from "../../functions/domain/doctor.js";
import {
  type CredentialsReading,
  signingSecretCheck,
  smartAssistCredentialsCheck,
} from "../../functions/domain/doctor-credentials.js";
import {
  neededScopes,
  slackChannelCheck,
  slackRespondersCheck,
  slackScopesCheck,
  slackTestCheck,
  slackTokenCheck,
} from "../../functions/domain/doctor-slack.js";
import {
  type ApiContext,
  nextRosterProbe,
  observeRoster,
  type RosterBudget,
  type RosterSearch,
  rosterCheck,
  smartAssistApiCheck,
  startRosterSearch,
} from "../../functions/domain/doctor-smartassist.js";
import type { SlackIdentity } from "../../functions/ports.js";

const BASE = {
  timezone: "Asia/Kolkata",
  smartassist: { host: "https://platform.kore.ai", accountId: "acc-1", iId: "st-1" },
  rules: [{ name: "Long break", secondaryStatus: ["LUNCH"], threshold: "15m" }],
  slack: { channel: "C0123456789" },
};

function config(extra: Record<string, unknown> = {}) {
  const raw = { ...BASE, ...extra, slack: { ...BASE.slack, ...((extra.slack as object) ?? {}) } };
  return parseConfig(raw, "test.yaml").config;
}

function envReading(
  problems: Partial<Record<keyof CredentialsReading["keys"], "missing" | "placeholder">> = {},
) {
  const key = (name: string, k: keyof CredentialsReading["keys"]) => ({
    name,
    ...(problems[k] ? { problem: problems[k] } : {}),
  });
  const reading: CredentialsReading = {
    source: { kind: "env" },
    keys: {
      clientId: key("SMARTASSIST_CLIENT_ID", "clientId"),
      clientSecret: key("SMARTASSIST_CLIENT_SECRET", "clientSecret"),
      slackBotToken: key("SLACK_BOT_TOKEN", "slackBotToken"),
      slackSigningSecret: key("SLACK_SIGNING_SECRET", "slackSigningSecret"),
    },
  };
  if (!problems.clientId) reading.clientId = "cs-abc";
  return reading;
}

const IDENTITY: SlackIdentity = {
  team: "Acme",
  teamId: "T1",
  url: "https://acme.slack.com/",
  user: "agent-status-alerts",
  userId: "U0BOT",
  botId: "B1",
  scopes: ["chat:write"],
};

describe("check lines and the report", () => {
  it("formats ✓ and ✗ lines, and the report is ok only when every check is", () => {
    expect(checkLine({ name: "config", ok: true, detail: "fine" })).toBe("✓ config — fine");
    expect(checkLine({ name: "slack.token", ok: false, detail: "bad; fix it" })).toBe(
      "✗ slack.token — bad; fix it",
    );
    expect(doctorReport([{ name: "a", ok: true, detail: "" }]).ok).toBe(true);
    expect(
      doctorReport([
        { name: "a", ok: true, detail: "" },
        { name: "b", ok: false, detail: "" },
      ]).ok,
    ).toBe(false);
  });

  it("config: valid with its warnings, or the error and how to check the file", () => {
    const { config: c, warnings } = parseConfig({ ...BASE, slack: { channel: "C1", typoKey: 1 } }, "x.yaml");
    const ok = configCheck("x.yaml", { config: c, warnings });
    expect(ok.ok).toBe(true);
    expect(ok.detail).toBe(
      "x.yaml is valid (1 rule, 0 teams, 1 channel); 1 warning: slack.typoKey: unknown key (ignored)",
    );
    const bad = configCheck("x.yaml", { error: "x.yaml: rules[0].threshold: expected a duration like 15m" });
    expect(bad.ok).toBe(false);
    expect(bad.detail).toContain("rules[0].threshold");
    expect(bad.detail).toContain("npm run cli -- validate --config x.yaml");
  });

  it("lists each configured channel once, with who posts there", () => {
    const c = config({
      teams: [
        { name: "Tier 2", agents: ["*@t2.example.com"], channel: "C0999999999" },
        { name: "Tier 3", agents: ["*@t3.example.com"], channel: "C0123456789" },
      ],
    });
    expect(configuredChannels(c)).toEqual([
      { id: "C0123456789", for: "the default channel and team Tier 3" },
      { id: "C0999999999", for: "team Tier 2" },
    ]);
  });
});

describe("credentials", () => {
  it("names the missing variables and how to set them, never a value", () => {
    const check = smartAssistCredentialsCheck(envReading({ clientSecret: "missing" }));
    expect(check.ok).toBe(false);
    expect(check.detail).toBe(
      "SMARTASSIST_CLIENT_SECRET is not set; set SMARTASSIST_CLIENT_SECRET (the SmartAssist app's client secret) in the environment",
    );
    expect(smartAssistCredentialsCheck(envReading()).detail).toContain("SMARTASSIST_CLIENT_ID (cs-abc)");
  });

  it("in AWS: the secret's keys, and the put-secret-value command", () => {
    const reading: CredentialsReading = {
      source: { kind: "secret", id: "arn:aws:secretsmanager:us-east-1:1:secret:s" },
      keys: {
        clientId: { name: "clientId", problem: "placeholder" },
        clientSecret: { name: "clientSecret" },
        slackBotToken: { name: "slackBotToken" },
        slackSigningSecret: { name: "slackSigningSecret" },
      },
    };
    const check = smartAssistCredentialsCheck(reading);
    expect(check.detail).toMatch(
      /^clientId still holds a placeholder; put clientId .* into the secret: aws secretsmanager put-secret-value --secret-id arn:aws:secretsmanager/,
    );
    const unreadable = smartAssistCredentialsCheck({
      ...reading,
      error: "cannot read secret s (AccessDeniedException: no)",
    });
    expect(unreadable.detail).toContain("AccessDeniedException");
  });

  it("signing secret: needed only when interactive", () => {
    expect(
      signingSecretCheck(
        config({ slack: { interactive: false } }),
        envReading({ slackSigningSecret: "missing" }),
      ).ok,
    ).toBe(true);
    const missing = signingSecretCheck(config(), envReading({ slackSigningSecret: "missing" }));
    expect(missing.ok).toBe(false);
    expect(missing.detail).toContain("slack.interactive is true, but SLACK_SIGNING_SECRET is not set");
    expect(signingSecretCheck(config(), envReading()).ok).toBe(true);
  });
});

describe("smartassist.api", () => {
  const ctx: ApiContext = {
    host: "https://platform.kore.ai",
    accountId: "acc-1",
    iId: "st-1",
    date: "2025-06-10",
    timeZoneOffSet: -330,
    timeoutMs: 4000,
    credentials: envReading(),
  };
  const http = (status: number, detail: string) => ({ kind: "http", status, detail, ms: 5 }) as const;

  it("names each failure", () => {
    const cases: Array<[Parameters<typeof smartAssistApiCheck>[0], RegExp]> = [
      [
        http(401, "Invalid or expired token"),
        /^HTTP 401, credentials refused: Invalid or expired token; check that SMARTASSIST_CLIENT_ID and SMARTASSIST_CLIENT_SECRET/,
      ],
      [
        http(404, "Invalid iId: no app with stream id st-1"),
        /^HTTP 404, the iId st-1 was refused.*set smartassist.iId/,
      ],
      [http(401, "Invalid iId"), /the iId st-1 was refused/],
      [
        http(404, "Account not found"),
        /^HTTP 404, unknown account acc-1: Account not found; check smartassist.accountId/,
      ],
      [
        http(404, "Not found"),
        /^HTTP 404, unknown account or host: Not found: platform.kore.ai has no Agent Status Details API.*smartassist.host/,
      ],
      [http(429, "Rate limit exceeded"), /^HTTP 429 rate limited/],
      [http(503, "Service unavailable"), /^HTTP 503, SmartAssist failed/],
      [{ kind: "timeout", ms: 4000 }, /^no answer from platform.kore.ai within 4.0 s \(timed out\)/],
      [
        { kind: "network", code: "ENOTFOUND", ms: 1 },
        /^unknown host platform.kore.ai \(ENOTFOUND\); check smartassist.host/,
      ],
      [{ kind: "network", code: "ECONNREFUSED", ms: 1 }, /refused the connection/],
      [
        { kind: "invalid", status: 200, detail: "the response is not JSON", ms: 1 },
        /not an Agent Status Details page/,
      ],
      ["no-credentials", /^not checked: no usable credentials/],
    ];
    for (const [result, expected] of cases) {
      const check = smartAssistApiCheck(result, ctx);
      expect(check.ok, JSON.stringify(result)).toBe(false);
      expect(check.detail).toMatch(expected);
    }
  });

  it("passes on a page, saying where and for which day", () => {
    const check = smartAssistApiCheck({ kind: "page", status: 200, rows: 1, hasMore: true, ms: 85 }, ctx);
    expect(check).toEqual({
      name: "smartassist.api",
      ok: true,
      detail:
        "HTTP 200 in 85 ms from platform.kore.ai (account acc-1, iId st-1, 2025-06-10 at timeZoneOffSet -330)",
    });
  });
});

describe("the roster search", () => {
  /** Runs the search against a roster of `size` agents, as the API would answer it. */
  function search(size: number, pageSize = 50): RosterSearch {
    const answer = (offset: number, limit: number) => ({
      rows: Math.max(0, Math.min(limit, size - offset)),
      hasMore: offset + limit < size,
    });
    let state = startRosterSearch(pageSize, answer(0, 1));
    for (let probe = nextRosterProbe(state); probe; probe = nextRosterProbe(state)) {
      if (state.requests > 60) throw new Error("the search does not end");
      state = observeRoster(state, { ...probe, ...answer(probe.offset, probe.limit) });
    }
    return state;
  }

  it("finds the exact size of every roster, in few requests", () => {
    for (const size of [
      0, 1, 2, 49, 50, 51, 99, 100, 101, 250, 1234, 9_999, 10_000, 10_001, 12_500, 50_000, 200_000,
    ]) {
      const found = search(size);
      expect(found.low, `size ${size}`).toBe(size);
      expect(found.high, `size ${size}`).toBe(size);
      expect(found.requests, `size ${size}`).toBeLessThanOrEqual(2 * Math.log2(size + 2) + 4);
    }
  });

  it("takes at most 16 requests, smartassist.api's included, for a 10,000-agent roster", () => {
    expect(search(10_000).requests).toBeLessThanOrEqual(16);
    expect(search(10_000, 25).requests).toBeLessThanOrEqual(16);
  });

  it("works with another page size", () => {
    for (const size of [1, 7, 24, 25, 26, 1000]) expect(search(size, 25).low).toBe(size);
  });

  it("ends, with a range, when the roster changes under it", () => {
    let state = startRosterSearch(50, { rows: 1, hasMore: true });
    state = observeRoster(state, { offset: 200, limit: 1, rows: 0, hasMore: false });
    // A page that was there is gone on the next probe: the bounds cross and the latest answer wins.
    state = observeRoster(state, { offset: 100, limit: 1, rows: 1, hasMore: true });
    state = observeRoster(state, { offset: 50, limit: 1, rows: 0, hasMore: false });
    expect(state.low).toBeLessThanOrEqual(state.high);
  });

  const budget: RosterBudget = {
    requestsPerRun: 250,
    everySeconds: 300,
    requestsPerMinute: 50,
    concurrency: 4,
    intervalForOneRun: 540,
    paceForOneRun: 81,
  };
  const found = (agents: number): RosterSearch => ({ pageSize: 50, low: agents, high: agents, requests: 14 });

  it("says the roster fits in one run, or how many runs the rotation takes and what to change", () => {
    const fits = rosterCheck({ search: found(10_000), ms: 420 }, budget);
    expect(fits).toEqual({
      name: "smartassist.roster",
      ok: true,
      detail:
        "10,000 agents (200 pages of 50; found with 14 requests in 420 ms): fits in one run (203 of the 250 requests a 5-minute run makes at 50/min)",
    });
    const rotation = rosterCheck({ search: found(20_000), ms: 1500 }, budget);
    expect(rotation.ok).toBe(true);
    expect(rotation.detail).toContain(
      "20,000 agents (400 pages of 50; found with 14 requests in 1.5 s): read in rotation every 2 runs",
    );
    expect(rotation.detail).toContain("every agent is read at least once every 10 minutes");
    expect(rotation.detail).toContain(
      "set schedule.every to at least 9m, or smartassist.requestsPerMinute to at least 81",
    );
  });

  it("fails when not checked, or when it stopped before finding any end", () => {
    expect(rosterCheck("not-checked", budget)).toMatchObject({
      ok: false,
      detail: "not checked: smartassist.api failed",
    });
    const cut = rosterCheck(
      {
        search: { pageSize: 50, low: 202, high: Number.POSITIVE_INFINITY, requests: 2 },
        ms: 4000,
        stopped: "the request at offset 1000 timed out",
      },
      budget,
    );
    expect(cut.ok).toBe(false);
    expect(cut.detail).toContain("at least 202 agents");
    expect(cut.detail).toContain("timed out");
  });
});

describe("Slack", () => {
  it("needs chat:write always, and each other scope for what the config turns on", () => {
    const scopes = (c: ReturnType<typeof config>) => neededScopes(c).map((n) => n.scope);
    expect(scopes(config())).toEqual(["chat:write"]);
    expect(scopes(config({ nudge: "10m" }))).toEqual(["chat:write", "users:read.email", "im:write"]);
    expect(scopes(config({ slack: { mentionAgents: true } }))).toEqual([
      "chat:write",
      "users:read.email",
      "im:write",
    ]);
    expect(scopes(config({ slack: { responders: ["U0123ABCD"] } }))).toEqual(["chat:write"]);
    expect(scopes(config({ slack: { responders: ["U0123ABCD", "S0456EFGH"] } }))).toEqual([
      "chat:write",
      "usergroups:read",
    ]);
    expect(scopes(config({ digest: { at: "18:30" } }))).toEqual(["chat:write", "files:write"]);
    // slack.pinBoard may not be in this branch's schema yet: the doctor reads it from the resolved config.
    const pinned = config();
    (pinned.slack as { pinBoard?: boolean }).pinBoard = true;
    expect(scopes(pinned)).toEqual(["chat:write", "pins:write"]);
    expect(
      scopes(config({ rules: [{ name: "B", primaryStatus: "BUSY", threshold: "30m", nudge: "20m" }] })),
    ).toContain("im:write");
  });

  it("names each missing scope, and what it is for", () => {
    const needs = neededScopes(config({ digest: { at: "18:30" }, nudge: "10m" }));
    const check = slackScopesCheck(IDENTITY, needs);
    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(
      /^missing users:read.email \(nudges\), im:write \(nudges\) and files:write \(the digest\); add them/,
    );
    expect(
      slackScopesCheck({ ...IDENTITY, scopes: ["chat:write", "commands"] }, [
        { scope: "chat:write", for: "alerts" },
      ]).ok,
    ).toBe(true);
    expect(slackScopesCheck(undefined, needs).detail).toBe("not checked: needs a working slack.token");
    const { scopes: _none, ...noHeader } = IDENTITY;
    expect(slackScopesCheck(noHeader, needs).detail).toContain("no x-oauth-scopes header");
  });

  it("token: missing, refused, revoked, not a bot token, or working", () => {
    const reading = envReading();
    expect(slackTokenCheck("no-token", envReading({ slackBotToken: "missing" })).detail).toBe(
      "SLACK_BOT_TOKEN is not set; set SLACK_BOT_TOKEN (the Slack app's Bot User OAuth Token, xoxb-…) in the environment",
    );
    expect(slackTokenCheck({ ok: false, error: "invalid_auth" }, reading).detail).toMatch(
      /^Slack refused SLACK_BOT_TOKEN \(invalid_auth\)/,
    );
    expect(slackTokenCheck({ ok: false, error: "token_revoked" }, reading).detail).toContain(
      "reinstall the app",
    );
    const { botId: _b, ...user } = IDENTITY;
    expect(slackTokenCheck({ ok: true, value: user }, reading)).toMatchObject({ ok: false });
    expect(slackTokenCheck({ ok: true, value: IDENTITY }, reading)).toEqual({
      name: "slack.token",
      ok: true,
      detail: "works: workspace Acme (T1), bot @agent-status-alerts (U0BOT)",
    });
  });

  it("channel: a member, not a member (/invite), not found, or not checkable", () => {
    const channel = { id: "C0123456789", for: "the default channel" };
    const info = { id: "C0123456789", name: "ops", isMember: true, isPrivate: false, isArchived: false };
    expect(slackChannelCheck(channel, { ok: true, value: info }, "bot").ok).toBe(true);
    const out = slackChannelCheck(
      channel,
      { ok: true, value: { ...info, isMember: false } },
      "agent-status-alerts",
    );
    expect(out).toEqual({
      name: "slack.channel C0123456789",
      ok: false,
      detail: "#ops, the default channel: the bot is not a member; /invite @agent-status-alerts in #ops",
    });
    expect(slackChannelCheck(channel, { ok: false, error: "channel_not_found" }, "bot").detail).toContain(
      "not found",
    );
    expect(
      slackChannelCheck({ id: "#ops", for: "x" }, { ok: false, error: "channel_not_found" }, "bot").detail,
    ).toContain("use the channel's id");
    expect(
      slackChannelCheck(channel, { ok: false, error: "missing_scope", needed: "channels:read" }, "bot")
        .detail,
    ).toContain("the token lacks channels:read");
    expect(
      slackChannelCheck(channel, { ok: true, value: { ...info, isArchived: true } }, "bot").detail,
    ).toContain("archived");
    expect(slackChannelCheck(channel, undefined, undefined).detail).toBe(
      "not checked: needs a working slack.token",
    );
  });

  it("responders: each user and group exists, or which one does not", () => {
    const users = new Map([
      ["U0123ABCD", { ok: true as const, value: { id: "U0123ABCD", name: "priya", deleted: false } }],
      ["U0999ZZZZ", { ok: false as const, error: "user_not_found" }],
      ["U0888YYYY", { ok: true as const, value: { id: "U0888YYYY", name: "gone", deleted: true } }],
    ]);
    const groups = {
      ok: true as const,
      value: [{ id: "S0456EFGH", handle: "supervisors", enabled: true, members: 3 }],
    };
    expect(slackRespondersCheck(["U0123ABCD", "S0456EFGH"], { users, groups })).toEqual({
      name: "slack.responders",
      ok: true,
      detail: "2 responders exist: @priya (U0123ABCD), @supervisors (S0456EFGH, 3 members)",
    });
    const bad = slackRespondersCheck(["U0999ZZZZ", "U0888YYYY", "S0000NONE"], { users, groups });
    expect(bad.ok).toBe(false);
    expect(bad.detail).toBe(
      "U0999ZZZZ: no such user; U0888YYYY (@gone): deactivated; S0000NONE: no such user group; fix slack.responders (user ids U…, user group ids S…)",
    );
    expect(slackRespondersCheck(undefined, undefined).ok).toBe(true);
  });

  it("test message: posted, or why not", () => {
    const channel = { id: "C1", for: "the default channel" };
    expect(slackTestCheck(channel, { ok: true, value: { channel: "C1", ts: "1.2" } }, "bot").ok).toBe(true);
    expect(slackTestCheck(channel, { ok: false, error: "not_in_channel" }, "bot").detail).toBe(
      "not posted (not_in_channel); /invite @bot in that channel",
    );
    expect(slackTestCheck(channel, undefined, undefined).ok).toBe(false);
  });
});
