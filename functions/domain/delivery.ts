/**
 * What Slack still has to be told about an alert, derived from the record itself: a top message
 * not yet posted, an escalation not yet shown, a resolve not yet shown. Because it is derived from
 * the stored record, a failed post is simply still pending on the next run.
 */
import type { AlertRecord, Lease } from "./alert.js";

export type SlackActionKind = "post" | "escalate" | "remind" | "resolve" | "acted" | "nudge";

export interface SlackAction {
  kind: SlackActionKind;
  record: AlertRecord;
}

/**
 * True for an ended episode that owes nothing more: resolved or averted, its Slack work done (or
 * none), in no roll-up (a roll-up counts its ended members), no delivery under way. A run needs only
 * its id from then on (so the episode never fires twice), which the store's conditional claim keeps
 * without the run loading it.
 */
export function endedAndSettled(record: AlertRecord): boolean {
  return (
    (record.state === "resolved" || record.state === "averted") &&
    record.rollupId === undefined &&
    record.lease === undefined &&
    record.actionPending === undefined &&
    slackActionFor(record, false) === undefined
  );
}

/** The Slack work a record needs now; `reminded` is true when this run decided a reminder. */
export function slackActionFor(record: AlertRecord, reminded: boolean): SlackAction | undefined {
  // A nudge is a direct message to the agent, owed only while the episode has not yet fired.
  if (record.state === "nudged") return record.nudgeNotified ? undefined : { kind: "nudge", record };
  if (record.state === "averted") return undefined;
  if (record.channel === undefined) return undefined;
  // A roll-up member's Slack work is the roll-up's (rollup.ts), never a message of its own.
  if (record.rollupTs !== undefined) return undefined;
  if (record.slackTs === undefined) {
    // Never posted (or the post failed): post it now, in its current form (even if already ended).
    if (record.state === "resolved" && record.resolveNotified) return undefined;
    return { kind: "post", record };
  }
  if (record.state === "resolved") return record.resolveNotified ? undefined : { kind: "resolve", record };
  if (record.severity === "critical" && record.notifiedSeverity !== "critical")
    return { kind: "escalate", record };
  // An action taken in Slack whose message update did not go through when it was taken.
  if (record.actionPending !== undefined) return { kind: "acted", record };
  if (reminded) return { kind: "remind", record };
  return undefined;
}

/**
 * True for work a tick may send while its rotation is still being read: on a message already posted
 * (a resolve, an escalation, a reminder, a click's redraw) or a nudge's direct message. A new top
 * message waits for the run's every decision, as does anything of a roll-up: whether a channel gets a
 * roll-up depends on how many alerts the whole run posts there.
 */
export function sendableBeforeRotation(record: AlertRecord, reminded: boolean): boolean {
  if (record.rollupId !== undefined) return false;
  const action = slackActionFor(record, reminded);
  return action !== undefined && action.kind !== "post";
}

/**
 * The decided record, carrying the deciding run's lease when it owes Slack work of its own (a roll-up
 * member's work is its roll-up's, leased when the roll-up is sent): the decision's write then takes
 * the lease too, and the send needs no write of its own to take it.
 */
export function withDeliveryLease(record: AlertRecord, reminded: boolean, lease: Lease): AlertRecord {
  if (record.rollupId !== undefined || slackActionFor(record, reminded) === undefined) return record;
  return { ...record, lease };
}

/**
 * The record once `action` went through: `ts` and `channel` are the top message's; `nudge` says whether
 * the agent was found in Slack. `onto` is the record as the store now holds it (by default the one
 * sent): what the send established is taken from the record that was sent, so a change made meanwhile
 * (a click, another field) is kept. The write that records a send also ends its lease.
 */
export function afterDelivery(
  action: SlackAction,
  ts: string,
  channel: string,
  nudge: "sent" | "not-in-slack" = "sent",
  onto: AlertRecord = action.record,
): AlertRecord {
  const sent = action.record;
  const { lease: _ended, ...rest } = onto;
  const next: AlertRecord = { ...rest, version: onto.version + 1 };
  // The message showed the action the sent record held; a newer one still needs its own redraw.
  const actionShown =
    onto.actionPending === sent.actionPending && onto.appliedActions?.at(-1) === sent.appliedActions?.at(-1);
  switch (action.kind) {
    case "post":
      next.slackTs = ts;
      next.channel = channel;
      next.notifiedSeverity = sent.severity;
      if (sent.state === "resolved") next.resolveNotified = true;
      // The message is drawn from the record as it stands, actions included.
      if (actionShown) delete next.actionPending;
      break;
    case "escalate":
      next.notifiedSeverity = "critical";
      // The update redraws the whole message, an action's line included; its thread reply is not owed.
      if (actionShown) delete next.actionPending;
      break;
    case "resolve":
      next.resolveNotified = true;
      if (actionShown) delete next.actionPending;
      break;
    case "acted":
      if (actionShown) delete next.actionPending;
      break;
    case "nudge":
      next.nudgeNotified = nudge;
      break;
    case "remind":
      break;
  }
  return next;
}
