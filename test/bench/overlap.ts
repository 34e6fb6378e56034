/**
 * Exactly once under overlap, repeated: two or three runs at once (or a second apart) on one state —
 * the JSON file (one store instance per run, as separate processes have) and DynamoDB on dynalite —
 * with the real use case, the real SmartAssist client against the simulator and the real Slack
 * client against the fake Slack, whose posts take `slowMs`. Counts top-level posts beyond one per
 * alert (duplicates) and alerts never posted (lost), over `reps` repetitions of each shape. The same
 * across processes (real `check` processes, containers of the synthesized bundle): overlap-procs.ts.
 *
 *   npx tsx test/bench/overlap.ts [reps]      (default 50)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { slackNotifierFor } from "../../functions/adapters/slack/slack-notifier.js";
import { SmartAssistClient } from "../../functions/adapters/smartassist/client.js";
import { DynamoDbAlertStore } from "../../functions/adapters/state/dynamodb-store.js";
import { JsonFileAlertStore } from "../../functions/adapters/state/json-file-store.js";
import { silentLog } from "../../functions/app/logger.js";
import { runCheck } from "../../functions/app/run-check.js";
import { parseConfig } from "../../functions/domain/config.js";
import type { AlertStore } from "../../functions/ports.js";
import { startDynalite } from "../fakes/dynalite.js";
import { startFakeSlack } from "../fakes/slack/fake-slack.js";
import { DEMO_CREDENTIALS, type SimAgent, startSimulator } from "../fakes/smartassist/simulator.js";

const TOKEN = "xoxb-overlap-bench";
const CHANNEL = "C-OVERLAP";

export interface OverlapFigures {
  reps: number;
  slowMs: number;
  shapes: Array<{
    store: string;
    runs: number;
    apartMs: number;
    reps: number;
    duplicates: number;
    lost: number;
  }>;
}

export async function overlapBench(
  reps: number,
  slowMs = 800,
): Promise<{ figures: OverlapFigures; text: string }> {
  const now = Date.now();
  const stuck = (n: number): SimAgent => ({
    userId: `u-${n}`,
    firstName: `Agent${n}`,
    lastName: "Stuck",
    email: `agent${n}@example.com`,
    segments: [{ primaryStatus: "AWAY", secondaryStatus: "LUNCH", startMs: now - 20 * 60_000, endMs: null }],
  });
  const sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents: [1, 2, 3].map(stuck),
    rateLimitPerMinute: 1_000_000,
  });
  const slack = await startFakeSlack({ token: TOKEN });
  const dynamo = await startDynalite();
  const dir = mkdtempSync(join(tmpdir(), "asa-overlap-bench-"));
  const { config } = parseConfig(
    {
      timezone: "Asia/Kolkata",
      smartassist: { host: sim.url, accountId: DEMO_CREDENTIALS.accountId, iId: DEMO_CREDENTIALS.iId },
      schedule: { every: "5m" },
      rules: [{ name: "Long break", secondaryStatus: ["LUNCH"], threshold: "15m" }],
      slack: { channel: CHANNEL, rollup: 0 },
    },
    "overlap bench",
  );
  const source = () =>
    new SmartAssistClient({
      ...config.smartassist,
      credentials: { clientId: DEMO_CREDENTIALS.clientId, clientSecret: DEMO_CREDENTIALS.clientSecret },
    });
  const figures: OverlapFigures = { reps, slowMs, shapes: [] };
  try {
    for (const storeKind of ["json-file", "dynamodb"] as const) {
      for (const [runs, apartMs] of [
        [2, 0],
        [2, 1000],
        [3, 0],
      ] as const) {
        let duplicates = 0;
        let lost = 0;
        for (let rep = 0; rep < reps; rep++) {
          // A fresh state for each repetition, one store instance per run (as separate processes).
          const path = join(dir, `state-${storeKind}-${runs}-${apartMs}-${rep}.json`);
          const table = storeKind === "dynamodb" ? await dynamo.createAlertTable() : "";
          const storeFor = (): AlertStore =>
            storeKind === "json-file"
              ? new JsonFileAlertStore(path, { nowMs: now })
              : new DynamoDbAlertStore({ tableName: table, client: dynamo.client, nowMs: now });
          const from = slack.calls.length;
          slack.failNext(
            "chat.postMessage",
            ...Array.from({ length: 3 * runs }, () => ({ delayMs: slowMs })),
          );
          const started: Array<Promise<unknown>> = [];
          for (let i = 0; i < runs; i++) {
            const client = source();
            const store = storeFor();
            started.push(
              runCheck(
                config,
                {
                  source: client,
                  store,
                  notifier: slackNotifierFor(config, { token: TOKEN, apiUrl: slack.url, nowMs: now }),
                  log: silentLog,
                },
                { nowMs: now },
              ).finally(() => client.close()),
            );
            if (apartMs > 0) await sleep(apartMs);
          }
          await Promise.all(started);
          const posted = slack.calls
            .slice(from)
            .filter(
              (c) =>
                c.method === "chat.postMessage" &&
                c.args.channel === CHANNEL &&
                c.args.thread_ts === undefined &&
                (c.response as { ok: boolean }).ok,
            )
            .map((c) => String(c.args.text).match(/agent\d@/)?.[0] ?? "?");
          const distinct = new Set(posted);
          duplicates += posted.length - distinct.size;
          lost += 3 - distinct.size;
        }
        figures.shapes.push({ store: storeKind, runs, apartMs, reps, duplicates, lost });
      }
    }
  } finally {
    await Promise.all([sim.close(), slack.close(), dynamo.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
  const text = [
    `Overlap — ${reps} repetitions of each shape, 3 alerts, Slack posts taking ${slowMs} ms:`,
    ...figures.shapes.map(
      (s) =>
        `  ${s.store.padEnd(9)} ${s.runs} runs ${s.apartMs === 0 ? "at once      " : `${s.apartMs} ms apart`}: ${s.duplicates} duplicate post(s), ${s.lost} alert(s) never posted`,
    ),
  ].join("\n");
  return { figures, text };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { text } = await overlapBench(Number(process.argv[2] ?? 50));
  process.stdout.write(`${text}\n`);
}
