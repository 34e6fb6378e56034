import { describe, expect, it } from "vitest";
import { MemoryAlertStore } from "../../functions/adapters/state/memory-store.js";
import { alertStoreContract, makeRecord, NOW_MS, NOW_S } from "./alert-store-contract.js";

alertStoreContract("MemoryAlertStore", async (clock) => {
  // One instance is the whole backing store: two "runs" in one process share it.
  const store = new MemoryAlertStore({ nowMs: clock });
  return { open: () => store };
});

describe("MemoryAlertStore", () => {
  it("starts from the records it is given, hiding expired ones", async () => {
    // Prepare
    const live = makeRecord();
    const expired = makeRecord({ expiresAt: NOW_S - 1 });
    const store = new MemoryAlertStore({ nowMs: NOW_MS, records: [live, expired] });
    // Act
    const loaded = await store.load();
    // Assess
    expect(loaded).toEqual([live]);
    expect(store.snapshot()).toHaveLength(2);
  });

  it("does not keep the caller's objects", async () => {
    // Prepare
    const seed = makeRecord();
    const store = new MemoryAlertStore({ nowMs: NOW_MS, records: [seed] });
    // Act
    seed.version = 99;
    const [loaded] = await store.load();
    // Assess
    expect(loaded?.version).toBe(1);
  });

  it("reads the real clock when given none", async () => {
    // Prepare
    const nowS = Math.floor(Date.now() / 1000);
    const store = new MemoryAlertStore();
    await store.put(makeRecord({ id: "past", expiresAt: nowS - 5 }), null);
    await store.put(makeRecord({ id: "future", expiresAt: nowS + 3600 }), null);
    // Act
    const loaded = await store.load();
    // Assess
    expect(loaded.map((r) => r.id)).toEqual(["future"]);
  });
});
