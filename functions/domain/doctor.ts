/**
 * The doctor's verdicts (DESIGN.md "Doctor: is everything wired?"): from what each probe saw to one
 * check line, `✓ name — detail` or `✗ name — what is wrong; what to do`, and the roster's size
 * search. Pure: the use case (app/doctor.ts) makes the requests and hands the results in.
 */
import type {
  SlackChannelInfo,
  SlackGroupInfo,
  SlackIdentity,
  SlackProbeResult,
  SlackUserInfo,
  SourceProbeResult,
} from "../ports.js";
import type { AppConfig } from "./config.js";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** `--json` and the Lambda's answer to `{"doctor": true}`. */
export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

export function doctorReport(checks: Check[]): DoctorReport {
  return { ok: checks.every((c) => c.ok), checks };
}

export function checkLine(check: Check): string {
  return `${check.ok ? "✓" : "✗"} ${check.name} — ${check.detail}`;
}

const pass = (name: string, detail: string): Check => ({ name, ok: true, detail });
const fail = (name: string, detail: string): Check => ({ name, ok: false, detail });

/** 10000 → "10,000", whatever the machine's locale. */
function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

function seconds(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

// ---- config --------------------------------------------------------------------------------------

/** The channels alerts go to, each once: the default one, then each team's, with who uses it. */
export function configuredChannels(config: AppConfig): Array<{ id: string; for: string }> {
  const byId = new Map<string, string[]>();
  const add = (id: string | undefined, who: string) => {
    if (id === undefined) return;
    byId.set(id, [...(byId.get(id) ?? []), who]);
  };
  add(config.slack.channel, "the default channel");
  for (const team of config.teams) add(team.channel, `team ${team.name}`);
  return [...byId].map(([id, users]) => ({ id, for: list(users) }));
}

export function configCheck(
  source: string,
  outcome: { config: AppConfig; warnings: string[] } | { error: string },
  /** How to call it in the line: the file name (default), or "the deployed config". */
  label = source,
): Check {
  if ("error" in outcome) {
    return fail(
      "config",
      `${outcome.error}; fix the file (npm run cli -- validate --config ${source} checks it)`,
    );
  }
  const { config, warnings } = outcome;
  const rules = config.rules.length + config.teams.reduce((n, t) => n + t.rules.length, 0);
  const parts = [plural(rules, "rule"), plural(config.teams.length, "team")];
  parts.push(plural(configuredChannels(config).length, "channel"));
  const warned =
    warnings.length === 0
      ? ""
      : `; ${plural(warnings.length, "warning")}: ${warnings
          .map((w) => (w.startsWith(`${source}: `) ? w.slice(source.length + 2) : w))
          .join("; ")}`;
  return pass("config", `${label} is valid (${parts.join(", ")})${warned}`);
}

// ---- credentials ---------------------------------------------------------------------------------

export type CredentialKey = "clientId" | "clientSecret" | "slackBotToken" | "slackSigningSecret";

/** What was found of one credential: its name where it is read, and what is wrong with it, if anything. */
export interface CredentialState {
  /** `SMARTASSIST_CLIENT_ID` in the environment, `clientId` in the secret. */
  name: string;
  problem?: "missing" | "placeholder" | "not-a-client-id";
}

/** Where the credentials come from and what each one looks like; never a value (but the client id). */
export interface CredentialsReading {
  source: { kind: "env" } | { kind: "secret"; id: string };
  keys: Record<CredentialKey, CredentialState>;
  /** The secret could not be read at all (not found, access denied, not JSON): every key is missing. */
  error?: string;
  /** The SmartAssist client id, when present: not a secret (it is in every token's payload). */
  clientId?: string;
}

const MEANING: Record<CredentialKey, string> = {
  clientId: "the SmartAssist app's client id, cs-…",
  clientSecret: "the SmartAssist app's client secret",
  slackBotToken: "the Slack app's Bot User OAuth Token, xoxb-…",
  slackSigningSecret: "the Slack app's Signing Secret, under Basic Information",
};

function problemText(state: CredentialState): string {
  switch (state.problem) {
    case "placeholder":
      return `${state.name} still holds a placeholder`;
    case "not-a-client-id":
      return `${state.name} does not look like a SmartAssist client id (they start with cs-)`;
    default:
      return `${state.name} is not set`;
  }
}

/** How to set these keys where the reading came from. */
function setHint(reading: CredentialsReading, keys: CredentialKey[]): string {
  const what = keys.map((k) => `${reading.keys[k].name} (${MEANING[k]})`);
  if (reading.source.kind === "env") return `set ${list(what)} in the environment`;
  return `put ${list(what)} into the secret: aws secretsmanager put-secret-value --secret-id ${reading.source.id} --secret-string '{"clientId":"cs-...","clientSecret":"...","slackBotToken":"xoxb-...","slackSigningSecret":"..."}'`;
}

function where(reading: CredentialsReading): string {
  return reading.source.kind === "env" ? "in the environment" : `in secret ${reading.source.id}`;
}

/** Whether a credential can be used (present, not a placeholder, well formed). */
export function usable(reading: CredentialsReading, key: CredentialKey): boolean {
  return reading.error === undefined && reading.keys[key].problem === undefined;
}

function unreadable(reading: CredentialsReading): string | undefined {
  if (reading.error === undefined) return undefined;
  return `${reading.error}; check that the secret exists and that the function may read it (the stack grants it)`;
}

export function smartAssistCredentialsCheck(reading: CredentialsReading): Check {
  const name = "smartassist.credentials";
  const broken = unreadable(reading);
  if (broken) return fail(name, broken);
  const bad = (["clientId", "clientSecret"] as const).filter((k) => !usable(reading, k));
  if (bad.length > 0) {
    return fail(name, `${bad.map((k) => problemText(reading.keys[k])).join("; ")}; ${setHint(reading, bad)}`);
  }
  const { clientId, clientSecret } = reading.keys;
  return pass(
    name,
    `${clientId.name} (${reading.clientId ?? "set"}) and ${clientSecret.name} are set ${where(reading)}`,
  );
}

// ---- SmartAssist ---------------------------------------------------------------------------------

export interface ApiContext {
  host: string;
  accountId: string;
  iId: string;
  /** The local date asked for and its timeZoneOffSet. */
  date: string;
  timeZoneOffSet: number;
  /** The probe's bound on one request. */
  timeoutMs: number;
  /** Which names to give for the credentials (SMARTASSIST_CLIENT_ID... or the secret's keys). */
  credentials: CredentialsReading;
}

const IID_TEXT = /\biid\b|stream|\bbot\b/i;
const ACCOUNT_TEXT = /account/i;
const RATE_TEXT = /rate.?limit|too many requests|throttl/i;

function hostName(host: string): string {
  try {
    return new URL(host).host;
  } catch {
    return host;
  }
}

function quoted(detail: string): string {
  return detail ? `: ${detail}` : "";
}

/** What one probe said, as the `smartassist.api` line; `notChecked` when there were no credentials. */
export function smartAssistApiCheck(result: SourceProbeResult | "no-credentials", ctx: ApiContext): Check {
  const name = "smartassist.api";
  if (result === "no-credentials")
    return fail(name, "not checked: no usable credentials (see smartassist.credentials)");
  const host = hostName(ctx.host);
  const { clientId, clientSecret } = ctx.credentials.keys;
  switch (result.kind) {
    case "page":
      return pass(
        name,
        `HTTP ${result.status} in ${seconds(result.ms)} from ${host} (account ${ctx.accountId}, iId ${ctx.iId}, ${ctx.date} at timeZoneOffSet ${ctx.timeZoneOffSet})`,
      );
    case "timeout":
      return fail(
        name,
        `no answer from ${host} within ${seconds(ctx.timeoutMs)} (timed out); check smartassist.host and that this network reaches it`,
      );
    case "network": {
      const unknownHost = result.code === "ENOTFOUND" || result.code === "EAI_AGAIN";
      if (unknownHost)
        return fail(
          name,
          `unknown host ${host} (${result.code}); check smartassist.host (https://platform.kore.ai, https://de-platform.kore.ai, ...)`,
        );
      if (result.code === "ECONNREFUSED")
        return fail(name, `${host} refused the connection (ECONNREFUSED); check smartassist.host`);
      return fail(name, `cannot reach ${host} (${result.code}); check smartassist.host and the network`);
    }
    case "paced":
      return fail(
        name,
        "not checked: the client's own pace (smartassist.requestsPerMinute) allowed no request in time; try again in a minute",
      );
    case "invalid":
      return fail(
        name,
        `HTTP ${result.status} from ${host}, but not an Agent Status Details page (${result.detail}); check smartassist.host points at the SmartAssist platform`,
      );
    case "http": {
      const { status, detail } = result;
      const said = quoted(detail);
      if (status === 429 || (status >= 400 && status < 500 && RATE_TEXT.test(detail))) {
        const wait =
          result.retryAfterMs === undefined
            ? ""
            : ` (Retry-After ${Math.ceil(result.retryAfterMs / 1000)} s)`;
        return fail(
          name,
          `HTTP ${status} rate limited${wait}: the account's 60 requests/min are in use, by this project or another client; try again in a minute`,
        );
      }
      if ((status === 401 || status === 403 || status === 404) && IID_TEXT.test(detail)) {
        return fail(
          name,
          `HTTP ${status}, the iId ${ctx.iId} was refused${said}; set smartassist.iId to the app's stream id (st-…, from the app's settings)`,
        );
      }
      if (status === 401 || status === 403) {
        return fail(
          name,
          `HTTP ${status}, credentials refused${said}; check that ${clientId.name} and ${clientSecret.name} are the SmartAssist app's client id and secret, and that the app may read smartassist.iId ${ctx.iId}`,
        );
      }
      if (status === 404) {
        const what = ACCOUNT_TEXT.test(detail)
          ? `unknown account ${ctx.accountId}${said}; check smartassist.accountId`
          : `unknown account or host${said}: ${host} has no Agent Status Details API for account ${ctx.accountId}; check smartassist.host and smartassist.accountId`;
        return fail(name, `HTTP 404, ${what}`);
      }
      if (status >= 500)
        return fail(name, `HTTP ${status}, SmartAssist failed${said}; try again later (runs retry this)`);
      return fail(
        name,
        `HTTP ${status}, the request was rejected${said}; check the smartassist section of the config`,
      );
    }
  }
}

// ---- the roster's size ---------------------------------------------------------------------------

/**
 * The roster's size, found with `limit=1` probes: an exponential search on page starts, then a
 * binary one between the last page seen and the first one missing, then one read of the last page
 * for the exact count. Each probe at offset `o` says whether row `o` exists, and `hasMore` whether
 * row `o + 1` does.
 */
export interface RosterSearch {
  pageSize: number;
  /** The roster has at least this many agents... */
  low: number;
  /** ...and at most this many (Infinity while no probe has passed its end). */
  high: number;
  /** Requests made so far (the first one, smartassist.api's, included). */
  requests: number;
}

export interface RosterProbe {
  offset: number;
  limit: number;
}

/** Starts from smartassist.api's probe (offset 0, limit 1). */
export function startRosterSearch(pageSize: number, first: { rows: number; hasMore: boolean }): RosterSearch {
  return observeRoster(
    { pageSize, low: 0, high: Number.POSITIVE_INFINITY, requests: 0 },
    { offset: 0, limit: 1, ...first },
  );
}

/** The search after one more answer: at `offset`, with `limit`, `rows` came back and `hasMore`. */
export function observeRoster(
  search: RosterSearch,
  seen: { offset: number; limit: number; rows: number; hasMore: boolean },
): RosterSearch {
  let { low, high } = search;
  const { offset, rows, hasMore } = seen;
  if (rows === 0) high = Math.min(high, offset);
  else if (!hasMore) {
    // The last row is in this answer: the size is exact (when the list did not change meanwhile).
    low = Math.max(low, offset + rows);
    high = Math.min(high, offset + rows);
  } else low = Math.max(low, offset + rows + 1);
  if (low > high) high = low; // the roster changed between two probes: trust the latest rows
  return { ...search, low, high, requests: search.requests + 1 };
}

/** Pages of `pageSize` for `agents` agents. */
function pagesOf(agents: number, pageSize: number): number {
  return Math.ceil(agents / pageSize);
}

/** The next request to make, or undefined once the size is known. */
export function nextRosterProbe(search: RosterSearch): RosterProbe | undefined {
  const { pageSize: size, low, high } = search;
  if (low === high) return undefined;
  const lowPages = pagesOf(low, size);
  if (high === Number.POSITIVE_INFINITY) {
    // Exponential: is there a page at (pages known × 8)? Three probes pass a 10,000-agent roster.
    return { offset: Math.max(1, lowPages) * 8 * size, limit: 1 };
  }
  const highPages = pagesOf(high, size);
  if (lowPages < highPages) {
    // Binary: is there a page at index mid (so at least mid + 1 pages)?
    const mid = Math.floor((lowPages + highPages) / 2);
    return { offset: mid * size, limit: 1 };
  }
  // The page count is known: one read of the last page counts its rows.
  return { offset: (lowPages - 1) * size, limit: size };
}

export interface RosterBudget {
  /** Requests one run can make at this pace (run-budget.ts requestsPerRun). */
  requestsPerRun: number;
  everySeconds: number;
  requestsPerMinute: number;
  concurrency: number;
  /** To read it in one run: the interval and the pace that would do (run-budget.ts). */
  intervalForOneRun: number;
  paceForOneRun: number;
}

export function rosterCheck(
  outcome: { search: RosterSearch; ms: number; stopped?: string } | "not-checked",
  budget: RosterBudget,
): Check {
  const name = "smartassist.roster";
  if (outcome === "not-checked") return fail(name, "not checked: smartassist.api failed");
  const { search, ms, stopped } = outcome;
  const { pageSize, low, high } = search;
  const exact = low === high;
  const agents = exact ? plural(low, "agent") : `${count(low)}–${count(high)} agents`;
  const found = `found with ${search.requests} requests in ${seconds(ms)}`;
  if (stopped !== undefined && high === Number.POSITIVE_INFINITY) {
    return fail(
      name,
      `at least ${plural(low, "agent")} (${found}), then ${stopped}; run the doctor again in a minute`,
    );
  }
  const pages = pagesOf(high, pageSize);
  const minutes = budget.everySeconds / 60;
  const cut = stopped === undefined ? "" : `; ${stopped}, so the size is a range`;
  const size = `${agents} (${plural(pages, "page")} of ${pageSize}; ${found}${cut})`;
  if (pages === 0)
    return pass(
      name,
      `no agents today (${found}): nothing to watch yet, or smartassist.agents matches no one`,
    );
  // A first run also asks for the pages in flight past the end (concurrency − 1): they count too.
  const needed = pages + budget.concurrency - 1;
  const pace = `a ${minutes}-minute run makes ${count(budget.requestsPerRun)} requests at ${budget.requestsPerMinute}/min`;
  if (needed <= budget.requestsPerRun)
    return pass(
      name,
      `${size}: fits in one run (${count(needed)} of the ${count(budget.requestsPerRun)} requests a ${minutes}-minute run makes at ${budget.requestsPerMinute}/min)`,
    );
  const runs = Math.ceil(pages / Math.max(1, budget.requestsPerRun));
  return pass(
    name,
    `${size}: read in rotation every ${runs} runs (${pace}; every agent is read at least once every ${runs * minutes} minutes, open alerts in every run); to read it in one run, set schedule.every to at least ${budget.intervalForOneRun / 60}m, or smartassist.requestsPerMinute to at least ${budget.paceForOneRun} if Kore.ai raised your account's limit`,
  );
}

// ---- Slack ---------------------------------------------------------------------------------------

export interface ScopeNeed {
  scope: string;
  for: string;
}

/** The bot token scopes this config needs (`commands` is not a token scope: not listed). */
export function neededScopes(config: AppConfig): ScopeNeed[] {
  const needs: ScopeNeed[] = [{ scope: "chat:write", for: "alerts" }];
  const rules = [...config.rules, ...config.teams.flatMap((t) => t.rules)];
  // Resolved rules carry the top-level nudge where it applies (config.ts).
  const nudges = rules.some((r) => r.nudgeSeconds !== undefined);
  const why = list([
    ...(nudges ? ["nudges"] : []),
    ...(config.slack.mentionAgents ? ["slack.mentionAgents"] : []),
  ]);
  if (why !== "") {
    needs.push({ scope: "users:read.email", for: why }, { scope: "im:write", for: why });
  }
  if ((config.slack.responders ?? []).some((r) => r.startsWith("S")))
    needs.push({ scope: "usergroups:read", for: "user group responders" });
  if (config.digest !== undefined) needs.push({ scope: "files:write", for: "the digest" });
  // slack.pinBoard comes with the board (another change adds it to the config): read it defensively.
  if ((config.slack as { pinBoard?: boolean }).pinBoard === true)
    needs.push({ scope: "pins:write", for: "slack.pinBoard" });
  return needs;
}

function tokenHint(reading: CredentialsReading): string {
  return setHint(reading, ["slackBotToken"]);
}

export function slackTokenCheck(
  result: SlackProbeResult<SlackIdentity> | "no-token",
  reading: CredentialsReading,
): Check {
  const name = "slack.token";
  const broken = unreadable(reading);
  if (broken) return fail(name, broken);
  if (result === "no-token")
    return fail(name, `${problemText(reading.keys.slackBotToken)}; ${tokenHint(reading)}`);
  if (!result.ok) {
    const { error } = result;
    const { name: key } = reading.keys.slackBotToken;
    if (error === "invalid_auth" || error === "not_authed")
      return fail(
        name,
        `Slack refused ${key} (${error}); ${tokenHint(reading)}, copied from the app's OAuth & Permissions page`,
      );
    if (error === "token_revoked" || error === "account_inactive" || error === "token_expired")
      return fail(
        name,
        `${key} no longer works (${error}: the app was uninstalled or the token revoked); reinstall the app and update ${key}`,
      );
    return fail(
      name,
      `auth.test failed (${error}); check SLACK_API_URL or the network to Slack, and try again`,
    );
  }
  const id = result.value;
  const who = `workspace ${id.team} (${id.teamId}), bot @${id.user} (${id.userId})`;
  if (id.botId === undefined)
    return fail(name, `works for ${who}, but is not a bot token; use the Bot User OAuth Token (xoxb-…)`);
  return pass(name, `works: ${who}`);
}

const NOT_CHECKED_SLACK = "not checked: needs a working slack.token";

export function slackScopesCheck(identity: SlackIdentity | undefined, needs: ScopeNeed[]): Check {
  const name = "slack.scopes";
  if (identity === undefined) return fail(name, NOT_CHECKED_SLACK);
  const wanted = needs.map((n) => `${n.scope} (${n.for})`);
  if (identity.scopes === undefined)
    return fail(
      name,
      `Slack did not say the token's scopes (no x-oauth-scopes header); check that the app has ${list(wanted)}`,
    );
  const has = new Set(identity.scopes);
  const missing = needs.filter((n) => !has.has(n.scope));
  if (missing.length > 0) {
    const names = missing.map((n) => `${n.scope} (${n.for})`);
    return fail(
      name,
      `missing ${list(names)}; add ${missing.length === 1 ? "it" : "them"} under OAuth & Permissions → Bot Token Scopes (or in infra/slack-app-manifest.yaml) and reinstall the app`,
    );
  }
  return pass(name, `the token has ${list(wanted)}`);
}

export function slackChannelCheck(
  channel: { id: string; for: string },
  result: SlackProbeResult<SlackChannelInfo> | undefined,
  bot: string | undefined,
): Check {
  const name = `slack.channel ${channel.id}`;
  if (result === undefined || bot === undefined) return fail(name, NOT_CHECKED_SLACK);
  const invite = `/invite @${bot}`;
  if (!result.ok) {
    if (result.error === "channel_not_found") {
      const notAnId = /^[CGD][A-Z0-9]{2,}$/.test(channel.id)
        ? ""
        : " (use the channel's id, C…, from its details in Slack)";
      return fail(
        name,
        `${channel.for}: not found (a wrong id${notAnId}, or a private channel the bot is not in); check the config, or ${invite} in that channel`,
      );
    }
    if (result.error === "missing_scope") {
      const scope = result.needed ?? "channels:read";
      return fail(
        name,
        `${channel.for}: cannot be checked, the token lacks ${scope} (conversations.info); add channels:read and groups:read to the app and reinstall it, or check with --send-test`,
      );
    }
    return fail(name, `${channel.for}: conversations.info failed (${result.error}); try again`);
  }
  const info = result.value;
  const label = `#${info.name}${info.isPrivate ? " (private)" : ""}, ${channel.for}`;
  if (info.isArchived) return fail(name, `${label}: archived; unarchive it or choose another channel`);
  if (!info.isMember) return fail(name, `${label}: the bot is not a member; ${invite} in #${info.name}`);
  return pass(name, `${label}: exists, the bot is a member`);
}

export function slackRespondersCheck(
  responders: string[] | undefined,
  results:
    | {
        users: Map<string, SlackProbeResult<SlackUserInfo>>;
        groups?: SlackProbeResult<SlackGroupInfo[]>;
      }
    | undefined,
): Check {
  const name = "slack.responders";
  if (responders === undefined || responders.length === 0)
    return pass(name, "none configured: anyone in the channel may act on an alert");
  if (results === undefined) return fail(name, NOT_CHECKED_SLACK);
  const found: string[] = [];
  const wrong: string[] = [];
  for (const id of responders) {
    if (id.startsWith("S")) {
      const groups = results.groups;
      if (groups === undefined || !groups.ok) {
        const error = groups === undefined ? "not asked" : groups.error;
        wrong.push(
          error === "missing_scope"
            ? `${id}: cannot be checked, the token lacks usergroups:read`
            : `${id}: usergroups.list failed (${error})`,
        );
        continue;
      }
      const group = groups.value.find((g) => g.id === id);
      if (!group) wrong.push(`${id}: no such user group`);
      else if (!group.enabled) wrong.push(`${id} (@${group.handle}): the user group is disabled`);
      else
        found.push(
          `@${group.handle} (${id}${group.members === undefined ? "" : `, ${plural(group.members, "member")}`})`,
        );
      continue;
    }
    const user = results.users.get(id);
    if (user === undefined) wrong.push(`${id}: not asked`);
    else if (!user.ok)
      wrong.push(
        user.error === "user_not_found"
          ? `${id}: no such user`
          : user.error === "missing_scope"
            ? `${id}: cannot be checked, the token lacks users:read`
            : `${id}: users.info failed (${user.error})`,
      );
    else if (user.value.deleted) wrong.push(`${id} (@${user.value.name}): deactivated`);
    else found.push(`@${user.value.name} (${id})`);
  }
  if (wrong.length > 0)
    return fail(name, `${wrong.join("; ")}; fix slack.responders (user ids U…, user group ids S…)`);
  return pass(name, `${plural(found.length, "responder")} exist: ${found.join(", ")}`);
}

export function signingSecretCheck(config: AppConfig, reading: CredentialsReading): Check {
  const name = "slack.signingSecret";
  if (!config.slack.interactive) return pass(name, "not needed: slack.interactive is false");
  const broken = unreadable(reading);
  if (broken) return fail(name, broken);
  const state = reading.keys.slackSigningSecret;
  const user = reading.source.kind === "env" ? "`serve`" : "the interactions function";
  if (usable(reading, "slackSigningSecret"))
    return pass(name, `${state.name} is set ${where(reading)} (for ${user})`);
  return fail(
    name,
    `slack.interactive is true, but ${problemText(state)}: ${user} cannot verify Slack's requests; ${setHint(reading, ["slackSigningSecret"])}`,
  );
}

export function slackTestCheck(
  channel: { id: string; for: string },
  result: SlackProbeResult<{ channel: string; ts: string }> | undefined,
  bot: string | undefined,
): Check {
  const name = `slack.test ${channel.id}`;
  if (result === undefined) return fail(name, `not sent: needs a working slack.token`);
  if (result.ok) return pass(name, `a test message was posted to ${channel.for} (ts ${result.value.ts})`);
  const invite = bot === undefined ? "invite the bot" : `/invite @${bot}`;
  if (result.error === "not_in_channel" || result.error === "channel_not_found")
    return fail(name, `not posted (${result.error}); ${invite} in that channel`);
  if (result.error === "missing_scope")
    return fail(name, "not posted (missing_scope): add chat:write to the app and reinstall it");
  return fail(name, `not posted (${result.error}); try again`);
}

/** The `--send-test` message: plain text, saying what it is. */
export function testMessage(channel: { for: string }): string {
  return `agent-status-alerts doctor: a test message for ${channel.for}. Alerts will be posted here; nothing to do.`;
}
