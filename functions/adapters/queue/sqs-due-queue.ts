/**
 * Due re-checks on an SQS standard queue: one message per group, delayed with `DelaySeconds` until
 * the group's instant (rounded up, so never early; SQS allows 0 to 900 s — later groups are left to
 * the next tick, which schedules them again once they are close enough). The check function
 * consumes the queue; `parseDueMessage` reads a message back. Delivery is at least once: a message
 * read twice is a second look at the same agents, which the lifecycle and the leases make harmless.
 */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import * as z from "zod";
import type { DueGroup } from "../../domain/due.js";
import type { DueQueue } from "../../ports.js";

/** SQS's longest per-message delay. */
export const MAX_DELAY_SECONDS = 900;
/** Entries per SendMessageBatch. */
const BATCH = 10;

const dueCheckSchema = z.object({
  userId: z.string(),
  email: z.string(),
  atMs: z.number(),
  kind: z.enum(["nudge", "fire", "escalate", "remind", "snooze-end", "resolve-watch"]),
  recordIds: z.array(z.string()).optional(),
});
const messageSchema = z.object({ v: z.literal(1), atMs: z.number(), agents: z.array(dueCheckSchema).min(1) });

export function dueMessageBody(group: DueGroup): string {
  return JSON.stringify({ v: 1, atMs: group.atMs, agents: group.agents });
}

/** A queued group, or an error naming what is wrong with the message (it then goes to the DLQ). */
export function parseDueMessage(body: string): DueGroup {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new Error("due re-check message is not JSON");
  }
  const parsed = messageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`due re-check message: ${issue?.path.join(".") || "body"} is missing or invalid`);
  }
  return parsed.data;
}

export class SqsDueQueue implements DueQueue {
  constructor(private readonly options: { queueUrl: string; client: SQSClient }) {}

  async schedule(
    groups: DueGroup[],
    nowMs: number,
  ): Promise<{ scheduled: number; left: number; failed: number }> {
    const result = { scheduled: 0, left: 0, failed: 0 };
    const entries: Array<{ Id: string; MessageBody: string; DelaySeconds: number }> = [];
    for (const [index, group] of groups.entries()) {
      const delay = Math.max(0, Math.ceil((group.atMs - nowMs) / 1000));
      if (delay > MAX_DELAY_SECONDS) {
        result.left++;
        continue;
      }
      entries.push({ Id: String(index), MessageBody: dueMessageBody(group), DelaySeconds: delay });
    }
    for (let i = 0; i < entries.length; i += BATCH) {
      const batch = entries.slice(i, i + BATCH);
      let pending = batch;
      // Failed entries are retried once; what still fails is counted (the next tick reads those agents).
      for (let attempt = 0; attempt < 2 && pending.length > 0; attempt++) {
        try {
          const out = await this.options.client.send(
            new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: pending }),
          );
          const failedIds = new Set((out.Failed ?? []).map((f) => f.Id));
          result.scheduled += pending.length - failedIds.size;
          pending = pending.filter((e) => failedIds.has(e.Id));
        } catch {
          if (attempt === 1) break;
        }
      }
      result.failed += pending.length;
    }
    return result;
  }
}
