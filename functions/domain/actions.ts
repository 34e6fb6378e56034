/**
 * What people do to an alert from Slack — acknowledge, snooze, excuse — as pure functions: the
 * record after the action, the transition it makes, or why it changes nothing. The lifecycle reads
 * the result through `disposition`, so a run after the click honours it.
 */
import { type ActionTransitionType, type AlertRecord, type Transition, toTransition } from "./alert.js";
import { parseDuration } from "./duration.js";
import { leasedByOther, withoutLease } from "./lease.js";

/** The ids Slack sends back in `action_id` (DESIGN.md: "Acting on an alert from Slack"). */
export const ACTION_IDS = {
  acknowledge: "alert.ack",
  snooze: "alert.snooze",
  excuse: "alert.excuse",
  acknowledgeAll: "rollup.ack",
} as const;

/** The snooze menu's options, as `value`s Slack sends back. */
export const SNOOZE_OPTIONS = ["15m", "30m", "1h", "2h"] as const;

/** Applied action keys a record keeps (newest last): enough for any replay Slack or a proxy makes. */
export const MAX_APPLIED_ACTIONS = 20;

/**
 * How long a click holds the lease on the record whose message it redraws: the update's bound
 * (1.5 s) with room to spare, short enough that a click that died is forgotten by the next run.
 */
export const CLICK_LEASE_MS = 10_000;

interface RequestBase {
  by: string;
  nowMs: number;
  /** `user:action_ts` of the Slack action (`actionKey`): the same key again changes nothing. */
  key?: string;
}

export type AlertActionRequest =
  | (RequestBase & { kind: "acknowledge" })
  | (RequestBase & { kind: "snooze"; seconds: number })
  | (RequestBase & { kind: "excuse" });

/** The key of one Slack action: who clicked, and Slack's `action_ts` for that action. */
export function actionKey(user: string, actionTs: string): string {
  return `${user}:${actionTs}`;
}

export type ActionRefusal =
  /** This very action (its key) was applied already: a replay, which changes and answers nothing. */
  | { reason: "replayed" }
  /** The episode already ended (or the record is gone): nothing to act on. */
  | { reason: "over"; endedMs?: number }
  | { reason: "not-an-alert" }
  | { reason: "excused"; by: string }
  | { reason: "already-acknowledged"; by: string; atMs: number };

export type ActionOutcome =
  | { ok: true; record: AlertRecord; transition: Transition }
  | ({ ok: false } & ActionRefusal);

/**
 * How people left the alert, as the lifecycle must honour it now: the latest action wins, except that
 * an excuse is final.
 */
export type Disposition =
  | { kind: "none" }
  | { kind: "acknowledged"; by: string; atMs: number }
  | { kind: "snoozed"; by: string; untilMs: number; active: boolean }
  | { kind: "excused"; by: string };

export function disposition(record: AlertRecord, nowMs: number): Disposition {
  if (record.excusedBy !== undefined) return { kind: "excused", by: record.excusedBy };
  const lastSnooze = record.snoozes?.at(-1);
  const snoozeIsLatest =
    record.snoozedUntilMs !== undefined &&
    record.snoozedBy !== undefined &&
    (record.acknowledgedMs === undefined || (lastSnooze?.atMs ?? 0) >= record.acknowledgedMs);
  if (snoozeIsLatest && record.snoozedUntilMs !== undefined && record.snoozedBy !== undefined) {
    return {
      kind: "snoozed",
      by: record.snoozedBy,
      untilMs: record.snoozedUntilMs,
      active: nowMs < record.snoozedUntilMs,
    };
  }
  if (record.acknowledgedBy !== undefined && record.acknowledgedMs !== undefined)
    return { kind: "acknowledged", by: record.acknowledgedBy, atMs: record.acknowledgedMs };
  return { kind: "none" };
}

/** A snooze option's value (`15m`, `1h`) in seconds; undefined for anything Slack should not send. */
export function snoozeSeconds(value: string | undefined): number | undefined {
  if (value === undefined || !(SNOOZE_OPTIONS as readonly string[]).includes(value)) return undefined;
  return parseDuration(value);
}

/**
 * Applies one action to the stored record. The record comes back with its version bumped and
 * `actionPending` set: the message update and thread reply are owed until Slack has shown them.
 */
export function applyAction(record: AlertRecord | undefined, request: AlertActionRequest): ActionOutcome {
  if (record === undefined) return { ok: false, reason: "over" };
  if (request.key !== undefined && record.appliedActions?.includes(request.key))
    return { ok: false, reason: "replayed" };
  if (record.state === "resolved" || record.state === "averted") {
    return record.endedMs === undefined
      ? { ok: false, reason: "over" }
      : { ok: false, reason: "over", endedMs: record.endedMs };
  }
  if (record.state !== "open") return { ok: false, reason: "not-an-alert" };
  const current = disposition(record, request.nowMs);
  if (current.kind === "excused") return { ok: false, reason: "excused", by: current.by };

  const { by, nowMs } = request;
  const next: AlertRecord = { ...record, version: record.version + 1 };
  let type: ActionTransitionType;
  let until: string | undefined;
  switch (request.kind) {
    case "acknowledge": {
      if (current.kind === "acknowledged")
        return { ok: false, reason: "already-acknowledged", by: current.by, atMs: current.atMs };
      type = "acknowledged";
      next.acknowledgedBy = by;
      next.acknowledgedMs = nowMs;
      // The acknowledgement replaces a snooze (the snooze stays in `snoozes` for history).
      delete next.snoozedBy;
      delete next.snoozedUntilMs;
      break;
    }
    case "snooze": {
      type = "snoozed";
      const untilMs = nowMs + request.seconds * 1000;
      next.snoozedBy = by;
      next.snoozedUntilMs = untilMs;
      next.snoozes = [...(record.snoozes ?? []), { by, atMs: nowMs, untilMs }];
      // Reminders are counted again from the end of the snooze (see the lifecycle's reminder slots).
      next.remindedSlots = 0;
      until = new Date(untilMs).toISOString();
      break;
    }
    case "excuse": {
      type = "excused";
      next.excusedBy = by;
      next.excusedMs = nowMs;
      break;
    }
  }
  next.actionPending = type;
  if (request.key !== undefined)
    next.appliedActions = [...(record.appliedActions ?? []), request.key].slice(-MAX_APPLIED_ACTIONS);
  const transition: Transition = { ...toTransition(type, next, nowMs), by };
  if (until !== undefined) transition.until = until;
  return { ok: true, record: next, transition };
}

/** The instant reminders count from: the end of a snooze that is the latest action, else the firing. */
export function reminderBaseMs(record: AlertRecord, nowMs: number): number {
  const d = disposition(record, nowMs);
  return d.kind === "snoozed" ? d.untilMs : record.firedMs;
}

// ---------------------------------------------------------------------------------------------
// A click as the endpoint hands it over: verified, parsed, in the domain's terms (not Slack's JSON).

/**
 * Which alert (or roll-up) an action names. Slack's `block_id` is the id itself, or, for an id too
 * long for it, a hash that only the ids held can be matched against (`matches`, by the adapter that
 * renders block ids).
 */
export type ActionTarget =
  | { kind: "id"; id: string }
  | { kind: "hashed"; blockId: string; matches: (id: string) => boolean };

export interface ClickedAction {
  /** Slack's `action_id` (one of ACTION_IDS, or not ours). */
  actionId: string;
  target: ActionTarget;
  /** A select's chosen option; null when the selection was cleared; absent for a button. */
  selected?: string | null;
  /** A button's value. */
  value?: string;
  /** Slack's `action_ts` of this action: with the user, the key that makes a replay change nothing. */
  actionTs?: string;
}

export interface Click {
  /** Slack user id of whoever clicked. */
  user: string;
  /** Where an ephemeral answer goes without the Web API. */
  responseUrl?: string;
  channel?: string;
  actions: ClickedAction[];
}

/** What one clicked action asks for. */
export type ActionIntent =
  | { kind: "alert"; target: ActionTarget; request: AlertActionRequest }
  | { kind: "acknowledge-all"; target: ActionTarget; by: string; nowMs: number; key?: string }
  /** A select cleared (Slack sends `selected_option: null`): nothing to do, nothing to say. */
  | { kind: "nothing" }
  /** Not one of ours, or a snooze value outside the menu. */
  | { kind: "unknown" };

export function intentOf(action: ClickedAction, by: string, nowMs: number): ActionIntent {
  const base: RequestBase = { by, nowMs };
  if (action.actionTs !== undefined && action.actionTs !== "") base.key = actionKey(by, action.actionTs);
  const target = action.target;
  switch (action.actionId) {
    case ACTION_IDS.acknowledge:
      return { kind: "alert", target, request: { ...base, kind: "acknowledge" } };
    case ACTION_IDS.excuse:
      return { kind: "alert", target, request: { ...base, kind: "excuse" } };
    case ACTION_IDS.snooze: {
      if (action.selected === null) return { kind: "nothing" };
      const seconds = snoozeSeconds(action.selected ?? action.value);
      return seconds === undefined
        ? { kind: "unknown" }
        : { kind: "alert", target, request: { ...base, kind: "snooze", seconds } };
    }
    case ACTION_IDS.acknowledgeAll:
      return { kind: "acknowledge-all", target, ...base };
    default:
      return { kind: "unknown" };
  }
}

/** True when `id` is the id `target` names. */
export function targets(target: ActionTarget, id: string): boolean {
  return target.kind === "id" ? target.id === id : target.matches(id);
}

/** The id of the alert `target` names: as given, or the held record whose id hashes to it. */
export function resolveAlertId(target: ActionTarget, records: readonly AlertRecord[]): string | undefined {
  if (target.kind === "id") return target.id;
  return records.find((r) => target.matches(r.id))?.id;
}

/** The members of the roll-up `target` names, among the held records. */
export function rollupMembers(target: ActionTarget, records: readonly AlertRecord[]): AlertRecord[] {
  return records.filter((r) => r.rollupId !== undefined && targets(target, r.rollupId));
}

// ---------------------------------------------------------------------------------------------
// A click's lease: the click redraws the message it changed unless a run is sending right now.

/**
 * The record a click writes once its actions are applied (`applied`, version already bumped): with
 * the click's own short lease when it is to redraw the message itself (`redraw`), which it does only
 * when no one else holds a live lease. Another live lease (a run sending this record right now) is
 * kept: the action stands, `actionPending` stays set, and that run (or the next one) redraws it.
 */
export function clickWrite(
  applied: AlertRecord,
  me: string,
  wallMs: number,
  wantsRedraw: boolean,
): { record: AlertRecord; redraw: boolean } {
  if (!wantsRedraw || leasedByOther(applied, me, wallMs)) return { record: applied, redraw: false };
  return { record: { ...applied, lease: { by: me, untilMs: wallMs + CLICK_LEASE_MS } }, redraw: true };
}

/** True when `a` and `b` show the same actions (who acknowledged, snoozed, excused; the last key). */
function sameActions(a: AlertRecord, b: AlertRecord): boolean {
  return (
    a.actionPending === b.actionPending &&
    a.acknowledgedBy === b.acknowledgedBy &&
    a.acknowledgedMs === b.acknowledgedMs &&
    a.snoozedBy === b.snoozedBy &&
    a.snoozedUntilMs === b.snoozedUntilMs &&
    a.excusedBy === b.excusedBy &&
    a.appliedActions?.at(-1) === b.appliedActions?.at(-1)
  );
}

/**
 * The write that ends a click's lease, from the record as it now stands (`current`): the lease
 * cleared and, when Slack showed what the click drew (`drawn`) and no other action came since,
 * `actionPending` with it; when Slack did not take the update, `actionPending` stays for the next
 * run. Undefined when the lease is no longer the click's (it lapsed and a run took the record over):
 * then there is nothing for the click to write. Every other field is kept as stored.
 */
export function afterClickRedraw(
  current: AlertRecord,
  drawn: AlertRecord,
  me: string,
  shown: boolean,
): AlertRecord | undefined {
  if (current.lease?.by !== me) return undefined;
  const next: AlertRecord = { ...withoutLease(current), version: current.version + 1 };
  if (shown && sameActions(current, drawn)) delete next.actionPending;
  return next;
}
