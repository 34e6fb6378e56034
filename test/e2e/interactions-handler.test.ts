/**
 * The `interactions` Lambda as Lambda invokes it: a Function URL event (base64 form body), the real
 * entry module, DynamoDB on dynalite, the fake Slack on loopback; Secrets Manager and EventBridge
 * mocked (no local peer exists).
 */

import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { blockIdFor } from "../../functions/adapters/slack/block-id.js";
import { formBody } from "../../functions/adapters/slack/interaction-payload.js";
import {
  answerInteraction,
  responseUrlResponder,
} from "../../functions/adapters/slack/interaction-request.js";
import { signSlackRequest } from "../../functions/adapters/slack/signature.js";
import { slackNotifierFor } from "../../functions/adapters/slack/slack-notifier.js";
import { DynamoDbAlertStore } from "../../functions/adapters/state/dynamodb-store.js";
import {
  ACKNOWLEDGE_ALL_CONCURRENCY,
  ACKNOWLEDGE_ALL_WRITES_MS,
} from "../../functions/app/acknowledge-all.js";
import { mapBounded } from "../../functions/app/bounded.js";
import { handleInteraction, type InteractionDeps } from "../../functions/app/handle-interaction.js";
import { runCheck } from "../../functions/app/run-check.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { boardSnapshot } from "../../functions/domain/board.js";
import { parseConfig } from "../../functions/domain/config.js";
import { slackActionFor } from "../../functions/domain/delivery.js";
import { owedRollupAcks, withRollupAcks } from "../../functions/domain/rollup-ack.js";
import type { FunctionUrlEvent, FunctionUrlResult } from "../../functions/lambda/interactions-endpoint.js";
import type { AlertStore, InteractionNotifier } from "../../functions/ports.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
import { type FakeSlack, startFakeSlack } from "../fakes/slack/fake-slack.js";
import { NOBODY } from "../fakes/smartassist/nobody-source.js";
import { lunchAlert } from "../fixtures/lunch-alert.js";

const TOKEN = "xoxb-interactions-test";
const SIGNING_SECRET = "interactions-signing-secret-42";
const SECRET_ID = "arn:aws:secretsmanager:us-east-1:111122223333:secret:agent-status-alerts-AbCdEf";
const CHANNEL = "C0123456789";

const secretsMock = mockClient(SecretsManagerClient);
const eventsMock = mockClient(EventBridgeClient);

let slack: FakeSlack;
let dynamo: LocalDynamo;
const rawConfig = {
  timezone: "Asia/Kolkata",
  smartassist: { host: "https://platform.kore.ai", accountId: "acc", iId: "st-1" },
  rules: [{ name: "Long break", secondaryStatus: ["LUNCH"], threshold: "15m", critical: "30m" }],
  slack: { channel: CHANNEL },
};
const { config } = parseConfig(rawConfig, "test config");

function secretString(): string {
  return JSON.stringify({
    clientId: "cs-test",
    clientSecret: "smartassist-secret",
    slackBotToken: TOKEN,
    slackSigningSecret: SIGNING_SECRET,
  });
}

/** An open alert, live now, posted to the fake Slack, stored in the table. */
async function postedAlert(store: AlertStore, overrides: Partial<AlertRecord> = {}): Promise<AlertRecord> {
  const nowMs = Date.now();
  const record = lunchAlert({
    sinceMs: nowMs - 20 * 60_000,
    firedMs: nowMs - 5 * 60_000,
    lastNotifiedMs: nowMs - 5 * 60_000,
    expiresAt: Math.floor(nowMs / 1000) + 86_400,
    channel: CHANNEL,
    ...overrides,
  });
  const notifier = slackNotifierFor(config, { token: TOKEN, apiUrl: slack.url, nowMs });
  const posted = await notifier.deliver({ kind: "post", record });
  if (!posted.ok || !posted.ts) throw new Error(`post failed: ${posted.error}`);
  const stored = { ...record, slackTs: posted.ts, notifiedSeverity: record.severity };
  expect(await store.put(stored, null)).toBe(true);
  return stored;
}

/** A Function URL event carrying a click, signed as Slack signs it. */
function urlEvent(
  payload: unknown,
  options: { secret?: string; timestamp?: number; path?: string; rawBody?: string } = {},
) {
  const body = options.rawBody ?? formBody(payload);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    rawPath: options.path ?? "/slack/interactions",
    isBase64Encoded: true,
    body: Buffer.from(body).toString("base64"),
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": signSlackRequest(options.secret ?? SIGNING_SECRET, timestamp, body),
    },
    requestContext: { http: { method: "POST" } },
  } satisfies FunctionUrlEvent;
}

const ack = (alertId: string, user = "U0SUPER") => ({
  type: "block_actions",
  user: { id: user },
  channel: { id: CHANNEL },
  actions: [{ action_id: "alert.ack", block_id: alertId, type: "button" }],
});

beforeAll(async () => {
  [slack, dynamo] = await Promise.all([startFakeSlack({ token: TOKEN }), startDynalite()]);
});

afterAll(async () => {
  await Promise.all([slack?.close(), dynamo?.close()]);
  secretsMock.restore();
  eventsMock.restore();
});

beforeEach(() => {
  secretsMock.reset();
  eventsMock.reset();
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: secretString() });
  eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] });
});

describe("the interactions Lambda (Function URL event, real entry module)", () => {
  it("acknowledges: 200, the record changed, the message redrawn, the thread told, the event put", async () => {
    // Prepare
    const tableName = await dynamo.createAlertTable();
    const store = new DynamoDbAlertStore({ tableName, client: dynamo.client, nowMs: Date.now });
    const alert = await postedAlert(store);
    vi.stubEnv("APP_CONFIG", JSON.stringify(rawConfig));
    vi.stubEnv("SECRET_ID", SECRET_ID);
    vi.stubEnv("TABLE_NAME", tableName);
    vi.stubEnv("EVENT_BUS_NAME", "default");
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
    vi.stubEnv("SLACK_API_URL", slack.url);
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
    vi.stubEnv("POWERTOOLS_LOG_LEVEL", "ERROR");
    const { handler } = (await import("../../functions/lambda/interactions.js")) as {
      handler: (event: FunctionUrlEvent) => Promise<FunctionUrlResult>;
    };

    // Act
    const result = await handler(urlEvent(ack(alert.id)));

    // Assess (the 3 s answer time is measured by `npm run bench -- --only=interactions`, not here)
    expect(result.statusCode).toBe(200);
    expect(await store.get(alert.id)).toMatchObject({
      acknowledgedBy: "U0SUPER",
      version: alert.version + 2,
    });
    const top = slack.messages().find((m) => m.ts === alert.slackTs);
    expect(JSON.stringify(top)).toContain("Acknowledged by <@U0SUPER>");
    expect(
      slack.messages().some((m) => m.thread_ts === alert.slackTs && m.text.includes("acknowledged")),
    ).toBe(true);
    const entries = eventsMock.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    expect(entries.map((e) => e.DetailType)).toEqual(["Agent Status Alert Acknowledged"]);
    expect(JSON.parse(String(entries[0]?.Detail))).toMatchObject({ type: "acknowledged", by: "U0SUPER" });

    // Act: forged, stale, oversized, malformed, wrong path — nothing changes.
    const before = await store.get(alert.id);
    const answers = await Promise.all([
      handler(urlEvent(ack(alert.id), { secret: "forged" })),
      handler(urlEvent(ack(alert.id), { timestamp: Math.floor(Date.now() / 1000) - 600 })),
      handler(urlEvent({ ...ack(alert.id), pad: "x".repeat(66_000) })),
      handler(urlEvent(undefined, { rawBody: "nothing=here" })),
      handler(urlEvent(ack(alert.id), { path: "/other" })),
    ]);
    // Assess
    expect(answers.map((a) => a.statusCode)).toEqual([401, 401, 413, 400, 404]);
    expect(answers.map((a) => a.body).join(" ")).not.toContain(SIGNING_SECRET);
    expect(await store.get(alert.id)).toEqual(before);

    // /agent-status at /slack/commands, from the board's `#board#<channel>` item: verified the same way.
    await store.saveBoard({
      channel: CHANNEL,
      ts: "1.000100",
      snapshot: boardSnapshot(
        { ...config, slack: { ...config.slack, channel: CHANNEL } },
        {
          channel: CHANNEL,
          nowMs: Date.now(),
          counts: { agents: 41, primary: { AWAY: 1, AVAILABLE: 40 }, away: { LUNCH: 1 }, loggedOut: 0 },
          open: [alert],
          due: [],
          everyMs: 300_000,
        },
      ),
    });
    expect((await store.load()).map((r) => r.id)).toEqual([alert.id]);
    const slash = new URLSearchParams({
      command: "/agent-status",
      text: "priya",
      channel_id: CHANNEL,
      user_id: "U0SUPER",
    }).toString();
    const commandAnswer = await handler(urlEvent(undefined, { rawBody: slash, path: "/slack/commands" }));
    expect(commandAnswer.statusCode).toBe(200);
    expect(commandAnswer.headers["content-type"]).toContain("application/json");
    const shown = JSON.parse(commandAnswer.body) as {
      response_type: string;
      text: string;
      blocks: unknown[];
    };
    expect(shown.response_type).toBe("ephemeral");
    expect(shown.text).toMatch(/^Now stuck: 1 of 41 agents \(Long break 1\) · as of \d\d:\d\d$/);
    expect(JSON.stringify(shown.blocks)).toContain("Priya Sharma");
    const forgedCommand = await handler(
      urlEvent(undefined, { rawBody: slash, path: "/slack/commands", secret: "forged" }),
    );
    expect(forgedCommand.statusCode).toBe(401);
    vi.unstubAllEnvs();
  });
});

describe("handleInteraction against DynamoDB", () => {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const deps = (store: AlertStore): InteractionDeps => ({
    config,
    store,
    notifier: slackNotifierFor(config, { token: TOKEN, apiUrl: slack.url }),
    log: quiet,
  });
  /** A click as the endpoint takes it: signed, verified and parsed by the adapter, then the use case. */
  const click = (interactionDeps: InteractionDeps, payload: unknown) => {
    const event = urlEvent(payload);
    return answerInteraction(
      { rawBody: Buffer.from(event.body, "base64").toString(), headers: event.headers },
      { signingSecret: SIGNING_SECRET, nowMs: Date.now(), log: quiet },
      (c) => handleInteraction(interactionDeps, c),
    );
  };

  it("a click racing a scheduled run on the same record loses neither update", async () => {
    // Prepare: the run writes the record (a new status seen) between the click's read and its write.
    const tableName = await dynamo.createAlertTable();
    const table = new DynamoDbAlertStore({ tableName, client: dynamo.client, nowMs: Date.now });
    const alert = await postedAlert(table);
    let raced = false;
    const racing: AlertStore = {
      load: () => table.load(),
      get: (id) => table.get(id),
      loadCursor: () => table.loadCursor(),
      saveCursor: (cursor) => table.saveCursor(cursor),
      put: async (record, expected) => {
        if (!raced) {
          raced = true;
          const current = await table.get(record.id);
          if (current)
            await table.put(
              { ...current, secondaryStatus: "BREAK", version: current.version + 1 },
              current.version,
            );
        }
        return table.put(record, expected);
      },
    };

    // Act
    const answer = await click(deps(racing), ack(alert.id));

    // Assess: both the run's change and the acknowledgement are in the record.
    expect(answer.status).toBe(200);
    expect(await table.get(alert.id)).toMatchObject({ secondaryStatus: "BREAK", acknowledgedBy: "U0SUPER" });
  });

  it("Acknowledge all on a roll-up: every open member once, one event each, the roll-up redrawn once", async () => {
    // Prepare: a roll-up of 12 (one already over, one excused) posted to the fake Slack.
    const tableName = await dynamo.createAlertTable();
    const store = new DynamoDbAlertStore({ tableName, client: dynamo.client, nowMs: Date.now });
    const nowMs = Date.now();
    const top = (await fetch(`${slack.url}chat.postMessage`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ channel: CHANNEL, text: "12 agents past their threshold at once" }),
    }).then((r) => r.json())) as { ts: string };
    const rollupId = "rollup#u-0#Long break#x";
    for (let i = 0; i < 12; i++) {
      const member = lunchAlert({
        id: `u-${i}#Long break#${new Date(nowMs - 20 * 60_000).toISOString()}`,
        userId: `u-${i}`,
        name: `Agent ${i}`,
        sinceMs: nowMs - 20 * 60_000 - i * 1000,
        lastNotifiedMs: nowMs - 60_000,
        expiresAt: Math.floor(nowMs / 1000) + 3600,
        channel: CHANNEL,
        rollupId,
        rollupTs: top.ts,
        rollupListed: true,
        ...(i === 0 ? { state: "resolved" as const, endedMs: nowMs - 30_000, resolveNotified: true } : {}),
        ...(i === 1 ? { excusedBy: "U0LEAD", excusedMs: nowMs - 50_000 } : {}),
      });
      await store.put(member, null);
    }
    const payload = {
      type: "block_actions",
      user: { id: "U0SUPER" },
      channel: { id: CHANNEL },
      actions: [{ action_id: "rollup.ack", block_id: rollupId, type: "button" }],
    };
    const published: string[] = [];
    const events = {
      publish: async (transitions: Array<{ type: string; userId: string }>) => {
        published.push(...transitions.map((t) => `${t.type}:${t.userId}`));
        return { failed: 0 };
      },
    };

    // Act
    const first = await click({ ...deps(store), events }, payload);
    const again = await click({ ...deps(store), events }, payload);

    // Assess
    expect([first.status, again.status]).toEqual([200, 200]);
    const records = await store.load();
    const acked = records.filter((r) => r.acknowledgedBy === "U0SUPER").map((r) => r.userId);
    expect(acked.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `u-${i + 2}`).sort());
    expect(records.some((r) => r.actionPending !== undefined)).toBe(false);
    expect(published).toHaveLength(10);
    expect(published.every((p) => p.startsWith("acknowledged:"))).toBe(true);
    const message = slack.messages().find((m) => m.ts === top.ts);
    expect(message?.updates).toHaveLength(1);
    const replies = slack.messages().filter((m) => m.thread_ts === top.ts);
    expect(replies.map((r) => r.text)).toEqual([expect.stringContaining("acknowledged all 10 alerts")]);
    expect(slack.ephemerals().at(-1)?.text).toContain("nothing to do");
  });

  it("without a bot token, a refusal still reaches the user through the click's response_url", async () => {
    // Prepare: no notifier (serve without SLACK_BOT_TOKEN), a click on an alert no store holds.
    const tableName = await dynamo.createAlertTable();
    const store = new DynamoDbAlertStore({ tableName, client: dynamo.client, nowMs: Date.now });
    const { notifier: _none, ...withoutToken } = deps(store);
    const withoutSlack = { ...withoutToken, responder: responseUrlResponder(1_500) };
    const payload = {
      ...ack("u-404#Long break#2023-03-10T08:00:00.000Z"),
      response_url: slack.responseUrl("r-404"),
    };

    // Act
    const answer = await click(withoutSlack, payload);

    // Assess
    expect(answer.status).toBe(200);
    expect(slack.responses).toContainEqual(
      expect.objectContaining({
        id: "r-404",
        body: expect.objectContaining({ response_type: "ephemeral", text: expect.stringContaining("over") }),
      }),
    );
    expect(await store.load()).toEqual([]);
  });

  it("Slack failing during the update: the state change stands and the next run redraws the message", async () => {
    // Prepare
    const tableName = await dynamo.createAlertTable();
    const store = new DynamoDbAlertStore({ tableName, client: dynamo.client, nowMs: Date.now });
    const alert = await postedAlert(store);
    slack.failNext("chat.update", { status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });

    // Act
    const answer = await click(deps(store), ack(alert.id));

    // Assess
    expect(answer.status).toBe(200);
    const after = await store.get(alert.id);
    expect(after).toMatchObject({ acknowledgedBy: "U0SUPER", actionPending: "acknowledged" });
    // The click's lease is gone with its failed update: the next run redraws at once.
    expect(after?.lease).toBeUndefined();
    expect(after && slackActionFor(after, false)?.kind).toBe("acted");
  });
});

describe("each click applied once, each message sent once", () => {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const notifier = () => slackNotifierFor(config, { token: TOKEN, apiUrl: slack.url });
  const deps = (store: AlertStore, overrides: Partial<InteractionDeps> = {}): InteractionDeps => ({
    config,
    store,
    notifier: notifier(),
    log: quiet,
    ...overrides,
  });
  const click = (interactionDeps: InteractionDeps, payload: unknown) => {
    const event = urlEvent(payload);
    return answerInteraction(
      { rawBody: Buffer.from(event.body, "base64").toString(), headers: event.headers },
      { signingSecret: SIGNING_SECRET, nowMs: Date.now(), log: quiet },
      (c) => handleInteraction(interactionDeps, c),
    );
  };
  const table = async () =>
    new DynamoDbAlertStore({
      tableName: await dynamo.createAlertTable(),
      client: dynamo.client,
      nowMs: Date.now,
    });
  /** The store, counting each record's puts by id. */
  const counting = (store: AlertStore) => {
    const puts = new Map<string, number>();
    const wrapped: AlertStore = {
      load: () => store.load(),
      get: (id) => store.get(id),
      loadCursor: () => store.loadCursor(),
      saveCursor: (cursor) => store.saveCursor(cursor),
      put: (record, expected) => {
        puts.set(record.id, (puts.get(record.id) ?? 0) + 1);
        return store.put(record, expected);
      },
    };
    return { store: wrapped, puts };
  };
  const recordingEvents = () => {
    const published: string[] = [];
    return {
      published,
      events: {
        publish: async (transitions: Array<{ type: string; userId: string }>) => {
          published.push(...transitions.map((t) => `${t.type}:${t.userId}`));
          return { failed: 0 };
        },
      },
    };
  };
  const repliesTo = (ts: string | undefined) => slack.messages().filter((m) => m.thread_ts === ts);

  // Seeding and checking 1,000 items on dynalite takes a while on a busy machine; the answer time is the bench's.
  it("Acknowledge all on a roll-up of 1,000: the click writes what its time allows, the next run the rest, each once", async () => {
    // Prepare: 1,000 open members of one roll-up posted to the fake Slack; a clock that runs past the
    // click's write time once 300 members are written (as a slow store would), standing still until then.
    const dynamoStore = await table();
    const nowMs = Date.now();
    const top = (await fetch(`${slack.url}chat.postMessage`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ channel: CHANNEL, text: "1000 agents past their threshold at once" }),
    }).then((r) => r.json())) as { ts: string };
    const rollupId = "rollup#u-0#Long break#big";
    const members = Array.from({ length: 1_000 }, (_, i) =>
      lunchAlert({
        id: `u-${i}#Long break#${new Date(nowMs - 20 * 60_000).toISOString()}`,
        userId: `u-${i}`,
        name: `Agent ${i}`,
        sinceMs: nowMs - 20 * 60_000 - i * 1000,
        firedMs: nowMs - 5 * 60_000,
        lastNotifiedMs: nowMs - 60_000,
        expiresAt: Math.floor(nowMs / 1000) + 3600,
        rollupId,
        rollupTs: top.ts,
        rollupListed: true,
      }),
    );
    await mapBounded(members, 32, (m) => dynamoStore.put(m, null));
    const { store, puts } = counting(dynamoStore);
    const { events, published } = recordingEvents();
    const clickedMs = Date.now();
    const clock = () => (puts.size >= 300 ? clickedMs + ACKNOWLEDGE_ALL_WRITES_MS : clickedMs);
    const payload = {
      type: "block_actions",
      user: { id: "U0SUPER" },
      channel: { id: CHANNEL },
      actions: [{ action_id: "rollup.ack", block_id: rollupId, type: "button", action_ts: "1718000000.1" }],
    };

    // Act
    const answer = await click(deps(store, { events, nowMs: clock }), payload);

    // Assess: the click wrote from 300 up to what was in flight, the intent on one of them; the roll-up
    // shows all 1,000 acknowledged; one event per member written.
    expect(answer.status).toBe(200);
    const byClick = puts.size;
    expect(byClick).toBeGreaterThanOrEqual(300);
    expect(byClick).toBeLessThan(300 + ACKNOWLEDGE_ALL_CONCURRENCY + 1);
    expect([...puts.values()].every((n) => n === 1)).toBe(true);
    const raw = await dynamoStore.load();
    expect(raw.filter((r) => r.acknowledgedBy === "U0SUPER")).toHaveLength(byClick);
    expect(raw.filter((r) => r.rollupAck !== undefined)).toEqual([
      expect.objectContaining({
        rollupAck: { by: "U0SUPER", atMs: expect.any(Number), key: "U0SUPER:1718000000.1" },
      }),
    ]);
    expect(withRollupAcks(raw).filter((r) => r.acknowledgedBy === "U0SUPER")).toHaveLength(1_000);
    expect(new Set(published).size).toBe(byClick);
    expect(slack.messages().find((m) => m.ts === top.ts)?.updates).toHaveLength(1);
    expect(repliesTo(top.ts).map((r) => r.text)).toEqual([expect.stringContaining("acknowledged all 1000")]);

    // Act: the same click replayed (same user, same action_ts).
    const ephemeralsBefore = slack.ephemerals().length;
    const replay = await click(deps(store, { events }), payload);

    // Assess: nothing written, sent or said.
    expect(replay.status).toBe(200);
    expect(puts.size).toBe(byClick);
    expect(published).toHaveLength(byClick);
    expect(slack.messages().find((m) => m.ts === top.ts)?.updates).toHaveLength(1);
    expect(repliesTo(top.ts)).toHaveLength(1);
    expect(slack.ephemerals()).toHaveLength(ephemeralsBefore);

    // Act: the next run (a due re-check reading NOBODY), then another.
    const run = () =>
      runCheck(
        config,
        { source: NOBODY, store, events, log: quiet },
        { nowMs: Date.now(), mode: "due", dueEmails: [] },
      );
    const first = await run();
    const second = await run();

    // Assess: the run wrote every member the click left, once each, with its event; then nothing is owed.
    expect(puts.size).toBe(1_000);
    expect([...puts.values()].every((n) => n === 1)).toBe(true);
    expect(first.summary.transitions.filter((t) => t.type === "acknowledged")).toHaveLength(1_000 - byClick);
    expect(second.summary.transitions).toHaveLength(0);
    expect(new Set(published).size).toBe(1_000);
    expect(published).toHaveLength(1_000);
    const settled = await dynamoStore.load();
    expect(settled.filter((r) => r.acknowledgedBy === "U0SUPER")).toHaveLength(1_000);
    expect(settled.some((r) => r.actionPending !== undefined)).toBe(false);
    expect(owedRollupAcks(settled)).toEqual([]);
  }, 180_000);

  it("a replayed snooze gives one snooze, one message update and one thread reply", async () => {
    // Prepare
    const store = await table();
    const alert = await postedAlert(store);
    const { events, published } = recordingEvents();
    const snooze = {
      type: "block_actions",
      user: { id: "U0SUPER" },
      channel: { id: CHANNEL },
      actions: [
        {
          action_id: "alert.snooze",
          block_id: alert.id,
          type: "static_select",
          selected_option: { value: "30m" },
          action_ts: "1718000100.000200",
        },
      ],
    };

    // Act: Slack (or a proxy) delivers the same click twice.
    const answers = [
      await click(deps(store, { events }), snooze),
      await click(deps(store, { events }), snooze),
    ];

    // Assess
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    const after = await store.get(alert.id);
    expect(after?.snoozes).toHaveLength(1);
    expect(after?.appliedActions).toEqual(["U0SUPER:1718000100.000200"]);
    expect(after?.actionPending).toBeUndefined();
    expect(after?.lease).toBeUndefined();
    expect(slack.messages().find((m) => m.ts === alert.slackTs)?.updates).toHaveLength(1);
    expect(repliesTo(alert.slackTs).map((r) => r.text)).toEqual([expect.stringContaining("snoozed")]);
    expect(published).toEqual(["snoozed:u-1"]);

    // Act: the same user snoozes again, a new click (another action_ts): that one counts.
    const again = { ...snooze, actions: [{ ...snooze.actions[0], action_ts: "1718000200.000300" }] };
    await click(deps(store, { events }), again);

    // Assess
    expect((await store.get(alert.id))?.snoozes).toHaveLength(2);
    expect(repliesTo(alert.slackTs)).toHaveLength(2);
  });

  it("a click racing a run's lease applies the action and leaves the Slack update to the run", async () => {
    // Prepare: a run holds a live lease on the record (it is sending what the record owes right now).
    const store = await table();
    const posted = await postedAlert(store);
    const runLease = { by: "run:7f3a", untilMs: Date.now() + 30_000 };
    const leased = { ...posted, lease: runLease, version: posted.version + 1 };
    expect(await store.put(leased, posted.version)).toBe(true);
    const { events, published } = recordingEvents();

    // Act
    const answer = await click(deps(store, { events }), ack(posted.id));

    // Assess: acknowledged at once, the run's lease kept, the redraw still owed, Slack untouched.
    expect(answer.status).toBe(200);
    const after = await store.get(posted.id);
    expect(after).toMatchObject({
      acknowledgedBy: "U0SUPER",
      actionPending: "acknowledged",
      lease: runLease,
      version: leased.version + 1,
      notifiedSeverity: posted.notifiedSeverity,
      slackTs: posted.slackTs,
    });
    expect(slack.messages().find((m) => m.ts === posted.slackTs)?.updates).toHaveLength(0);
    expect(repliesTo(posted.slackTs)).toHaveLength(0);
    expect(published).toEqual(["acknowledged:u-1"]);
    // What the run (or the next one) sends for it: the acted update.
    expect(after && slackActionFor(after, false)?.kind).toBe("acted");
  });

  it("a click holds its own short lease while it redraws, and ends it with actionPending", async () => {
    // Prepare: a notifier that looks at the stored record while the update is on its way.
    const store = await table();
    const alert = await postedAlert(store);
    const real = notifier();
    const seen: Array<AlertRecord | undefined> = [];
    const watching: InteractionNotifier = {
      deliver: async (action) => {
        seen.push(await store.get(action.record.id));
        return real.deliver(action);
      },
      ephemeral: (target, text) => real.ephemeral(target, text),
      groupMembers: (id) => real.groupMembers(id),
      rollupAcknowledged: (rollup, by, n) => real.rollupAcknowledged(rollup, by, n),
    };
    const wallMs = Date.now();

    // Act
    await click(
      deps(store, { notifier: watching, nowMs: () => wallMs, leaseName: () => "click:t1" }),
      ack(alert.id),
    );

    // Assess
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      actionPending: "acknowledged",
      lease: { by: "click:t1", untilMs: wallMs + 10_000 },
    });
    const after = await store.get(alert.id);
    expect(after?.lease).toBeUndefined();
    expect(after?.actionPending).toBeUndefined();
    expect(after?.acknowledgedBy).toBe("U0SUPER");
  });

  it("a second click under the first click's lease is applied, and the first click draws it too", async () => {
    // Prepare: while click A's update is on its way, click B (another user) snoozes the same alert.
    const store = await table();
    const alert = await postedAlert(store);
    const real = notifier();
    const wallMs = Date.now();
    const snooze = {
      type: "block_actions",
      user: { id: "U0LEAD" },
      channel: { id: CHANNEL },
      actions: [
        { action_id: "alert.snooze", block_id: alert.id, selected_option: { value: "1h" }, action_ts: "9.9" },
      ],
    };
    let second: Promise<unknown> | undefined;
    const racing: InteractionNotifier = {
      deliver: async (action) => {
        second ??= click(deps(store, { nowMs: () => wallMs, leaseName: () => "click:B" }), snooze);
        await second;
        return real.deliver(action);
      },
      ephemeral: (target, text) => real.ephemeral(target, text),
      groupMembers: (id) => real.groupMembers(id),
      rollupAcknowledged: (rollup, by, n) => real.rollupAcknowledged(rollup, by, n),
    };

    // Act
    await click(
      deps(store, { notifier: racing, nowMs: () => wallMs, leaseName: () => "click:A" }),
      ack(alert.id),
    );

    // Assess: both actions stand; A drew the message twice (its own, then B's), B none; nothing owed.
    const after = await store.get(alert.id);
    expect(after).toMatchObject({ acknowledgedBy: "U0SUPER", snoozedBy: "U0LEAD" });
    expect(after?.actionPending).toBeUndefined();
    expect(after?.lease).toBeUndefined();
    const top = slack.messages().find((m) => m.ts === alert.slackTs);
    expect(top?.updates).toHaveLength(2);
    expect(JSON.stringify(top?.attachments)).toContain("Snoozed by <@U0LEAD>");
    expect(repliesTo(alert.slackTs)).toHaveLength(2);
  });

  it("an alert id too long for block_id (a 300-character user id) is found by its hash", async () => {
    // Prepare
    const store = await table();
    const userId = `u-${"x".repeat(298)}`;
    const alert = await postedAlert(store, {
      id: `${userId}#long-break#${new Date(Date.now() - 20 * 60_000).toISOString()}`,
      userId,
    });
    await postedAlert(store, { id: "u-2#long-break#2023-03-10T07:35:00.000Z", userId: "u-2" });
    const blockId = blockIdFor(alert.id);
    expect(blockId.length).toBeLessThanOrEqual(255);

    // Act
    const answer = await click(deps(store), ack(blockId));

    // Assess
    expect(answer.status).toBe(200);
    expect(await store.get(alert.id)).toMatchObject({ acknowledgedBy: "U0SUPER" });
    expect((await store.get("u-2#long-break#2023-03-10T07:35:00.000Z"))?.acknowledgedBy).toBeUndefined();
    expect(JSON.stringify(slack.messages().find((m) => m.ts === alert.slackTs))).toContain("Acknowledged by");
  });

  it("a cleared snooze menu (selected_option null) is a 200 that changes and says nothing", async () => {
    // Prepare
    const store = await table();
    const alert = await postedAlert(store);
    const before = await store.get(alert.id);
    const ephemerals = slack.ephemerals().length;
    const payload = {
      type: "block_actions",
      user: { id: "U0SUPER" },
      channel: { id: CHANNEL },
      actions: [
        { action_id: "alert.snooze", block_id: alert.id, type: "static_select", selected_option: null },
      ],
    };

    // Act
    const answer = await click(deps(store), payload);

    // Assess
    expect(answer.status).toBe(200);
    expect(await store.get(alert.id)).toEqual(before);
    expect(slack.ephemerals()).toHaveLength(ephemerals);
  });

  it("a payload with actions on three alerts handles them at once, each applied and redrawn", async () => {
    // Prepare: three alerts; a notifier that counts updates in flight at the same time.
    const store = await table();
    const alerts = await Promise.all(
      [1, 2, 3].map((n) =>
        postedAlert(store, { id: `u-${n}#long-break#2023-03-10T07:35:00.000Z`, userId: `u-${n}` }),
      ),
    );
    const real = notifier();
    let inFlight = 0;
    let most = 0;
    let open: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const counting: InteractionNotifier = {
      deliver: async (action) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        if (inFlight === 3) open();
        // Each update waits until all three are under way (or a second, should they not be).
        await Promise.race([gate, new Promise((r) => setTimeout(r, 1_000))]);
        try {
          return await real.deliver(action);
        } finally {
          inFlight -= 1;
        }
      },
      ephemeral: (target, text) => real.ephemeral(target, text),
      groupMembers: (id) => real.groupMembers(id),
      rollupAcknowledged: (rollup, by, n) => real.rollupAcknowledged(rollup, by, n),
    };
    const payload = {
      type: "block_actions",
      user: { id: "U0SUPER" },
      channel: { id: CHANNEL },
      actions: [
        { action_id: "alert.ack", block_id: alerts[0]?.id, type: "button", action_ts: "1.1" },
        {
          action_id: "alert.snooze",
          block_id: alerts[1]?.id,
          selected_option: { value: "1h" },
          action_ts: "1.2",
        },
        { action_id: "alert.excuse", block_id: alerts[2]?.id, type: "button", action_ts: "1.3" },
      ],
    };

    // Act
    const answer = await click(deps(store, { notifier: counting }), payload);

    // Assess
    expect(answer.status).toBe(200);
    expect(most).toBe(3);
    const after = await Promise.all(alerts.map((a) => store.get(a.id)));
    expect(after.map((r) => [r?.acknowledgedBy, r?.snoozedBy, r?.excusedBy])).toEqual([
      ["U0SUPER", undefined, undefined],
      [undefined, "U0SUPER", undefined],
      [undefined, undefined, "U0SUPER"],
    ]);
    expect(after.every((r) => r?.actionPending === undefined && r?.lease === undefined)).toBe(true);
    for (const a of alerts) expect(repliesTo(a.slackTs)).toHaveLength(1);
  });
});
