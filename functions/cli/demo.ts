/**
 * `npm start`: the demo. An embedded SmartAssist simulator with a hand-shaped center, a local fake of
 * Slack's Web API, and the real engine run twice (now, and 35 minutes later) with the config template's
 * rules. Shows the Slack channel as it would read (the board updated in place between the runs), a
 * `/agent-status` answer, then the day's digest and its chart (a PNG file).
 * No credentials, no AWS.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeSlack } from "../../test/fakes/slack/fake-slack.js";
import { renderSlackMessages } from "../../test/fakes/slack/terminal-render.js";
import { DEMO_CAST, demoCenter } from "../../test/fakes/smartassist/demo-center.js";
import { DEMO_CREDENTIALS, startSimulator } from "../../test/fakes/smartassist/simulator.js";
import { COMMANDS_PATH } from "../adapters/slack/command-request.js";
import { formBody } from "../adapters/slack/interaction-payload.js";
import { signSlackRequest } from "../adapters/slack/signature.js";
import { readRawConfig } from "../config-file.js";
import type { AlertRecord } from "../domain/alert.js";
import { parseConfig } from "../domain/config.js";
import { formatDuration } from "../domain/duration.js";
import { localDateTime, localTimeOfDay } from "../domain/time.js";
import { localCheck } from "./check.js";
import { localReport } from "./report.js";
import { type RunningServer, serveInteractions } from "./serve.js";
import { stderrLog } from "./stderr-log.js";

const TIMEZONE = "Asia/Kolkata";
const SLACK_TOKEN = "xoxb-demo-token";
const SIGNING_SECRET = "demo-signing-secret";
/** The supervisor who clicks in the demo, and the agent who is in Slack to be nudged. */
const SUPERVISOR = "U0DEMOSUPV";
const DEV_IN_SLACK = "U0DEMODEV1";
const LATER_MS = 35 * 60_000;
/** Outside the repository and kept after the demo, so it can be opened afterwards. */
const DIGEST_PNG = join(tmpdir(), "agent-status-alerts-demo-digest.png");

async function demo(): Promise<void> {
  const started = performance.now();
  const color = process.stdout.isTTY === true;
  const bold = (text: string) => (color ? `\u001b[1m${text}\u001b[0m` : text);
  const nowMs = Math.floor(Date.now() / 60_000) * 60_000;

  const agents = demoCenter(nowMs, TIMEZONE);
  // One garbage row among the real ones, to show it is skipped and reported, not fatal.
  const sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents,
    now: nowMs,
    malformed: [
      {
        index: 11,
        row: {
          userId: "u-broken",
          email: "broken@example.com",
          status: [{ primaryStatus: "BUSY", startTime: "not-a-time", endTime: "-" }],
        },
      },
    ],
  });
  const slack = await startFakeSlack({
    token: SLACK_TOKEN,
    users: { [DEMO_CAST.nudgedBreak]: DEV_IN_SLACK, "ops.supervisor@example.com": SUPERVISOR },
  });
  const stateDir = mkdtempSync(join(tmpdir(), "agent-status-alerts-demo-"));
  let endpoint: RunningServer | undefined;
  try {
    const raw = readRawConfig(new URL("../../alerts.config.yaml", import.meta.url).pathname) as Record<
      string,
      unknown
    >;
    const smartassist = raw.smartassist as Record<string, unknown>;
    const { config } = parseConfig(
      {
        ...raw,
        timezone: TIMEZONE,
        smartassist: {
          ...smartassist,
          host: sim.url,
          accountId: DEMO_CREDENTIALS.accountId,
          iId: DEMO_CREDENTIALS.iId,
        },
      },
      "alerts.config.yaml (demo)",
    );
    const env = {
      SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_API_URL: slack.url,
    };
    const statePath = join(stateDir, "state.json");
    const channelNames = { [config.slack.channel ?? ""]: "contact-center-alerts" };
    endpoint = await serveInteractions({
      config,
      statePath,
      signingSecret: SIGNING_SECRET,
      slackBotToken: SLACK_TOKEN,
      slackApiUrl: slack.url,
      port: 0,
      log: stderrLog("error"),
    });
    const { url } = endpoint;
    /** A supervisor's click, signed as Slack signs it, sent to the local endpoint (`cli serve`). */
    const click = async (record: AlertRecord, actionId: string, selected?: string) => {
      const body = formBody({
        type: "block_actions",
        user: { id: SUPERVISOR, username: "supervisor" },
        channel: { id: record.channel },
        message: { ts: record.slackTs },
        actions: [
          {
            action_id: actionId,
            block_id: record.id,
            ...(selected
              ? { type: "static_select", selected_option: { value: selected } }
              : { type: "button" }),
          },
        ],
      });
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": String(timestamp),
          "x-slack-signature": signSlackRequest(SIGNING_SECRET, timestamp, body),
        },
        body,
      });
      return response.status;
    };

    for (const [label, at] of [
      ["First run", nowMs],
      ["35 minutes later", nowMs + LATER_MS],
    ] as const) {
      sim.setNow(at);
      const result = await localCheck({
        config,
        nowMs: at,
        statePath,
        dryRun: false,
        env,
        log: stderrLog("error"),
      });
      const { summary } = result;
      process.stdout.write(
        `\n${bold(`${label}: ${localDateTime(TIMEZONE, at)} (${TIMEZONE})`)} — checked ${summary.checkedAgents} agents on ${summary.pages} page(s)\n`,
      );
      for (const t of summary.transitions) {
        process.stdout.write(
          `  ${t.type.padEnd(9)} ${t.name}: ${t.rule}, ${formatDuration(t.elapsedSeconds)}${t.type === "nudged" ? " (a DM to the agent, no alert)" : ` (${t.severity})`}\n`,
        );
      }
      const nudged = summary.transitions.filter((t) => t.type === "nudged").length;
      if (nudged > 0)
        process.stdout.write(
          `  nudges    ${nudged - result.slack.nudgesSkipped} sent as a DM, ${result.slack.nudgesSkipped} skipped (agent not in Slack)\n`,
        );
      const state = JSON.parse(readFileSync(statePath, "utf8")) as { alerts: AlertRecord[] };
      for (const r of state.alerts.filter((a) => a.state === "averted" && (a.endedMs ?? 0) > at - LATER_MS))
        process.stdout.write(`  averted   ${r.name}: back before the threshold after the nudge, no alert\n`);
      for (const s of summary.skipped)
        process.stdout.write(`  skipped   ${s.userId ?? "(no userId)"}: ${s.reason}\n`);
      if (at === nowMs) {
        // On time: an episode's next moment is known, so it is looked at again at that instant.
        for (const next of summary.due.filter((d) => d.kind === "fire" || d.kind === "nudge")) {
          const dueMs = Date.parse(next.at);
          process.stdout.write(
            `\n${bold(`Due at ${localTimeOfDay(TIMEZONE, dueMs)}: ${next.email} (${next.kind}) is read again then, not at the next run`)}\n`,
          );
          sim.setNow(dueMs);
          const recheck = await localCheck({
            config,
            nowMs: dueMs,
            statePath,
            dryRun: false,
            env,
            log: stderrLog("error"),
            dueEmails: [next.email],
          });
          for (const t of recheck.summary.transitions)
            process.stdout.write(
              `  ${t.type.padEnd(9)} ${t.name}: ${t.rule}, ${formatDuration(t.elapsedSeconds)} — at ${localTimeOfDay(TIMEZONE, Date.parse(t.at))}, ${Math.round((Date.parse(t.at) - dueMs) / 1000)} s after its due instant\n`,
            );
          if (recheck.summary.transitions.length === 0)
            process.stdout.write("  nothing to send: the agent was back before the threshold\n");
        }
        // The loop people act on: a supervisor takes one alert and snoozes another, from Slack.
        const open = JSON.parse(readFileSync(statePath, "utf8")) as { alerts: AlertRecord[] };
        const byEmail = new Map(open.alerts.map((r) => [r.email, r]));
        const rohan = byEmail.get(DEMO_CAST.stuckBusy);
        const priya = byEmail.get(DEMO_CAST.criticalNbk);
        process.stdout.write(
          `\n${bold("In Slack, a supervisor acts (signed requests to the local endpoint):")}\n`,
        );
        if (rohan)
          process.stdout.write(
            `  Acknowledge on ${rohan.name}'s alert → HTTP ${await click(rohan, "alert.ack")}\n`,
          );
        if (priya)
          process.stdout.write(
            `  Snooze 1h on ${priya.name}'s alert → HTTP ${await click(priya, "alert.snooze", "1h")}\n`,
          );
      }
      process.stdout.write(`\n${bold("Slack now reads:")}\n\n`);
      process.stdout.write(
        `${renderSlackMessages(slack.messages(), {
          color,
          channelNames,
          users: slack.users,
          directMessages: slack.directMessages,
        })}\n`,
      );
    }
    // /agent-status, typed in the channel: an ephemeral copy of the board, narrowed to a name.
    const slash = new URLSearchParams({
      command: "/agent-status",
      text: "priya",
      channel_id: config.slack.channel ?? "",
      user_id: SUPERVISOR,
    }).toString();
    const slashTs = Math.floor(Date.now() / 1000);
    const slashStarted = performance.now();
    const answer = await fetch(new URL(COMMANDS_PATH, url), {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": String(slashTs),
        "x-slack-signature": signSlackRequest(SIGNING_SECRET, slashTs, slash),
      },
      body: slash,
    });
    const shown = (await answer.json()) as { text?: string; blocks?: unknown[] };
    const ms = (performance.now() - slashStarted).toFixed(0);
    process.stdout.write(
      `\n${bold("/agent-status priya")} (signed, to the local endpoint) → HTTP ${answer.status} in ${ms} ms, only the caller sees:\n\n`,
    );
    process.stdout.write(
      `${renderSlackMessages([{ channel: config.slack.channel ?? "", ts: "0", text: shown.text ?? "", blocks: shown.blocks, updates: [] }], { color, channelNames, users: slack.users })}\n`,
    );

    // The day so far, as the digest sees it: history of the ended alerts, the open ones up to now.
    const endMs = nowMs + LATER_MS;
    const digest = await localReport({
      config,
      statePath,
      nowMs: endMs,
      format: "text",
      pngPath: DIGEST_PNG,
    });
    process.stdout.write(
      `\n${bold("The shift digest so far")} (npm run cli -- report):\n\n${digest.stdout}\n`,
    );
    process.stdout.write(`\nChart written to ${DIGEST_PNG}\n`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `\n${slack.calls.length} Slack API calls to a local fake, ${sim.requests.length} SmartAssist requests to the simulator, in ${seconds}s.\n` +
        "Next: `npm run cli -- validate --config alerts.config.yaml`, or `npm run cli -- simulate` and `check` against it (see README).\n",
    );
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
    await Promise.all([sim.close(), slack.close(), endpoint?.close()]);
  }
}

demo().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
