/**
 * The loopback SQS peer (test/fakes/aws-peers.ts) against the real SDK v3 client and the due queue
 * adapter: what the cost bench relies on (each message kept with its DelaySeconds, answers the SDK
 * accepts, including its MD5 checks), and SQS's refusals.
 */
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { parseDueMessage, SqsDueQueue } from "../../functions/adapters/queue/sqs-due-queue.js";
import type { DueGroup } from "../../functions/domain/due.js";
import { type SqsPeer, startSqsPeer } from "../fakes/aws-peers.js";

const NOW = Date.parse("2023-03-10T08:30:00.000Z");
let peer: SqsPeer | undefined;

afterEach(async () => {
  await peer?.close();
  peer = undefined;
});

function client(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
}

const group = (offsetSeconds: number, n: number): DueGroup => {
  const atMs = NOW + offsetSeconds * 1000;
  return { atMs, agents: [{ userId: `u-${n}`, email: `a${n}@example.com`, atMs, kind: "fire" }] };
};

describe("the SQS peer", () => {
  it("keeps each message the due queue sends with its delay, visible at send + DelaySeconds", async () => {
    // Prepare
    peer = await startSqsPeer({ clock: () => NOW });
    const queue = new SqsDueQueue({ queueUrl: peer.queueUrl, client: client(peer.endpoint) });
    const groups = Array.from({ length: 12 }, (_, i) => group(5 + i * 10, i));
    // Act
    const result = await queue.schedule([...groups, group(901, 99)], NOW);
    // Assess: 12 sent in two batches (10 + 2), the one past 900 s left for a later tick
    expect(result).toEqual({ scheduled: 12, left: 1, failed: 0 });
    expect(peer.requests).toEqual({ "AmazonSQS.SendMessageBatch": 2 });
    expect(peer.billedRequests).toBe(2);
    expect(peer.messages.map((m) => m.delaySeconds)).toEqual(groups.map((_, i) => 5 + i * 10));
    expect(peer.messages[3]).toMatchObject({ sentMs: NOW, visibleMs: NOW + 35_000 });
    expect(parseDueMessage(peer.messages[3]?.body ?? "")).toMatchObject(groups[3] as DueGroup);
  });

  it("answers SendMessage with the body's MD5, which the SDK checks", async () => {
    // Prepare
    peer = await startSqsPeer({ clock: () => NOW });
    // Act
    const out = await client(peer.endpoint).send(
      new SendMessageCommand({ QueueUrl: peer.queueUrl, MessageBody: "hello", DelaySeconds: 7 }),
    );
    // Assess
    expect(out.MD5OfMessageBody).toBe("5d41402abc4b2a76b9719d911017c592");
    expect(peer.messages).toMatchObject([{ body: "hello", delaySeconds: 7, visibleMs: NOW + 7000 }]);
  });

  it("refuses what SQS refuses: an unknown queue, more than 10 entries, a delay past 900 s", async () => {
    // Prepare
    peer = await startSqsPeer();
    const sqs = client(peer.endpoint);
    const entries = (n: number, delay = 0) =>
      Array.from({ length: n }, (_, i) => ({ Id: String(i), MessageBody: "x", DelaySeconds: delay }));
    // Act, Assess
    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: `${peer.queueUrl}-other`, Entries: entries(1) })),
    ).rejects.toMatchObject({ __type: "com.amazonaws.sqs#QueueDoesNotExist" });
    await expect(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: peer.queueUrl, Entries: entries(11) })),
    ).rejects.toMatchObject({ __type: "com.amazonaws.sqs#TooManyEntriesInBatchRequest" });
    const late = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: peer.queueUrl, Entries: entries(2, 901) }),
    );
    expect(late.Failed?.map((f) => f.Code)).toEqual(["InvalidParameterValue", "InvalidParameterValue"]);
    expect(peer.messages).toEqual([]);
  });
});
