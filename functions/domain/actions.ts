/**
 * What people do to an alert from Slack — acknowledge, snooze, excuse — as pure functions: the
 * record after the action, the transition it makes, or why it changes nothing. The lifecycle reads
 * the result through `disposition`, so a run after the click honours it.
 */
import { type ActionTransitionType, type AlertRecord, type Transition, toTransition } from "./alert.js";
import { parseDuration } from "./duration.js";

/** The ids Slack sends back in `action_id` (DESIGN.md: "Acting on an alert from Slack"). */
export const ACTION_IDS = {
  acknowledge: "alert.ack",
  snooze: "alert.snooze",
  excuse: "alert.excuse",
  acknowledgeAll: "rollup.ack",
} as const;

/** The snooze menu's options, as `value`s Slack sends back. */
export const SNOOZE_OPTIONS = ["15m", "30m", "1h", "2h"] as const;

export type AlertActionRequest =
  | { kind: "acknowledge"; by: string; nowMs: number }
  | { kind: "snooze"; by: string; nowMs: number; seconds: number }
  | { kind: "excuse"; by: string; nowMs: number };

export type ActionRefusal =
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
  const transition: Transition = { ...toTransition(type, next, nowMs), by };
  if (until !== undefined) transition.until = until;
  return { ok: true, record: next, transition };
}

/** The instant reminders count from: the end of a snooze that is the latest action, else the firing. */
export function reminderBaseMs(record: AlertRecord, nowMs: number): number {
  const d = disposition(record, nowMs);
  return d.kind === "snoozed" ? d.untilMs : record.firedMs;
}
