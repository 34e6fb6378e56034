/**
 * Puts each alert transition on an EventBridge bus, so other systems (ticketing, dashboards, paging)
 * can react. Delivery failures are retried and counted, never thrown: an event bus hiccup must not
 * fail a run whose Slack alerts already went out.
 */
import {
  EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
  type PutEventsRequestEntry,
} from "@aws-sdk/client-eventbridge";
import type { Transition, TransitionType } from "../../domain/alert.js";
import type { EventPublisher } from "../../ports.js";

export const EVENT_SOURCE = "agent-status-alerts";
/** PutEvents takes at most 10 entries a request. */
export const MAX_ENTRIES_PER_PUT = 10;
/** Batches in flight at once: a burst of transitions goes out quickly without a storm of requests. */
const CONCURRENT_BATCHES = 4;
const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 5_000;
/** Distinct error descriptions kept for the run's log. */
const MAX_ERRORS_KEPT = 10;

export type DetailType = `Agent Status Alert ${Capitalize<TransitionType>}`;

/** `Agent Status Alert Fired`, `... Reminded`, ..., `... Acknowledged`, `... Snoozed`, `... Excused`. */
export function detailType(type: TransitionType): DetailType {
  return `Agent Status Alert ${(type.charAt(0).toUpperCase() + type.slice(1)) as Capitalize<TransitionType>}`;
}

export const DETAIL_TYPES: readonly DetailType[] = (
  ["nudged", "fired", "reminded", "escalated", "resolved", "acknowledged", "snoozed", "excused"] as const
).map(detailType);

export function toEntry(transition: Transition, busName: string): PutEventsRequestEntry {
  return {
    Source: EVENT_SOURCE,
    DetailType: detailType(transition.type),
    Detail: JSON.stringify(transition),
    EventBusName: busName,
  };
}

export interface EventBridgePublisherOptions {
  /** "default", a bus name or a bus ARN. */
  busName: string;
  client?: EventBridgeClient;
  /** Attempts per entry, the first included. */
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface PublishResult {
  /** Entries still not put after every attempt. */
  failed: number;
  /** Why, as distinct `Code: message` strings (a few at most), for the run's log. */
  errors: string[];
}

export class EventBridgePublisher implements EventPublisher {
  readonly #busName: string;
  readonly #client: EventBridgeClient;
  readonly #maxAttempts: number;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(options: EventBridgePublisherOptions) {
    this.#busName = options.busName;
    this.#client = options.client ?? new EventBridgeClient({});
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async publish(transitions: Transition[]): Promise<PublishResult> {
    const entries = transitions.map((t) => toEntry(t, this.#busName));
    const batches: PutEventsRequestEntry[][] = [];
    for (let i = 0; i < entries.length; i += MAX_ENTRIES_PER_PUT) {
      batches.push(entries.slice(i, i + MAX_ENTRIES_PER_PUT));
    }
    const errors = new Set<string>();
    let failed = 0;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++];
        if (batch) failed += await this.#putBatch(batch, errors);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_BATCHES, batches.length) }, worker));
    return { failed, errors: [...errors] };
  }

  /** Puts one batch, retrying what failed; returns how many entries never made it. */
  async #putBatch(batch: PutEventsRequestEntry[], errors: Set<string>): Promise<number> {
    let pending = batch;
    for (let attempt = 1; ; attempt++) {
      let stillFailed: PutEventsRequestEntry[];
      try {
        const output = await this.#client.send(new PutEventsCommand({ Entries: pending }));
        stillFailed = failedEntries(pending, output, errors);
      } catch (error) {
        // The whole request failed (throttled past the SDK's own retries, network, permissions).
        remember(errors, error instanceof Error ? `${error.name}: ${error.message}` : String(error));
        stillFailed = pending;
      }
      if (stillFailed.length === 0) return 0;
      if (attempt >= this.#maxAttempts) return stillFailed.length;
      await this.#sleep(Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** (attempt - 1)));
      pending = stillFailed;
    }
  }
}

/** The entries of `sent` that the response reports as failed (results are in request order). */
function failedEntries(
  sent: PutEventsRequestEntry[],
  output: PutEventsCommandOutput,
  errors: Set<string>,
): PutEventsRequestEntry[] {
  const results = output.Entries ?? [];
  const failed = sent.filter((_, i) => results[i]?.ErrorCode);
  for (const result of results) {
    if (result.ErrorCode) remember(errors, `${result.ErrorCode}: ${result.ErrorMessage ?? "no message"}`);
  }
  const count = output.FailedEntryCount ?? 0;
  if (count > 0 && (failed.length === 0 || results.length !== sent.length)) {
    // Failures reported but not which ones: resend all (consumers must tolerate duplicates anyway,
    // EventBridge being at-least-once) rather than lose some.
    remember(errors, `PutEvents reported ${count} failed entries without saying which`);
    return sent;
  }
  return failed;
}

function remember(errors: Set<string>, description: string): void {
  if (errors.size < MAX_ERRORS_KEPT) errors.add(description);
}
