/**
 * The doctor's report (DESIGN.md "Doctor: is everything wired?"): one check line per verdict,
 * `✓ name — detail` or `✗ name — what is wrong; what to do`, the config's own check, and the few
 * text helpers every check uses. The other verdicts live by what they look at:
 * doctor-credentials.ts, doctor-smartassist.ts (the API and the roster's size) and doctor-slack.ts.
 * Pure: the use case (app/doctor.ts) makes the requests and hands the results in.
 */
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

// The helpers below are shared by the doctor-*.ts checks: they import this file, never the reverse.

export const pass = (name: string, detail: string): Check => ({ name, ok: true, detail });
export const fail = (name: string, detail: string): Check => ({ name, ok: false, detail });

/** 10000 → "10,000", whatever the machine's locale. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

export function list(items: string[]): string {
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
