/**
 * The cost bench's workload (cost.ts), from the issue's 12,000-agent center: 1,000 alerts a day (one per
 * 12 agents a day), each a break ("STUCK") that is nudged at 10 min, fires at 15, escalates at 30,
 * reminds every 30 and ends 5–85 min past its threshold (45 on average: about 47 open at 14:00); 35
 * days of that as history and the last 2 days' resolved records (their TTL) in the table. 500 agents:
 * the same per agent. The rest of each agent's day is the simulator's generated day (12–24 segments,
 * AVAILABLE/BUSY, lunch and breaks that match no rule).
 */

import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { alertItemOf, historyItemOf } from "../../functions/adapters/state/dynamodb-store.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { historyEntryFor } from "../../functions/domain/history.js";
import { writeAll } from "../fakes/dynalite.js";
import { generateDay } from "../fakes/smartassist/day.js";
import { DEMO_CREDENTIALS, type SimAgent, type SimSegment } from "../fakes/smartassist/simulator.js";

export const TIMEZONE = "Asia/Kolkata";
export const DATE = "2023-03-10";
/** 14:00 in Kolkata: the measured minutes start here. */
export const T0 = Date.parse("2023-03-10T08:30:00Z");
/** 07:00 in Kolkata: the day's first break of the workload starts then; the last ones by 23:00. */
export const DAY_START = Date.parse("2023-03-10T01:30:00Z");
export const DAY_MS = 86_400_000;
export const MINUTE = 60_000;
export const ALERTS_PER_AGENT_DAY = 1 / 12;
export const THRESHOLD_MIN = 15;
export const HISTORY_DAYS = 35;
export const RESOLVED_KEEP_MS = 2 * DAY_MS;
export const CHANNEL = "C0COST00001";
export const SLACK_TOKEN = "xoxb-cost-bench";
export const WARMUP_MINUTES = 5;

/**
 * Minutes run before measuring: at least WARMUP_MINUTES, and long enough for the rotation to have read
 * the whole roster once (at about 25 pages a minute when the center needs more than the rate window
 * gives), so the measured minutes are the steady state: the episodes already under way when the bench
 * starts are found by that first pass, and their late first alerts are not a month's work.
 */
export function warmupMinutes(agents: number): number {
  return Math.max(WARMUP_MINUTES, Math.ceil(Math.ceil(agents / 50) / 25) + 2);
}
export const EVERY_MINUTES = 5;

/** The bundle's config: the template's features, its break rule on the workload's status. */
export function costConfig(host: string, requestsPerMinute = 50, concurrency = 4) {
  return {
    timezone: TIMEZONE,
    smartassist: {
      host,
      accountId: DEMO_CREDENTIALS.accountId,
      iId: DEMO_CREDENTIALS.iId,
      pageSize: 50,
      concurrency,
      requestsPerMinute,
    },
    schedule: { every: `${EVERY_MINUTES}m` },
    rules: [
      {
        name: "Long break",
        secondaryStatus: ["STUCK"],
        threshold: `${THRESHOLD_MIN}m`,
        critical: "30m",
        nudge: "10m",
      },
      { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m", critical: "1h" },
    ],
    repeat: "30m",
    slack: { channel: CHANNEL, interactive: true, rollup: 10 },
    history: { retention: `${HISTORY_DAYS}d` },
    digest: { at: "18:30", days: ["mon", "tue", "wed", "thu", "fri"] },
    aws: { eventBus: "default", logRetentionDays: 30 },
  };
}

export interface Episode {
  agent: number;
  startMs: number;
  endMs: number;
}

/** Day `daysAgo`'s breaks: evenly spread over 07:00–23:00 local, lasting threshold + 5…85 min. */
export function episodesOf(agents: number, daysAgo: number): Episode[] {
  const perDay = Math.round(agents * ALERTS_PER_AGENT_DAY);
  const spread = 16 * 3_600_000;
  return Array.from({ length: perDay }, (_, k) => {
    const startMs = DAY_START - daysAgo * DAY_MS + Math.floor((k * spread) / perDay);
    const pastMin = 5 + ((k * 37) % 81);
    return {
      agent: (k * 7919 + daysAgo * 131) % agents,
      startMs,
      endMs: startMs + (THRESHOLD_MIN + pastMin) * MINUTE,
    };
  });
}

/** The agent's segments with [start, end) replaced by the break (neighbours trimmed or split). */
export function withBreak(segments: SimSegment[], startMs: number, endMs: number): SimSegment[] {
  const out: SimSegment[] = [];
  for (const s of segments) {
    const end = s.endMs ?? Number.POSITIVE_INFINITY;
    if (end <= startMs || s.startMs >= endMs) {
      out.push(s);
      continue;
    }
    if (s.startMs < startMs) out.push({ ...s, endMs: startMs });
    if (end > endMs) out.push({ ...s, startMs: endMs });
  }
  out.push({ primaryStatus: "AWAY", secondaryStatus: "STUCK", startMs, endMs });
  return out.sort((a, b) => a.startMs - b.startMs);
}

/** Today's roster: the generated day, nobody stuck in it, with the workload's breaks put in. */
export function roster(agents: number): { roster: SimAgent[]; today: Episode[] } {
  const day = generateDay({ seed: 11, agents, timezone: TIMEZONE, date: DATE });
  for (const agent of day) {
    if (!agent.segments) continue;
    agent.segments = agent.segments.map((s) =>
      s.endMs === null && s.primaryStatus !== "AVAILABLE"
        ? { ...s, primaryStatus: "AVAILABLE", secondaryStatus: "AVAILABLE" }
        : s,
    );
  }
  const today = episodesOf(agents, 0);
  for (const e of today) {
    const agent = day[e.agent] as SimAgent;
    agent.segments = withBreak(agent.segments ?? [], e.startMs, e.endMs);
  }
  return { roster: day, today };
}

/** An ended break's alert record as the lifecycle leaves it once its end is shown in Slack. */
export function endedRecord(agent: SimAgent, e: Episode): AlertRecord {
  const firedMs = e.startMs + THRESHOLD_MIN * MINUTE;
  const critical = e.endMs - e.startMs >= 30 * MINUTE;
  const record: AlertRecord = {
    id: `${agent.userId}#rule-0#${new Date(e.startMs).toISOString()}`,
    userId: agent.userId,
    email: agent.email,
    name: `${agent.firstName} ${agent.lastName}`,
    ruleKey: "rule-0",
    ruleName: "Long break",
    primaryStatus: "AWAY",
    secondaryStatus: "STUCK",
    sinceMs: e.startMs,
    thresholdSeconds: THRESHOLD_MIN * 60,
    criticalSeconds: 1800,
    repeatSeconds: 1800,
    severity: critical ? "critical" : "warning",
    state: "resolved",
    firedMs,
    lastNotifiedMs: critical ? e.startMs + 30 * MINUTE : firedMs,
    endedMs: e.endMs,
    channel: CHANNEL,
    slackTs: `${Math.floor(firedMs / 1000)}.000100`,
    notifiedSeverity: critical ? "critical" : "warning",
    resolveNotified: true,
    nudgedMs: e.startMs + 10 * MINUTE,
    nudgeNotified: "sent",
    version: critical ? 7 : 5,
    expiresAt: Math.floor((e.endMs + RESOLVED_KEEP_MS) / 1000),
  };
  if (e.endMs - e.startMs >= 45 * MINUTE) record.remindedSlots = 1;
  return record;
}

/** The state before the measured day: history of 35 days, resolved records of the last 2. */
export async function seed(
  doc: DynamoDBDocumentClient,
  tableName: string,
  agents: SimAgent[],
  beforeMs: number,
): Promise<{ history: number; resolved: number }> {
  const history: Array<Record<string, unknown>> = [];
  const resolved: Array<Record<string, unknown>> = [];
  for (let d = 0; d <= HISTORY_DAYS; d++) {
    for (const e of episodesOf(agents.length, d)) {
      if (e.endMs >= beforeMs) continue;
      const record = endedRecord(agents[e.agent] as SimAgent, e);
      history.push(historyItemOf(historyEntryFor(record, TIMEZONE, HISTORY_DAYS * 86_400)));
      // As the store writes it: an ended record that owes nothing more is out of the live index.
      if (e.endMs > T0 - RESOLVED_KEEP_MS) resolved.push(alertItemOf(record));
    }
  }
  await writeAll(doc, tableName, [...resolved, ...history]);
  return { history: history.length, resolved: resolved.length };
}

/** Minutes after a break's start at which it is due again: nudge, fire, escalate, reminders every 30 after the alert. */
export const DUE_MINUTES = [10, 15, 30, 45, 75, 105];
/** Local midnight of DATE (Kolkata, UTC+5:30). */
const LOCAL_MIDNIGHT = Date.parse("2023-03-09T18:30:00Z");

/**
 * What the workload itself says the on-time design adds to a day's SmartAssist requests (cross-checked
 * against the measured minutes by the report): a re-read a minute per 50 breaks nudged or open (the
 * tick re-reads those agents; a break's resolve is seen within a minute of its end), and a due instant
 * per nudge, fire, escalation and reminder that comes before the break ends.
 */
export function workloadDay(agents: number): {
  rereadRequests: number;
  dueInstants: number;
  rereadsIn(fromMs: number, toMs: number): number;
  dueInstantsIn(fromMs: number, toMs: number): number;
} {
  const breaks = episodesOf(agents, 0);
  const rereadsIn = (fromMs: number, toMs: number) => {
    let requests = 0;
    for (let t = fromMs; t < toMs; t += MINUTE) {
      const live = breaks.filter((e) => e.startMs + 10 * MINUTE <= t && t < e.endMs + MINUTE).length;
      requests += Math.ceil(live / 50);
    }
    return requests;
  };
  const dueInstantsIn = (fromMs: number, toMs: number) =>
    breaks.reduce(
      (n, e) =>
        n +
        DUE_MINUTES.map((m) => e.startMs + m * MINUTE).filter((t) => t < e.endMs && t >= fromMs && t < toMs)
          .length,
      0,
    );
  return {
    rereadRequests: rereadsIn(LOCAL_MIDNIGHT, LOCAL_MIDNIGHT + DAY_MS),
    dueInstants: dueInstantsIn(LOCAL_MIDNIGHT, LOCAL_MIDNIGHT + DAY_MS),
    rereadsIn,
    dueInstantsIn,
  };
}
