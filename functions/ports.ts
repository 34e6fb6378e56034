/**
 * The ports between the use case (functions/app) and the adapters (functions/adapters).
 * Adapters implement these; the use case knows nothing of HTTP, Slack or AWS.
 */
import type { AlertRecord, Transition } from "./domain/alert.js";
import type { SlackAction } from "./domain/delivery.js";
import type { RollupOutcome, RollupWork } from "./domain/rollup.js";
import type { QueryWindow } from "./domain/time.js";

/** One page of the Agent Status Details API: raw rows, validated by the domain. */
export interface AgentPage {
  offset: number;
  rows: unknown[];
  /** The `timeZoneOffSet` the page was requested with (times in the rows are in it). */
  timeZoneOffSet: number;
}

export interface FetchReport {
  pages: number;
  requests: number;
  /** Pages that failed after every retry: their agents were not seen this run. */
  failedPages: Array<{ offset: number; error: string }>;
  /** Responses that were rate-limit refusals (429 or a 4xx naming a rate limit). */
  rateLimited: number;
  retries: number;
  /** True when the run stopped paging at its deadline, so later pages were not read. */
  truncated: boolean;
  latencyMs: { count: number; total: number; max: number };
}

export interface AgentStatusSource {
  /**
   * Reads every page for the window, handing each to `onPage` as it arrives (in any order).
   * Throws CredentialsRefusedError on 401/403 and SourceUnavailableError when nothing could be read.
   */
  fetchAll(
    window: QueryWindow,
    onPage: (page: AgentPage) => void,
    options?: { deadlineMs?: number },
  ): Promise<FetchReport>;
}

export interface AlertStore {
  /** Every stored record (open alerts, and resolved ones kept for a while). */
  load(): Promise<AlertRecord[]>;
  /** One live record by id (a Slack action names its alert), or undefined. */
  get(id: string): Promise<AlertRecord | undefined>;
  /**
   * Writes `record` only if the store still holds `expectedVersion` of it (null: only if absent).
   * Returns false when another run got there first: that run owns the record's next step.
   */
  put(record: AlertRecord, expectedVersion: number | null): Promise<boolean>;
}

export interface DeliveryResult {
  ok: boolean;
  /** The top message's ts and channel (for `post`, the new ones). */
  ts?: string;
  channel?: string;
  error?: string;
  /** The failure was Slack being unreachable, overloaded or rate limited, not this alert's fault. */
  transient?: boolean;
  /** For a nudge: sent, or skipped because the agent has no Slack account. */
  nudge?: "sent" | "not-in-slack";
}

export interface AlertNotifier {
  deliver(action: SlackAction): Promise<DeliveryResult>;
  /** A roll-up's work for this run (rollup.ts); a notifier without it gets no roll-ups. */
  deliverRollup?(work: RollupWork): Promise<RollupOutcome>;
}

export interface EventPublisher {
  /** Puts every transition on the bus; returns how many could not be put after retries. */
  publish(transitions: Transition[]): Promise<{ failed: number }>;
}

/** Where an ephemeral answer to a Slack click goes: its response_url, else the channel, to that user only. */
export interface EphemeralTarget {
  user: string;
  responseUrl?: string;
  channel?: string;
}

/** What the interactions endpoint needs of Slack besides delivering the action's message update. */
export interface InteractionNotifier extends AlertNotifier {
  /** Tells only the clicking user something (a refusal, "already over"); false when it could not. */
  ephemeral(target: EphemeralTarget, text: string): Promise<boolean>;
  /** The members of a Slack user group (`S…`), cached; undefined when Slack would not say. */
  groupMembers(groupId: string): Promise<string[] | undefined>;
}
