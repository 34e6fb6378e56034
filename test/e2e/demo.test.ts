/**
 * `npm start` as a newcomer runs it: the demo exits 0 and tells its story. The part the on-time work
 * added is checked line by line: an agent nudged at the first run is alerted by a due re-check at his
 * threshold (0 s after its due instant, not at the next run), and resolved when he is back.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { collect } from "./run-cli.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));

describe("npm start (the demo)", () => {
  it("alerts the nudged agent at his threshold through a due re-check, then resolves him", async () => {
    // Act
    const child = spawn(TSX, ["functions/cli/demo.ts"], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TZ: process.env.TZ },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const { code, stdout } = await collect(child);

    // Assess
    expect(code).toBe(0);
    const [first, later] = stdout.split(/^35 minutes later: /m);
    expect(first).toMatch(/^ {2}nudged {4}Dev Khanna: Long break, 11m \(a DM to the agent, no alert\)$/m);
    // His threshold is 4 minutes after the first run: read again then, and alerted on the second.
    const due = first?.match(/^Due at (\d\d:\d\d): dev\.khanna@example\.com \(fire\)/m);
    expect(due).not.toBeNull();
    expect(first).toContain(
      `  fired     Dev Khanna: Long break, 15m — at ${due?.[1]}, 0 s after its due instant`,
    );
    expect(first).toMatch(/Long break: Dev Khanna \(dev\.khanna@example\.com\) is AWAY \/ BREAK for 15m/);
    expect(later).toMatch(/^ {2}resolved {2}Dev Khanna: Long break, 19m \(warning\)$/m);
    expect(later).toContain("Digest for");
  }, 60_000);
});
