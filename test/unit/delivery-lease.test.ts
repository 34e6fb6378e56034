/**
 * What a run may send while its tick's rotation is still read, and the lease its decision write
 * carries: pure rules over the record, no I/O.
 */
import { describe, expect, it } from "vitest";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { sendableBeforeRotation, withDeliveryLease } from "../../functions/domain/delivery.js";
import { heldLongEnough, LEASE_MS } from "../../functions/domain/lease.js";
import { makeRecord, NOW_MS as NOW } from "../adapters/alert-store-contract.js";

/** An open alert, not yet posted, at NOW. */
const record = (fields: Partial<AlertRecord> = {}): AlertRecord => makeRecord({ version: 3, ...fields });

const posted = { slackTs: "1.1", notifiedSeverity: "warning" } as const;

describe("sendableBeforeRotation", () => {
  it("lets through work on a message already posted, and a nudge's DM", () => {
    expect(sendableBeforeRotation(record({ ...posted, state: "resolved", endedMs: NOW }), false)).toBe(true);
    expect(sendableBeforeRotation(record({ ...posted, severity: "critical" }), false)).toBe(true);
    expect(sendableBeforeRotation(record(posted), true)).toBe(true);
    expect(sendableBeforeRotation(record({ state: "nudged" }), false)).toBe(true);
  });

  it("keeps back a new top message, anything of a roll-up, and what owes nothing", () => {
    expect(sendableBeforeRotation(record(), false)).toBe(false);
    expect(sendableBeforeRotation(record({ ...posted, rollupId: "R1", state: "resolved" }), false)).toBe(
      false,
    );
    expect(sendableBeforeRotation(record({ rollupId: "R1" }), false)).toBe(false);
    expect(sendableBeforeRotation(record(posted), false)).toBe(false);
  });
});

describe("withDeliveryLease", () => {
  const lease = { by: "run-a", untilMs: NOW + LEASE_MS };

  it("carries the run's lease on a record that owes Slack a send, its version untouched", () => {
    const leased = withDeliveryLease(record(), false, lease);
    expect(leased.lease).toEqual(lease);
    expect(leased.version).toBe(3);
    expect(withDeliveryLease(record(posted), true, lease).lease).toEqual(lease);
  });

  it("leaves alone a record with nothing to send, and a roll-up's member", () => {
    expect(withDeliveryLease(record(posted), false, lease).lease).toBeUndefined();
    expect(withDeliveryLease(record({ rollupId: "R1" }), false, lease).lease).toBeUndefined();
  });
});

describe("heldLongEnough", () => {
  it("is true for the run's own lease with at least half of the time asked for left", () => {
    const r = record({ lease: { by: "run-a", untilMs: NOW + 20_000 } });
    expect(heldLongEnough(r, "run-a", NOW, LEASE_MS)).toBe(true);
    expect(heldLongEnough(r, "run-a", NOW + 6_000, LEASE_MS)).toBe(false);
    expect(heldLongEnough(r, "run-b", NOW, LEASE_MS)).toBe(false);
    expect(heldLongEnough(record(), "run-a", NOW, LEASE_MS)).toBe(false);
  });
});
