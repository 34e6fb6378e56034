/**
 * The Slack adapter behind the AlertNotifier and InteractionNotifier ports: one SlackCaller (the real
 * @slack/web-api client, retries, pacing, deadlines, the plain-text fallback) shared by each Slack
 * concern, each in its own module: alerts (alert-delivery.ts), nudges (nudge-delivery.ts), roll-ups
 * (rollup-delivery.ts), ephemeral answers (ephemerals.ts), who is who (slack-directory.ts). It never
 * throws and never lets the token into a log line or an error string.
 */
import type { AlertRecord } from "../../domain/alert.js";
import type { BoardModel } from "../../domain/board.js";
import type { AppConfig } from "../../domain/config.js";
import type { SlackAction } from "../../domain/delivery.js";
import type { RollupOutcome, RollupWork } from "../../domain/rollup.js";
import type {
  BoardPublisher,
  BoardPublishResult,
  DeliveryResult,
  EphemeralTarget,
  InteractionNotifier,
} from "../../ports.js";
import { contextOf, deliverAlert } from "./alert-delivery.js";
import { publishBoard } from "./board-delivery.js";
import { ChannelPacer } from "./channel-pacer.js";
import { answerEphemeral } from "./ephemerals.js";
import { postArgs, updateArgs } from "./message-payload.js";
import type { RenderOptions } from "./messages.js";
import { deliverNudge } from "./nudge-delivery.js";
import { acknowledgeRollup, deliverRollup, type RollupSender, type SendResult } from "./rollup-delivery.js";
import type { RollupMessage, RollupRenderOptions } from "./rollup-messages.js";
import { type CallOutcome, classify, SlackCaller, type SlackCallerOptions } from "./slack-caller.js";
import { SlackDirectory } from "./slack-directory.js";

export { normalizeApiUrl, SLACK_API_URL } from "./slack-caller.js";

export interface SlackNotifierOptions extends SlackCallerOptions {
  /** IANA zone of the contact center, for local start times. */
  timezone: string;
  /** @mention the agent, found with users.lookupByEmail (cached per notifier, "not found" included). */
  mentionAgents?: boolean;
  /** Acknowledge / Snooze / Excuse on each live alert (`slack.interactive`); default true. */
  interactive?: boolean;
  /**
   * The instant live alerts measure elapsed time to. Default: the record's `lastNotifiedMs`, the
   * run's own "now" (so `--now` replays and re-delivered posts read as the engine decided them).
   */
  now?: () => number;
}

export class SlackNotifier implements InteractionNotifier, RollupSender, BoardPublisher {
  readonly #caller: SlackCaller;
  readonly #directory: SlackDirectory;
  readonly #timezone: string;
  readonly #mentionAgents: boolean;
  readonly #interactive: boolean;
  readonly #now: (() => number) | undefined;

  constructor(options: SlackNotifierOptions) {
    this.#caller = new SlackCaller(options);
    this.#directory = new SlackDirectory(this.#caller);
    this.#timezone = options.timezone;
    this.#mentionAgents = options.mentionAgents ?? false;
    this.#interactive = options.interactive ?? true;
    this.#now = options.now;
  }

  /** One per-episode action (post / escalate / remind / resolve / acted / nudge), as a DeliveryResult. */
  async deliver(action: SlackAction): Promise<DeliveryResult> {
    const caller = this.#caller;
    const deadline = caller.deadlineFromNow();
    const options: RenderOptions = {
      timezone: this.#timezone,
      nowMs: this.#now?.() ?? action.record.lastNotifiedMs,
      interactive: this.#interactive,
    };
    const deps = { caller, directory: this.#directory, mentionAgents: this.#mentionAgents };
    try {
      return await caller.within(deadline, () =>
        action.kind === "nudge"
          ? deliverNudge(action, options, deadline, deps)
          : deliverAlert(action, options, deadline, deps),
      );
    } catch (error) {
      // Not expected (every call is caught inside); a bug here must still not lose the alert or leak the token.
      const failure = classify(error);
      caller.warn("slack delivery failed unexpectedly", contextOf(action), { error: failure.error });
      return { ok: false, error: caller.redact(failure.error) };
    }
  }

  /** A roll-up's Slack work (rollup-delivery.ts), paced and bounded like every other post. */
  deliverRollup(work: RollupWork): Promise<RollupOutcome> {
    return deliverRollup(work, this, this.#rollupOptions(work.members));
  }

  rollupAcknowledged(
    rollup: { id: string; channel: string; ts: string; members: AlertRecord[] },
    by: string,
    count: number,
  ): Promise<DeliveryResult> {
    return acknowledgeRollup(this, rollup, by, count, this.#rollupOptions(rollup.members));
  }

  /** One post (a thread reply with `threadTs`), under the per-delivery bound and the run's deadline. */
  post(channel: string, message: RollupMessage, threadTs?: string): Promise<SendResult> {
    return this.#send("chat.postMessage", postArgs(channel, message, threadTs), channel);
  }

  /** One chat.update of a message, under the same bounds. */
  update(channel: string, ts: string, message: RollupMessage): Promise<SendResult> {
    return this.#send("chat.update", updateArgs(channel, ts, message), channel);
  }

  /** The channel's board (board-delivery.ts): one update, or a post (and a pin) when it is new or gone. */
  async publishBoard(
    channel: string,
    model: BoardModel,
    ts: string | undefined,
    pin: boolean,
  ): Promise<BoardPublishResult> {
    try {
      return await publishBoard(this.#caller, channel, model, ts, pin);
    } catch (error) {
      const failure = classify(error);
      this.#caller.warn(
        "slack board failed unexpectedly",
        { kind: "board", channel },
        { error: failure.error },
      );
      return { ok: false, error: this.#caller.redact(failure.error) };
    }
  }

  ephemeral(target: EphemeralTarget, text: string): Promise<boolean> {
    return answerEphemeral(this.#caller, target, text);
  }

  groupMembers(groupId: string): Promise<string[] | undefined> {
    return this.#directory.groupMembers(groupId);
  }

  #rollupOptions(members: readonly AlertRecord[]): RollupRenderOptions {
    return {
      timezone: this.#timezone,
      // Without the run's instant, as of the members' last run (as a per-episode message reads).
      nowMs: this.#now?.() ?? Math.max(0, ...members.map((m) => m.lastNotifiedMs)),
      interactive: this.#interactive,
    };
  }

  async #send(
    method: "chat.postMessage" | "chat.update",
    args: Record<string, unknown>,
    channel: string,
  ): Promise<SendResult> {
    const caller = this.#caller;
    const deadline = caller.deadlineFromNow();
    const outcome: CallOutcome = await caller.within(deadline, () =>
      caller.sendMessage(method, args, deadline, undefined),
    );
    if (!outcome.ok) return caller.failed(outcome.failure);
    const ts = outcome.result.ts;
    const answered = outcome.result.channel;
    return {
      ok: true,
      ts: typeof ts === "string" ? ts : ((args.ts as string | undefined) ?? ""),
      channel: typeof answered === "string" ? answered : channel,
    };
  }
}

/** The notifier for one run, set up from the config as the Lambda and the CLI both need it. */
export function slackNotifierFor(
  config: Pick<AppConfig, "timezone" | "slack">,
  run: {
    token: string;
    apiUrl?: string | undefined;
    /**
     * The run's instant. Without it a message reads as of the record's last run (the interactions
     * endpoint redraws a message without re-measuring what only a run can see).
     */
    nowMs?: number;
    logger?: SlackNotifierOptions["logger"];
    maxRetryTimeMs?: number;
    /** The run's delivery deadline (run-budget.ts). */
    deadlineMs?: number;
    /**
     * "clicks": one reply per person's click, at human pace, must not queue behind a one-a-second
     * schedule inside Slack's 3 s; a 429's Retry-After still holds the channel. Default "run".
     */
    pace?: "run" | "clicks";
  },
): SlackNotifier {
  const { nowMs } = run;
  return new SlackNotifier({
    token: run.token,
    ...(run.apiUrl ? { apiUrl: run.apiUrl } : {}),
    timezone: config.timezone,
    mentionAgents: config.slack.mentionAgents,
    interactive: config.slack.interactive,
    ...(run.logger ? { logger: run.logger } : {}),
    ...(run.maxRetryTimeMs === undefined ? {} : { maxRetryTimeMs: run.maxRetryTimeMs }),
    // Messages read as of the run's instant, also for a post delivered a run late.
    ...(nowMs === undefined ? {} : { now: () => nowMs }),
    ...(run.deadlineMs === undefined ? {} : { deadlineMs: run.deadlineMs }),
    ...(run.pace === "clicks" ? { pacer: new ChannelPacer({ intervalMs: 0 }) } : {}),
  });
}
