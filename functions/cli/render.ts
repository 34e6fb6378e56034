/** Human-readable output of the CLI (the default; `--json` prints the summary object instead). */
import type { CheckResult } from "../app/run-check.js";
import type { AppConfig, ResolvedRule } from "../domain/config.js";
import { formatDuration, toDurationString } from "../domain/duration.js";
import { localDateTime, localTimeOfDay } from "../domain/time.js";

function status(primary: string, secondary: string): string {
  return primary.toUpperCase() === secondary.toUpperCase() ? primary : `${primary} / ${secondary}`;
}

export function renderCheck(result: CheckResult, config: AppConfig, nowMs: number, dryRun: boolean): string {
  const { summary, fetch, slack } = result;
  const zone = config.timezone;
  const lines: string[] = [];
  lines.push(
    `${dryRun ? "Dry run: " : ""}checked ${summary.checkedAgents} agents on ${summary.pages} page(s) as of ${localDateTime(zone, nowMs)} (${zone})`,
  );
  if (summary.firing.length === 0) {
    lines.push("No agent is over a threshold.");
  } else {
    lines.push(`Firing (${summary.firing.length}):`);
    for (const f of summary.firing) {
      const mark = f.severity === "critical" ? "CRITICAL" : "warning ";
      lines.push(
        `  ${mark} ${f.name} <${f.email}> ${status(f.primaryStatus, f.secondaryStatus)} for ${formatDuration(f.elapsedSeconds)} since ${localTimeOfDay(zone, Date.parse(f.since))} — ${f.rule} (threshold ${formatDuration(f.thresholdSeconds)})`,
      );
    }
  }
  if (summary.transitions.length > 0) {
    lines.push(`This run (${summary.transitions.length}):`);
    for (const t of summary.transitions) {
      lines.push(
        `  ${t.type.padEnd(9)} ${t.name} <${t.email}> ${status(t.primaryStatus, t.secondaryStatus)} — ${t.rule}, ${formatDuration(t.elapsedSeconds)}`,
      );
    }
  }
  if (summary.skipped.length > 0) {
    lines.push(`Skipped ${summary.skipped.length} malformed input(s):`);
    for (const s of summary.skipped.slice(0, 20)) lines.push(`  ${s.userId ?? "(no userId)"}: ${s.reason}`);
    if (summary.skipped.length > 20) lines.push(`  … and ${summary.skipped.length - 20} more (see --json)`);
  }
  for (const b of summary.boards ?? [])
    lines.push(
      `Board ${b.channel}: ${b.stuck} stuck, ${b.comingUp} coming up${b.ts === null ? (dryRun ? "" : " (not posted)") : ` (ts ${b.ts})`}.`,
    );
  if (!dryRun) {
    const parts = [`${slack.delivered} delivered`];
    if (slack.failed > 0) parts.push(`${slack.failed} failed (retried next run)`);
    if (slack.pending > 0) parts.push(`${slack.pending} pending (sent by a later run)`);
    lines.push(`Slack: ${parts.join(", ")}.`);
  }
  lines.push(
    `SmartAssist: ${fetch.requests} request(s), ${fetch.retries} retried, ${fetch.rateLimited} rate-limited${fetch.failedPages.length > 0 ? `, ${fetch.failedPages.length} page(s) failed` : ""}.`,
  );
  return lines.join("\n");
}

function describeRule(rule: ResolvedRule): string {
  const match = [
    rule.primaryStatus ? `primaryStatus ${rule.primaryStatus.join("|")}` : "",
    rule.secondaryStatus ? `secondaryStatus ${rule.secondaryStatus.join("|")}` : "",
  ]
    .filter(Boolean)
    .join(" and ");
  const timing = [
    rule.nudgeSeconds !== undefined ? `nudge ${toDurationString(rule.nudgeSeconds)}` : "",
    `threshold ${toDurationString(rule.thresholdSeconds)}`,
    rule.criticalSeconds !== undefined ? `critical ${toDurationString(rule.criticalSeconds)}` : "",
    rule.repeatSeconds !== undefined ? `repeat ${toDurationString(rule.repeatSeconds)}` : "",
  ]
    .filter(Boolean)
    .join(", ");
  return `"${rule.name}": ${match}; ${timing}`;
}

export function renderConfig(config: AppConfig, source: string): string {
  const lines = [`${source} is valid.`];
  lines.push(
    `Time zone ${config.timezone}; SmartAssist ${config.smartassist.host} account ${config.smartassist.accountId}`,
  );
  lines.push(
    `Every ${toDurationString(config.schedule.everySeconds)} (due re-checks within ${toDurationString(config.schedule.precisionSeconds)} share a request); pages of ${config.smartassist.pageSize}, ${config.smartassist.concurrency} in flight, at most ${config.smartassist.requestsPerMinute} requests/min`,
  );
  if (config.schedule.activeHours) {
    const h = config.schedule.activeHours;
    lines.push(
      `Active ${h.from}–${h.to}${h.days ? ` on ${h.days.join(", ")}` : " every day"} (${config.timezone})`,
    );
  }
  lines.push(`Rules, first match wins (default channel ${config.slack.channel ?? "none"}):`);
  config.rules.forEach((r, i) => {
    lines.push(`  ${i + 1}. ${describeRule(r)}`);
  });
  for (const team of config.teams) {
    lines.push(
      `Team "${team.name}" (${team.agents.join(", ")}), channel ${team.channel ?? config.slack.channel ?? "none"}:`,
    );
    team.rules.forEach((r, i) => {
      lines.push(`  ${i + 1}. ${describeRule(r)}`);
    });
    lines.push(`  then the global rules`);
  }
  const slack = config.slack;
  lines.push(
    `Slack: ${slack.interactive ? `Acknowledge / Snooze / Excuse on each alert, by ${slack.responders ? slack.responders.join(", ") : "anyone in the channel"}` : "notify only (no buttons)"}; ${slack.rollup > 0 ? `more than ${slack.rollup} new alerts in a channel and run become one roll-up` : "no roll-ups"}`,
  );
  lines.push(
    slack.board
      ? `Board: one "who is stuck now" message per channel${slack.pinBoard ? ", pinned" : ""}`
      : "Board: off",
  );
  lines.push(
    `History kept ${toDurationString(config.history.retentionSeconds)}; ${config.digest ? `digest at ${config.digest.at} on ${config.digest.days.join(", ")} (${config.timezone})` : "no daily digest"}`,
  );
  return lines.join("\n");
}
