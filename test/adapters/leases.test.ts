/**
 * Leases on every store (memory, JSON file with one instance per "process", DynamoDB on dynalite):
 * the delivery use case sends what a record owes once however many runs overlap, leaves a live lease
 * alone, takes a lapsed one, records a send onto a concurrent change, and clears a failed send's lease.
 * The notifier is a small recording implementation of the port (what it sends is all we look at).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DynamoDbAlertStore } from "../../functions/adapters/state/dynamodb-store.js";
import { JsonFileAlertStore } from "../../functions/adapters/state/json-file-store.js";
import { MemoryAlertStore } from "../../functions/adapters/state/memory-store.js";
import { deliverSlack } from "../../functions/app/deliver-slack.js";
import { silentLog } from "../../functions/app/logger.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import type { SlackAction } from "../../functions/domain/delivery.js";
import { LEASE_MS } from "../../functions/domain/lease.js";
import type { AlertNotifier, AlertStore, BoardStore, DeliveryResult } from "../../functions/ports.js";
import { type LocalDynamo, startDynalite } from "../fakes/dynalite.js";
import { makeRecord, NOW_MS } from "./alert-store-contract.js";

/** Sends after `delayMs`, counting every send; `fail` makes the next sends fail. */
class RecordingNotifier implements AlertNotifier {
  readonly sent: SlackAction[] = [];
  fail = 0;
  onSend: (action: SlackAction) => Promise<void> = async () => {};
  constructor(private readonly delayMs = 50) {}
  async deliver(action: SlackAction): Promise<DeliveryResult> {
    await sleep(this.delayMs);
    await this.onSend(action);
    if (this.fail > 0) {
      this.fail--;
      return { ok: false, error: "internal_error", transient: false };
    }
    this.sent.push(action);
    return { ok: true, ts: `ts-${this.sent.length}`, channel: action.record.channel ?? "" };
  }
}

interface Harness {
  open(): AlertStore;
}

let local: LocalDynamo;
let dir: string;
beforeAll(async () => {
  local = await startDynalite();
  dir = await mkdtemp(join(tmpdir(), "asa-leases-"));
});
afterAll(async () => {
  await local.close();
  await rm(dir, { recursive: true, force: true });
});

const stores: Array<[string, () => Promise<Harness>]> = [
  [
    "MemoryAlertStore",
    async () => {
      const store = new MemoryAlertStore({ nowMs: NOW_MS });
      return { open: () => store };
    },
  ],
  [
    "JsonFileAlertStore",
    async () => {
      const path = join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
      return { open: () => new JsonFileAlertStore(path, { nowMs: NOW_MS }) };
    },
  ],
  [
    "DynamoDbAlertStore",
    async () => {
      const tableName = await local.createAlertTable();
      return { open: () => new DynamoDbAlertStore({ tableName, client: local.client, nowMs: NOW_MS }) };
    },
  ],
];

/** One run's delivery of everything `records` owe, as run `runId` at real instant `wall()`. */
const deliverAs = (
  runId: string,
  store: AlertStore,
  notifier: AlertNotifier,
  records: AlertRecord[],
  wall: () => number = Date.now,
) =>
  deliverSlack(
    0,
    records,
    new Set(),
    new Set(),
    { store, notifier, log: silentLog },
    { runId, wallMs: wall },
  );

describe.each(stores)("%s: leases", (_name, create) => {
  it("three overlapping runs post a pending alert once, and the state keeps that message", async () => {
    // Prepare: an alert fired but not yet posted, seen by three runs that loaded the same version.
    const harness = await create();
    const pending = makeRecord();
    await harness.open().put(pending, null);
    const notifier = new RecordingNotifier(100);

    // Act
    const reports = await Promise.all(
      ["run-a", "run-b", "run-c"].map((id) => deliverAs(id, harness.open(), notifier, [pending])),
    );

    // Assess
    expect(notifier.sent).toHaveLength(1);
    expect(reports.reduce((n, r) => n + r.delivered, 0)).toBe(1);
    const stored = await harness.open().get(pending.id);
    expect(stored?.slackTs).toBe("ts-1");
    expect(stored?.lease).toBeUndefined();
  });

  it("leaves a live lease alone and takes one that lapsed (its run died)", async () => {
    const harness = await create();
    const wall = Date.now();
    const leased = makeRecord({ lease: { by: "dead-run", untilMs: wall + LEASE_MS } });
    await harness.open().put(leased, null);
    const notifier = new RecordingNotifier(1);

    const whileLive = await deliverAs("run-b", harness.open(), notifier, [leased], () => wall);
    expect(notifier.sent).toHaveLength(0);
    expect(whileLive.leasedElsewhere).toBe(1);

    const afterLapse = await deliverAs(
      "run-b",
      harness.open(),
      notifier,
      [leased],
      () => wall + LEASE_MS + 1,
    );
    expect(notifier.sent).toHaveLength(1);
    expect(afterLapse.delivered).toBe(1);
    expect((await harness.open().get(leased.id))?.slackTs).toBe("ts-1");
  });

  it("records the send onto a change made while it was being sent (a click), keeping that change", async () => {
    const harness = await create();
    const pending = makeRecord();
    await harness.open().put(pending, null);
    const notifier = new RecordingNotifier(1);
    // While the post is on its way, a click acknowledges the alert with its own conditional write.
    notifier.onSend = async (action) => {
      const other = harness.open();
      const now = await other.get(action.record.id);
      if (!now) throw new Error("record vanished");
      await other.put({ ...now, acknowledgedBy: "U-SUPERVISOR", version: now.version + 1 }, now.version);
    };

    const report = await deliverAs("run-a", harness.open(), notifier, [pending]);

    expect(report.delivered).toBe(1);
    const stored = await harness.open().get(pending.id);
    expect(stored).toMatchObject({ slackTs: "ts-1", acknowledgedBy: "U-SUPERVISOR" });
    expect(stored?.lease).toBeUndefined();
    // Nothing is owed any more: another run sends nothing.
    const again = new RecordingNotifier(1);
    await deliverAs("run-b", harness.open(), again, [stored as AlertRecord]);
    expect(again.sent).toHaveLength(0);
  });

  it("lets one of several overlapping runs claim a channel's first board post; a lapsed claim or a posted board is settled", async () => {
    const harness = await create();
    const stores = [harness.open(), harness.open(), harness.open()] as Array<AlertStore & BoardStore>;
    const wall = Date.now();

    const claims = await Promise.all(
      stores.map((s, i) => s.claimBoardPost("C-BOARD", `run-${i}`, wall + 30_000, wall)),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // While the claim is live nobody else gets it; once it lapsed (its run died) another run may post.
    expect(await stores[0]?.claimBoardPost("C-BOARD", "run-late", wall + 60_000, wall + 1_000)).toBe(false);
    expect(await stores[0]?.claimBoardPost("C-BOARD", "run-late", wall + 90_000, wall + 31_000)).toBe(true);
    // A board that has its message is never claimed for a first post again.
    await stores[1]?.saveBoard({ channel: "C-BOARD", ts: "111.222" });
    expect(await stores[2]?.claimBoardPost("C-BOARD", "run-x", wall + 200_000, wall + 100_000)).toBe(false);
  });

  it("clears the lease of a send that failed, so the next run retries at once", async () => {
    const harness = await create();
    const pending = makeRecord();
    await harness.open().put(pending, null);
    const notifier = new RecordingNotifier(1);
    notifier.fail = 1;

    const failed = await deliverAs("run-a", harness.open(), notifier, [pending]);
    expect(failed.failed).toBe(1);
    const afterFailure = await harness.open().get(pending.id);
    expect(afterFailure?.lease).toBeUndefined();
    expect(afterFailure?.slackTs).toBeUndefined();

    const retried = await deliverAs("run-b", harness.open(), notifier, [afterFailure as AlertRecord]);
    expect(retried.delivered).toBe(1);
    expect(notifier.sent).toHaveLength(1);
  });
});
