/**
 * A roll-up's `Acknowledge all`, inside Slack's 3 s whatever the roll-up's size, and the runs that
 * finish it (domain/rollup-ack.ts). The click writes the first member it acknowledges together with
 * the roll-up's intent, then the other members (each its own conditional write, retried once on a
 * conflict with a run, ACKNOWLEDGE_ALL_CONCURRENCY in flight, its own event) until
 * ACKNOWLEDGE_ALL_WRITES_MS; it redraws the roll-up with every member acknowledged and answers. The
 * members it did not reach are owed: readers apply the intent, and the next run writes them.
 */
import { type ActionTarget, rollupMembers } from "../domain/actions.js";
import type { AlertRecord, Transition } from "../domain/alert.js";
import { byDisplayOrder } from "../domain/rollup.js";
import {
  acknowledgedMember,
  owedRollupAcks,
  type RollupAck,
  rollupAckRequest,
} from "../domain/rollup-ack.js";
import type { AlertStore, EventPublisher, InteractionNotifier } from "../ports.js";
import { mapBounded } from "./bounded.js";
import type { Log } from "./logger.js";

/**
 * Acknowledge all's conditional writes in flight at once: enough to hide DynamoDB's round trip
 * (one at a time took 12–16 s for 1,000), without a burst that on-demand capacity would throttle.
 */
export const ACKNOWLEDGE_ALL_CONCURRENCY = 32;

/**
 * After this long from the click no further member write starts: with the roll-up's redraw (at most
 * SLACK_UPDATE_BOUND_MS) the answer still comes inside Slack's 3 s. What is left is owed to the next run.
 */
export const ACKNOWLEDGE_ALL_WRITES_MS = 1_200;

/** Members the click tries, one after another, to carry the intent before giving up on deferring. */
const INTENT_CANDIDATES = 3;

/** What Acknowledge all needs of the click it is part of. */
export interface AcknowledgeAllContext {
  store: AlertStore;
  notifier?: InteractionNotifier;
  events?: EventPublisher;
  log: Log;
  concurrency?: number;
  /** The real clock, and the instant the click came in (the 3 s run from it). */
  clock: () => number;
  startedMs: number;
  user: string;
  /** The live records as readers take them (owed acknowledgements applied). */
  records: () => Promise<AlertRecord[]>;
  answer: (text: string) => Promise<void>;
  applied: () => void;
  slackUpdateFailed: () => void;
}

type MemberResult =
  | { kind: "acknowledged"; record: AlertRecord; transition: Transition }
  | { kind: "refused"; reason: string }
  | { kind: "conflicted" };

export async function acknowledgeAll(
  ctx: AcknowledgeAllContext,
  target: ActionTarget,
  key: string | undefined,
): Promise<void> {
  const { user: by } = ctx;
  const nowMs = ctx.startedMs;
  const members = rollupMembers(target, await ctx.records());
  const rollupId = members[0]?.rollupId;
  const open = members.filter((r) => r.state === "open");
  if (rollupId === undefined || open.length === 0) {
    await ctx.answer("This roll-up is over or no longer tracked: nothing to do.");
    return;
  }
  const ack: RollupAck = key === undefined ? { by, atMs: nowMs } : { by, atMs: nowMs, key };
  const request = rollupAckRequest(ack);
  // Each member's event goes out as soon as its write is in, beside the writes still under way.
  const publishing = eventStream(ctx.events);
  const write = async (member: AlertRecord, intent: boolean): Promise<MemberResult> => {
    for (let attempt = 0; attempt < 2; attempt++) {
      const stored = attempt === 0 ? member : await ctx.store.get(member.id);
      if (stored === undefined) return { kind: "refused", reason: "over" };
      const done = acknowledgedMember(stored, request);
      if ("refused" in done) return { kind: "refused", reason: done.refused };
      const record = intent ? { ...done.record, rollupAck: ack } : done.record;
      if (await ctx.store.put(record, stored.version)) {
        publishing.add(done.transition);
        return { kind: "acknowledged", record, transition: done.transition };
      }
    }
    return { kind: "conflicted" };
  };

  // The intent first, on the first member that takes it: from then on nothing of the click is lost.
  const results = new Array<MemberResult | undefined>(open.length).fill(undefined);
  let intentHeld = false;
  let next = 0;
  for (; next < open.length && next < INTENT_CANDIDATES && !intentHeld; next++) {
    const result = await write(open[next] as AlertRecord, true);
    results[next] = result;
    intentHeld = result.kind === "acknowledged";
  }
  const rest = await mapBounded(
    open.slice(next),
    ctx.concurrency ?? ACKNOWLEDGE_ALL_CONCURRENCY,
    (member) => write(member, false),
    // Without an intent nothing may be left owed: every write is made, however long it takes.
    { mayStart: () => !intentHeld || ctx.clock() - ctx.startedMs < ACKNOWLEDGE_ALL_WRITES_MS },
  );
  rest.forEach((result, i) => {
    results[next + i] = result;
  });

  const after = new Map(members.map((r) => [r.id, r]));
  let written = 0;
  let owed = 0;
  let conflicts = 0;
  let replays = 0;
  for (const [i, result] of results.entries()) {
    const member = open[i] as AlertRecord;
    if (result === undefined) {
      // Not reached in time: owed to the next run, shown acknowledged now.
      const done = acknowledgedMember(member, request);
      if ("record" in done) {
        after.set(member.id, done.record);
        owed += 1;
      }
    } else if (result.kind === "acknowledged") {
      after.set(result.record.id, result.record);
      written += 1;
    } else if (result.kind === "conflicted") {
      conflicts += 1;
    } else if (result.reason === "replayed") {
      replays += 1;
    }
  }
  if (conflicts > 0)
    ctx.log.warn("some roll-up members changed under the click twice", { rollup: rollupId, conflicts });
  const acknowledged = written + owed;
  if (acknowledged === 0) {
    // The same click again (a replay) changes nothing and says nothing.
    if (replays === open.length) return;
    await publishing.done();
    await ctx.answer(
      conflicts > 0
        ? "These alerts were being updated at the same moment; please try again."
        : "Every alert here is already acknowledged, excused or over: nothing to do.",
    );
    return;
  }
  ctx.applied();
  ctx.log.info("roll-up acknowledged", { rollup: rollupId, by, alerts: acknowledged, written, owed });
  const first = members.find((m) => m.rollupTs !== undefined && m.channel !== undefined);
  const redrawRollup = async () => {
    if (!ctx.notifier || first?.rollupTs === undefined || first.channel === undefined) return;
    const shown = await ctx.notifier.rollupAcknowledged(
      {
        id: rollupId,
        channel: first.channel,
        ts: first.rollupTs,
        members: [...after.values()].sort(byDisplayOrder),
      },
      by,
      acknowledged,
    );
    if (!shown.ok) {
      ctx.slackUpdateFailed();
      ctx.log.warn("Slack did not take the roll-up update", { rollup: rollupId, error: shown.error });
    }
  };
  const [, published] = await Promise.all([
    redrawRollup(),
    publishing.done(),
    conflicts > 0
      ? ctx.answer(
          `${conflicts} of these alerts were being updated at the same moment; click again for them.`,
        )
      : Promise.resolve(),
  ]);
  if (published.failed > 0)
    ctx.log.warn("some acknowledgement events could not be put on the bus", published);
}

/**
 * A run's share of Acknowledge all: the members a click left owed, each written with its own
 * conditional write (a run or click that wrote it first wins) while `mayStart` allows. Returns the
 * records as the run must decide them (owed ones acknowledged, written or not: a decision on one not
 * written fails on its version, so nothing is sent for it) and the transitions of the writes made.
 */
export async function settleRollupAcks(
  records: AlertRecord[],
  store: AlertStore,
  options: { dryRun: boolean; concurrency: number; mayStart: () => boolean },
): Promise<{ records: AlertRecord[]; transitions: Transition[] }> {
  const owed = owedRollupAcks(records);
  if (owed.length === 0) return { records, transitions: [] };
  const done = options.dryRun
    ? owed.map(() => true)
    : await mapBounded(owed, options.concurrency, (o) => store.put(o.record, o.before.version), {
        mayStart: options.mayStart,
      });
  const byId = new Map(owed.map((o) => [o.before.id, o.record]));
  const transitions = owed.flatMap((o, i) => (done[i] === true ? [o.transition] : []));
  return { records: records.map((r) => byId.get(r.id) ?? r), transitions };
}

/** Events per publish while Acknowledge all's writes go on, and publishes in flight at once. */
const EVENT_CHUNK = 50;
const EVENT_PUBLISHES_IN_FLIGHT = 2;

/**
 * Transitions published in chunks as they come (at most EVENT_PUBLISHES_IN_FLIGHT publishes at once),
 * so a thousand events are not all left for after the last write; `done` sends the rest and waits.
 */
function eventStream(events: EventPublisher | undefined) {
  const queue: Transition[] = [];
  const running = new Set<Promise<void>>();
  let failed = 0;
  const launch = (force: boolean) => {
    while (
      events &&
      running.size < EVENT_PUBLISHES_IN_FLIGHT &&
      (queue.length >= EVENT_CHUNK || (force && queue.length > 0))
    ) {
      const chunk = queue.splice(0, EVENT_CHUNK);
      // A publisher that throws loses these events, never the answer: they are counted as failed.
      const sent: Promise<void> = Promise.resolve()
        .then(() => events.publish(chunk))
        .then(
          (result) => {
            failed += result.failed;
          },
          () => {
            failed += chunk.length;
          },
        )
        .then(() => {
          running.delete(sent);
          launch(force);
        });
      running.add(sent);
    }
  };
  return {
    add(transition: Transition) {
      queue.push(transition);
      launch(false);
    },
    async done(): Promise<{ failed: number }> {
      launch(true);
      while (running.size > 0) {
        await Promise.all(running);
        launch(true);
      }
      return { failed };
    },
  };
}
