/**
 * The one config file: the resolved shape every tool uses (AppConfig), the error a bad file gets,
 * and parseConfig, which checks the value against the schema (config-schema.ts) and resolves the
 * rules of each team with the top-level repeat and nudge.
 * Pure: the caller reads the file and hands over the parsed YAML/JSON value.
 */
import { describeIssues } from "./config-issues.js";
import { lenientSchema, type ParsedConfig, strictSchema } from "./config-schema.js";
import { toDurationString } from "./duration.js";

export interface ResolvedRule {
  /** Unique within the config: the team's name and the rule's, for state keys. */
  key: string;
  name: string;
  team?: string;
  primaryStatus?: string[];
  secondaryStatus?: string[];
  thresholdSeconds: number;
  criticalSeconds?: number;
  repeatSeconds?: number;
  /** Elapsed time at which the agent gets one direct message, before the alert (shorter than threshold). */
  nudgeSeconds?: number;
}

export interface ResolvedTeam {
  name: string;
  agents: string[];
  channel?: string;
  mention?: string;
  rules: ResolvedRule[];
}

export interface AppConfig {
  timezone: string;
  smartassist: {
    host: string;
    accountId: string;
    iId: string;
    agents: string[];
    pageSize: number;
    concurrency: number;
    requestsPerMinute: number;
    timeoutSeconds: number;
  };
  schedule: {
    everySeconds: number;
    /** Due re-checks this close together share one request (DESIGN.md, "On time"). */
    precisionSeconds: number;
    activeHours?: { from: string; to: string; days?: string[] };
  };
  rules: ResolvedRule[];
  teams: ResolvedTeam[];
  slack: {
    channel?: string;
    mentionAgents: boolean;
    escalationMention?: string;
    /** Acknowledge / Snooze / Excuse on each per-episode alert. */
    interactive: boolean;
    /** Who may act on alerts: Slack user ids (U…/W…) and user group ids (S…); unset: anyone. */
    responders?: string[];
    /** More new alerts than this for one channel in one run become one roll-up; 0 turns roll-ups off. */
    rollup: number;
    /** One living "who is stuck now" message per channel. */
    board: boolean;
    /** Pin the board when it is posted (scope pins:write). */
    pinBoard: boolean;
  };
  history: { retentionSeconds: number };
  /** The daily digest: local time `HH:MM` on these days (mon…sun). */
  digest?: { at: string; days: string[] };
  aws: { secret?: string; eventBus: string; alarmEmail?: string; logRetentionDays: number };
  /** The largest `threshold` of any rule, global or team: it sets how far back the query looks. */
  largestThresholdSeconds: number;
}

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

export interface ConfigResult {
  config: AppConfig;
  /** Things worth saying that do not stop the run, such as unknown keys. */
  warnings: string[];
}

function statusList(match: string | string[] | undefined): string[] | undefined {
  if (match === undefined) return undefined;
  return (Array.isArray(match) ? match : [match]).map((s) => s.trim().toUpperCase());
}

function resolveRules(
  rules: ParsedConfig["rules"],
  team: string | undefined,
  inheritedRepeat: number | undefined,
  inheritedNudge: number | undefined,
): ResolvedRule[] {
  return rules.map((r) => {
    const resolved: ResolvedRule = {
      key: team ? `${team}/${r.name}` : r.name,
      name: r.name,
      thresholdSeconds: r.threshold,
    };
    const primary = statusList(r.primaryStatus);
    const secondary = statusList(r.secondaryStatus);
    const repeat = r.repeat ?? inheritedRepeat;
    if (team !== undefined) resolved.team = team;
    if (primary) resolved.primaryStatus = primary;
    if (secondary) resolved.secondaryStatus = secondary;
    if (r.critical !== undefined) resolved.criticalSeconds = r.critical;
    if (repeat !== undefined) resolved.repeatSeconds = repeat;
    // The top-level nudge is a default: it applies where it comes before the rule's threshold.
    const nudge =
      r.nudge ?? (inheritedNudge !== undefined && inheritedNudge < r.threshold ? inheritedNudge : undefined);
    if (nudge !== undefined) resolved.nudgeSeconds = nudge;
    return resolved;
  });
}

/** Validates a parsed YAML/JSON value; throws ConfigError naming `source` and each bad field. */
export function parseConfig(raw: unknown, source: string): ConfigResult {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new ConfigError(source, ["(top level): expected a mapping of settings"]);
  }
  const strict = strictSchema.safeParse(raw);
  let warnings: string[] = [];
  let parsed: ParsedConfig;
  if (strict.success) {
    parsed = strict.data;
  } else {
    const { errors, unknown } = describeIssues(raw, strict.error.issues);
    if (errors.length > 0) throw new ConfigError(source, errors);
    const lenient = lenientSchema.safeParse(raw);
    if (!lenient.success) throw new ConfigError(source, describeIssues(raw, lenient.error.issues).errors);
    parsed = lenient.data;
    warnings = unknown.map((w) => `${source}: ${w}`);
  }

  const teams: ResolvedTeam[] = parsed.teams.map((t) => {
    const team: ResolvedTeam = {
      name: t.name,
      agents: t.agents.map((a) => a.trim().toLowerCase()),
      rules: resolveRules(t.rules ?? [], t.name, t.repeat ?? parsed.repeat, parsed.nudge),
    };
    if (t.channel !== undefined) team.channel = t.channel;
    if (t.mention !== undefined) team.mention = t.mention;
    return team;
  });
  const rules = resolveRules(parsed.rules, undefined, parsed.repeat, parsed.nudge);
  const allRules = [...rules, ...teams.flatMap((t) => t.rules)];

  if (parsed.slack.channel === undefined) {
    const uncovered = teams.length === 0 || teams.some((t) => t.channel === undefined);
    if (uncovered)
      warnings.push(`${source}: slack.channel is not set: alerts without a team channel are not posted`);
  }

  const config: AppConfig = {
    timezone: parsed.timezone,
    smartassist: {
      host: parsed.smartassist.host,
      accountId: parsed.smartassist.accountId,
      iId: parsed.smartassist.iId,
      agents: parsed.smartassist.agents,
      pageSize: parsed.smartassist.pageSize,
      concurrency: parsed.smartassist.concurrency,
      requestsPerMinute: parsed.smartassist.requestsPerMinute,
      timeoutSeconds: parsed.smartassist.timeout,
    },
    schedule: { everySeconds: parsed.schedule.every, precisionSeconds: parsed.schedule.precision },
    rules,
    teams,
    slack: {
      mentionAgents: parsed.slack.mentionAgents,
      interactive: parsed.slack.interactive,
      rollup: parsed.slack.rollup,
      board: parsed.slack.board,
      pinBoard: parsed.slack.pinBoard,
    },
    history: { retentionSeconds: parsed.history.retention },
    aws: { eventBus: parsed.aws.eventBus, logRetentionDays: parsed.aws.logRetentionDays },
    largestThresholdSeconds: Math.max(...allRules.map((r) => r.thresholdSeconds)),
  };
  if (parsed.schedule.activeHours) {
    const { from, to, days } = parsed.schedule.activeHours;
    config.schedule.activeHours = days ? { from, to, days } : { from, to };
  }
  if (parsed.slack.channel !== undefined) config.slack.channel = parsed.slack.channel;
  if (parsed.slack.escalationMention !== undefined)
    config.slack.escalationMention = parsed.slack.escalationMention;
  if (parsed.slack.responders !== undefined) config.slack.responders = parsed.slack.responders;
  if (parsed.digest !== undefined) config.digest = { at: parsed.digest.at, days: parsed.digest.days };
  if (parsed.nudge !== undefined && allRules.every((r) => r.nudgeSeconds === undefined))
    warnings.push(
      `${source}: nudge: ${toDurationString(parsed.nudge)} is not shorter than any rule's threshold: no agent is nudged`,
    );
  if (parsed.slack.pinBoard && !parsed.slack.board)
    warnings.push(`${source}: slack.pinBoard: true has no effect without slack.board: true`);
  if (parsed.aws.secret !== undefined) config.aws.secret = parsed.aws.secret;
  if (parsed.aws.alarmEmail !== undefined) config.aws.alarmEmail = parsed.aws.alarmEmail;
  return { config, warnings };
}
