/** Which rules apply to an agent (team rules first), and which rule a status matches. */
import type { AppConfig, ResolvedRule, ResolvedTeam } from "./config.js";

const patternCache = new Map<string, RegExp>();

function globToRegExp(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    const body = pattern
      .split("")
      .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
      .join("");
    re = new RegExp(`^${body}$`, "i");
    patternCache.set(pattern, re);
  }
  return re;
}

/** The first team (in file order) one of whose e-mail patterns matches the agent. */
export function teamFor(config: AppConfig, email: string): ResolvedTeam | undefined {
  if (!email) return undefined;
  return config.teams.find((t) => t.agents.some((p) => globToRegExp(p).test(email)));
}

/** A team's rules then the config's, made once per team: the same list every time it is asked for. */
const teamRules = new WeakMap<ResolvedTeam, { global: ResolvedRule[]; rules: ResolvedRule[] }>();

/**
 * The rules in the order they apply to this agent: its team's, then the global ones. The same array
 * for the same team and config (episodes.ts remembers an episode per rule list); never to be changed.
 */
export function rulesFor(config: AppConfig, team: ResolvedTeam | undefined): ResolvedRule[] {
  if (!team || team.rules.length === 0) return config.rules;
  const known = teamRules.get(team);
  if (known && known.global === config.rules) return known.rules;
  const rules = [...team.rules, ...config.rules];
  teamRules.set(team, { global: config.rules, rules });
  return rules;
}

function matches(list: string[] | undefined, value: string): boolean {
  return list === undefined || list.includes(value);
}

/** The first rule that matches this status (case-insensitive), or undefined. */
export function matchRule(
  rules: ResolvedRule[],
  primaryStatus: string,
  secondaryStatus: string,
): ResolvedRule | undefined {
  const primary = primaryStatus.toUpperCase();
  const secondary = secondaryStatus.toUpperCase();
  for (const rule of rules) {
    if (matches(rule.primaryStatus, primary) && matches(rule.secondaryStatus, secondary)) return rule;
  }
  return undefined;
}
