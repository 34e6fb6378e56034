/**
 * The doctor (DESIGN.md "Doctor: is everything wired?"): every check in order, each network one
 * bounded in time, the SmartAssist and Slack sides side by side. It takes ports; the entries (the
 * CLI's `doctor`, the check Lambda's `{"doctor": true}`) build the adapters and hand them in.
 * Nothing is posted unless `sendTest`.
 */
import type { AppConfig } from "../domain/config.js";
import {
  type Check,
  configCheck,
  configuredChannels,
  type DoctorReport,
  doctorReport,
} from "../domain/doctor.js";
import {
  type CredentialsReading,
  signingSecretCheck,
  smartAssistCredentialsCheck,
  usable,
} from "../domain/doctor-credentials.js";
import {
  neededScopes,
  slackChannelCheck,
  slackRespondersCheck,
  slackScopesCheck,
  slackTestCheck,
  slackTokenCheck,
  testMessage,
} from "../domain/doctor-slack.js";
import {
  nextRosterProbe,
  observeRoster,
  type RosterSearch,
  rosterCheck,
  smartAssistApiCheck,
  startRosterSearch,
} from "../domain/doctor-smartassist.js";
import { localDate, timeZoneOffSet } from "../domain/time.js";
import type {
  SlackGroupInfo,
  SlackProbe,
  SlackProbeResult,
  SlackUserInfo,
  SourceProbe,
  SourceProbeResult,
} from "../ports.js";
import { type Log, silentLog } from "./logger.js";
import { intervalFor, paceFor, requestsPerRun } from "./run-budget.js";

/** Bound on each network check (one SmartAssist request, one Slack call). */
export const DOCTOR_TIMEOUT_MS = 4_000;
/** Bound on the roster's size search, all of its requests together. */
export const ROSTER_SEARCH_MS = 10_000;
/** More than any roster needs (10,000 agents take 14): a changing list cannot keep the search going. */
const MAX_ROSTER_REQUESTS = 40;

export interface DoctorDeps {
  config: AppConfig;
  /** The config's file name (CLI) or where it came from (the Lambda's APP_CONFIG), and its warnings. */
  configSource: string;
  /** How the config line names it (default: configSource). */
  configLabel?: string;
  configWarnings: string[];
  credentials: CredentialsReading;
  /** The SmartAssist client, when its credentials are usable. */
  source?: SourceProbe;
  /** The Slack client, when a token is there. */
  slack?: SlackProbe;
  log?: Log;
}

export interface DoctorOptions {
  /** Today is the local date of this instant. */
  nowMs: number;
  /** Post a test message to every configured channel. */
  sendTest?: boolean;
  timeoutMs?: number;
  rosterSearchMs?: number;
}

export async function runDoctor(deps: DoctorDeps, options: DoctorOptions): Promise<DoctorReport> {
  const log = deps.log ?? silentLog;
  const config = configCheck(
    deps.configSource,
    { config: deps.config, warnings: deps.configWarnings },
    deps.configLabel,
  );
  const [smartassist, slack] = await Promise.all([
    smartAssistChecks(deps, options),
    slackChecks(deps, options),
  ]);
  const report = doctorReport([config, ...smartassist, ...slack]);
  log.info("doctor", { ok: report.ok, failed: report.checks.filter((c) => !c.ok).map((c) => c.name) });
  return report;
}

async function smartAssistChecks(deps: DoctorDeps, options: DoctorOptions): Promise<Check[]> {
  const { config, credentials, source } = deps;
  const timeoutMs = options.timeoutMs ?? DOCTOR_TIMEOUT_MS;
  const { smartassist, schedule } = config;
  const needed = (pages: number) => pages + smartassist.concurrency - 1;
  const budget = (pages: number) => ({
    requestsPerRun: requestsPerRun(smartassist.requestsPerMinute, schedule.everySeconds),
    everySeconds: schedule.everySeconds,
    requestsPerMinute: smartassist.requestsPerMinute,
    concurrency: smartassist.concurrency,
    intervalForOneRun: intervalFor(needed(pages), smartassist.requestsPerMinute),
    paceForOneRun: paceFor(needed(pages), schedule.everySeconds),
  });

  const credentialsCheck = smartAssistCredentialsCheck(credentials);
  const today = localDate(config.timezone, options.nowMs);
  const window = {
    startDate: today,
    endDate: today,
    timeZoneOffSet: timeZoneOffSet(config.timezone, options.nowMs),
  };
  const context = {
    host: smartassist.host,
    accountId: smartassist.accountId,
    iId: smartassist.iId,
    date: today,
    timeZoneOffSet: window.timeZoneOffSet,
    timeoutMs,
    credentials,
  };
  const haveCredentials = usable(credentials, "clientId") && usable(credentials, "clientSecret");
  if (!haveCredentials || source === undefined) {
    return [
      credentialsCheck,
      smartAssistApiCheck("no-credentials", context),
      rosterCheck("not-checked", budget(0)),
    ];
  }

  const started = performance.now();
  const first = await source.probe(window, 0, { timeoutMs });
  const api = smartAssistApiCheck(first, context);
  if (first.kind !== "page") return [credentialsCheck, api, rosterCheck("not-checked", budget(0))];

  // The roster's size: limit=1 probes, each bounded, all of them within the search's own bound.
  const deadline = Date.now() + (options.rosterSearchMs ?? ROSTER_SEARCH_MS);
  let search: RosterSearch = startRosterSearch(smartassist.pageSize, first);
  let stopped: string | undefined;
  for (let probe = nextRosterProbe(search); probe !== undefined; probe = nextRosterProbe(search)) {
    const left = deadline - Date.now();
    if (search.requests >= MAX_ROSTER_REQUESTS || left <= 0) {
      stopped = `the search stopped after ${search.requests} requests (the roster kept changing, or SmartAssist is slow)`;
      break;
    }
    const result = await source.probe(window, probe.offset, {
      timeoutMs: Math.min(timeoutMs, left),
      limit: probe.limit,
      notAfterMs: deadline,
    });
    if (result.kind !== "page") {
      if (result.kind !== "paced") search = { ...search, requests: search.requests + 1 };
      stopped = whyStopped(result, probe.offset, smartassist.requestsPerMinute);
      break;
    }
    search = observeRoster(search, { ...probe, rows: result.rows, hasMore: result.hasMore });
  }
  const ms = performance.now() - started;
  const pages = Number.isFinite(search.high) ? Math.ceil(search.high / smartassist.pageSize) : 0;
  const roster = rosterCheck({ search, ms, ...(stopped === undefined ? {} : { stopped }) }, budget(pages));
  return [credentialsCheck, api, roster];
}

function whyStopped(
  result: Exclude<SourceProbeResult, { kind: "page" }>,
  offset: number,
  perMinute: number,
): string {
  switch (result.kind) {
    case "paced":
      return `the client's pace (${perMinute} requests/min) allowed no more requests in time`;
    case "timeout":
      return `the request at offset ${offset} timed out`;
    case "network":
      return `the request at offset ${offset} failed (${result.code})`;
    default:
      return `the request at offset ${offset} was answered HTTP ${result.status}`;
  }
}

async function slackChecks(deps: DoctorDeps, options: DoctorOptions): Promise<Check[]> {
  const { config, credentials, slack } = deps;
  const channels = configuredChannels(config);
  const identity = slack && usable(credentials, "slackBotToken") ? await slack.identity() : undefined;
  const checks: Check[] = [slackTokenCheck(identity ?? "no-token", credentials)];
  const working = identity?.ok ? identity.value : undefined;
  const probe = working ? slack : undefined;
  checks.push(slackScopesCheck(working, neededScopes(config)));

  const responders = config.slack.responders ?? [];
  const [channelInfo, users, groups] = await Promise.all([
    Promise.all(channels.map((c) => probe?.channel(c.id))),
    Promise.all(
      responders.filter((r) => !r.startsWith("S")).map(async (id) => [id, await probe?.user(id)] as const),
    ),
    responders.some((r) => r.startsWith("S")) ? probe?.groups() : undefined,
  ]);
  if (channels.length === 0) {
    checks.push({
      name: "slack.channel",
      ok: false,
      detail: "no channel configured: alerts are not posted; set slack.channel (or a channel on every team)",
    });
  }
  channels.forEach((c, i) => {
    checks.push(slackChannelCheck(c, channelInfo[i], working?.user));
  });
  const userResults = new Map<string, SlackProbeResult<SlackUserInfo>>();
  for (const [id, result] of users) if (result) userResults.set(id, result);
  const groupResults: { groups?: SlackProbeResult<SlackGroupInfo[]> } = groups ? { groups } : {};
  checks.push(
    slackRespondersCheck(
      config.slack.responders,
      probe ? { users: userResults, ...groupResults } : undefined,
    ),
  );
  checks.push(signingSecretCheck(config, credentials));

  if (options.sendTest) {
    // One channel at a time: Slack paces posts, and the order of the lines is the config's.
    for (const c of channels) {
      const posted = probe ? await probe.postTest(c.id, testMessage(c)) : undefined;
      checks.push(slackTestCheck(c, posted, working?.user));
    }
  }
  return checks;
}
