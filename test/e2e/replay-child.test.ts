/**
 * `replay --against`'s second config in a second Node process (functions/cli/replay-child.ts), with a
 * real child over the real IPC channel: its figures are the ones this process computes, its progress
 * comes through, and whatever goes wrong on its side comes back as an error, which the side-by-side
 * answers by replaying the config here.
 */
import { describe, expect, it } from "vitest";
import type { ReplayProgress } from "../../functions/app/replay.js";
import { replayCapture } from "../../functions/cli/replay.js";
import { type ConfigFigures, replayInChild, replaySideBySide } from "../../functions/cli/replay-child.js";
import { ReplayProgressLine } from "../../functions/cli/replay-progress.js";
import { parseConfig } from "../../functions/domain/config.js";
import { benchCapture } from "../bench/replay.js";

/** The test runner has no TypeScript loader of its own to hand down: the child gets tsx's. */
const TSX = ["--import", "tsx"];

const capture = benchCapture(150, 5);

function rawConfig(threshold: string) {
  return {
    timezone: "Asia/Kolkata",
    smartassist: { host: "https://platform.kore.ai", accountId: "acc", iId: "st-1" },
    schedule: { every: "5m" },
    repeat: "20m",
    rules: [
      { name: "Long break", secondaryStatus: ["NBK", "LUNCH", "BREAK"], threshold, nudge: "10m" },
      { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m" },
    ],
    slack: { channel: "C1", rollup: 3 },
  };
}

function named(name: string, threshold: string) {
  const raw = rawConfig(threshold);
  return { name, raw, config: parseConfig(raw, name).config };
}

/** What the report prints of a replay (its figures without the records and transitions). */
function figuresOf(r: ConfigFigures): ConfigFigures {
  const { config, totals, byRule, byHour, channels, runs } = r;
  return { config, totals, byRule, byHour, channels, runs };
}

describe("a config replayed in a child process", () => {
  it("gives the figures this process gives, and its progress hour by hour", async () => {
    // Prepare
    const b = named("b.yaml", "20m");
    const heard: Array<Parameters<ReplayProgress>[0]> = [];
    // Act
    const child = await replayInChild(b.name, b.raw, capture, (r) => void heard.push(r), TSX);
    const there = await child.figures;
    const here = await replayCapture(b.config, b.name, capture);
    // Assess
    expect(there).toEqual(figuresOf(here));
    expect(there.totals.alerts).toBeGreaterThan(0);
    expect(there.channels.map((c) => c.channel)).toEqual(["C1"]);
    expect(heard).toHaveLength(24);
    expect(heard.at(-1)).toMatchObject({ done: true, runs: here.runs });
  });

  it("a config the child cannot read: the figures reject, naming what is wrong", async () => {
    const child = await replayInChild("bad.yaml", rawConfig("soon"), capture, undefined, TSX);
    await expect(child.figures).rejects.toThrow(/bad\.yaml.*threshold/s);
  });

  it("a child that cannot start (no loader for its TypeScript): rejects, saying it exited and why", async () => {
    const failing = (async () =>
      (await replayInChild("b.yaml", rawConfig("20m"), capture, undefined, [])).figures)();
    await expect(failing).rejects.toThrow(
      /exited \(code 1\) before it sent the figures: TypeError \[ERR_UNKNOWN_FILE_EXTENSION\]/,
    );
  });

  it("a day that cannot be handed over (not cloneable): rejects before any figures, saying why", async () => {
    const unclonable = { ...rawConfig("20m"), hook: () => 1 };
    await expect(replayInChild("b.yaml", unclonable, capture, undefined, TSX)).rejects.toThrow(
      /could not be cloned/,
    );
  });
});

describe("two configs side by side", () => {
  const a = named("a.yaml", "15m");
  const b = named("b.yaml", "20m");

  it("the second in a child: the same figures as each replayed alone, and no note", async () => {
    const written: string[] = [];
    const line = new ReplayProgressLine(capture, false, (t) => written.push(t));
    const inChild: typeof replayInChild = (name, raw, day, progress) =>
      replayInChild(name, raw, day, progress, TSX);
    const [first, second] = await replaySideBySide(a, b, capture, line, (t) => written.push(t), inChild);
    expect(figuresOf(first)).toEqual(figuresOf(await replayCapture(a.config, a.name, capture)));
    expect(second).toEqual(figuresOf(await replayCapture(b.config, b.name, capture)));
    expect(written.filter((t) => t.startsWith("note:"))).toEqual([]);
    expect(written.filter((t) => t.startsWith("replayed ")).sort()).toEqual([
      expect.stringMatching(/^replayed a\.yaml: 1440 ticks/),
      expect.stringMatching(/^replayed b\.yaml: 1440 ticks/),
    ]);
  });

  it("the first failing here stops the child (it would keep this process alive), and the error goes on", async () => {
    const line = new ReplayProgressLine(capture, false, () => {});
    let started: Awaited<ReturnType<typeof replayInChild>> | undefined;
    const inChild: typeof replayInChild = async (name, raw, day, progress) => {
      started = await replayInChild(name, raw, day, progress, TSX);
      return started;
    };
    // A config with no schedule: the replay here throws at its first tick.
    const broken = { ...a, config: { ...a.config, schedule: undefined } as unknown as typeof a.config };
    await expect(replaySideBySide(broken, b, capture, line, () => {}, inChild)).rejects.toThrow(TypeError);
    await expect(started?.figures).rejects.toThrow("cancelled");
  });

  it("a child that fails: the second is replayed here after the first, with a note; the same figures", async () => {
    const written: string[] = [];
    const line = new ReplayProgressLine(capture, false, (t) => written.push(t));
    const broken: typeof replayInChild = async () => ({
      figures: Promise.reject(new Error("the process exited (SIGKILL) before it sent the figures")),
      cancel: () => {},
    });
    const [first, second] = await replaySideBySide(a, b, capture, line, (t) => written.push(t), broken);
    expect(figuresOf(first)).toEqual(figuresOf(await replayCapture(a.config, a.name, capture)));
    expect(figuresOf(second)).toEqual(figuresOf(await replayCapture(b.config, b.name, capture)));
    expect(written).toContain(
      "note: b.yaml could not be replayed beside a.yaml (the process exited (SIGKILL) before it sent the figures); replaying it now\n",
    );
  });
});
