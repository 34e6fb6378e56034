/**
 * The use case behind Slack's interactivity URL: one click on Acknowledge, Snooze… or Excuse.
 * Verify first (size, signature, then the payload), then a conditional write on the alert record
 * (retried once on a conflict with a concurrent run), then the message update and thread reply, then
 * the event. The same code serves the `interactions` Lambda (Function URL) and `cli serve`.
 */
import {
  type BlockAction,
  type BlockActionsPayload,
  MAX_INTERACTION_BODY_BYTES,
  parseInteractionBody,
} from "../adapters/slack/interaction-payload.js";
import { answerByResponseUrl } from "../adapters/slack/response-url.js";
import {
  header,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifySlackSignature,
} from "../adapters/slack/signature.js";
import {
  ACTION_IDS,
  type ActionOutcome,
  type AlertActionRequest,
  applyAction,
  snoozeSeconds,
} from "../domain/actions.js";
import type { AlertRecord, Transition } from "../domain/alert.js";
import type { AppConfig } from "../domain/config.js";
import { afterDelivery } from "../domain/delivery.js";
import { byDisplayOrder } from "../domain/rollup.js";
import { localTimeOfDay } from "../domain/time.js";
import type { AlertStore, EphemeralTarget, EventPublisher, InteractionNotifier } from "../ports.js";
import type { Log } from "./logger.js";

/** The path of Slack's Request URL, in the Function URL and in `cli serve` alike. */
export const INTERACTIONS_PATH = "/slack/interactions";

/**
 * Slack waits 3 s for the answer: the message update inside it gets at most this long, leaving room
 * for a cold start, the secret and the conditional write.
 */
export const SLACK_UPDATE_BOUND_MS = 1_500;

export interface InteractionRequest {
  /** The body exactly as Slack sent it (the signature is over these bytes). */
  rawBody: string;
  /** Byte length of the body as received, when known (a decoded Function URL body). */
  bodyBytes?: number;
  headers: Record<string, string | string[] | undefined>;
}

export interface InteractionResponse {
  status: number;
  body: string;
}

/** Metric names the endpoint counts; the Lambda turns them into CloudWatch metrics. */
export type InteractionMetric =
  | "InteractionRejectedSignature"
  | "InteractionRejectedSize"
  | "InteractionRejectedPayload"
  | "InteractionIgnored"
  | "InteractionApplied"
  | "InteractionRefused"
  | "InteractionSlackUpdateFailed";

export interface InteractionDeps {
  config: Pick<AppConfig, "timezone" | "slack">;
  signingSecret: string;
  store: AlertStore;
  /** Absent: the state changes and the next check run redraws the message. */
  notifier?: InteractionNotifier;
  events?: EventPublisher;
  log: Log;
  count?: (metric: InteractionMetric) => void;
  /** The real clock (the signature's 5-minute window is about real time). */
  nowMs?: () => number;
}

const reply = (status: number, body = ""): InteractionResponse => ({ status, body });

export async function handleInteraction(
  deps: InteractionDeps,
  request: InteractionRequest,
): Promise<InteractionResponse> {
  const count = deps.count ?? (() => {});
  const nowMs = (deps.nowMs ?? Date.now)();

  const bytes = request.bodyBytes ?? Buffer.byteLength(request.rawBody, "utf8");
  if (bytes > MAX_INTERACTION_BODY_BYTES) {
    count("InteractionRejectedSize");
    deps.log.warn("interaction refused: body too large", { bytes });
    return reply(413, "payload too large");
  }
  const verified = verifySlackSignature({
    signingSecret: deps.signingSecret,
    timestamp: header(request.headers, TIMESTAMP_HEADER),
    signature: header(request.headers, SIGNATURE_HEADER),
    rawBody: request.rawBody,
    nowMs,
  });
  if (!verified.ok) {
    count("InteractionRejectedSignature");
    deps.log.warn("interaction refused: not signed by Slack", { reason: verified.reason });
    return reply(401, "invalid signature");
  }
  const parsed = parseInteractionBody(request.rawBody);
  if (parsed.kind === "invalid") {
    count("InteractionRejectedPayload");
    deps.log.warn("interaction refused: malformed payload", { reason: parsed.reason });
    return reply(400, "malformed payload");
  }
  if (parsed.kind === "ignored") {
    count("InteractionIgnored");
    return reply(200);
  }
  for (const action of parsed.payload.actions) await handleAction(deps, parsed.payload, action, nowMs);
  return reply(200);
}

/** One action of a block_actions payload; every outcome ends in a state change or an ephemeral answer. */
async function handleAction(
  deps: InteractionDeps,
  payload: BlockActionsPayload,
  action: BlockAction,
  nowMs: number,
): Promise<void> {
  const count = deps.count ?? (() => {});
  const user = payload.user.id;
  const target: EphemeralTarget = { user };
  if (payload.response_url !== undefined) target.responseUrl = payload.response_url;
  const channel = payload.channel?.id;
  if (channel !== undefined) target.channel = channel;
  const answer = async (text: string) => {
    count("InteractionRefused");
    // Without a bot token the click's response_url still reaches the user.
    const answered = deps.notifier
      ? await deps.notifier.ephemeral(target, text)
      : target.responseUrl !== undefined &&
        (await answerByResponseUrl(target.responseUrl, text, SLACK_UPDATE_BOUND_MS)).ok;
    if (!answered) deps.log.warn("could not answer the user in Slack", { user, text });
  };

  if (action.action_id === ACTION_IDS.acknowledgeAll) {
    if (!(await mayAct(deps, user))) {
      await answer("Sorry, you are not one of this alert's responders: nothing was changed.");
      return;
    }
    await acknowledgeAll(deps, action.block_id, user, nowMs, answer);
    return;
  }
  const request = actionRequest(action, user, nowMs);
  if (request === undefined) {
    // Not one of ours (or a snooze value outside the menu): say so rather than fail silently.
    await answer("Sorry, this button is not one this app knows.");
    return;
  }
  if (!(await mayAct(deps, user))) {
    await answer("Sorry, you are not one of this alert's responders: nothing was changed.");
    return;
  }

  const alertId = action.block_id;
  let outcome: ActionOutcome | undefined;
  let stored: AlertRecord | undefined;
  // A scheduled run may be writing the same record: read, apply, conditional write; once more on a conflict.
  for (let attempt = 0; attempt < 2; attempt++) {
    stored = await deps.store.get(alertId);
    outcome = applyAction(stored, request);
    if (!outcome.ok) break;
    if (await deps.store.put(outcome.record, stored?.version ?? null)) break;
    deps.log.info("the alert changed under the click; trying once more", { alert: alertId });
    outcome = undefined;
  }
  if (outcome === undefined) {
    await answer("This alert was being updated at the same moment; please try again.");
    return;
  }
  if (!outcome.ok) {
    await answer(refusalText(outcome, deps.config.timezone));
    return;
  }
  count("InteractionApplied");
  deps.log.info("alert action applied", { alert: alertId, action: outcome.transition.type, by: user });

  const [, published] = await Promise.all([
    redraw(deps, outcome.record, count),
    deps.events ? deps.events.publish([outcome.transition]) : Promise.resolve({ failed: 0 }),
  ]);
  if (published.failed > 0)
    deps.log.warn("the action's event could not be put on the bus", { alert: alertId });
}

/**
 * `Acknowledge all` on a roll-up: every open member not yet acknowledged or excused, each with its own
 * conditional write (retried once on a conflict with a run) and its own event; then the roll-up
 * message redrawn once, with one reply in its thread.
 */
async function acknowledgeAll(
  deps: InteractionDeps,
  rollupId: string,
  by: string,
  nowMs: number,
  answer: (text: string) => Promise<void>,
): Promise<void> {
  const count = deps.count ?? (() => {});
  const members = (await deps.store.load()).filter((r) => r.rollupId === rollupId);
  const open = members.filter((r) => r.state === "open");
  if (open.length === 0) {
    await answer("This roll-up is over or no longer tracked: nothing to do.");
    return;
  }
  const transitions: Transition[] = [];
  const after = new Map(members.map((r) => [r.id, r]));
  for (const member of open) {
    for (let attempt = 0; attempt < 2; attempt++) {
      const stored = attempt === 0 ? member : await deps.store.get(member.id);
      const outcome = applyAction(stored, { kind: "acknowledge", by, nowMs });
      if (!outcome.ok) break;
      // The roll-up message shows it; a member has no message of its own to redraw.
      const { actionPending: _shownByTheRollup, ...record } = outcome.record;
      if (await deps.store.put(record, stored?.version ?? null)) {
        after.set(record.id, record);
        transitions.push(outcome.transition);
        break;
      }
    }
  }
  if (transitions.length === 0) {
    await answer("Every alert here is already acknowledged, excused or over: nothing to do.");
    return;
  }
  count("InteractionApplied");
  deps.log.info("roll-up acknowledged", { rollup: rollupId, by, alerts: transitions.length });
  const first = members.find((m) => m.rollupTs !== undefined && m.channel !== undefined);
  const redraw = async () => {
    if (!deps.notifier || first?.rollupTs === undefined || first.channel === undefined) return;
    const shown = await deps.notifier.rollupAcknowledged(
      {
        id: rollupId,
        channel: first.channel,
        ts: first.rollupTs,
        members: [...after.values()].sort(byDisplayOrder),
      },
      by,
      transitions.length,
    );
    if (!shown.ok) {
      count("InteractionSlackUpdateFailed");
      deps.log.warn("Slack did not take the roll-up update", { rollup: rollupId, error: shown.error });
    }
  };
  const [, published] = await Promise.all([
    redraw(),
    deps.events ? deps.events.publish(transitions) : Promise.resolve({ failed: 0 }),
  ]);
  if (published.failed > 0)
    deps.log.warn("some acknowledgement events could not be put on the bus", published);
}

/** The message update and thread reply; on failure the state stands and the next run redraws. */
async function redraw(
  deps: InteractionDeps,
  record: AlertRecord,
  count: (metric: InteractionMetric) => void,
): Promise<void> {
  if (!deps.notifier || record.slackTs === undefined) return;
  const delivered = await deps.notifier.deliver({ kind: "acted", record });
  if (!delivered.ok) {
    count("InteractionSlackUpdateFailed");
    deps.log.warn("Slack did not take the message update; the next run redraws it", {
      alert: record.id,
      error: delivered.error,
    });
    return;
  }
  const shown = afterDelivery({ kind: "acted", record }, record.slackTs, record.channel ?? "");
  // A run that wrote in between has redrawn (or will redraw) the message itself: nothing is lost.
  await deps.store.put(shown, record.version);
}

function actionRequest(action: BlockAction, by: string, nowMs: number): AlertActionRequest | undefined {
  switch (action.action_id) {
    case ACTION_IDS.acknowledge:
      return { kind: "acknowledge", by, nowMs };
    case ACTION_IDS.excuse:
      return { kind: "excuse", by, nowMs };
    case ACTION_IDS.snooze: {
      const seconds = snoozeSeconds(action.selected_option?.value ?? action.value);
      return seconds === undefined ? undefined : { kind: "snooze", by, nowMs, seconds };
    }
    default:
      return undefined;
  }
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
  }
}
