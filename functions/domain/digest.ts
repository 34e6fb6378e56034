/**
 * The shift digest as pure arithmetic: the alerts (episodes that fired) of one local date, per
 * channel (their CSV rows and the chart's hourly series are digest-exports.ts's). No I/O, no clock:
 * the caller hands in the report's instant, the day's ended episodes (history) and the open alert
 * records.
 *
 * Counting rules (DESIGN.md, "History and the shift digest"):
 * - an alert counts on the local date (config.timezone) its episode started, whenever it ended;
 * - an open one counts up to the report's instant;
 * - minutes past threshold per episode = floor((length − threshold) / 60 s), never negative;
 * - every sum is a sum of those whole minutes.
 */
import type { AlertRecord, Severity, Snooze } from "./alert.js";
import type { AppConfig } from "./config.js";
import type { HistoryEntry } from "./history.js";
import { shiftLocalDate } from "./local-date.js";
import { teamFor } from "./rules.js";
import { localDate } from "./time.js";

/** One alert of the day, from history (ended) or from an open alert record. */
export interface DigestEpisode {
  id: string;
  userId: string;
  email: string;
  name: string;
  rule: string;
  primaryStatus: string;
  secondaryStatus: string;
  /** The channel the alert was (or would be) posted in. */
  channel?: string;
  sinceMs: number;
  /** Absent while the episode is still open. */
  endedMs?: number;
  thresholdSeconds: number;
  severity: Severity;
  firedMs: number;
  acknowledgedBy?: string;
  acknowledgedMs?: number;
  excusedBy?: string;
  excusedMs?: number;
  snoozes?: Snooze[];
}

export interface RuleTotal {
  rule: string;
  alerts: number;
  minutesPastThreshold: number;
}

export interface AgentTotal {
  email: string;
  name: string;
  alerts: number;
  minutesPastThreshold: number;
}

/** One channel's digest: the `channels[]` element of `report --json`, field for field. */
export interface ChannelDigest {
  channel: string;
  alerts: number;
  agents: number;
  minutesPastThreshold: number;
  byRule: RuleTotal[];
  top: AgentTotal[];
  longest: { email: string; rule: string; minutes: number } | null;
  medianMinutesToAcknowledge: number | null;
  weekBefore: { alerts: number; minutesPastThreshold: number };
}

export interface DayReport {
  date: string;
  timezone: string;
  channels: ChannelDigest[];
}

/** How many agents `top` lists. */
export const TOP_AGENTS = 10;
const MINUTE_MS = 60_000;

export function episodeFromRecord(record: AlertRecord): DigestEpisode {
  const episode: DigestEpisode = {
    id: record.id,
    userId: record.userId,
    email: record.email,
    name: record.name,
    rule: record.ruleName,
    primaryStatus: record.primaryStatus,
    secondaryStatus: record.secondaryStatus,
    sinceMs: record.sinceMs,
    thresholdSeconds: record.thresholdSeconds,
    severity: record.severity,
    firedMs: record.firedMs,
  };
  if (record.channel !== undefined) episode.channel = record.channel;
  if (record.state === "resolved" && record.endedMs !== undefined) episode.endedMs = record.endedMs;
  return withActions(episode, record);
}

/** A history entry as one of the digest's episodes. */
export function episodeFromHistory(entry: HistoryEntry): DigestEpisode {
  const episode: DigestEpisode = {
    id: entry.id,
    userId: entry.userId,
    email: entry.email,
    name: entry.name,
    rule: entry.ruleName,
    primaryStatus: entry.primaryStatus,
    secondaryStatus: entry.secondaryStatus,
    sinceMs: entry.sinceMs,
    endedMs: entry.endedMs,
    thresholdSeconds: entry.thresholdSeconds,
    severity: entry.severity,
    firedMs: entry.firedMs,
  };
  if (entry.channel !== undefined) episode.channel = entry.channel;
  return withActions(episode, entry);
}

/** The Slack-action fields a record or a history entry carries, copied when present. */
export function withActions<T extends DigestEpisode>(
  episode: T,
  source: Pick<DigestEpisode, "acknowledgedBy" | "acknowledgedMs" | "excusedBy" | "excusedMs" | "snoozes">,
): T {
  if (source.acknowledgedBy !== undefined) episode.acknowledgedBy = source.acknowledgedBy;
  if (source.acknowledgedMs !== undefined) episode.acknowledgedMs = source.acknowledgedMs;
  if (source.excusedBy !== undefined) episode.excusedBy = source.excusedBy;
  if (source.excusedMs !== undefined) episode.excusedMs = source.excusedMs;
  if (source.snoozes !== undefined && source.snoozes.length > 0)
    episode.snoozes = source.snoozes.map((s) => ({ ...s }));
  return episode;
}

/** The episode's end as of the report: its recorded end, or the report's instant while open. */
export function endAsOf(episode: DigestEpisode, nowMs: number): number {
  return Math.min(episode.endedMs ?? nowMs, nowMs);
}

/** Whole seconds from start to end (as of the report), never negative. */
export function lengthSeconds(episode: DigestEpisode, nowMs: number): number {
  return Math.max(0, Math.floor((endAsOf(episode, nowMs) - episode.sinceMs) / 1000));
}

/** floor((length − threshold) / 60 s), never negative. */
export function minutesPastThreshold(episode: DigestEpisode, nowMs: number): number {
  return Math.max(0, Math.floor((lengthSeconds(episode, nowMs) - episode.thresholdSeconds) / 60));
}

/** Whole minutes from firing to acknowledgement, or undefined when nobody acknowledged. */
export function minutesToAcknowledge(episode: DigestEpisode): number | undefined {
  if (episode.acknowledgedMs === undefined) return undefined;
  return Math.max(0, Math.floor((episode.acknowledgedMs - episode.firedMs) / MINUTE_MS));
}

/**
 * The alerts that count for `date`: started on that local date, and already fired at the report's
 * instant (a report "as of" an earlier --now does not see alerts that came later). One per id:
 * a history entry wins over an open record of the same episode.
 */
export function episodesOfDay(
  episodes: DigestEpisode[],
  zone: string,
  date: string,
  nowMs: number,
): DigestEpisode[] {
  const byId = new Map<string, DigestEpisode>();
  for (const e of episodes) {
    if (e.firedMs > nowMs || localDate(zone, e.sinceMs) !== date) continue;
    const seen = byId.get(e.id);
    if (!seen || (seen.endedMs === undefined && e.endedMs !== undefined)) byId.set(e.id, e);
  }
  return [...byId.values()].sort(
    (a, b) => a.sinceMs - b.sinceMs || a.userId.localeCompare(b.userId) || a.rule.localeCompare(b.rule),
  );
}

/** The digest's channels: the default one, then each team's, in config order, each once. */
export function digestChannels(config: AppConfig): string[] {
  const channels = [config.slack.channel, ...config.teams.map((t) => t.channel)];
  return [...new Set(channels.filter((c): c is string => c !== undefined))];
}

/** Where an episode belongs: the channel it was posted in, else where the config would post it now. */
export function channelOf(episode: DigestEpisode, config: AppConfig): string | undefined {
  return episode.channel ?? teamFor(config, episode.email)?.channel ?? config.slack.channel;
}

/** Rule names in config order (global rules, then each team's), each once. */
export function ruleOrder(config: AppConfig): string[] {
  return [...new Set([...config.rules, ...config.teams.flatMap((t) => t.rules)].map((r) => r.name))];
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  // Even counts average the middle two; whole minutes, rounded down, like every figure here.
  const value =
    sorted.length % 2 === 1
      ? (sorted[mid] as number)
      : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return Math.floor(value);
}

/** One channel's figures for its episodes of the day (`weekBefore` from the same weekday a week earlier). */
export function channelDigest(
  channel: string,
  episodes: DigestEpisode[],
  weekBefore: DigestEpisode[],
  rules: string[],
  nowMs: number,
): ChannelDigest {
  const past = (e: DigestEpisode) => minutesPastThreshold(e, nowMs);
  const byRule = new Map<string, RuleTotal>();
  const byAgent = new Map<string, AgentTotal>();
  let longest: { episode: DigestEpisode; seconds: number } | undefined;
  for (const e of episodes) {
    const minutes = past(e);
    const rule = byRule.get(e.rule) ?? { rule: e.rule, alerts: 0, minutesPastThreshold: 0 };
    rule.alerts++;
    rule.minutesPastThreshold += minutes;
    byRule.set(e.rule, rule);
    const agent = byAgent.get(e.userId) ?? {
      email: e.email,
      name: e.name,
      alerts: 0,
      minutesPastThreshold: 0,
    };
    agent.alerts++;
    agent.minutesPastThreshold += minutes;
    byAgent.set(e.userId, agent);
    const seconds = lengthSeconds(e, nowMs);
    // Episodes come sorted by start: on a tie the earlier one stays the longest.
    if (!longest || seconds > longest.seconds) longest = { episode: e, seconds };
  }
  const rank = (rule: string) => {
    const index = rules.indexOf(rule);
    return index < 0 ? rules.length : index;
  };
  const acknowledged = episodes.map(minutesToAcknowledge).filter((m): m is number => m !== undefined);
  return {
    channel,
    alerts: episodes.length,
    agents: byAgent.size,
    minutesPastThreshold: episodes.reduce((sum, e) => sum + past(e), 0),
    byRule: [...byRule.values()].sort((a, b) => rank(a.rule) - rank(b.rule) || a.rule.localeCompare(b.rule)),
    top: [...byAgent.values()]
      .sort(
        (a, b) =>
          b.minutesPastThreshold - a.minutesPastThreshold ||
          b.alerts - a.alerts ||
          a.email.localeCompare(b.email),
      )
      .slice(0, TOP_AGENTS),
    longest: longest
      ? {
          email: longest.episode.email,
          rule: longest.episode.rule,
          minutes: Math.floor(longest.seconds / 60),
        }
      : null,
    medianMinutesToAcknowledge: median(acknowledged),
    weekBefore: {
      alerts: weekBefore.length,
      minutesPastThreshold: weekBefore.reduce((sum, e) => sum + past(e), 0),
    },
  };
}

export interface DayInput {
  config: AppConfig;
  date: string;
  nowMs: number;
  /** Every known episode near the date (history of the date and of a week before, open records). */
  episodes: DigestEpisode[];
}

/** Episodes of `date`, grouped by channel in digest order (channels outside the config come last). */
export function episodesByChannel(input: DayInput, date: string): Map<string, DigestEpisode[]> {
  const { config, nowMs } = input;
  const groups = new Map<string, DigestEpisode[]>(digestChannels(config).map((c) => [c, []]));
  const extra = new Map<string, DigestEpisode[]>();
  for (const e of episodesOfDay(input.episodes, config.timezone, date, nowMs)) {
    const channel = channelOf(e, config) ?? "";
    const list = groups.get(channel) ?? extra.get(channel) ?? [];
    if (!groups.has(channel) && !extra.has(channel)) extra.set(channel, list);
    list.push(e);
  }
  for (const channel of [...extra.keys()].sort()) groups.set(channel, extra.get(channel) ?? []);
  return groups;
}

/** The whole report: `report --json`. */
export function dayReport(input: DayInput): DayReport {
  const { config, date, nowMs } = input;
  const rules = ruleOrder(config);
  const today = episodesByChannel(input, date);
  const weekAgo = episodesByChannel(input, shiftLocalDate(date, -7));
  return {
    date,
    timezone: config.timezone,
    channels: [...today].map(([channel, episodes]) =>
      channelDigest(channel, episodes, weekAgo.get(channel) ?? [], rules, nowMs),
    ),
  };
}
