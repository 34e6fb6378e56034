import { type ChildProcessByStdio, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JsonFileAlertStore, StateFileError } from "../../functions/adapters/state/json-file-store.js";
import { alertStoreContract, byId, makeRecord, NOW_MS, NOW_S } from "./alert-store-contract.js";
import { LIMITER_T0, rateLimiterContract } from "./rate-limiter-contract.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const STORE_MODULE = pathToFileURL(join(REPO, "functions/adapters/state/json-file-store.ts")).href;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "alert-state-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

alertStoreContract("JsonFileAlertStore", async (clock) => {
  // Each instance stands for a separate CLI run on the same file.
  const path = join(dir, `state-${Math.random().toString(36).slice(2)}.json`);
  return { open: () => new JsonFileAlertStore(path, { nowMs: clock }) };
});

describe("JsonFileAlertStore", () => {
  it("treats a missing file as empty state, without creating it", async () => {
    // Prepare
    const path = join(dir, "nested", "state.json");
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    // Act
    const loaded = await store.load();
    // Assess
    expect(loaded).toEqual([]);
    await expect(readdir(dir)).resolves.toEqual([]);
  });

  it("creates the parent directories and a pretty-printed versioned file on the first write", async () => {
    // Prepare
    const path = join(dir, "a", "b", "state.json");
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    const record = makeRecord();
    // Act
    await store.put(record, null);
    // Assess
    const text = await readFile(path, "utf8");
    expect(JSON.parse(text)).toEqual({ version: 1, alerts: [record] });
    expect(text).toBe(`${JSON.stringify({ version: 1, alerts: [record] }, null, 2)}\n`);
  });

  it("keeps the cursor as a top-level field beside alerts, and loads a file written before it", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const record = makeRecord();
    await writeFile(path, JSON.stringify({ version: 1, alerts: [record] }));
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    const cursor = { nextOffset: 300, rosterPages: null, complete: false, pagesRead: 6, updatedMs: NOW_MS };
    // Act
    const before = await store.loadCursor();
    await store.saveCursor(cursor);
    // Assess
    expect(before).toBeUndefined();
    expect(await store.load()).toEqual([record]);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ version: 1, alerts: [record], cursor });
  });

  it("keeps the boards as a top-level `boards` map by channel, and loads a file written before it", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const record = makeRecord();
    const cursor = { nextOffset: 0, rosterPages: 1, complete: true, pagesRead: 1, updatedMs: NOW_MS };
    await writeFile(path, JSON.stringify({ version: 1, alerts: [record], cursor }));
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    const board = { channel: "C-OPS", ts: "1.000100", drawnKey: "k", drawnMs: NOW_MS };
    // Act
    const before = await store.loadBoards(["C-OPS"]);
    await store.saveBoard(board);
    await store.put({ ...record, version: 2 }, 1);
    // Assess
    expect(before).toEqual([]);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      version: 1,
      alerts: [{ ...record, version: 2 }],
      cursor,
      boards: { "C-OPS": board },
    });
  });

  it("leaves neither temp files nor the lock behind", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    const record = makeRecord();
    // Act
    await store.put(record, null);
    await store.put({ ...record, version: 2 }, 1);
    await store.put({ ...record, version: 2 }, 1); // refused: must unlock too
    // Assess
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("prunes expired records when it writes, keeping the order of the rest", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const a = makeRecord();
    const expired = makeRecord({ expiresAt: NOW_S - 10 });
    const b = makeRecord();
    await writeFile(path, JSON.stringify({ version: 1, alerts: [a, expired, b] }));
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    const c = makeRecord();
    // Act
    await store.put(c, null);
    // Assess
    const file = JSON.parse(await readFile(path, "utf8")) as { alerts: Array<{ id: string }> };
    expect(file.alerts.map((r) => r.id)).toEqual([a.id, b.id, c.id]);
  });

  it("treats an empty file as empty state", async () => {
    // Prepare
    const path = join(dir, "state.json");
    await writeFile(path, "  \n");
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    const record = makeRecord();
    // Act
    const before = await store.load();
    const written = await store.put(record, null);
    // Assess
    expect(before).toEqual([]);
    expect(written).toBe(true);
    expect(await store.load()).toEqual([record]);
  });

  it("refuses a corrupt file with an error naming it, and leaves it untouched", async () => {
    // Prepare
    const path = join(dir, "state.json");
    await writeFile(path, '{"version":1,"alerts":[{"id":');
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    // Act
    const loading = store.load();
    const putting = store.put(makeRecord(), null);
    // Assess
    await expect(loading).rejects.toThrow(StateFileError);
    await expect(loading).rejects.toThrow(`State file ${path}: is not valid JSON`);
    await expect(putting).rejects.toThrow(path);
    expect(await readFile(path, "utf8")).toBe('{"version":1,"alerts":[{"id":');
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("refuses a file that is not an alert state file, naming the field", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const bad = { ...makeRecord(), version: "one" };
    await writeFile(path, JSON.stringify({ version: 1, alerts: [makeRecord(), bad] }));
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    // Act
    const loading = store.load();
    // Assess
    await expect(loading).rejects.toThrow(path);
    await expect(loading).rejects.toThrow("alerts[1].version");
  });

  it("refuses a file of another format version", async () => {
    // Prepare
    const path = join(dir, "state.json");
    await writeFile(path, JSON.stringify({ version: 2, alerts: [] }));
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    // Act
    const loading = store.load();
    // Assess
    await expect(loading).rejects.toThrow(/is not an alert state file.*version/);
  });

  it("names the path when the state is a directory", async () => {
    // Prepare
    const path = join(dir, "state.json");
    await mkdir(path);
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    // Act
    const loading = store.load();
    // Assess
    await expect(loading).rejects.toThrow(`State file ${path}: cannot read it (EISDIR)`);
  });

  it("keeps fields it does not know (written by a newer version)", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const record = { ...makeRecord(), futureField: { x: 1 } };
    await writeFile(path, JSON.stringify({ version: 1, alerts: [record] }));
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    // Act
    await store.put(makeRecord(), null);
    // Assess
    const file = JSON.parse(await readFile(path, "utf8")) as { alerts: unknown[] };
    expect(file.alerts[0]).toEqual(record);
  });

  it("waits for a lock held by a live run, then gives up naming the path", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const lock = {
      token: "someone-else",
      pid: process.pid,
      host: hostname(),
      since: new Date().toISOString(),
    };
    await writeFile(`${path}.lock`, JSON.stringify(lock));
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS, lockTimeoutMs: 150 });
    const started = Date.now();
    // Act
    const putting = store.put(makeRecord(), null);
    // Assess
    await expect(putting).rejects.toThrow(`State file ${path}: could not lock it within 0.15s`);
    await expect(putting).rejects.toThrow(`${path}.lock`);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(await readFile(`${path}.lock`, "utf8")).toBe(JSON.stringify(lock));
  });

  it("takes over a lock once it is stale", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const lockPath = `${path}.lock`;
    await writeFile(lockPath, JSON.stringify({ token: "t", pid: process.pid, host: hostname() }));
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath, old, old);
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS, lockTimeoutMs: 1_000 });
    const record = makeRecord();
    // Act
    const written = await store.put(record, null);
    // Assess
    expect(written).toBe(true);
    expect(await store.load()).toEqual([record]);
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("lets one waiter break a stale lock, so concurrent runs still create a record once", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const lockPath = `${path}.lock`;
    await writeFile(lockPath, JSON.stringify({ token: "t", pid: process.pid, host: hostname() }));
    const old = new Date(Date.now() - 60_000);
    await utimes(lockPath, old, old);
    const runs = Array.from({ length: 6 }, () => new JsonFileAlertStore(path, { nowMs: NOW_MS }));
    const record = makeRecord();
    // Act
    const results = await Promise.all(runs.map((run, i) => run.put({ ...record, name: `run ${i}` }, null)));
    // Assess
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = results.indexOf(true);
    expect(await runs[0]?.load()).toEqual([{ ...record, name: `run ${winner}` }]);
    expect(await readdir(dir)).toEqual(["state.json"]);
  });

  it("takes over at once a lock whose process on this host has died", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const child = spawn(process.execPath, ["-e", ""]);
    await once(child, "exit");
    const deadPid = child.pid ?? 0;
    await writeFile(`${path}.lock`, JSON.stringify({ token: "t", pid: deadPid, host: hostname() }));
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS, lockTimeoutMs: 2_000, staleLockMs: 60_000 });
    const started = Date.now();
    // Act
    const written = await store.put(makeRecord(), null);
    // Assess
    expect(written).toBe(true);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("loses no write when two instances put many records concurrently", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const runA = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    const runB = new JsonFileAlertStore(path, { nowMs: NOW_MS });
    const forA = Array.from({ length: 25 }, () => makeRecord());
    const forB = Array.from({ length: 25 }, () => makeRecord());
    // Act
    const results = await Promise.all([
      ...forA.map((r) => runA.put(r, null)),
      ...forB.map((r) => runB.put(r, null)),
    ]);
    // Assess
    expect(results.every(Boolean)).toBe(true);
    expect(byId(await runA.load())).toEqual(byId([...forA, ...forB]));
  });

  it("serialises two CLI processes writing the same file", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const script = join(dir, "child.mjs");
    await writeFile(script, CHILD_SCRIPT);
    const children = ["a", "b"].map((name) => startChild(script, path, name));
    await Promise.all(children.map((c) => c.ready));
    // Act
    for (const c of children) c.process.stdin.end("go\n");
    const outputs = await Promise.all(children.map((c) => c.result));
    // Assess
    const [a, b] = outputs.map((o) => JSON.parse(o) as { claimed: string[] });
    const claims = [...(a?.claimed ?? []), ...(b?.claimed ?? [])].sort();
    const shared = Array.from({ length: 15 }, (_, i) => `shared-${i}`).sort();
    expect(claims).toEqual(shared); // every shared record claimed once, by one process or the other
    const ids = (await new JsonFileAlertStore(path, { nowMs: NOW_MS }).load()).map((r) => r.id).sort();
    const own = ["a", "b"].flatMap((n) => Array.from({ length: 15 }, (_, i) => `${n}-${i}`));
    expect(ids).toEqual([...own, ...shared].sort());
    expect((await readdir(dir)).sort()).toEqual(["child.mjs", "state.json"]);
  });
});

// Each child: wait for "go" on stdin, then interleave its own creations with claims of shared records
// that the other child races for; print the shared ids it won.
const CHILD_SCRIPT = `
const { JsonFileAlertStore } = await import(${JSON.stringify(STORE_MODULE)});
const [path, name] = process.argv.slice(2);
const record = (id) => ({
  id, userId: id, email: id + "@example.com", name: id, ruleKey: "r", ruleName: "R",
  primaryStatus: "BUSY", secondaryStatus: "BUSY", sinceMs: ${NOW_MS}, thresholdSeconds: 900,
  severity: "warning", state: "open", firedMs: ${NOW_MS}, lastNotifiedMs: ${NOW_MS},
  version: 1, expiresAt: ${NOW_S + 3600},
});
const store = new JsonFileAlertStore(path, { nowMs: ${NOW_MS} });
process.stdout.write("ready\\n");
process.stdin.once("data", async () => {
  const claimed = [];
  for (let i = 0; i < 15; i++) {
    const [, won] = await Promise.all([store.put(record(name + "-" + i), null), store.put(record("shared-" + i), null)]);
    if (won) claimed.push("shared-" + i);
  }
  process.stdout.write(JSON.stringify({ claimed }) + "\\n");
});
`;

function startChild(
  script: string,
  path: string,
  name: string,
): {
  process: ChildProcessByStdio<Writable, Readable, Readable>;
  ready: Promise<void>;
  result: Promise<string>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", script, path, name], {
    cwd: REPO,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let onReady: () => void = () => undefined;
  let onFailure: (error: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onFailure = reject;
  });
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.startsWith("ready\n")) onReady();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const result = once(child, "exit").then(([code]) => {
    const failure = new Error(`child ${name} exited ${code}: ${stderr}`);
    onFailure(failure); // no-op once ready
    if (code !== 0) throw failure;
    return stdout.slice("ready\n".length).trim();
  });
  return { process: child, ready, result };
}

// Each instance stands for another CLI process on the same state file.
rateLimiterContract("JsonFileAlertStore", async (clock) => {
  const path = join(dir, `limiter-${Math.random().toString(36).slice(2)}.json`);
  return { open: () => new JsonFileAlertStore(path, { nowMs: NOW_MS, wallMs: clock.now }) };
});

describe("JsonFileAlertStore's rate window", () => {
  it("keeps the window under `limiter` beside the alerts, which load() never returns, and other writes keep it", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const record = makeRecord();
    await writeFile(path, JSON.stringify({ version: 1, alerts: [record] }));
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS, wallMs: () => LIMITER_T0 });
    const cursor = { nextOffset: 300, rosterPages: null, complete: false, pagesRead: 6, updatedMs: NOW_MS };
    // Act
    const reserved = await store.reserve({
      count: 3,
      perMinute: 50,
      notAfterMs: LIMITER_T0 + 1,
      class: "priority",
    });
    await store.saveCursor(cursor);
    const other = makeRecord();
    await store.put(other, null);
    // Assess
    expect(reserved).toEqual([LIMITER_T0, LIMITER_T0, LIMITER_T0]);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({
      version: 1,
      alerts: [record, other],
      cursor,
      limiter: { times: [LIMITER_T0, LIMITER_T0, LIMITER_T0] },
    });
    expect(byId(await store.load())).toEqual(byId([record, other]));
  });

  it("reads its clock under the lock, and writes nothing when nothing was reserved", async () => {
    // Prepare
    const path = join(dir, "state.json");
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS, wallMs: () => LIMITER_T0 });
    // Act
    const none = await store.reserve({ count: 3, perMinute: 50, notAfterMs: LIMITER_T0, class: "priority" });
    // Assess
    expect(none).toEqual([]);
    await expect(readdir(dir)).resolves.toEqual([]);
  });

  it("prunes the instants that no longer count when it writes the window", async () => {
    // Prepare
    const path = join(dir, "state.json");
    let now = LIMITER_T0;
    const store = new JsonFileAlertStore(path, { nowMs: NOW_MS, wallMs: () => now });
    await store.reserve({ count: 2, perMinute: 50, notAfterMs: now + 1, class: "priority" });
    // Act
    now += 5 * 60_000;
    await store.reserve({ count: 1, perMinute: 50, notAfterMs: now + 1, class: "rotation" });
    // Assess
    const file = JSON.parse(await readFile(path, "utf8")) as { limiter: { times: number[] } };
    expect(file.limiter.times).toEqual([now]);
  });
});
