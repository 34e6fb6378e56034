/**
 * Acting on an alert from Slack, end to end as a user runs it: `check` posts the alert, `serve` (a real
 * child process) takes signed clicks on its buttons, the next `check` honours them. SmartAssist is the
 * simulator, Slack the fake Web API; the clicks are signed exactly as Slack signs them.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formBody } from "../../functions/adapters/slack/interaction-payload.js";
import { signSlackRequest } from "../../functions/adapters/slack/signature.js";
import type { AlertRecord, RunSummary } from "../../functions/domain/alert.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";
import { runCli } from "./run-cli.js";
import { iso, person, seg as s, utc } from "./story.js";

const TOKEN = "xoxb-serve-e2e";
const SIGNING_SECRET = "e2e-signing-secret-0123456789abcdef";
const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

/** This file's stories name the agent first. */
const named = (n: number, first: string, segments: SimAgent["segments"]) => person(n, segments, first);

/** Three agents on long breaks from 08:00; every alert fires at 08:15. */
const CENTER: SimAgent[] = [
  named(1, "Priya", [s("AVAILABLE", "AVAILABLE", "03:30", "08:00"), s("AWAY", "LUNCH", "08:00", null)]),
  named(2, "Rohan", [s("AVAILABLE", "AVAILABLE", "03:30", "08:00"), s("AWAY", "BREAK", "08:00", null)]),
  named(3, "Meera", [s("AVAILABLE", "AVAILABLE", "03:30", "08:00"), s("AWAY", "NBK", "08:00", null)]),
];

let sim: Simulator;
let slack: FakeSlack;
let dir: string;
let configPath: string;
let statePath: string;
let server: ChildProcess;
let url: string;

const env = () => ({
  SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
  SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
  SLACK_BOT_TOKEN: TOKEN,
  SLACK_API_URL: slack.url,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
});

async function check(at: string): Promise<RunSummary> {
  sim.setNow(utc(at));
  const result = await runCli(
    ["check", "--config", configPath, "--now", iso(at), "--state", statePath, "--json"],
    env(),
  );
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as RunSummary;
}

function stored(): AlertRecord[] {
  return (JSON.parse(readFileSync(statePath, "utf8")) as { alerts: AlertRecord[] }).alerts;
}

/** The alert's top message in the fake channel, found by the agent's name. */
function topMessage(name: string) {
  const top = slack.messages().find((m) => m.thread_ts === undefined && m.text.includes(name));
  if (!top) throw new Error(`no message for ${name}`);
  return top;
}

/** The actions block of a top message: its block_id is the alert id Slack sends back. */
function actionsBlockId(name: string): string {
  const attachments = (topMessage(name) as { attachments?: Array<{ blocks: unknown[] }> }).attachments;
  const blocks = (attachments?.[0]?.blocks ?? []) as Array<{ type: string; block_id?: string }>;
  const actions = blocks.find((b) => b.type === "actions");
  if (!actions?.block_id) throw new Error(`no actions block on ${name}'s alert`);
  return actions.block_id;
}

function clickPayload(alertId: string, actionId: string, user = "U0SUPER", selected?: string) {
  return {
    type: "block_actions",
    user: { id: user, username: "super" },
    channel: { id: "C-OPS" },
    actions: [
      {
        action_id: actionId,
        block_id: alertId,
        type: selected ? "static_select" : "button",
        ...(selected ? { selected_option: { value: selected } } : { value: "x" }),
      },
    ],
  };
}

async function post(body: string, headers: Record<string, string>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
  return { status: response.status, text: await response.text() };
}

/** A click as Slack sends it, signed now (the endpoint's window is about real time). */
function click(payload: unknown, secret = SIGNING_SECRET, timestamp = Math.floor(Date.now() / 1000)) {
  const body = formBody(payload);
  return post(body, {
    "X-Slack-Request-Timestamp": String(timestamp),
    "X-Slack-Signature": signSlackRequest(secret, timestamp, body),
  });
}

beforeAll(async () => {
  [sim, slack] = await Promise.all([
    startSimulator({ ...DEMO_CREDENTIALS, agents: CENTER, rateLimitPerMinute: 10_000 }),
    startFakeSlack({ token: TOKEN }),
  ]);
  dir = mkdtempSync(join(tmpdir(), "serve-e2e-"));
  configPath = join(dir, "alerts.config.yaml");
  statePath = join(dir, "state.json");
  writeFileSync(
    configPath,
    `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
schedule:
  every: 5m
rules:
  - name: Long break
    secondaryStatus: [NBK, LUNCH, BREAK]
    threshold: 15m
    critical: 30m
repeat: 10m
slack:
  channel: C-OPS
  escalationMention: S0SUPERVISORS
  responders: [U0SUPER, U0LEAD]
`,
  );
  server = spawn(
    TSX,
    ["functions/cli/main.ts", "serve", "--config", configPath, "--state", statePath, "--port", "0"],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env() },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  url = await new Promise<string>((resolve, reject) => {
    let out = "";
    server.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const found = /listening on (http:\S+)/.exec(out);
      if (found?.[1]) resolve(found[1]);
    });
    server.on("exit", (code) => reject(new Error(`serve exited with ${code}`)));
  });
}, 60_000);

afterAll(async () => {
  server?.kill("SIGTERM");
  await Promise.all([sim?.close(), slack?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe("check + serve: people act on alerts from Slack", () => {
  it("acknowledge, snooze and excuse change the message at once and the next runs honour them", async () => {
    // Prepare: three alerts fire at 08:15 (08:00 + 15m).
    const first = await check("08:15");
    expect(first.transitions.map((t) => t.type)).toEqual(["fired", "fired", "fired"]);
    const priya = actionsBlockId("Priya");
    const rohan = actionsBlockId("Rohan");
    const meera = actionsBlockId("Meera");

    // Act: one supervisor acknowledges Priya, another snoozes Rohan for 1h, Meera is excused.
    const answers = [
      await click(clickPayload(priya, "alert.ack", "U0SUPER")),
      await click(clickPayload(rohan, "alert.snooze", "U0LEAD", "1h")),
      await click(clickPayload(meera, "alert.excuse", "U0SUPER")),
    ];

    // Assess: answered 200, state changed, the messages say who did what, a reply in each thread.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const records = new Map(stored().map((r) => [r.id, r]));
    expect(records.get(priya)).toMatchObject({ acknowledgedBy: "U0SUPER" });
    expect(records.get(priya)?.actionPending).toBeUndefined();
    expect(records.get(rohan)).toMatchObject({ snoozedBy: "U0LEAD" });
    expect(records.get(meera)).toMatchObject({ excusedBy: "U0SUPER" });
    expect(JSON.stringify(topMessage("Priya"))).toContain("Acknowledged by <@U0SUPER>");
    expect(JSON.stringify(topMessage("Rohan"))).toContain("Snoozed by <@U0LEAD> until");
    expect(JSON.stringify(topMessage("Meera"))).toContain("Excused by <@U0SUPER>");
    // An acknowledged message no longer offers Acknowledge; an excused one offers nothing.
    expect(JSON.stringify(topMessage("Priya"))).not.toContain('"alert.ack"');
    expect(JSON.stringify(topMessage("Meera"))).not.toContain('"actions"');
    const replies = slack.messages().filter((m) => m.thread_ts !== undefined);
    expect(replies.map((r) => r.text).join("\n")).toMatch(
      /acknowledged this[\s\S]*snoozed this[\s\S]*excused/,
    );

    // Act: runs until 08:45. Without actions: a reminder at 08:25 and 08:35, critical at 08:30.
    const types: string[] = [];
    for (const at of ["08:20", "08:25", "08:30", "08:35", "08:40", "08:45"]) {
      const summary = await check(at);
      types.push(...summary.transitions.map((t) => `${at} ${t.type} ${t.name.split(" ")[0]}`));
    }

    // Assess: Priya escalates (no reminders), Rohan nothing (snoozed until 09:15+), Meera nothing.
    expect(types).toEqual(["08:30 escalated Priya"]);
    const escalation = slack
      .messages()
      .find((m) => m.thread_ts === topMessage("Priya").ts && m.text.includes("CRITICAL"));
    expect(escalation?.text).not.toContain("subteam");
    const last = await check("08:50");
    const byName = new Map(last.firing.map((f) => [f.name.split(" ")[0], f]));
    expect(byName.get("Priya")?.acknowledgedBy).toBe("U0SUPER");
    expect(byName.get("Rohan")?.snoozedUntil).toMatch(/Z$/);
    expect(byName.get("Meera")?.excusedBy).toBe("U0SUPER");
  });

  it("refuses forged, unsigned, replayed, oversized and malformed requests, changing nothing", async () => {
    // Prepare
    const before = readFileSync(statePath, "utf8");
    const payload = clickPayload("u-1#Long break#2023-03-10T08:00:00.000Z", "alert.excuse");
    const body = formBody(payload);
    const now = Math.floor(Date.now() / 1000);

    // Act
    const forged = await click(payload, "not-the-signing-secret");
    const unsigned = await post(body, {});
    const replayed = await click(payload, SIGNING_SECRET, now - 301);
    const oversized = await click({ ...payload, padding: "x".repeat(70_000) });
    const malformed = await post("payload=%7Bnot-json", {
      "X-Slack-Request-Timestamp": String(now),
      "X-Slack-Signature": signSlackRequest(SIGNING_SECRET, now, "payload=%7Bnot-json"),
    });
    const otherType = await click({ type: "view_submission", user: { id: "U0SUPER" } });

    // Assess
    expect([forged, unsigned, replayed, oversized, malformed, otherType].map((r) => r.status)).toEqual([
      401, 401, 401, 413, 400, 200,
    ]);
    expect(readFileSync(statePath, "utf8")).toBe(before);
  });

  it("someone outside slack.responders, or a click on an alert that is over, changes nothing", async () => {
    // Prepare
    const before = readFileSync(statePath, "utf8");
    const priya = actionsBlockId("Priya");
    const ephemeralsBefore = slack.calls.filter((c) => c.method === "chat.postEphemeral").length;

    // Act
    const outsider = await click(clickPayload(priya, "alert.excuse", "U0RANDOM"));
    const unknown = await click(clickPayload("u-9#Long break#2023-03-10T08:00:00.000Z", "alert.ack"));

    // Assess: 200 (Slack shows no error), an ephemeral answer each, the state untouched.
    expect([outsider.status, unknown.status]).toEqual([200, 200]);
    const ephemerals = slack.calls.filter((c) => c.method === "chat.postEphemeral").slice(ephemeralsBefore);
    expect(ephemerals.map((c) => String(c.args.text))).toEqual([
      expect.stringContaining("not one of this alert's responders"),
      expect.stringContaining("over or no longer tracked"),
    ]);
    expect(ephemerals.map((c) => c.args.user)).toEqual(["U0RANDOM", "U0SUPER"]);
    expect(readFileSync(statePath, "utf8")).toBe(before);
  });
});
