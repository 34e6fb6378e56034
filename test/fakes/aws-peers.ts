/**
 * Loopback peers for the AWS JSON APIs the check bundle calls besides DynamoDB: Secrets Manager
 * (GetSecretValue), EventBridge (PutEvents) and SQS (SendMessageBatch, SendMessage: the due queue).
 * Enough of each protocol for the real SDK clients in a bundle pointed at them with
 * AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL_EVENTBRIDGE / AWS_ENDPOINT_URL_SQS; each counts
 * what it was asked, for the bundle tests and the cost bench.
 */
import { createHash, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface AwsPeer {
  endpoint: string;
  /** Requests answered, by X-Amz-Target operation (e.g. `AWSEvents.PutEvents`). */
  requests: Record<string, number>;
  /** PutEvents entries received (EventBridge bills per entry, each 64 KB chunk). */
  entries: number;
  /** Bytes of request bodies received. */
  bodyBytes: number;
  close(): Promise<void>;
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** An answer other than 200 with a JSON body: an error, as the service would send it. */
interface PeerReply {
  reply: { status: number; body: unknown; headers?: Record<string, string> };
}

function peer(
  answer: (target: string, body: unknown) => unknown,
  contentType = "application/x-amz-json-1.1",
): Promise<AwsPeer> {
  const state = { requests: {} as Record<string, number>, entries: 0, bodyBytes: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      state.bodyBytes += raw.length;
      const target = String(req.headers["x-amz-target"] ?? "?");
      state.requests[target] = (state.requests[target] ?? 0) + 1;
      let body: unknown = {};
      try {
        body = JSON.parse(raw.toString("utf8") || "{}");
      } catch {
        // not JSON: answered all the same
      }
      const entries = (body as { Entries?: unknown[] }).Entries;
      if (Array.isArray(entries)) state.entries += entries.length;
      const out = answer(target, body);
      const reply = (out as Partial<PeerReply> | null)?.reply;
      res.writeHead(reply?.status ?? 200, { "content-type": contentType, ...reply?.headers });
      res.end(JSON.stringify(reply ? reply.body : out));
    });
  });
  return listen(server).then((endpoint) => ({
    endpoint,
    get requests() {
      return state.requests;
    },
    get entries() {
      return state.entries;
    },
    get bodyBytes() {
      return state.bodyBytes;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }));
}

/** Secrets Manager answering every GetSecretValue with this JSON secret. */
export function startSecretsPeer(secret: Record<string, string>): Promise<AwsPeer> {
  return peer(() => ({
    ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:agent-status-alerts-AbCdEf",
    Name: "agent-status-alerts",
    SecretString: JSON.stringify(secret),
  }));
}

/** EventBridge accepting every entry of every PutEvents. */
export function startEventBridgePeer(): Promise<AwsPeer> {
  return peer((_target, body) => {
    const entries = (body as { Entries?: unknown[] }).Entries ?? [];
    return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `event-${i}` })) };
  });
}

// ---------------------------------------------------------------------------------------------
// SQS: the due re-check queue. The SDK v3 client speaks AWS JSON 1.0 (`X-Amz-Target:
// AmazonSQS.SendMessageBatch`, a JSON body, `application/x-amz-json-1.0`) and checks the MD5 of each
// body it sent against the answer's MD5OfMessageBody, so the peer computes them as SQS does.

/** A message as the queue holds it: when it was sent (the peer's clock) and when it becomes visible. */
export interface SqsMessage {
  messageId: string;
  body: string;
  md5OfBody: string;
  delaySeconds: number;
  /** The peer's clock when the request arrived (UTC ms). */
  sentMs: number;
  /** sentMs + DelaySeconds: from then on a receive (the event source mapping) can take it. */
  visibleMs: number;
}

export interface SqsPeer extends AwsPeer {
  /** The one queue's URL (on this peer's origin, so the SDK uses it as the endpoint). */
  queueUrl: string;
  queueArn: string;
  /** Every message accepted, in arrival order. */
  messages: SqsMessage[];
  /** Requests SQS bills: each request counts once per 64 KB chunk of its payload. */
  billedRequests: number;
}

/** SQS's limits for a send (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html). */
const SQS_MAX_BATCH = 10;
const SQS_MAX_DELAY_SECONDS = 900;
const SQS_MAX_PAYLOAD_BYTES = 1_048_576;
const SQS_BILLING_CHUNK_BYTES = 65_536;

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");

/** The query API's code where it differs from the JSON error's name. */
const SQS_QUERY_CODES: Record<string, string> = { QueueDoesNotExist: "NonExistentQueue" };

/** A JSON-protocol error (awsQueryCompatible: the query API's error code travels in a header too). */
function sqsError(code: string, message: string): PeerReply {
  return {
    reply: {
      status: 400,
      body: { __type: `com.amazonaws.sqs#${code}`, message },
      headers: {
        "x-amzn-query-error": `AWS.SimpleQueueService.${SQS_QUERY_CODES[code] ?? code};Sender`,
      },
    },
  };
}

/**
 * SQS with one standard queue: SendMessageBatch and SendMessage are checked (queue URL, up to 10
 * entries with distinct ids, DelaySeconds 0–900, payload size) and each message is kept with its
 * delay; every other operation is refused. `clock` stamps the sends (a bench's virtual clock).
 */
export async function startSqsPeer(
  options: { clock?: () => number; queueName?: string; account?: string } = {},
): Promise<SqsPeer> {
  const clock = options.clock ?? Date.now;
  const account = options.account ?? "123456789012";
  const queueName = options.queueName ?? "agent-status-alerts-DueChecks";
  const messages: SqsMessage[] = [];
  let billed = 0;
  let queueUrl = "";
  const accept = (entry: { MessageBody?: unknown; DelaySeconds?: unknown }, sentMs: number): SqsMessage => {
    const body = String(entry.MessageBody);
    const delaySeconds = Number(entry.DelaySeconds ?? 0);
    const message = {
      messageId: randomUUID(),
      body,
      md5OfBody: md5(body),
      delaySeconds,
      sentMs,
      visibleMs: sentMs + delaySeconds * 1000,
    };
    messages.push(message);
    return message;
  };
  const badEntry = (entry: { MessageBody?: unknown; DelaySeconds?: unknown }): string | undefined => {
    if (typeof entry.MessageBody !== "string" || entry.MessageBody === "") return "MessageBody is required";
    const delay = entry.DelaySeconds ?? 0;
    if (!Number.isInteger(delay) || (delay as number) < 0 || (delay as number) > SQS_MAX_DELAY_SECONDS)
      return `DelaySeconds must be an integer from 0 to ${SQS_MAX_DELAY_SECONDS}`;
    return undefined;
  };
  const base = await peer((target, raw) => {
    const body = raw as {
      QueueUrl?: unknown;
      Entries?: unknown;
      MessageBody?: unknown;
      DelaySeconds?: unknown;
    };
    const sentMs = clock();
    if (target !== "AmazonSQS.SendMessageBatch" && target !== "AmazonSQS.SendMessage")
      return sqsError("UnsupportedOperation", `${target} is not served by this peer`);
    if (body.QueueUrl !== queueUrl)
      return sqsError("QueueDoesNotExist", "The specified queue does not exist.");
    const payload = Buffer.byteLength(JSON.stringify(raw));
    if (payload > SQS_MAX_PAYLOAD_BYTES)
      return sqsError(
        "BatchRequestTooLong",
        `the request is ${payload} bytes, more than ${SQS_MAX_PAYLOAD_BYTES}`,
      );
    billed += Math.max(1, Math.ceil(payload / SQS_BILLING_CHUNK_BYTES));
    if (target === "AmazonSQS.SendMessage") {
      const bad = badEntry(body);
      if (bad) return sqsError("InvalidParameterValue", bad);
      const m = accept(body, sentMs);
      return { MessageId: m.messageId, MD5OfMessageBody: m.md5OfBody };
    }
    const entries = Array.isArray(body.Entries) ? (body.Entries as Array<Record<string, unknown>>) : [];
    if (entries.length === 0) return sqsError("EmptyBatchRequest", "There should be at least one entry.");
    if (entries.length > SQS_MAX_BATCH)
      return sqsError(
        "TooManyEntriesInBatchRequest",
        `Maximum number of entries per request are ${SQS_MAX_BATCH}.`,
      );
    if (new Set(entries.map((e) => e.Id)).size !== entries.length)
      return sqsError("BatchEntryIdsNotDistinct", "Two or more batch entries have the same Id.");
    const Successful: unknown[] = [];
    const Failed: unknown[] = [];
    for (const entry of entries) {
      const bad = badEntry(entry);
      if (bad) {
        Failed.push({ Id: entry.Id, SenderFault: true, Code: "InvalidParameterValue", Message: bad });
        continue;
      }
      const m = accept(entry, sentMs);
      Successful.push({ Id: entry.Id, MessageId: m.messageId, MD5OfMessageBody: m.md5OfBody });
    }
    return { Successful, Failed };
  }, "application/x-amz-json-1.0");
  queueUrl = `${base.endpoint}/${account}/${queueName}`;
  // Properties, not a spread: the base peer's counters are getters and must stay live.
  return Object.defineProperties(base, {
    queueUrl: { value: queueUrl, enumerable: true },
    queueArn: { value: `arn:aws:sqs:us-east-1:${account}:${queueName}`, enumerable: true },
    messages: { value: messages, enumerable: true },
    billedRequests: { get: () => billed, enumerable: true },
  }) as SqsPeer;
}
