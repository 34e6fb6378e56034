/**
 * The board end to end: `check` runs of the CLI (a child process) against the SmartAssist simulator
 * and the fake Slack, with `slack.board: true`: the board's text as Slack shows it, the summary's
 * `boards`, and how many Slack calls each run makes for it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunSummary } from "../../functions/domain/alert.js";
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

const TOKEN = "xoxb-e2e-board";

/** Priya at lunch from 08:00 to 08:52; Rohan BUSY from 08:10 (his alert is due at 08:40); 40 others. */
const CENTER: SimAgent[] = [
  person(
    1,
    [
      s("AVAILABLE", "AVAILABLE", "03:30", "08:00"),
      s("AWAY", "LUNCH", "08:00", "08:52"),
      s("AVAILABLE", "AVAILABLE", "08:52", null),
    ],
    "Priya",
  ),
  person(2, [s("AVAILABLE", "AVAILABLE", "03:30", "08:10"), s("BUSY", "BUSY", "08:10", null)], "Rohan"),
  person(3, [s("AWAY", "NBK", "08:14", null)]),
  person(4, [s("AWAY", "BREAK", "03:30", "04:00")]),
  ...Array.from({ length: 37 }, (_, i) => person(10 + i, [s("AVAILABLE", "AVAILABLE", "03:30", null)])),
];

let sim: Simulator;
let slack: FakeSlack;
let dir: string;
let configPath: string;
let statePath: string;

beforeAll(async () => {
  sim = await startSimulator({ ...DEMO_CREDENTIALS, agents: CENTER, rateLimitPerMinute: 10_000 });
  slack = await startFakeSlack({ token: TOKEN });
  dir = mkdtempSync(join(tmpdir(), "asa-board-"));
  configPath = join(dir, "config.yaml");
  statePath = join(dir, "state.json");
  writeFileSync(
    configPath,
    `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
  pageSize: 25
schedule:
  every: 5m
rules:
  - name: Long break
    secondaryStatus: [NBK, LUNCH, BREAK]
    threshold: 15m
  - name: Stuck in BUSY
    primaryStatus: BUSY
    threshold: 30m
slack:
  channel: C-OPS
  board: true
  pinBoard: true
`,
  );
});

afterAll(async () => {
  await Promise.all([sim.close(), slack.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const env = () => ({
  SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
  SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
  SLACK_BOT_TOKEN: TOKEN,
  SLACK_API_URL: slack.url,
});

const isBoardCall = (c: FakeSlack["calls"][number]) =>
  c.method === "pins.add" || String(c.args.text ?? "").startsWith("Now stuck:");

/** One `check` at `at` (UTC HH:MM): its summary and the board calls it made. */
async function check(at: string) {
  sim.setNow(utc(at));
  const before = slack.calls.length;
  const result = await runCli(
    ["check", "--config", configPath, "--now", iso(at), "--state", statePath, "--json"],
    env(),
  );
  expect(result.code, result.stderr).toBe(0);
  const summary = JSON.parse(result.stdout) as RunSummary;
  const calls = slack.calls.slice(before).filter(isBoardCall);
  return { summary, calls: calls.map((c) => c.method) };
}

const board = () => slack.messages().find((m) => m.text.startsWith("Now stuck:"));

describe("the board through check runs", () => {
  it("posts, pins, keeps current, and stays quiet when only the clock moved", async () => {
    // 08:16 (13:46 in India): Priya is 16 minutes into lunch; agent3 on NBK for 2.
    const first = await check("08:16");
    expect(first.calls).toEqual(["chat.postMessage", "pins.add"]);
    const ts = first.summary.boards?.[0]?.ts;
    expect(first.summary.boards).toEqual([
      { channel: "C-OPS", ts: expect.any(String), stuck: 1, comingUp: 0 },
    ]);
    expect(board()?.text).toBe("Now stuck: 1 of 41 agents (Long break 1) · as of 13:46");
    expect(JSON.stringify(board()?.blocks)).toContain(
      "AVAILABLE 37 · BUSY 1 · AWAY 2 (LUNCH 1, NBK 1) · logged out 1",
    );
    expect(slack.pins()).toHaveLength(1);

    // A minute later nothing changed but the clock: no board call.
    const quiet = await check("08:17");
    expect(quiet.calls).toEqual([]);
    expect(quiet.summary.boards?.[0]?.ts).toBe(ts);

    // Agent3's NBK reaches its threshold at 08:29: a new line, an update in place.
    const changed = await check("08:29");
    expect(changed.calls).toEqual(["chat.update"]);
    expect(board()?.text).toBe("Now stuck: 2 of 41 agents (Long break 2) · as of 13:59");

    // Nothing changes for 5 minutes: the elapsed figures are redrawn once the interval is up.
    expect((await check("08:32")).calls).toEqual([]);
    expect((await check("08:34")).calls).toEqual(["chat.update"]);

    // 08:36: Rohan's alert falls due at 08:40, within the next 5 minutes: coming up.
    const coming = await check("08:36");
    expect(coming.calls).toEqual(["chat.update"]);
    expect(coming.summary.boards).toEqual([{ channel: "C-OPS", ts, stuck: 2, comingUp: 1 }]);
    expect(JSON.stringify(board()?.blocks)).toMatch(/Rohan Test\*.*BUSY.*due in 4 min/);

    // 08:41: Rohan is stuck; in config order, Long break before Stuck in BUSY.
    await check("08:41");
    expect(board()?.text).toBe("Now stuck: 3 of 41 agents (Long break 2, Stuck in BUSY 1) · as of 14:11");

    // The state file keeps the board under `boards`.
    const state = JSON.parse(readFileSync(statePath, "utf8")) as { boards: Record<string, { ts: string }> };
    expect(state.boards["C-OPS"]?.ts).toBe(ts);
    expect(slack.pins()).toHaveLength(1);
    expect(slack.messages().filter((m) => m.text.startsWith("Now stuck:"))).toHaveLength(1);
  });

  it("posts the board anew when it was deleted", async () => {
    // 08:46: five minutes after the last redraw, and no alert message to update in this run.
    slack.failNext("chat.update", { error: "message_not_found" });
    const run = await check("08:46");
    expect(run.calls).toEqual(["chat.update", "chat.postMessage", "pins.add"]);
    expect(run.summary.boards?.[0]?.ts).not.toBeNull();
    expect(
      slack
        .messages()
        .filter((m) => m.text.startsWith("Now stuck:"))
        .at(-1)?.text,
    ).toBe("Now stuck: 3 of 41 agents (Long break 2, Stuck in BUSY 1) · as of 14:16");
    expect(slack.pins()).toHaveLength(2);
  });
});
