/**
 * Loopback peers for the two AWS JSON APIs the check bundle calls besides DynamoDB: Secrets Manager
 * (GetSecretValue) and EventBridge (PutEvents). Enough of each protocol for the real SDK clients in a
 * bundle pointed at them with AWS_ENDPOINT_URL_SECRETS_MANAGER / AWS_ENDPOINT_URL_EVENTBRIDGE; each
 * counts what it was asked, for the bundle tests and the cost bench.
 */
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

function peer(answer: (target: string, body: unknown) => unknown): Promise<AwsPeer> {
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
      res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
      res.end(JSON.stringify(answer(target, body)));
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
