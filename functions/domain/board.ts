/**
 * The board: one living "who is stuck right now" message per channel (DESIGN.md, "The board").
 * From what a run read (per channel: how many agents, in which status; board-counts.ts), its open
 * alerts and its due list to the board's model: the stuck lines (longest past its threshold first),
 * the count per rule (config order, a team's rules first), who is coming up, the status mix, and the
 * exact `text` line. Also when a board is drawn again. Pure: rendering is the Slack adapter's
 * (board-messages.ts).
 */
import type { AlertRecord, DueEntry, Severity } from "./alert.js";
import type { ChannelCounts, KeptPages } from "./board-counts.js";
import type { AppConfig } from "./config.js";
import { localTimeOfDay } from "./time.js";

/** Lines of stuck agents (and of agents coming up) a board shows before `…and N more`. */
export const BOARD_LINES_MAX = 30;
/** A board is never drawn twice within this long. */
export const BOARD_MIN_REDRAW_MS = 60_000;
/** Entries of each list the kept snapshot holds (what `/agent-status TEXT` can narrow). */
export const SNAPSHOT_ENTRIES_MAX = 500;

/** An agent a run saw whose first alert falls due soon: what the board's "coming up" needs. */
export interface SeenAgent {
  userId: string;
  email: string;
  name: string;
  primaryStatus: string;
  secondaryStatus: string;
}

export type BoardMark = "acknowledged" | "snoozed" | "excused";

export interface StuckLine {
  userId: string;
  name: string;
  email: string;
  rule: string;
  primaryStatus: string;
  secondaryStatus: string;
  sinceMs: number;
  elapsedSeconds: number;
  /** Seconds past its threshold (what orders the lines). */
  overdueSeconds: number;
  severity: Severity;
  mark?: BoardMark;
}

export interface ComingUpLine {
  userId: string;
  name: string;
  email: string;
  primaryStatus: string;
  secondaryStatus: string;
  /** When its alert falls due (UTC ms). */
  atMs: number;
  /** Whole minutes until then, rounded up (0 when it is due now). */
  inMinutes: number;
}

/** Everything one channel's board shows as of a run, every stuck agent included: kept in state. */
export interface BoardSnapshot {
  channel: string;
  asOfMs: number;
  /** `HH:MM`, local time of the run. */
  asOf: string;
  counts: ChannelCounts;
  /** Open alerts by rule name, in config order (a team's rules first), only rules with alerts. */
  rules: Array<{ name: string; count: number }>;
  /** Every open alert of the channel (up to SNAPSHOT_ENTRIES_MAX), longest past its threshold first. */
  stuck: StuckLine[];
  /** How many open alerts the channel has (stuck may hold fewer). */
  stuckCount: number;
  comingUp: ComingUpLine[];
  comingUpCount: number;
}

/** What the board message shows: at most BOARD_LINES_MAX lines of each list, then `…and N more`. */
export interface BoardModel {
  channel: string;
  text: string;
  asOf: string;
  agents: number;
  stuckCount: number;
  rules: Array<{ name: string; count: number }>;
  lines: StuckLine[];
  /** Stuck agents not shown (the `…and N more`). */
  more: number;
  comingUp: ComingUpLine[];
  comingUpMore: number;
  /** `AVAILABLE n · BUSY n · AWAY n (LUNCH n, NBK n) · logged out n`. */
  mix: string;
  /** Set when the lists were narrowed (`/agent-status TEXT`). */
  filter?: string;
}

/** The channel an agent's alerts go to: its team's, else the default one. */
export function channelOf(
  config: AppConfig,
  team: { channel?: string | undefined } | undefined,
): string | undefined {
  return team?.channel ?? config.slack.channel;
}

/** Every channel that has a board: the default one, then each team's, once each, in config order. */
export function boardChannels(config: AppConfig): string[] {
  const channels = [config.slack.channel, ...config.teams.map((t) => t.channel ?? config.slack.channel)];
  return [...new Set(channels.filter((c): c is string => c !== undefined && c !== ""))];
}

/** Rule names in the order a channel's board counts them: its teams' rules first, then the global ones. */
export function ruleOrder(config: AppConfig, channel: string): string[] {
  const names: string[] = [];
  for (const team of config.teams)
    if (channelOf(config, team) === channel) for (const rule of team.rules) names.push(rule.name);
  for (const rule of config.rules) names.push(rule.name);
  return [...new Set(names)];
}

function markOf(record: AlertRecord, nowMs: number): BoardMark | undefined {
  if (record.excusedBy !== undefined) return "excused";
  if (record.snoozedUntilMs !== undefined && record.snoozedUntilMs > nowMs) return "snoozed";
  if (record.acknowledgedBy !== undefined) return "acknowledged";
  return undefined;
}

export interface SnapshotInput {
  channel: string;
  nowMs: number;
  /** The channel's agents as last read. */
  counts: ChannelCounts;
  /** The channel's open alerts (state `open`; roll-up members included). */
  open: readonly AlertRecord[];
  /** The run's due entries of kind `fire` for this channel's agents, with what the run saw of each. */
  due: ReadonlyArray<{ entry: DueEntry; agent: SeenAgent }>;
  everyMs: number;
}

export function boardSnapshot(config: AppConfig, input: SnapshotInput): BoardSnapshot {
  const { nowMs, channel } = input;
  const lines = input.open
    .filter((r) => r.state === "open")
    .map((r): StuckLine => {
      const elapsedSeconds = Math.max(0, Math.floor((nowMs - r.sinceMs) / 1000));
      const line: StuckLine = {
        userId: r.userId,
        name: r.name,
        email: r.email,
        rule: r.ruleName,
        primaryStatus: r.primaryStatus,
        secondaryStatus: r.secondaryStatus,
        sinceMs: r.sinceMs,
        elapsedSeconds,
        overdueSeconds: elapsedSeconds - r.thresholdSeconds,
        severity: r.severity,
      };
      const mark = markOf(r, nowMs);
      if (mark) line.mark = mark;
      return line;
    })
    .sort(
      (a, b) =>
        b.overdueSeconds - a.overdueSeconds ||
        a.name.localeCompare(b.name) ||
        a.userId.localeCompare(b.userId),
    );
  const perRule = new Map<string, number>();
  for (const line of lines) perRule.set(line.rule, (perRule.get(line.rule) ?? 0) + 1);
  const order = ruleOrder(config, channel);
  const known = order.filter((name) => perRule.has(name));
  // A rule no longer in the config (an alert kept from before an edit) still counts, after the others.
  const rest = [...perRule.keys()].filter((name) => !order.includes(name)).sort();
  const rules = [...known, ...rest].map((name) => ({ name, count: perRule.get(name) ?? 0 }));

  const horizon = nowMs + input.everyMs;
  const stuckUsers = new Set(lines.map((l) => l.userId));
  const comingUp = input.due
    .filter(({ entry }) => entry.kind === "fire")
    .map(({ entry, agent }): ComingUpLine => {
      const atMs = Date.parse(entry.at);
      return {
        userId: agent.userId,
        name: agent.name,
        email: agent.email,
        primaryStatus: agent.primaryStatus,
        secondaryStatus: agent.secondaryStatus,
        atMs,
        inMinutes: Math.max(0, Math.ceil((atMs - nowMs) / 60_000)),
      };
    })
    .filter((c) => c.atMs <= horizon && !stuckUsers.has(c.userId))
    .sort((a, b) => a.atMs - b.atMs || a.name.localeCompare(b.name));

  return {
    channel,
    asOfMs: nowMs,
    asOf: localTimeOfDay(config.timezone, nowMs),
    counts: input.counts,
    rules,
    stuck: lines.slice(0, SNAPSHOT_ENTRIES_MAX),
    stuckCount: lines.length,
    comingUp: comingUp.slice(0, SNAPSHOT_ENTRIES_MAX),
    comingUpCount: comingUp.length,
  };
}

/** `Now stuck: 3 of 41 agents (Long break 2, Stuck in BUSY 1) · as of 14:05`. */
export function boardText(snapshot: Pick<BoardSnapshot, "stuckCount" | "counts" | "rules" | "asOf">): string {
  const of = `of ${snapshot.counts.agents} agents`;
  if (snapshot.stuckCount === 0) return `Now stuck: none ${of} · as of ${snapshot.asOf}`;
  const rules = snapshot.rules.map((r) => `${r.name} ${r.count}`).join(", ");
  return `Now stuck: ${snapshot.stuckCount} ${of}${rules === "" ? "" : ` (${rules})`} · as of ${snapshot.asOf}`;
}

const byCount = (entries: Record<string, number>) =>
  Object.entries(entries).sort(([a, m], [b, n]) => n - m || a.localeCompare(b));

/** `AVAILABLE n · BUSY n · AWAY n (LUNCH n, NBK n) · logged out n`; other primaries after AWAY. */
export function statusMix(counts: ChannelCounts): string {
  const parts = ["AVAILABLE", "BUSY", "AWAY"].map((p) => {
    const n = counts.primary[p] ?? 0;
    if (p !== "AWAY") return `${p} ${n}`;
    const reasons = byCount(counts.away).map(([k, m]) => `${k} ${m}`);
    return reasons.length > 0 ? `AWAY ${n} (${reasons.join(", ")})` : `AWAY ${n}`;
  });
  for (const [p, n] of byCount(counts.primary))
    if (!["AVAILABLE", "BUSY", "AWAY"].includes(p)) parts.push(`${p} ${n}`);
  parts.push(`logged out ${counts.loggedOut}`);
  return parts.join(" · ");
}

/**
 * The board as shown: the snapshot's lists cut to BOARD_LINES_MAX, or narrowed to agents whose name
 * or e-mail contains `filter` (case-insensitive) for `/agent-status TEXT`.
 */
export function boardModel(snapshot: BoardSnapshot, filter?: string): BoardModel {
  const needle = filter?.trim().toLowerCase() ?? "";
  const matches = (a: { name: string; email: string }) =>
    needle === "" || a.name.toLowerCase().includes(needle) || a.email.toLowerCase().includes(needle);
  const stuck = snapshot.stuck.filter(matches);
  const coming = snapshot.comingUp.filter(matches);
  // Entries past the snapshot's cap are counted in `more` when the lists are not narrowed.
  const stuckTotal = needle === "" ? snapshot.stuckCount : stuck.length;
  const comingTotal = needle === "" ? snapshot.comingUpCount : coming.length;
  const lines = stuck.slice(0, BOARD_LINES_MAX);
  const comingUp = coming.slice(0, BOARD_LINES_MAX);
  const model: BoardModel = {
    channel: snapshot.channel,
    text: boardText(snapshot),
    asOf: snapshot.asOf,
    agents: snapshot.counts.agents,
    stuckCount: snapshot.stuckCount,
    rules: snapshot.rules,
    lines,
    more: stuckTotal - lines.length,
    comingUp,
    comingUpMore: comingTotal - comingUp.length,
    mix: statusMix(snapshot.counts),
  };
  if (needle !== "") model.filter = filter?.trim() ?? "";
  return model;
}

/**
 * What decides whether the board changed: its lines (who, status, severity, marks, who is coming
 * up) and counts, never the elapsed figures or the clock. A short stable string (FNV-1a, hex).
 */
export function boardContentKey(model: BoardModel): string {
  const content = JSON.stringify([
    model.agents,
    model.stuckCount,
    model.rules,
    model.lines.map((l) => [l.userId, l.rule, l.primaryStatus, l.secondaryStatus, l.severity, l.mark ?? ""]),
    model.more,
    model.comingUp.map((c) => [c.userId, c.primaryStatus, c.secondaryStatus]),
    model.comingUpMore,
    model.mix,
  ]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < content.length; i++) {
    hash ^= content.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${hash.toString(16).padStart(8, "0")}-${content.length}`;
}

/** The board as state keeps it per channel. */
export interface BoardState {
  channel: string;
  /** The board message's ts, once posted. */
  ts?: string;
  /** The content key last drawn, and when (UTC ms). */
  drawnKey?: string;
  drawnMs?: number;
  /** The last run's snapshot (what `/agent-status` answers from). */
  snapshot?: BoardSnapshot;
  /** The roster as last read, per roster page (a tick reads a few pages), in a compact form. */
  pages?: KeptPages;
  /** The content key of the snapshot last kept (state is written again only when something changed). */
  keptKey?: string;
  /** A run posting the first board right now, and until when (real clock, UTC ms). */
  postingBy?: string;
  postingUntilMs?: number;
}

/** True when `state` lets run `by` claim the board's first post at `wallMs`: no message, no other live claim. */
export function mayClaimBoardPost(state: BoardState | undefined, by: string, wallMs: number): boolean {
  if (state?.ts !== undefined) return false;
  const claimed =
    state?.postingBy !== undefined && state.postingBy !== by && (state.postingUntilMs ?? 0) > wallMs;
  return !claimed;
}

export type BoardCall = "post" | "update" | "none";

/**
 * Post when there is no board yet; update when its content changed or its elapsed figures are one
 * `schedule.every` old; never twice within a minute; otherwise no call.
 */
export function boardCall(
  state: BoardState | undefined,
  key: string,
  nowMs: number,
  everyMs: number,
): BoardCall {
  if (state?.ts === undefined) {
    // A post that failed is tried again, but not more than once a minute either.
    if (state?.drawnMs !== undefined && nowMs - state.drawnMs < BOARD_MIN_REDRAW_MS) return "none";
    return "post";
  }
  const drawnMs = state.drawnMs ?? Number.NEGATIVE_INFINITY;
  if (nowMs - drawnMs < BOARD_MIN_REDRAW_MS) return "none";
  if (state.drawnKey !== key) return "update";
  return nowMs - drawnMs >= everyMs ? "update" : "none";
}
