/**
 * The use case behind Slack's interactivity URL: a verified click on Acknowledge, Snooze…, Excuse or a
 * roll-up's Acknowledge all. The driving adapter (adapters/slack/interaction-request.ts) has checked
 * the signature and parsed the payload; here each alert the click names gets one conditional write
 * (retried once on a conflict with a concurrent run) that applies its actions and, when no run is
 * sending that alert right now, takes a short lease; then the message update and thread reply; then
 * the write that ends the lease. The same code serves the `interactions` Lambda and `cli serve`.
 *
 * Slack waits 3 s for the answer, for the whole payload: actions on different alerts go at once,
 * actions on one alert share its one write and one redraw, and Acknowledge all writes its members with
 * bounded concurrency.
 */
import { randomUUID } from "node:crypto";
import {
  type ActionOutcome,
  type ActionTarget,
  type AlertActionRequest,
  afterClickRedraw,
  applyAction,
  type Click,
  clickWrite,
  intentOf,
  resolveAlertId,
} from "../domain/actions.js";
import type { AlertRecord, Transition } from "../domain/alert.js";
import type { AppConfig } from "../domain/config.js";
import { withRollupAcks } from "../domain/rollup-ack.js";
import { localTimeOfDay } from "../domain/time.js";
import type {
  AlertStore,
  ClickResponder,
  EphemeralTarget,
  EventPublisher,
  InteractionNotifier,
} from "../ports.js";
import { type AcknowledgeAllContext, acknowledgeAll } from "./acknowledge-all.js";
import type { Log } from "./logger.js";

/**
 * Slack waits 3 s for the answer: the message update inside it gets at most this long, leaving room
 * for a cold start, the secret and the conditional writes.
 */
export const SLACK_UPDATE_BOUND_MS = 1_500;

/** Outcome names the use case counts; the Lambda logs them on its `interaction` line. */
export type InteractionOutcomeMetric =
  | "InteractionApplied"
  | "InteractionRefused"
  | "InteractionSlackUpdateFailed";

export interface InteractionDeps {
  config: Pick<AppConfig, "timezone" | "slack">;
  store: AlertStore;
  /** Absent: the state changes and the next check run redraws the message. */
  notifier?: InteractionNotifier;
  /** Without a notifier, how a refusal still reaches the user (the click's response_url). */
  responder?: ClickResponder;
  events?: EventPublisher;
  log: Log;
  count?: (metric: InteractionOutcomeMetric) => void;
  /** The real clock (actions are stamped with it; leases are about real time). */
  nowMs?: () => number;
  /** The click's lease holder name (`click:<random>` by default); tests name it. */
  leaseName?: () => string;
  /** Acknowledge all's writes in flight at once; ACKNOWLEDGE_ALL_CONCURRENCY by default (the bench varies it). */
  acknowledgeAllConcurrency?: number;
}

/** One click's context, shared by its actions. */
interface Ctx {
  deps: InteractionDeps;
  user: string;
  nowMs: number;
  count: (metric: InteractionOutcomeMetric) => void;
  answer: (text: string) => Promise<void>;
  /** The live records, read once for the whole click and only when needed (a hashed block_id, a roll-up). */
  records: () => Promise<AlertRecord[]>;
}

const NOT_A_RESPONDER = "Sorry, you are not one of this alert's responders: nothing was changed.";

export async function handleInteraction(deps: InteractionDeps, click: Click): Promise<void> {
  const nowMs = (deps.nowMs ?? Date.now)();
  const count = deps.count ?? (() => {});
  const user = click.user;
  const target: EphemeralTarget = { user };
  if (click.responseUrl !== undefined) target.responseUrl = click.responseUrl;
  if (click.channel !== undefined) target.channel = click.channel;
  const responder = deps.notifier ?? deps.responder;
  let loaded: Promise<AlertRecord[]> | undefined;
  const ctx: Ctx = {
    deps,
    user,
    nowMs,
    count,
    answer: async (text) => {
      count("InteractionRefused");
      const answered = responder ? await responder.ephemeral(target, text) : false;
      if (!answered) deps.log.warn("could not answer the user in Slack", { user, text });
    },
    records: () => {
      // As every reader takes them: what an earlier Acknowledge all still owes, applied.
      loaded ??= deps.store.load().then(withRollupAcks);
      return loaded;
    },
  };

  const alertActions: Array<{ target: ActionTarget; request: AlertActionRequest }> = [];
  const rollups: Array<{ target: ActionTarget; key?: string }> = [];
  const unknown: Promise<void>[] = [];
  for (const action of click.actions) {
    const intent = intentOf(action, user, nowMs);
    if (intent.kind === "nothing") continue;
    if (intent.kind === "unknown") {
      // Not one of ours (or a snooze value outside the menu): say so rather than fail silently.
      unknown.push(ctx.answer("Sorry, this button is not one this app knows."));
    } else if (intent.kind === "alert") {
      alertActions.push({ target: intent.target, request: intent.request });
    } else {
      rollups.push(
        intent.key === undefined ? { target: intent.target } : { target: intent.target, key: intent.key },
      );
    }
  }
  const work: Promise<void>[] = [...unknown];
  if (alertActions.length > 0 || rollups.length > 0) {
    if (!(await mayAct(deps, user))) {
      work.push(ctx.answer(NOT_A_RESPONDER));
    } else {
      // Actions on one alert go together (one write, one redraw); different alerts at once.
      const byAlert = new Map<string, AlertActionRequest[]>();
      let untracked = 0;
      for (const { target, request } of alertActions) {
        const id = resolveAlertId(target, target.kind === "id" ? [] : await ctx.records());
        if (id === undefined) {
          untracked += 1;
          continue;
        }
        byAlert.set(id, [...(byAlert.get(id) ?? []), request]);
      }
      if (untracked > 0)
        work.push(ctx.answer(refusalText({ ok: false, reason: "over" }, deps.config.timezone)));
      for (const [id, requests] of byAlert) work.push(actOnAlert(ctx, id, requests));
      for (const rollup of rollups) work.push(acknowledgeAll(ackAllContext(ctx), rollup.target, rollup.key));
    }
  }
  await Promise.all(work);
}

/**
 * The actions on one alert: applied to the stored record together in one conditional write (once more
 * on a conflict), which also takes the click's lease unless a run holds one; then the redraw.
 */
async function actOnAlert(ctx: Ctx, alertId: string, requests: AlertActionRequest[]): Promise<void> {
  const { deps } = ctx;
  const me = (deps.leaseName ?? clickLeaseName)();
  let written: { record: AlertRecord; redraw: boolean; wanted: boolean } | undefined;
  let applied: Transition[] = [];
  let refusals: Array<Extract<ActionOutcome, { ok: false }>> = [];
  let conflicted = false;
  for (let attempt = 0; attempt < 2; attempt++) {
    const stored = await deps.store.get(alertId);
    applied = [];
    refusals = [];
    let record = stored;
    for (const request of requests) {
      const outcome = applyAction(record, request);
      if (outcome.ok) {
        record = outcome.record;
        applied.push(outcome.transition);
      } else {
        refusals.push(outcome);
      }
    }
    if (stored === undefined || record === undefined || applied.length === 0) {
      conflicted = false;
      break;
    }
    const wantsRedraw =
      deps.notifier !== undefined && record.slackTs !== undefined && record.rollupTs === undefined;
    const write = clickWrite({ ...record, version: stored.version + 1 }, me, ctx.nowMs, wantsRedraw);
    if (await deps.store.put(write.record, stored.version)) {
      written = { ...write, wanted: wantsRedraw };
      conflicted = false;
      break;
    }
    conflicted = true;
    deps.log.info("the alert changed under the click; trying once more", { alert: alertId });
  }
  const answers = refusals
    .filter((r) => r.reason !== "replayed")
    .map((r) => ctx.answer(refusalText(r, deps.config.timezone)));
  if (conflicted)
    answers.push(ctx.answer("This alert was being updated at the same moment; please try again."));
  if (written === undefined) {
    await Promise.all(answers);
    return;
  }
  const record = written.record;
  ctx.count("InteractionApplied");
  deps.log.info("alert action applied", {
    alert: alertId,
    action: applied.map((t) => t.type).join(","),
    by: ctx.user,
  });
  if (written.wanted && !written.redraw)
    deps.log.info("a run is sending this alert right now; it redraws the message", { alert: alertId });

  const [, published] = await Promise.all([
    written.redraw ? redraw(ctx, record, me) : Promise.resolve(),
    deps.events ? deps.events.publish(applied) : Promise.resolve({ failed: 0 }),
    ...answers,
  ]);
  if (published.failed > 0)
    deps.log.warn("the action's event could not be put on the bus", { alert: alertId });
}

/**
 * The message update and thread reply, under the click's lease; then the write that ends the lease
 * (and `actionPending`, once Slack showed it). On failure the action stands, `actionPending` stays,
 * and the next run redraws the message. Another click that came in under the lease (it left the redraw
 * to this one) is drawn once more, if there is time for it within Slack's 3 s.
 */
async function redraw(ctx: Ctx, first: AlertRecord, me: string): Promise<void> {
  const { deps } = ctx;
  if (!deps.notifier) return;
  const clock = deps.nowMs ?? Date.now;
  let drawn = first;
  for (let round = 0; round < 2; round++) {
    const delivered = await deps.notifier.deliver({ kind: "acted", record: drawn });
    if (!delivered.ok) {
      ctx.count("InteractionSlackUpdateFailed");
      deps.log.warn("Slack did not take the message update; the next run redraws it", {
        alert: drawn.id,
        error: delivered.error,
      });
    }
    const again = round === 0 && delivered.ok && clock() - ctx.nowMs < SECOND_REDRAW_BEFORE_MS;
    const ended = await endLease(ctx, drawn, me, delivered.ok, again);
    if (ended === "done") return;
    drawn = ended.redraw;
  }
}

/** Redrawn a second time only when the click is this young: the second update still ends inside 3 s. */
const SECOND_REDRAW_BEFORE_MS = 1_000;

/**
 * The write that ends the click's lease (retried once on a conflict, from the record as it then
 * stands). When `mayRedraw` and another action came in under the lease, the lease is kept and that
 * record is handed back to be drawn.
 */
async function endLease(
  ctx: Ctx,
  drawn: AlertRecord,
  me: string,
  shown: boolean,
  mayRedraw: boolean,
): Promise<"done" | { redraw: AlertRecord }> {
  const { deps } = ctx;
  for (let attempt = 0; attempt < 2; attempt++) {
    const current = attempt === 0 ? drawn : await deps.store.get(drawn.id);
    if (current === undefined) return "done";
    const next = afterClickRedraw(current, drawn, me, shown);
    // The lease lapsed and a run took the record over: that run draws it.
    if (next === undefined) return "done";
    if (mayRedraw && next.actionPending !== undefined) return { redraw: current };
    if (await deps.store.put(next, current.version)) return "done";
  }
  // Still ours but written under us twice: the lease lapses in seconds and the next run redraws.
  deps.log.info("could not end the click's lease; it lapses by itself", { alert: drawn.id });
  return "done";
}

function ackAllContext(ctx: Ctx): AcknowledgeAllContext {
  const { deps } = ctx;
  return {
    store: deps.store,
    ...(deps.notifier ? { notifier: deps.notifier } : {}),
    ...(deps.events ? { events: deps.events } : {}),
    ...(deps.acknowledgeAllConcurrency !== undefined ? { concurrency: deps.acknowledgeAllConcurrency } : {}),
    log: deps.log,
    clock: deps.nowMs ?? Date.now,
    startedMs: ctx.nowMs,
    user: ctx.user,
    records: ctx.records,
    answer: ctx.answer,
    applied: () => ctx.count("InteractionApplied"),
    slackUpdateFailed: () => ctx.count("InteractionSlackUpdateFailed"),
  };
}

function clickLeaseName(): string {
  return `click:${randomUUID()}`;
}

/** `slack.responders`: user ids as they are, user groups expanded (cached by the notifier). */
async function mayAct(deps: InteractionDeps, user: string): Promise<boolean> {
  const responders = deps.config.slack.responders;
  if (responders === undefined || responders.length === 0) return true;
  if (responders.includes(user)) return true;
  for (const id of responders) {
    if (!id.startsWith("S") || !deps.notifier) continue;
    const members = await deps.notifier.groupMembers(id);
    if (members?.includes(user)) return true;
  }
  return false;
}

function refusalText(outcome: Extract<ActionOutcome, { ok: false }>, zone: string): string {
  switch (outcome.reason) {
    case "over":
      return outcome.endedMs === undefined
        ? "This alert is over or no longer tracked: nothing to do."
        : `This alert is already over (it ended at ${localTimeOfDay(zone, outcome.endedMs)}): nothing to do.`;
    case "not-an-alert":
      return "This is not an alert yet: nothing to do.";
    case "excused":
      return `<@${outcome.by}> already excused this episode; an excuse is final.`;
    case "already-acknowledged":
      return `<@${outcome.by}> already acknowledged this at ${localTimeOfDay(zone, outcome.atMs)}.`;
    case "replayed":
      return "";
  }
}
