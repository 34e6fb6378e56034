/**
 * A counting proxy in front of dynalite, for the cost bench: the Lambda bundle's DynamoDB client is
 * pointed at it (AWS_ENDPOINT_URL_DYNAMODB) and it adds up the request units every call consumed, as
 * DynamoDB bills them on demand:
 *
 * - reads: the ConsumedCapacity dynalite reports when asked (`ReturnConsumedCapacity: TOTAL`, added to
 *   every request): a Scan or Query page is its items' bytes rounded up to 4 KB, halved when eventually
 *   consistent; a GetItem is its item rounded up to 4 KB;
 * - writes: the table's units dynalite reports, plus what dynalite leaves out: each global secondary
 *   index the write touches (an index item put, updated or deleted, each ceil(KB); a changed index key
 *   is a delete and a put), found by asking for the old item (`ReturnValues: ALL_OLD`); and a write whose
 *   condition failed, which DynamoDB still bills (ceil(KB) of the item, at least one unit).
 *
 * Sizes use dynalite's own item size (attribute names plus values, DynamoDB's rules).
 */
import { createServer, request, type Server } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";

type Item = Record<string, unknown>;

// dynalite is CommonJS without types: its item size, the one function used here.
const dynaliteDb = createRequire(import.meta.url)("dynalite/db/index.js") as {
  itemSize(item: Item): number;
};

export interface IndexShape {
  name: string;
  keys: string[];
}

export interface Consumed {
  readUnits: number;
  writeUnits: number;
  /** Of writeUnits: index writes dynalite does not report. */
  indexWriteUnits: number;
  /** Of writeUnits: writes whose condition failed. */
  failedConditionUnits: number;
  /** Requests by operation (Scan, Query, GetItem, PutItem, ...). */
  requests: Record<string, number>;
  /**
   * Of readUnits and writeUnits: those of single-item calls on the run's own items, by id (`#limiter`,
   * the shared rate window; `#cursor`; `#board#…`), so the bench can say what each costs.
   */
  ownItems: Record<string, { readUnits: number; writeUnits: number }>;
}

export interface CountingProxy {
  endpoint: string;
  /** A copy of what was consumed so far (subtract two to get an interval's). */
  snapshot(): Consumed;
  close(): Promise<void>;
}

export function emptyConsumed(): Consumed {
  return {
    readUnits: 0,
    writeUnits: 0,
    indexWriteUnits: 0,
    failedConditionUnits: 0,
    requests: {},
    ownItems: {},
  };
}

export function minus(after: Consumed, before: Consumed): Consumed {
  const requests: Record<string, number> = {};
  for (const [op, n] of Object.entries(after.requests)) requests[op] = n - (before.requests[op] ?? 0);
  const ownItems: Consumed["ownItems"] = {};
  for (const [id, u] of Object.entries(after.ownItems)) {
    const b = before.ownItems[id] ?? { readUnits: 0, writeUnits: 0 };
    ownItems[id] = { readUnits: u.readUnits - b.readUnits, writeUnits: u.writeUnits - b.writeUnits };
  }
  return {
    readUnits: after.readUnits - before.readUnits,
    writeUnits: after.writeUnits - before.writeUnits,
    indexWriteUnits: after.indexWriteUnits - before.indexWriteUnits,
    failedConditionUnits: after.failedConditionUnits - before.failedConditionUnits,
    requests,
    ownItems,
  };
}

const kb = (item: Item) => Math.max(1, Math.ceil(dynaliteDb.itemSize(item) / 1024));

/** Index writes of one item write: what DynamoDB adds to the table's units for its indexes. */
export function indexWriteUnits(
  oldItem: Item | undefined,
  newItem: Item | undefined,
  indexes: IndexShape[],
): number {
  let units = 0;
  for (const index of indexes) {
    const inOld = oldItem !== undefined && index.keys.every((k) => k in oldItem);
    const inNew = newItem !== undefined && index.keys.every((k) => k in newItem);
    if (inOld && inNew) {
      const sameKey = index.keys.every(
        (k) => JSON.stringify((oldItem as Item)[k]) === JSON.stringify((newItem as Item)[k]),
      );
      // The same index key: one update; another key: the old index item deleted, the new one put.
      units += sameKey ? kb(newItem as Item) : kb(oldItem as Item) + kb(newItem as Item);
    } else if (inNew) units += kb(newItem as Item);
    else if (inOld) units += kb(oldItem as Item);
  }
  return units;
}

const READS = new Set(["GetItem", "BatchGetItem", "Query", "Scan"]);

/** The `#`-prefixed id a single-item call names (its Key or Item), if any. */
function ownItemId(body: Record<string, unknown>): string | undefined {
  const item = (body.Key ?? body.Item) as { id?: { S?: unknown } } | undefined;
  const id = item?.id?.S;
  return typeof id === "string" && id.startsWith("#") ? id : undefined;
}

export async function startCountingProxy(target: string, indexes: IndexShape[]): Promise<CountingProxy> {
  const consumed = emptyConsumed();
  const upstream = new URL(target);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const operation = String(req.headers["x-amz-target"] ?? "").split(".")[1] ?? "?";
      consumed.requests[operation] = (consumed.requests[operation] ?? 0) + 1;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as Record<string, unknown>;
      } catch {
        // forwarded as it came
      }
      body.ReturnConsumedCapacity = "TOTAL";
      const askedOld = operation === "PutItem" && body.ReturnValues === undefined;
      if (askedOld) body.ReturnValues = "ALL_OLD";
      const payload = Buffer.from(JSON.stringify(body));
      const headers = { ...req.headers, "content-length": String(payload.length), host: upstream.host };
      const forward = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on("data", (c: Buffer) => parts.push(c));
          answer.on("end", () => {
            const raw = Buffer.concat(parts);
            account(operation, body, answer.statusCode ?? 0, raw);
            // Passed through unchanged (its CRC32 header matches): the extra fields are ignored.
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            res.end(raw);
          });
        },
      );
      forward.on("error", (error) => {
        res.writeHead(502);
        res.end(String(error));
      });
      forward.end(payload);
    });
  });

  function ownEntry(id: string): { readUnits: number; writeUnits: number } {
    const entry = consumed.ownItems[id] ?? { readUnits: 0, writeUnits: 0 };
    consumed.ownItems[id] = entry;
    return entry;
  }

  function account(operation: string, body: Record<string, unknown>, status: number, raw: Buffer): void {
    let answer: Record<string, unknown> = {};
    try {
      answer = JSON.parse(raw.toString("utf8") || "{}") as Record<string, unknown>;
    } catch {
      return;
    }
    if (status === 200) {
      const capacity = answer.ConsumedCapacity;
      const list = Array.isArray(capacity) ? capacity : capacity ? [capacity] : [];
      const units = list.reduce((n, c) => n + ((c as { CapacityUnits?: number }).CapacityUnits ?? 0), 0);
      if (READS.has(operation)) consumed.readUnits += units;
      else consumed.writeUnits += units;
      const own = ownItemId(body);
      if (own !== undefined) {
        const entry = ownEntry(own);
        if (READS.has(operation)) entry.readUnits += units;
        else entry.writeUnits += units;
      }
      if (operation === "PutItem") {
        const extra = indexWriteUnits(answer.Attributes as Item | undefined, body.Item as Item, indexes);
        consumed.writeUnits += extra;
        consumed.indexWriteUnits += extra;
      }
      return;
    }
    const type = String(answer.__type ?? "");
    if (type.endsWith("ConditionalCheckFailedException") && body.Item) {
      const units = kb(body.Item as Item);
      consumed.writeUnits += units;
      consumed.failedConditionUnits += units;
      const own = ownItemId(body);
      if (own !== undefined) ownEntry(own).writeUnits += units;
    }
  }

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    snapshot: () => ({
      ...consumed,
      requests: { ...consumed.requests },
      ownItems: Object.fromEntries(Object.entries(consumed.ownItems).map(([id, u]) => [id, { ...u }])),
    }),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
