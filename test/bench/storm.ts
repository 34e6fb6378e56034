/**
 * Storm cases of the bench: N agents go on break at once and all pass the threshold together. The
 * real CLI (`check --config F --state S --now T --json`, a child process, as an operator or a cron
 * runs it) against the SmartAssist simulator and the fake Slack with Slack's chat.postMessage limit
 * on (about one post a second per channel, short bursts allowed). Every agent posts into one channel.
 *
 * The runs follow the storm to its end, 5 minutes apart on the `--now` clock (back to back on the
 * real one): the storm (08:20), a quiet run (08:25), the escalation past `critical` (08:35), and all
 * agents back (08:45), then one more run to pick up anything still pending.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../e2e/run-cli.js";
import { textLength } from "../fakes/slack/block-kit-limits.js";
import { type FakeSlack, type RecordedSlackCall, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type SimAgent,
  startSimulator,
} from "../fakes/smartassist/simulator.js";

const TOKEN = "xoxb-bench-storm";
const CHANNEL = "C0STORM0001";
const utc = (hhmm: string) => Date.parse(`2023-03-10T${hhmm}:00Z`);

export interface StormRunFigures {
  at: string;
  exitCode: number | null;
  wallMs: number;
  slackCalls: number;
  rateLimited: number;
  topLevelPosts: number;
  threadReplies: number;
  updates: number;
  /** Posts and updates Slack refused as built (`invalid_blocks`, `msg_blocks_too_long`, ...). */
  refused: number;
  /** The most block text (attachments' included) in one message of the run, against Slack's ~12,000. */
  largestBlockText: number;
  transitions: number;
  /** The CLI's stderr lines that mention what was left for the next run. */
  notes: string[];
}

export interface StormFigures {
  agents: number;
  runs: StormRunFigures[];
  /** Agents whose name appears in a top-level message or a thread reply, after all runs. */
  agentsNamed: number;
  /** Agents named in more than one top-level message (an alert posted twice). */
  agentsDoubled: number;
  /** Thread replies posted by the run that saw every agent back. */
  resolveReplies: number;
  /** Top-level messages whose latest form says the storm is over. */
  topMessagesShowingEnd: number;
}

export interface StormOptions {
  sizes: number[];
  /** How many of the runs to make (1: the storm only). */
  runs: number;
  progress: (message: string) => void;
}

function stormCenter(n: number): SimAgent[] {
  return Array.from({ length: n }, (_, i) => ({
    userId: `u-${i + 1}`,
    firstName: `Storm${i + 1}`,
    lastName: "Agent",
    email: `storm${i + 1}@example.com`,
    segments: [
      {
        primaryStatus: "AVAILABLE",
        secondaryStatus: "AVAILABLE",
        startMs: utc("03:30"),
        endMs: utc("08:00"),
      },
      { primaryStatus: "AWAY", secondaryStatus: "BREAK", startMs: utc("08:00"), endMs: utc("08:40") },
      { primaryStatus: "AVAILABLE", secondaryStatus: "AVAILABLE", startMs: utc("08:40"), endMs: null },
    ],
  }));
}

const REFUSALS = new Set(["invalid_blocks", "msg_blocks_too_long", "invalid_attachments", "msg_too_long"]);
const refused = (c: RecordedSlackCall) => REFUSALS.has(String((c.response as { error?: unknown }).error));
const isMessage = (c: RecordedSlackCall) => c.method === "chat.postMessage" || c.method === "chat.update";

const ok = (c: RecordedSlackCall) => c.status === 200 && (c.response as { ok?: boolean }).ok === true;

function textOf(call: RecordedSlackCall): string {
  return `${String(call.args.text ?? "")} ${JSON.stringify(call.args.blocks ?? "")} ${JSON.stringify(call.args.attachments ?? "")}`;
}

async function stormCase(n: number, options: StormOptions): Promise<StormFigures> {
  const sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents: stormCenter(n),
    rateLimitPerMinute: 100_000,
  });
  const slack: FakeSlack = await startFakeSlack({ token: TOKEN, rateLimit: { perSecond: 1, burst: 3 } });
  const dir = mkdtempSync(join(tmpdir(), "asa-storm-"));
  const config = join(dir, "config.yaml");
  const state = join(dir, "state.json");
  writeFileSync(
    config,
    `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
  pageSize: 50
  concurrency: 4
  requestsPerMinute: 100000
schedule:
  every: 5m
rules:
  - name: Long break
    secondaryStatus: [NBK, LUNCH, BREAK]
    threshold: 15m
    critical: 30m
repeat: 30m
slack:
  channel: ${CHANNEL}
`,
  );
  const env = {
    SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
    SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
    SLACK_BOT_TOKEN: TOKEN,
    SLACK_API_URL: slack.url,
  };
  const instants = ["08:20", "08:25", "08:35", "08:45", "08:50"].slice(0, Math.max(1, options.runs));
  const runs: StormRunFigures[] = [];
  let resolveReplies = 0;
  try {
    for (const at of instants) {
      sim.setNow(utc(at));
      const before = slack.calls.length;
      options.progress(`storm: ${n} agents, run at ${at}`);
      const started = performance.now();
      const result = await runCli(
        ["check", "--config", config, "--state", state, "--now", new Date(utc(at)).toISOString(), "--json"],
        env,
      );
      const wallMs = performance.now() - started;
      const calls = slack.calls.slice(before);
      const posts = calls.filter((c) => c.method === "chat.postMessage" && ok(c));
      let transitions = 0;
      try {
        transitions = (JSON.parse(result.stdout) as { transitions: unknown[] }).transitions.length;
      } catch {
        transitions = -1;
      }
      const figures: StormRunFigures = {
        at,
        exitCode: result.code,
        wallMs,
        slackCalls: calls.length,
        rateLimited: calls.filter((c) => c.status === 429).length,
        topLevelPosts: posts.filter((c) => c.args.thread_ts === undefined).length,
        threadReplies: posts.filter((c) => c.args.thread_ts !== undefined).length,
        updates: calls.filter((c) => c.method === "chat.update" && ok(c)).length,
        refused: calls.filter((c) => isMessage(c) && refused(c)).length,
        largestBlockText: Math.max(
          0,
          ...calls.filter(isMessage).map((c) => textLength(c.args.blocks) + textLength(c.args.attachments)),
        ),
        transitions,
        notes: result.stderr
          .split("\n")
          .filter((l) => /pending|left|budget|deadline/i.test(l))
          .slice(0, 3),
      };
      if (at === "08:45") resolveReplies = figures.threadReplies;
      runs.push(figures);
    }
    const messages = slack.messages();
    const all = messages.map((m) => `${m.text} ${JSON.stringify(m.blocks ?? "")}`).join("\n");
    const tops = slack.calls.filter(
      (c) => c.method === "chat.postMessage" && ok(c) && c.args.thread_ts === undefined,
    );
    let named = 0;
    let doubled = 0;
    for (let i = 1; i <= n; i++) {
      // Names are unique prefixes only with a word boundary: Storm1 is inside Storm10.
      const name = new RegExp(`Storm${i}\\b`);
      if (name.test(all)) named++;
      if (tops.filter((c) => name.test(textOf(c))).length > 1) doubled++;
    }
    const topMessagesShowingEnd = messages.filter(
      (m) => m.thread_ts === undefined && /\ball \d+ over\b|Resolved/i.test(m.text),
    ).length;
    return {
      agents: n,
      runs,
      agentsNamed: named,
      agentsDoubled: doubled,
      resolveReplies,
      topMessagesShowingEnd,
    };
  } finally {
    await Promise.all([sim.close(), slack.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function stormSection(
  options: StormOptions,
): Promise<{ figures: StormFigures[]; text: string }> {
  const figures: StormFigures[] = [];
  for (const n of options.sizes) figures.push(await stormCase(n, options));
  const lines = [
    "Storm — N agents on break past the threshold at once, one channel; the real CLI against the fake Slack",
    "  with chat.postMessage limited per channel (1/s, burst 3, 429 + Retry-After); runs 5 min apart on --now",
  ];
  for (const f of figures) {
    lines.push(
      `  ${f.agents} agents: named ${f.agentsNamed}/${f.agents}, doubled ${f.agentsDoubled}, top messages showing the end ${f.topMessagesShowingEnd}, replies when all ended ${f.resolveReplies}`,
    );
    for (const r of f.runs)
      lines.push(
        `    ${r.at}: exit ${r.exitCode}, wall ${(r.wallMs / 1000).toFixed(1)} s, Slack calls ${r.slackCalls}, 429s ${r.rateLimited}, top-level ${r.topLevelPosts}, replies ${r.threadReplies}, updates ${r.updates}, refused ${r.refused}, largest block text ${r.largestBlockText}, transitions ${r.transitions}${r.notes.length > 0 ? ` — ${r.notes.join(" | ")}` : ""}`,
      );
  }
  return { figures, text: lines.join("\n") };
}
