/**
 * From a timeline to the agent's current episode: the maximal run of consecutive segments, each
 * starting within 60 s of the previous one's end, that match the same rule as the open segment.
 */

import type { Segment } from "./agent.js";
import type { ResolvedRule } from "./config.js";
import { timelineMemo } from "./memo.js";
import { matchRule } from "./rules.js";

/** Segments that start within this long after the previous one ends belong to one episode. */
export const EPISODE_GAP_MS = 60_000;

export interface Episode {
  rule: ResolvedRule;
  startMs: number;
  /** The open segment's statuses: what the agent shows now. */
  primaryStatus: string;
  secondaryStatus: string;
  /**
   * True when the data shows where the episode began (a different status or a gap before it);
   * false when the timeline simply starts there, so the episode may reach back further.
   */
  startIsKnown: boolean;
}

/** The agent's latest open segment, or undefined when it has none (logged out or no data). */
export function openSegment(segments: Segment[]): Segment | undefined {
  let open: Segment | undefined;
  // Indexed: a parsed timeline may be frozen, and V8's for-of over a frozen array allocates per step.
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as Segment;
    if (s.endMs === null && (!open || s.startMs >= open.startMs)) open = s;
  }
  return open;
}

function follows(previous: Segment, next: Segment): boolean {
  return previous.endMs !== null && next.startMs - previous.endMs <= EPISODE_GAP_MS;
}

/**
 * The episode that contains the segment at `index` (in start order), walking backwards while the
 * earlier segments match `rule` and follow on without a gap.
 */
function episodeBackFrom(segments: Segment[], index: number, rule: ResolvedRule, rules: ResolvedRule[]) {
  let first = index;
  let startIsKnown = false;
  for (let i = index - 1; i >= 0; i--) {
    const previous = segments[i] as Segment;
    const current = segments[first] as Segment;
    if (previous.endMs === null) {
      // An earlier segment left open is stale data; it cannot continue into a later one.
      startIsKnown = true;
      break;
    }
    if (
      !follows(previous, current) ||
      matchRule(rules, previous.primaryStatus, previous.secondaryStatus) !== rule
    ) {
      startIsKnown = true;
      break;
    }
    first = i;
  }
  return { startMs: (segments[first] as Segment).startMs, startIsKnown };
}

/**
 * The current episode if the agent's open segment matches a rule; undefined otherwise. A frozen
 * timeline with a memo slot (a row parsed once: agent.ts) keeps its episode per rule list: a run
 * asks twice for each agent it reads (its decision, then its due instant), and a replay reads an
 * unchanged timeline hundreds of times a day.
 */
export function currentEpisode(segments: Segment[], rules: ResolvedRule[]): Episode | undefined {
  const memo = timelineMemo(segments);
  if (!memo) return findEpisode(segments, rules);
  if (memo.key === rules) return memo.value as Episode | undefined;
  const found = findEpisode(segments, rules);
  memo.key = rules;
  memo.value = found && Object.freeze(found);
  return memo.value as Episode | undefined;
}

function findEpisode(segments: Segment[], rules: ResolvedRule[]): Episode | undefined {
  const open = openSegment(segments);
  if (!open) return undefined;
  const rule = matchRule(rules, open.primaryStatus, open.secondaryStatus);
  if (!rule) return undefined;
  const index = segments.lastIndexOf(open);
  const { startMs, startIsKnown } = episodeBackFrom(segments, index, rule, rules);
  return {
    rule,
    startMs,
    primaryStatus: open.primaryStatus,
    secondaryStatus: open.secondaryStatus,
    startIsKnown,
  };
}

/**
 * When the episode of `rule` that was under way at `sinceMs` ended, as far as the timeline shows:
 * the end of its last segment, or undefined when the timeline does not cover it.
 */
export function episodeEnd(
  segments: Segment[],
  rule: ResolvedRule,
  rules: ResolvedRule[],
  sinceMs: number,
): number | undefined {
  let end: number | undefined;
  let previous: Segment | undefined;
  for (const s of segments) {
    if (s.startMs + EPISODE_GAP_MS < sinceMs) continue;
    const sameRule = matchRule(rules, s.primaryStatus, s.secondaryStatus) === rule;
    if (end === undefined) {
      if (!sameRule) return undefined;
    } else if (!sameRule || !previous || !follows(previous, s)) {
      break;
    }
    if (s.endMs === null) return undefined;
    end = s.endMs;
    previous = s;
  }
  return end;
}
