/**
 * The cost bench's storm (cost.ts): 12,350 agents all alerting in one run of the check bundle, to read
 * the size of its log lines and of its result (DESIGN "Cost": under 64 KB and 1 MB whatever the storm).
 */
import { rmSync } from "node:fs";
import { startEventBridgePeer, startSecretsPeer, startSqsPeer } from "../fakes/aws-peers.js";
import { startDynalite } from "../fakes/dynalite.js";
import { startFakeSlack } from "../fakes/slack/fake-slack.js";
import { generateDay } from "../fakes/smartassist/day.js";
import { DEMO_CREDENTIALS, type SimAgent, startSimulator } from "../fakes/smartassist/simulator.js";
import { summaryOf } from "./cost-measure.js";
import { costConfig, DATE, SLACK_TOKEN, T0, TIMEZONE } from "./cost-workload.js";
import {
  copyBundleOutsideRepo,
  lambdaEnvironment,
  startWarmBundle,
  synthesizeLambdaBundle,
  type WarmBundle,
} from "./lambda-bundle.js";

export interface StormFigures {
  agents: number;
  maxLineBytes: number;
  summaryLineBytes: number;
  resultBytes: number;
  firing: number;
  wallMs: number;
}

export async function storm(agents: number, progress: (m: string) => void): Promise<StormFigures> {
  progress(`cost: ${agents.toLocaleString("en-US")} agents all alerting (the log line's bound)`);
  const nowMs = T0;
  const all: SimAgent[] = generateDay({ seed: 5, agents, timezone: TIMEZONE, date: DATE }).map((a) => ({
    ...a,
    segments: [
      {
        primaryStatus: "AVAILABLE",
        secondaryStatus: "AVAILABLE",
        startMs: nowMs - 2 * 3_600_000,
        endMs: nowMs - 3_600_000,
      },
      { primaryStatus: "AWAY", secondaryStatus: "STUCK", startMs: nowMs - 3_600_000, endMs: null },
    ],
  }));
  let clockBase = nowMs;
  let realBase = performance.now();
  const clock = () => Math.round(clockBase + (performance.now() - realBase));
  const sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents: all,
    now: nowMs,
    rateLimitPerMinute: 1e9,
    clock,
  });
  const config = costConfig(sim.url);
  const bundle = synthesizeLambdaBundle({
    ...config,
    smartassist: { ...config.smartassist, requestsPerMinute: 100_000 },
  });
  const dir = copyBundleOutsideRepo(bundle);
  const dynamo = await startDynalite();
  // A token Slack refuses: delivery ends at once (this measures what the run logs and returns).
  const secrets = await startSecretsPeer({
    clientId: DEMO_CREDENTIALS.clientId,
    clientSecret: DEMO_CREDENTIALS.clientSecret,
    slackBotToken: "xoxb-refused",
    slackSigningSecret: "x",
  });
  const events = await startEventBridgePeer();
  const slack = await startFakeSlack({ token: SLACK_TOKEN });
  const sqs = await startSqsPeer({ clock });
  let warm: WarmBundle | undefined;
  try {
    const tableName = await dynamo.createAlertTable();
    warm = await startWarmBundle(bundle, dir, {
      ...lambdaEnvironment(bundle),
      TABLE_NAME: tableName,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: events.endpoint,
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      DUE_QUEUE_URL: sqs.queueUrl,
      SLACK_API_URL: slack.url,
    });
    clockBase = nowMs;
    realBase = performance.now();
    // The schedule's event: one tick reading the whole roster (no cursor yet) with everyone alerting.
    const run = await warm.invoke(nowMs, { source: "agent-status-alerts.schedule" }, 300_000);
    const summary = summaryOf(run.lines);
    return {
      agents,
      maxLineBytes: Math.max(0, ...run.lines.map((l) => Buffer.byteLength(l))),
      summaryLineBytes: summary.bytes,
      resultBytes: run.resultBytes,
      firing: summary.firing,
      wallMs: run.wallMs,
    };
  } finally {
    await warm?.close();
    await Promise.all([
      dynamo.close(),
      secrets.close(),
      events.close(),
      slack.close(),
      sqs.close(),
      sim.close(),
    ]);
    rmSync(dir, { recursive: true, force: true });
    rmSync(bundle.outdir, { recursive: true, force: true });
  }
}
