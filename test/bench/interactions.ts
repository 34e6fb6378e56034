/**
 * Bench section `interactions`: the Slack interactivity endpoint as `cli serve` runs it (the JSON state
 * file, the fake Slack Web API on loopback), timed from the client's side over N signed clicks, each on
 * its own alert (get, conditional write, chat.update, thread reply, write); and the `interactions`
 * bundle as CDK builds it: size and cold init (the same probe as the check bundle).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { formBody } from "../../functions/adapters/slack/interaction-payload.js";
import { signSlackRequest } from "../../functions/adapters/slack/signature.js";
import { serveInteractions } from "../../functions/cli/serve.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { parseConfig } from "../../functions/domain/config.js";
import { startFakeSlack } from "../fakes/slack/fake-slack.js";
import { lunchAlert } from "../fixtures/lunch-alert.js";
import {
  BUNDLE_TEST_CONFIG,
  copyBundleOutsideRepo,
  type ImportProbe,
  lambdaEnvironment,
  probeImport,
  synthesizeLambdaBundle,
} from "./lambda-bundle.js";

const TOKEN = "xoxb-bench";
const SECRET = "bench-signing-secret";

export interface ClickFigures {
  clicks: number;
  medianMs: number;
  p95Ms: number;
  maxMs: number;
  statuses: Record<string, number>;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** N signed Acknowledge clicks, one after another, each on another open alert. */
export async function clickLatency(clicks: number): Promise<ClickFigures> {
  const dir = mkdtempSync(join(tmpdir(), "asa-bench-clicks-"));
  const slack = await startFakeSlack({ token: TOKEN });
  const { config } = parseConfig(BUNDLE_TEST_CONFIG, "bench config");
  const statePath = join(dir, "state.json");
  const nowMs = Date.now();
  const alerts: AlertRecord[] = [];
  for (let i = 0; i < clicks; i++) {
    const ts = `${Math.floor(nowMs / 1000)}.${String(i).padStart(6, "0")}`;
    alerts.push(
      lunchAlert({
        id: `u-${i}#Long break#${new Date(nowMs - 20 * 60_000).toISOString()}`,
        userId: `u-${i}`,
        sinceMs: nowMs - 20 * 60_000,
        firedMs: nowMs - 5 * 60_000,
        expiresAt: Math.floor(nowMs / 1000) + 3600,
        channel: "C0123456789",
        slackTs: ts,
      }),
    );
  }
  writeFileSync(statePath, JSON.stringify({ version: 1, alerts }));
  // The messages the clicks update must exist in the fake channel: post them first.
  for (const alert of alerts) {
    const posted = (await fetch(`${slack.url}chat.postMessage`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ channel: alert.channel, text: alert.name }),
    }).then((r) => r.json())) as { ts: string };
    alert.slackTs = posted.ts;
  }
  writeFileSync(statePath, JSON.stringify({ version: 1, alerts }));

  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const server = await serveInteractions({
    config,
    statePath,
    signingSecret: SECRET,
    slackBotToken: TOKEN,
    slackApiUrl: slack.url,
    port: 0,
    log: quiet,
  });
  const times: number[] = [];
  const statuses: Record<string, number> = {};
  try {
    for (const alert of alerts) {
      const body = formBody({
        type: "block_actions",
        user: { id: "U0BENCH" },
        actions: [{ action_id: "alert.ack", block_id: alert.id, type: "button" }],
      });
      const timestamp = Math.floor(Date.now() / 1000);
      const started = performance.now();
      const response = await fetch(server.url, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          "x-slack-request-timestamp": String(timestamp),
          "x-slack-signature": signSlackRequest(SECRET, timestamp, body),
        },
        body,
      });
      await response.text();
      times.push(performance.now() - started);
      statuses[response.status] = (statuses[response.status] ?? 0) + 1;
    }
  } finally {
    await Promise.all([server.close(), slack.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
  const sorted = [...times].sort((a, b) => a - b);
  return {
    clicks,
    medianMs: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    maxMs: sorted.at(-1) ?? Number.NaN,
    statuses,
  };
}

export interface InteractionsBundleFigures {
  bytes: number;
  gzipBytes: number;
  coldInitMs: number;
  samples: number;
}

/** The interactions bundle's size and cold init (median import minus median empty node). */
export function interactionsBundle(samples: number): InteractionsBundleFigures {
  const bundle = synthesizeLambdaBundle(
    BUNDLE_TEST_CONFIG,
    undefined,
    (s) => s.interactionsFunction.function,
  );
  const file = join(bundle.assetDir, bundle.entryFile);
  const bytes = statSync(file).size;
  const gzipBytes = gzipSync(readFileSync(file)).length;
  const dir = copyBundleOutsideRepo(bundle);
  const env = lambdaEnvironment(bundle);
  const imports: ImportProbe[] = [];
  const empties: ImportProbe[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      imports.push(probeImport(dir, bundle.entryFile, bundle.handlerName, env));
      empties.push(probeImport(dir, null, bundle.handlerName, env));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(bundle.outdir, { recursive: true, force: true });
  }
  const failed = imports.find((p) => p.status !== 0);
  if (failed) throw new Error(`the interactions bundle did not load: ${failed.stderr.slice(0, 500)}`);
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  };
  return {
    bytes,
    gzipBytes,
    coldInitMs: median(imports.map((p) => p.processMs)) - median(empties.map((p) => p.processMs)),
    samples,
  };
}
