/**
 * Exactly once under overlap, across processes: two or three runs at once (or a second apart), each
 * its own OS process, with a slow Slack (every post held `slowMs`) that enforces Block Kit's limits.
 *
 * - `cli`: real `check` processes (`tsx functions/cli/main.ts check --now … --state S.json --json`)
 *   on one JSON state file, a fresh file each repetition.
 * - `bundle`: the check function's asset as `cdk synth` makes it (synthesized once), each run a
 *   fresh `node` that imports it as a Lambda container's INIT does and is then invoked with the
 *   schedule's event, all of one repetition at the same instant (or a second apart), on one dynalite
 *   table (a fresh table each repetition), with Secrets Manager and EventBridge on loopback.
 *
 * Each repetition counts top-level posts beyond one per alert (duplicates) and alerts never posted
 * (lost), checks the state afterwards (one record per alert, its `slackTs` the message that was
 * posted, no lease left), and then makes a following run that must send nothing. The in-process
 * shapes stay in overlap.ts.
 *
 *   npx tsx test/bench/overlap-procs.ts [reps] [--only=cli|bundle] [--shape=RUNSxAPART_MS,...]
 *     [--slow-ms=800] [--name-length=N] [--json]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { type CliResult, runCli } from "../e2e/run-cli.js";
import { type AwsPeer, startEventBridgePeer, startSecretsPeer } from "../fakes/aws-peers.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
import { type FakeSlack, type RecordedSlackCall, startFakeSlack } from "../fakes/slack/fake-slack.js";
import {
  DEMO_CREDENTIALS,
  demoSmartAssistYaml,
  type SimAgent,
  type Simulator,
  startSimulator,
} from "../fakes/smartassist/simulator.js";
import {
  BUNDLE_TEST_CONFIG,
  copyBundleOutsideRepo,
  type LambdaBundle,
  lambdaEnvironment,
  startWarmBundle,
  synthesizeLambdaBundle,
  type WarmBundle,
} from "./lambda-bundle.js";

const TOKEN = "xoxb-overlap-procs";
const CHANNEL = "C-OVERLAP";
const MINUTE = 60_000;
/** The event the stack's schedule sends (infra/constructs/schedule.ts). */
export const SCHEDULE_EVENT = { source: "agent-status-alerts.schedule" } as const;

export interface Shape {
  runs: number;
  apartMs: number;
}

export const SHAPES: readonly Shape[] = [
  { runs: 2, apartMs: 0 },
  { runs: 2, apartMs: 1_000 },
  { runs: 3, apartMs: 0 },
];

/**
 * Three agents on a lunch that began 20 minutes before `nowMs` (the rule's threshold is 15 minutes),
 * one available. With `nameLength`, first names that long (past what Block Kit's fields take).
 */
export function overlapAgents(nowMs: number, nameLength = 0): SimAgent[] {
  const agent = (n: number, primary: string, secondary: string): SimAgent => ({
    userId: `u-${n}`,
    firstName: `Agent${n}`.padEnd(nameLength, "x"),
    lastName: "Overlap",
    email: `agent${n}@example.com`,
    segments: [
      {
        primaryStatus: "AVAILABLE",
        secondaryStatus: "AVAILABLE",
        startMs: nowMs - 3 * 60 * MINUTE,
        endMs: nowMs - 20 * MINUTE,
      },
      { primaryStatus: primary, secondaryStatus: secondary, startMs: nowMs - 20 * MINUTE, endMs: null },
    ],
  });
  return [
    agent(1, "AWAY", "LUNCH"),
    agent(2, "AWAY", "LUNCH"),
    agent(3, "AWAY", "LUNCH"),
    agent(4, "AVAILABLE", "AVAILABLE"),
  ];
}
export const OVERLAP_ALERTED = ["u-1", "u-2", "u-3"];

/** A stored alert record, as much of it as the audit reads. */
export interface StoredAlert {
  id: string;
  userId: string;
  slackTs?: string;
  lease?: unknown;
}

export interface RepAudit {
  /** Top-level posts Slack accepted in the channel during the overlapping runs. */
  posts: number;
  /** Posts beyond one per alerted agent. */
  duplicates: number;
  /** Alerted agents with no post at all. */
  lost: number;
  /** What is wrong with the state afterwards (empty when one record per alert holds the posted message, no lease). */
  stateProblems: string[];
  /** Slack sends (posts, replies, updates) the following run made: it should make none. */
  followUpSends: number;
  /** Runs that failed (non-zero exit, a thrown handler), the following run included. */
  failedRuns: string[];
  /** Messages Slack refused (`ok: false`: Block Kit's limits, say) during the overlapping runs. */
  refusals: number;
}

const isTopPost = (channel: string) => (c: RecordedSlackCall) =>
  c.method === "chat.postMessage" &&
  c.args.channel === channel &&
  c.args.thread_ts === undefined &&
  (c.response as { ok?: boolean }).ok === true;

const isSend = (c: RecordedSlackCall) =>
  (c.method === "chat.postMessage" || c.method === "chat.update" || c.method === "chat.postEphemeral") &&
  (c.response as { ok?: boolean }).ok === true;

/** Audits one repetition from the Slack calls of the overlapping runs, the state after them, and the following run's calls. */
export function auditRep(
  runCalls: readonly RecordedSlackCall[],
  stored: readonly StoredAlert[],
  followUpCalls: readonly RecordedSlackCall[],
  failedRuns: string[],
  channel: string = CHANNEL,
  alerted: readonly string[] = OVERLAP_ALERTED,
): RepAudit {
  const posts = runCalls.filter(isTopPost(channel));
  const byUser = new Map<string, number>();
  for (const p of posts) {
    const n = /agent(\d+)@/.exec(String(p.args.text))?.[1];
    const user = n === undefined ? "?" : `u-${n}`;
    byUser.set(user, (byUser.get(user) ?? 0) + 1);
  }
  const duplicates = [...byUser.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  const lost = alerted.filter((u) => !byUser.has(u)).length;

  const stateProblems: string[] = [];
  const users = stored.map((r) => r.userId).sort();
  if (JSON.stringify(users) !== JSON.stringify([...alerted].sort()))
    stateProblems.push(`records for ${users.join(",") || "nobody"}, expected ${alerted.join(",")}`);
  const postedTs = posts.map((p) => String((p.response as { ts?: string }).ts)).sort();
  const storedTs = stored.map((r) => r.slackTs ?? "(none)").sort();
  if (JSON.stringify(storedTs) !== JSON.stringify(postedTs))
    stateProblems.push(`stored slackTs ${storedTs.join(",")} ≠ posted ${postedTs.join(",")}`);
  const leased = stored.filter((r) => r.lease !== undefined).map((r) => r.userId);
  if (leased.length > 0) stateProblems.push(`a lease left on ${leased.join(",")}`);

  return {
    posts: posts.length,
    duplicates,
    lost,
    stateProblems,
    followUpSends: followUpCalls.filter(isSend).length,
    failedRuns,
    refusals: runCalls.filter(
      (c) => c.method.startsWith("chat.") && (c.response as { ok?: boolean }).ok === false,
    ).length,
  };
}

/**
 * How far apart `runs` runs began reading: each fresh client asks for page 0 first (one request a
 * run for this one-page roster), so the spread of those arrivals since request `from`.
 */
function readSpread(sim: Simulator, from: number, runs: number): number {
  const firsts = sim.requests
    .slice(from)
    .filter((r) => r.offset === "0" || r.offset === null)
    .map((r) => r.at)
    .slice(0, runs);
  return firsts.length < 2 ? 0 : Math.max(...firsts) - Math.min(...firsts);
}

export interface Contention {
  /** Claims a run lost to another run's write first (it then leaves that alert to the winner). */
  claimsLost: number;
  /** Decisions and deliveries a run left alone because another run held a live lease. */
  leasesMet: number;
}

/** Contention as the runs logged it (the CLI's `--verbose` stderr, the Lambda's JSON lines alike). */
export function contentionIn(logs: readonly string[]): Contention {
  let claimsLost = 0;
  let leasesMet = 0;
  for (const line of logs.flatMap((l) => l.split("\n"))) {
    if (line.includes("another run already holds this alert")) claimsLost++;
    if (line.includes("records another run is sending were left to it")) {
      leasesMet += Number(/"decisions":(\d+)/.exec(line)?.[1] ?? 0);
      leasesMet += Number(/"deliveries":(\d+)/.exec(line)?.[1] ?? 0);
    }
  }
  return { claimsLost, leasesMet };
}

/** Queues a slow answer for each post the runs of one repetition could make (leftovers only slow later ones too). */
function slowPosts(slack: FakeSlack, runs: number, slowMs: number) {
  slack.failNext(
    "chat.postMessage",
    ...Array.from({ length: OVERLAP_ALERTED.length * runs }, () => ({ delayMs: slowMs })),
  );
}

// ---------------------------------------------------------------------------------------------
// The bundle: one fresh container per run

export interface BundleWorld {
  bundle: LambdaBundle;
  /** The asset copied outside the repository (no node_modules reachable). */
  dir: string;
  sim: Simulator;
  slack: FakeSlack;
  dynamo: LocalDynamo;
  secrets: AwsPeer;
  events: AwsPeer;
  /** The channel the bundle's config posts to. */
  channel: string;
  /** Whether the simulator and the bundle's directories are this world's to close and remove. */
  owned: boolean;
  /** The agents' first-name length (0: short names). */
  nameLength: number;
}

/** The check function's config for the overlap: one rule, one channel, no roll-ups, a pace that never waits. */
export function overlapBundleConfig(simUrl: string) {
  const { digest: _digest, ...base } = BUNDLE_TEST_CONFIG;
  return {
    ...base,
    smartassist: { ...base.smartassist, host: simUrl, requestsPerMinute: 100_000 },
    rules: [{ name: "Long break", secondaryStatus: ["LUNCH"], threshold: "15m" }],
    slack: { channel: CHANNEL, rollup: 0 },
  };
}

/** The bundle's environment against these peers and `tableName`. */
export function bundleEnv(world: BundleWorld, tableName: string): Record<string, string> {
  return {
    ...lambdaEnvironment(world.bundle),
    TABLE_NAME: tableName,
    AWS_ENDPOINT_URL_DYNAMODB: world.dynamo.endpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: world.secrets.endpoint,
    AWS_ENDPOINT_URL_EVENTBRIDGE: world.events.endpoint,
    SLACK_API_URL: world.slack.url,
  };
}

/**
 * Starts the peers and synthesizes the stack once (the simulator first: its URL is compiled into the
 * bundle); or, `given` a bundle already synthesized against a running simulator (a test's), only the
 * other peers.
 */
export async function startBundleWorld(
  given?: {
    bundle: LambdaBundle;
    dir: string;
    sim: Simulator;
    channel: string;
  },
  nameLength = 0,
): Promise<BundleWorld> {
  const sim =
    given?.sim ??
    (await startSimulator({
      ...DEMO_CREDENTIALS,
      accountId: BUNDLE_TEST_CONFIG.smartassist.accountId,
      iId: BUNDLE_TEST_CONFIG.smartassist.iId,
      agents: overlapAgents(Date.now()),
      rateLimitPerMinute: 1e9,
    }));
  const bundle = given?.bundle ?? synthesizeLambdaBundle(overlapBundleConfig(sim.url));
  const [slack, dynamo, secrets, events] = await Promise.all([
    startFakeSlack({ token: TOKEN }),
    startDynalite(),
    startSecretsPeer({
      clientId: DEMO_CREDENTIALS.clientId,
      clientSecret: DEMO_CREDENTIALS.clientSecret,
      slackBotToken: TOKEN,
      slackSigningSecret: "overlap-signing",
    }),
    startEventBridgePeer(),
  ]);
  const dir = given?.dir ?? copyBundleOutsideRepo(bundle);
  const channel = given?.channel ?? CHANNEL;
  return {
    bundle,
    dir,
    sim,
    slack,
    dynamo,
    secrets,
    events,
    channel,
    owned: given === undefined,
    nameLength,
  };
}

export async function closeBundleWorld(world: BundleWorld): Promise<void> {
  await Promise.all([
    ...(world.owned ? [world.sim.close()] : []),
    world.slack.close(),
    world.dynamo.close(),
    world.secrets.close(),
    world.events.close(),
  ]);
  if (world.owned) {
    rmSync(world.dir, { recursive: true, force: true });
    rmSync(world.bundle.outdir, { recursive: true, force: true });
  }
}

/** Alerts a run fired (its claim won), from its `run summary` log line; -1 when the line is missing. */
function firedInLog(lines: readonly string[]): number {
  const line = lines.find((l) => l.includes('"message":"run summary"'));
  if (!line) return -1;
  return (
    (JSON.parse(line) as { counts?: { transitions?: { fired?: number } } }).counts?.transitions?.fired ?? -1
  );
}

export interface BundleRep extends RepAudit, Contention {
  /** Alerts each run fired, i.e. whose claim it won (how the work was split between them). */
  firedBy: number[];
  /** Between the first and the last run's first SmartAssist request (how far apart the runs really started). */
  readSpreadMs: number;
}

/**
 * One repetition on the bundle: `shape.runs` fresh containers (separate `node` processes) import the
 * bundle with a fresh table, then are invoked with the schedule's event at once or `apartMs` apart;
 * afterwards one of them is invoked again (the following run).
 */
export async function bundleRep(world: BundleWorld, shape: Shape, slowMs: number): Promise<BundleRep> {
  const { slack, dynamo } = world;
  const tableName = await dynamo.createAlertTable();
  // A lunch begun 20 minutes ago as of now: whatever the bench has taken so far, the same three alerts.
  world.sim.setAgents(overlapAgents(Date.now(), world.nameLength));
  const env = bundleEnv(world, tableName);
  const containers: WarmBundle[] = [];
  try {
    // Containers start in parallel (their INIT is not what overlaps); the invocations are what start together.
    containers.push(
      ...(await Promise.all(
        Array.from({ length: shape.runs }, () => startWarmBundle(world.bundle, world.dir, env)),
      )),
    );
    slowPosts(slack, shape.runs, slowMs);
    const from = slack.calls.length;
    const simFrom = world.sim.requests.length;
    const invocations: Array<ReturnType<WarmBundle["invoke"]>> = [];
    for (const container of containers) {
      invocations.push(container.invoke(Date.now(), SCHEDULE_EVENT, 60_000));
      if (shape.apartMs > 0) await sleep(shape.apartMs);
    }
    const done = await Promise.all(invocations);
    const runCalls = slack.calls.slice(from);
    const failedRuns = done.flatMap((d, i) => (d.error ? [`run ${i + 1}: ${d.error}`] : []));
    const stored = await scanAlerts(world.dynamo, tableName);

    const before = slack.calls.length;
    const next = await (containers[0] as WarmBundle).invoke(Date.now(), SCHEDULE_EVENT, 60_000);
    if (next.error) failedRuns.push(`following run: ${next.error}`);
    const audit = auditRep(runCalls, stored, slack.calls.slice(before), failedRuns, world.channel);
    return {
      ...audit,
      ...contentionIn(done.flatMap((d) => d.lines)),
      firedBy: done.map((d) => firedInLog(d.lines)),
      readSpreadMs: readSpread(world.sim, simFrom, shape.runs),
    };
  } finally {
    await Promise.all(containers.map((c) => c.close()));
    await dynamo.client.send(new DeleteTableCommand({ TableName: tableName }));
  }
}

/** The alert records in the table (the store's own items, under `#` ids, left out). */
export async function scanAlerts(dynamo: LocalDynamo, tableName: string): Promise<StoredAlert[]> {
  const doc = DynamoDBDocumentClient.from(dynamo.client);
  const items: StoredAlert[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) {
      const id = String(item.id);
      // History items (ended episodes) are not alert records either; none end in this bench.
      if (id.startsWith("#") || id.startsWith("history#")) continue;
      items.push(item as StoredAlert);
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

// ---------------------------------------------------------------------------------------------
// The CLI: real `check` processes on one state file

export interface CliWorld {
  sim: Simulator;
  slack: FakeSlack;
  dir: string;
  configPath: string;
  /** The instant every run evaluates as (`--now`). */
  nowMs: number;
}

export async function startCliWorld(nameLength = 0): Promise<CliWorld> {
  const nowMs = Math.floor(Date.now() / MINUTE) * MINUTE;
  const sim = await startSimulator({
    ...DEMO_CREDENTIALS,
    agents: overlapAgents(nowMs, nameLength),
    rateLimitPerMinute: 1e9,
    now: nowMs,
  });
  const slack = await startFakeSlack({ token: TOKEN });
  const dir = mkdtempSync(join(tmpdir(), "asa-overlap-procs-"));
  const configPath = join(dir, "config.yaml");
  writeFileSync(
    configPath,
    `timezone: Asia/Kolkata
${demoSmartAssistYaml(sim.url)}
  requestsPerMinute: 100000
schedule:
  every: 5m
rules:
  - name: Long break
    secondaryStatus: [LUNCH]
    threshold: 15m
slack:
  channel: ${CHANNEL}
  rollup: 0
`,
  );
  return { sim, slack, dir, configPath, nowMs };
}

export async function closeCliWorld(world: CliWorld): Promise<void> {
  await Promise.all([world.sim.close(), world.slack.close()]);
  rmSync(world.dir, { recursive: true, force: true });
}

export interface CliRep extends RepAudit, Contention {
  /** Alerts each run fired, i.e. whose claim it won (from its `--json` summary). */
  firedBy: number[];
  /** Between the first and the last run's first SmartAssist request (process start-up staggers them). */
  readSpreadMs: number;
}

function cliCheck(world: CliWorld, statePath: string, atMs: number): Promise<CliResult> {
  return runCli(
    [
      "check",
      "--config",
      world.configPath,
      "--now",
      new Date(atMs).toISOString(),
      "--state",
      statePath,
      "--json",
      // Its info lines on stderr say when it met another run's claim or lease (stdout stays the summary).
      "--verbose",
    ],
    {
      SMARTASSIST_CLIENT_ID: DEMO_CREDENTIALS.clientId,
      SMARTASSIST_CLIENT_SECRET: DEMO_CREDENTIALS.clientSecret,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_API_URL: world.slack.url,
    },
  );
}

/** Alerts a `check --json` run fired; -1 when its output is not the summary. */
function firedOf(result: CliResult): number {
  try {
    const summary = JSON.parse(result.stdout) as { transitions?: Array<{ type: string }> };
    return summary.transitions?.filter((t) => t.type === "fired").length ?? -1;
  } catch {
    return -1;
  }
}

/** One repetition on the CLI: `shape.runs` `check` processes on a fresh state file, then a following run a minute later. */
export async function cliRep(world: CliWorld, shape: Shape, slowMs: number, rep: number): Promise<CliRep> {
  const { slack } = world;
  const statePath = join(world.dir, `state-${shape.runs}-${shape.apartMs}-${rep}.json`);
  slowPosts(slack, shape.runs, slowMs);
  const from = slack.calls.length;
  const simFrom = world.sim.requests.length;
  const started: Array<Promise<CliResult>> = [];
  for (let i = 0; i < shape.runs; i++) {
    started.push(cliCheck(world, statePath, world.nowMs));
    if (shape.apartMs > 0) await sleep(shape.apartMs);
  }
  const results = await Promise.all(started);
  const runCalls = slack.calls.slice(from);
  const failedRuns = results.flatMap((r, i) =>
    r.code === 0 ? [] : [`run ${i + 1} exited ${r.code}: ${r.stderr.trim().split("\n").at(-1)}`],
  );
  const stored = (JSON.parse(readFileSync(statePath, "utf8")) as { alerts: StoredAlert[] }).alerts;

  const before = slack.calls.length;
  const next = await cliCheck(world, statePath, world.nowMs + MINUTE);
  if (next.code !== 0)
    failedRuns.push(`following run exited ${next.code}: ${next.stderr.trim().split("\n").at(-1)}`);
  const audit = auditRep(runCalls, stored, slack.calls.slice(before), failedRuns);
  rmSync(statePath, { force: true });
  return {
    ...audit,
    ...contentionIn(results.map((r) => r.stderr)),
    firedBy: results.map(firedOf),
    readSpreadMs: readSpread(world.sim, simFrom, shape.runs),
  };
}

// ---------------------------------------------------------------------------------------------
// The bench

export interface ShapeFigures {
  mode: "cli" | "bundle";
  runs: number;
  apartMs: number;
  reps: number;
  duplicates: number;
  lost: number;
  /** Repetitions whose state afterwards was wrong (a missing or foreign slackTs, a lease left). */
  badState: number;
  /** Slack sends the following runs made (all repetitions). */
  followUpSends: number;
  failedRuns: number;
  /** Repetitions where more than one run won claims (the runs really raced for the same alerts). */
  splitReps: number;
  /** Messages Slack refused, all repetitions (each answered by its plain-text version, not lost). */
  refusals: number;
  /** Claims lost and leases met, all repetitions: how often the runs really met. */
  claimsLost: number;
  leasesMet: number;
  /** Median and largest gap between the runs' first reads, over the repetitions. */
  readSpreadMs: { median: number; max: number };
  wallMs: number;
  /** The first few problems, verbatim. */
  problems: string[];
}

type Rep = RepAudit & Contention & { firedBy: number[]; readSpreadMs: number };

function tally(mode: ShapeFigures["mode"], shape: Shape, reps: Array<Rep>, wallMs: number): ShapeFigures {
  const problems = reps.flatMap((r, i) =>
    [
      ...(r.duplicates > 0 ? [`duplicate post(s): ${r.duplicates}`] : []),
      ...(r.lost > 0 ? [`lost: ${r.lost}`] : []),
      ...r.stateProblems,
      ...(r.followUpSends > 0 ? [`the following run sent ${r.followUpSends}`] : []),
      ...r.failedRuns,
    ].map((p) => `rep ${i + 1}: ${p}`),
  );
  return {
    mode,
    ...shape,
    reps: reps.length,
    duplicates: reps.reduce((n, r) => n + r.duplicates, 0),
    lost: reps.reduce((n, r) => n + r.lost, 0),
    badState: reps.filter((r) => r.stateProblems.length > 0).length,
    followUpSends: reps.reduce((n, r) => n + r.followUpSends, 0),
    failedRuns: reps.reduce((n, r) => n + r.failedRuns.length, 0),
    splitReps: reps.filter((r) => r.firedBy.filter((d) => d > 0).length > 1).length,
    refusals: reps.reduce((n, r) => n + r.refusals, 0),
    claimsLost: reps.reduce((n, r) => n + r.claimsLost, 0),
    leasesMet: reps.reduce((n, r) => n + r.leasesMet, 0),
    readSpreadMs: {
      median: median(reps.map((r) => r.readSpreadMs)),
      max: Math.max(0, ...reps.map((r) => r.readSpreadMs)),
    },
    wallMs: Math.round(wallMs),
    problems: problems.slice(0, 10),
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function describeShape(s: ShapeFigures): string {
  const when = s.apartMs === 0 ? "at once" : `${s.apartMs} ms apart`;
  return (
    `  ${s.mode.padEnd(6)} ${s.runs} runs ${when.padEnd(12)} ${s.reps} reps: ${s.duplicates} duplicate post(s), ` +
    `${s.lost} lost, ${s.badState} bad state, ${s.followUpSends} sent by the following run, ` +
    `${s.failedRuns} failed run(s), ${s.refusals} refused by Slack; claims split between runs in ${s.splitReps}/${s.reps}, ` +
    `${s.claimsLost} claims lost and ${s.leasesMet} leases met, ` +
    `reads began ${s.readSpreadMs.median} ms apart (median; max ${s.readSpreadMs.max}); ` +
    `${(s.wallMs / 1000).toFixed(0)} s`
  );
}

export async function overlapProcsBench(options: {
  reps: number;
  modes: ReadonlyArray<"cli" | "bundle">;
  shapes?: readonly Shape[];
  slowMs?: number;
  /** The agents' first-name length (0: short names); 1,000 makes every message lean on the bounds. */
  nameLength?: number;
  progress?: (line: string) => void;
}): Promise<ShapeFigures[]> {
  const { reps, modes } = options;
  const shapes = options.shapes ?? SHAPES;
  const slowMs = options.slowMs ?? 800;
  const progress = options.progress ?? (() => undefined);
  const figures: ShapeFigures[] = [];
  const runShapes = async <R extends Rep>(
    mode: ShapeFigures["mode"],
    one: (shape: Shape, rep: number) => Promise<R>,
  ) => {
    for (const shape of shapes) {
      const started = performance.now();
      const done: R[] = [];
      for (let rep = 0; rep < reps; rep++) {
        const r = await one(shape, rep);
        done.push(r);
        const bad = r.duplicates + r.lost + r.stateProblems.length + r.followUpSends + r.failedRuns.length;
        progress(
          `${mode} ${shape.runs}×${shape.apartMs}ms rep ${rep + 1}/${reps}: ${r.posts} posts, fired ${r.firedBy.join("+")}, reads began ${r.readSpreadMs} ms apart, ${r.claimsLost} claims lost, ${r.leasesMet} leases met${bad > 0 ? ` — PROBLEM ${JSON.stringify(r)}` : ""}`,
        );
      }
      const shapeFigures = tally(mode, shape, done, performance.now() - started);
      figures.push(shapeFigures);
      progress(describeShape(shapeFigures));
    }
  };
  if (modes.includes("cli")) {
    const world = await startCliWorld(options.nameLength ?? 0);
    try {
      await runShapes("cli", (shape, rep) => cliRep(world, shape, slowMs, rep));
    } finally {
      await closeCliWorld(world);
    }
  }
  if (modes.includes("bundle")) {
    progress("bundle: synthesizing the stack (once)");
    const world = await startBundleWorld(undefined, options.nameLength ?? 0);
    progress(`bundle: synthesized in ${(world.bundle.synthMs / 1000).toFixed(1)} s`);
    try {
      await runShapes("bundle", (shape) => bundleRep(world, shape, slowMs));
    } finally {
      await closeBundleWorld(world);
    }
  }
  return figures;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const reps = Number(args.find((a) => !a.startsWith("--")) ?? 50);
  const only = flag("only");
  const modes = only ? (only.split(",") as Array<"cli" | "bundle">) : (["cli", "bundle"] as const);
  const shapeArg = flag("shape");
  const shapes = shapeArg
    ? shapeArg.split(",").map((s) => {
        const [runs, apartMs] = s.split("x").map(Number);
        return { runs: runs ?? 2, apartMs: apartMs ?? 0 };
      })
    : SHAPES;
  const slowMs = Number(flag("slow-ms") ?? 800);
  const nameLength = Number(flag("name-length") ?? 0);
  const json = args.includes("--json");
  const started = performance.now();
  const figures = await overlapProcsBench({
    reps,
    modes,
    shapes,
    slowMs,
    nameLength,
    progress: (line) => process.stderr.write(`${line}\n`),
  });
  const text = [
    `Overlap across processes — ${reps} repetitions of each shape, 3 alerts, Slack posts taking ${slowMs} ms` +
      `${nameLength > 0 ? `, ${nameLength}-character names` : ""} ` +
      `(${((performance.now() - started) / 1000).toFixed(0)} s in all):`,
    ...figures.map(describeShape),
  ].join("\n");
  process.stdout.write(`${text}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ reps, slowMs, figures })}\n`);
}
