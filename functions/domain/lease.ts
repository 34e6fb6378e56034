/**
 * Leases: who is sending what a record owes Slack right now. Pure helpers; the stores' conditional
 * write on `version` is what makes taking one atomic. Times are the real clock (overlap is about
 * real time, whatever instant a run evaluates as).
 */
import type { AlertRecord, Lease } from "./alert.js";

/** Long enough for one send (Slack's retries and pacing included), short enough that a dead run's lease lapses soon. */
export const LEASE_MS = 30_000;

/** True when someone other than `me` holds a lease on `record` that has not lapsed at `wallMs`. */
export function leasedByOther(record: Pick<AlertRecord, "lease">, me: string, wallMs: number): boolean {
  const lease = record.lease;
  return lease !== undefined && lease.by !== me && lease.untilMs > wallMs;
}

/** True when `me` holds a lease on `record` that has not lapsed at `wallMs`. */
export function leasedBy(record: Pick<AlertRecord, "lease">, me: string, wallMs: number): boolean {
  const lease = record.lease;
  return lease !== undefined && lease.by === me && lease.untilMs > wallMs;
}

/** The record with `me`'s lease until `wallMs + ms`, version bumped (to be written expecting `record.version`). */
export function withLease(record: AlertRecord, me: string, wallMs: number, ms = LEASE_MS): AlertRecord {
  const lease: Lease = { by: me, untilMs: wallMs + ms };
  return { ...record, lease, version: record.version + 1 };
}

/** The record without its lease (not bumped: callers bump with the write they make). */
export function withoutLease(record: AlertRecord): AlertRecord {
  const { lease: _lease, ...rest } = record;
  return rest;
}

/**
 * True when `me`'s lease on `record` still has at least half of `ms` to run at `wallMs`: a send may
 * go on it without taking the lease again (the run's decision write carried it).
 */
export function heldLongEnough(
  record: Pick<AlertRecord, "lease">,
  me: string,
  wallMs: number,
  ms = LEASE_MS,
): boolean {
  return leasedBy(record, me, wallMs + ms / 2);
}
