/**
 * Replay's figures as pure arithmetic: what a config did over a simulated day, from what the real
 * use case left behind (every alert record it wrote, its transitions, the messages Slack would have
 * got). No I/O, no clock.
 *
 * What counts (DESIGN.md, "Replay"):
 * - alerts, nudges, escalations, reminders: the transitions of that kind during the day; an alert
 *   counts in the local hour it fired;
 * - averted: episodes nudged whose agent was back before the threshold (the record ends `averted`);
 * - minutes past threshold: per alert, as the digest counts them (digest.ts): its length minus its
 *   threshold in whole minutes, rounded down; an episode still open at the day's end counts to
 *   midnight;
 * - messages: top-level messages and thread replies in channels; the nudges' DMs are the nudges;
 *   roll-ups: roll-up messages posted (each also a top-level message).
 */
import type { AlertRecord, Transition } from "./alert.js";
import type { AppConfig } from "./config.js";
import { channelOf, episodeFromRecord, minutesPastThreshold, ruleOrder } from "./digest.js";
import { shiftLocalDate } from "./local-date.js";
import { localParts, utcOffsetMinutes } from "./time.js";

/** What Slack would have received in one channel. */
export interface ChannelMessages {
  /** Top-level messages: per-episode alerts and roll-ups. */
  topLevel: number;
  /** Thread replies. */
  replies: number;
  /** Of the top-level messages, roll-ups. */
  rollups: number;
}

export interface RuleFigures {
  rule: string;
  alerts: number;
  nudges: number;
  averted: number;
  escalations: number;
  reminders: number;
  minutesPastThreshold: number;
}

export interface ReplayTotals {
  alerts: number;
  nudges: number;
  averted: number;
  escalations: number;
  reminders: number;
  rollups: number;
  messages: number;
  minutesPastThreshold: number;
}

export interface ChannelFigures {
  channel: string;
  totals: ReplayTotals;
  byRule: RuleFigures[];
}

/** One config's day: the `configs[]` element of `replay --json`, plus the per-channel split for text. */
export interface ConfigReplay {
  config: string;
  totals: ReplayTotals;
  byRule: RuleFigures[];
  byHour: Array<{ hour: number; alerts: number }>;
  channels: ChannelFigures[];
}

export interface ReplayInput {
  /** The config's name as the report shows it (its file). */
  name: string;
  config: AppConfig;
  /** Every alert record the day's runs wrote, as each was last written. */
  records: readonly AlertRecord[];
  transitions: readonly Transition[];
  /** By channel. */
  messages: ReadonlyMap<string, ChannelMessages>;
  /** The local day's end (the next local midnight, UTC ms): open episodes count to it. */
  dayEndMs: number;
}

export const TOTAL_KEYS: ReadonlyArray<keyof ReplayTotals> = [
  "alerts",
  "nudges",
  "averted",
  "escalations",
  "reminders",
  "rollups",
  "messages",
  "minutesPastThreshold",
];

function emptyTotals(): ReplayTotals {
  return {
    alerts: 0,
    nudges: 0,
    averted: 0,
    escalations: 0,
    reminders: 0,
    rollups: 0,
    messages: 0,
    minutesPastThreshold: 0,
  };
}

function emptyRule(rule: string): RuleFigures {
  return { rule, alerts: 0, nudges: 0, averted: 0, escalations: 0, reminders: 0, minutesPastThreshold: 0 };
}

/** An episode's key as both a record and a transition name it. */
function episodeKey(userId: string, rule: string, sinceMs: number): string {
  return `${userId}|${rule}|${sinceMs}`;
}

type RuleCounter = Exclude<keyof RuleFigures, "rule">;

export function replayFigures(input: ReplayInput): ConfigReplay {
  const { config, dayEndMs } = input;
  const zone = config.timezone;
  const order = ruleOrder(config);
  const byKey = new Map<string, AlertRecord>();
  for (const r of input.records) byKey.set(episodeKey(r.userId, r.ruleName, r.sinceMs), r);
  const channelFor = (record: AlertRecord | undefined) =>
    record ? (channelOf(episodeFromRecord(record), config) ?? "") : (config.slack.channel ?? "");

  const channels = new Map<string, { totals: ReplayTotals; rules: Map<string, RuleFigures> }>();
  const channelEntry = (channel: string) => {
    let entry = channels.get(channel);
    if (!entry) {
      entry = { totals: emptyTotals(), rules: new Map(order.map((r) => [r, emptyRule(r)])) };
      channels.set(channel, entry);
    }
    return entry;
  };
  const count = (channel: string, rule: string, key: RuleCounter, n = 1) => {
    const entry = channelEntry(channel);
    let figures = entry.rules.get(rule);
    if (!figures) {
      figures = emptyRule(rule);
      entry.rules.set(rule, figures);
    }
    figures[key] += n;
    entry.totals[key] += n;
  };

  const byHour = Array.from({ length: 24 }, (_, hour) => ({ hour, alerts: 0 }));
  const fired = new Set<string>();
  const kinds: Partial<Record<Transition["type"], RuleCounter>> = {
    nudged: "nudges",
    fired: "alerts",
    escalated: "escalations",
    reminded: "reminders",
  };
  for (const t of input.transitions) {
    const key = kinds[t.type];
    if (!key) continue;
    const k = episodeKey(t.userId, t.rule, Date.parse(t.since));
    const record = byKey.get(k);
    count(channelFor(record), t.rule, key);
    if (t.type === "fired") {
      fired.add(k);
      const slot = byHour[localParts(zone, Date.parse(t.at)).hour];
      if (slot) slot.alerts++;
    }
  }
  for (const record of input.records) {
    const k = episodeKey(record.userId, record.ruleName, record.sinceMs);
    if (record.state === "averted") count(channelFor(record), record.ruleName, "averted");
    else if (fired.has(k))
      count(
        channelFor(record),
        record.ruleName,
        "minutesPastThreshold",
        minutesPastThreshold(episodeFromRecord(record), dayEndMs),
      );
  }
  for (const [channel, messages] of input.messages) {
    const entry = channelEntry(channel);
    entry.totals.messages += messages.topLevel + messages.replies;
    entry.totals.rollups += messages.rollups;
  }

  const totals = emptyTotals();
  const rules = new Map(order.map((r) => [r, emptyRule(r)]));
  const channelList: ChannelFigures[] = [];
  for (const [channel, entry] of [...channels].sort(([a], [b]) => a.localeCompare(b))) {
    for (const k of TOTAL_KEYS) totals[k] += entry.totals[k];
    for (const [rule, figures] of entry.rules) {
      const sum = rules.get(rule) ?? emptyRule(rule);
      for (const k of Object.keys(figures) as Array<keyof RuleFigures>)
        if (k !== "rule") sum[k] += figures[k];
      rules.set(rule, sum);
    }
    channelList.push({ channel, totals: entry.totals, byRule: [...entry.rules.values()] });
  }
  return { config: input.name, totals, byRule: [...rules.values()], byHour, channels: channelList };
}

/** `b − a` for every total (the second config against the first). */
export function totalsDifference(a: ReplayTotals, b: ReplayTotals): ReplayTotals {
  const out = emptyTotals();
  for (const k of TOTAL_KEYS) out[k] = b[k] - a[k];
  return out;
}

/** The `--json` element of one config: exactly the fields DESIGN.md shows. */
export function configJson(c: ConfigReplay): Pick<ConfigReplay, "config" | "totals" | "byRule" | "byHour"> {
  return { config: c.config, totals: c.totals, byRule: c.byRule, byHour: c.byHour };
}

/**
 * The span a local day is replayed over: the day, or — for a day read before it was over (today, as
 * a rule) — up to when it was read, since nothing after that is known: an agent still on a break
 * then is not assumed on it until midnight. `untilMs` is set only then, and only when what was read
 * names no instant after the read (`latestMs()`, asked only then: what the API answers), so a day
 * made by hand with all of it in is replayed whole.
 */
export function replaySpan(
  zone: string,
  date: string,
  readAtMs: number | undefined,
  latestMs: () => number,
): { dayStartMs: number; dayEndMs: number; untilMs?: number } {
  const dayStartMs = localMidnight(zone, date);
  const dayEndMs = localMidnight(zone, shiftLocalDate(date, 1));
  if (readAtMs === undefined || !(readAtMs > dayStartMs && readAtMs < dayEndMs) || latestMs() > readAtMs)
    return { dayStartMs, dayEndMs };
  return { dayStartMs, dayEndMs: readAtMs, untilMs: readAtMs };
}

/** The UTC instant of local midnight starting `date` in `zone` (DST-aware; pure). */
export function localMidnight(zone: string, date: string): number {
  const [y, m, d] = date.split("-").map(Number);
  const wall = Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1);
  // The offset at the guess, then at the instant it gives: right on either side of a change.
  let instant = wall - utcOffsetMinutes(zone, wall) * 60_000;
  instant = wall - utcOffsetMinutes(zone, instant) * 60_000;
  return instant;
}
