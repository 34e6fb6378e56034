/**
 * The live records as one run reads them: by agent, by id, the active ones (open or nudged), the ones
 * Slack still owes something, a roll-up's members. A run touches only the agents it reads and the
 * records it writes, so asking the store's records this way keeps a run's own work proportional to
 * that, not to every record held (a replayed day is ten thousand runs over thousands of records).
 *
 * Every list is in the store's order (the order `load()` gives), so a run that merges them back
 * (run-records.ts) sees its records in exactly the order it would over the whole array.
 */
import { type AlertRecord, isActive } from "./alert.js";
import { isRollupMember, owesSlack } from "./rollup.js";

export interface LiveRecords {
  /** One agent's records. */
  forUser(userId: string): readonly AlertRecord[];
  get(id: string): AlertRecord | undefined;
  /** Open or nudged: the alerts a tick re-reads and the summary lists. */
  active(): AlertRecord[];
  /** Records Slack still owes something (owesSlack), as the store holds them. */
  owing(): AlertRecord[];
  /** The members of a posted roll-up (isRollupMember), by its id. */
  rollupMembers(rollupId: string): AlertRecord[];
  /** Every live record. */
  all(): AlertRecord[];
  /** The record's place in the store's order; undefined for an id the store does not hold. */
  position(id: string): number | undefined;
}

// The predicate sits with the record (alert.ts); the index's callers take it from here too.
export { isActive };

/** The index over a loaded array (the stores that load every record at once); one pass over it. */
export function indexRecords(records: readonly AlertRecord[]): LiveRecords {
  const byUser = new Map<string, AlertRecord[]>();
  const byId = new Map<string, number>();
  const active: AlertRecord[] = [];
  const owing: AlertRecord[] = [];
  const rollups = new Map<string, AlertRecord[]>();
  const push = <K>(map: Map<K, AlertRecord[]>, key: K, r: AlertRecord) => {
    const list = map.get(key);
    if (list) list.push(r);
    else map.set(key, [r]);
  };
  for (const [index, r] of records.entries()) {
    push(byUser, r.userId, r);
    byId.set(r.id, index);
    if (isActive(r)) active.push(r);
    if (owesSlack(r)) owing.push(r);
    if (isRollupMember(r)) push(rollups, r.rollupId as string, r);
  }
  return {
    forUser: (userId) => byUser.get(userId) ?? [],
    get: (id) => {
      const index = byId.get(id);
      return index === undefined ? undefined : records[index];
    },
    active: () => [...active],
    owing: () => [...owing],
    rollupMembers: (id) => [...(rollups.get(id) ?? [])],
    all: () => [...records],
    position: (id) => byId.get(id),
  };
}
