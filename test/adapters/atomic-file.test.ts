/**
 * Files written whole, on the real file system: two processes' worth of writers on one path leave one
 * writer's bytes exactly (never both interleaved), a failed write leaves the old file and no temp
 * file, and a path that cannot be written says why before any work is done.
 */
import { execFileSync } from "node:child_process";
import {
  closeSync,
  constants,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { unwritable, writeFileAtomically } from "../../functions/adapters/files/atomic-file.js";

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "asa-atomic-"));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("writeFileAtomically", () => {
  it("leaves one writer's bytes whole when several write the same path at once", async () => {
    // Prepare: of different lengths, so that plain writes on one path (each truncating, then writing)
    // leave a shorter file's bytes over a longer one's tail, as they do here nine times in ten.
    const path = join(dir, "capture.json");
    const contents = ["a", "b", "c", "d"].map((c, k) => c.repeat((4 - k) * 1024 * 1024));

    for (let round = 0; round < 5; round++) {
      // Act
      await Promise.all(contents.map((text) => writeFileAtomically(path, text)));

      // Assess
      const written = readFileSync(path, "utf8");
      expect(contents.includes(written), `round ${round}: one writer's bytes, whole`).toBe(true);
      expect(readdirSync(dir)).toEqual(["capture.json"]);
    }
  });

  it("writes bytes as given (a PNG), replacing what was there", async () => {
    const path = join(dir, "chart.png");
    writeFileSync(path, "old");
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 255]);

    await writeFileAtomically(path, png);

    expect(new Uint8Array(readFileSync(path))).toEqual(png);
  });

  it("writes through a symlink (the link kept), and to a path that is not a regular file as it is", async () => {
    const real = join(dir, "real.json");
    writeFileSync(real, "old");
    const link = join(dir, "link.json");
    symlinkSync(real, link);

    await writeFileAtomically(link, "new");

    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, "utf8")).toBe("new");
    // What is not a regular file (what `--png /dev/stdout` names on a pipe) is written to, never
    // renamed over: a named pipe here, in the test's own directory, held open for reading without
    // blocking (a pipe renamed over would leave nothing to read, and the read fails at once).
    const pipe = join(dir, "pipe");
    execFileSync("mkfifo", [pipe]);
    const reader = openSync(pipe, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      await writeFileAtomically(pipe, "bytes");
      const buffer = Buffer.alloc(64);
      expect(buffer.toString("utf8", 0, readSync(reader, buffer))).toBe("bytes");
    } finally {
      closeSync(reader);
    }
    expect(lstatSync(pipe).isFIFO()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(["link.json", "pipe", "real.json"]);
    // A link to nothing yet is not renamed over either: the file is made where it points.
    const dangling = join(dir, "dangling.png");
    symlinkSync(join(dir, "made.png"), dangling);
    await writeFileAtomically(dangling, "png");
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, "made.png"), "utf8")).toBe("png");
  });

  it("fails without leaving a temp file or touching the old file when it cannot be written", async () => {
    const path = join(dir, "taken");
    mkdirSync(path); // a directory where the file should go: the rename fails

    await expect(writeFileAtomically(path, "new")).rejects.toThrow();

    expect(readdirSync(dir)).toEqual(["taken"]);
    await expect(writeFileAtomically(join(dir, "missing", "x.json"), "new")).rejects.toThrow(/ENOENT/);
  });
});

describe("unwritable", () => {
  it("says why a path cannot be written, and nothing for one that can", async () => {
    writeFileSync(join(dir, "file"), "x");
    mkdirSync(join(dir, "sub"));

    expect(await unwritable(join(dir, "new.json"))).toBeUndefined();
    expect(await unwritable(join(dir, "file"))).toBeUndefined(); // replaced when written
    expect(await unwritable(join(dir, "missing", "x.json"))).toBe(
      `its directory ${join(dir, "missing")} does not exist`,
    );
    expect(await unwritable(join(dir, "file", "x.json"))).toBe(`${join(dir, "file")} is not a directory`);
    expect(await unwritable(join(dir, "sub"))).toBe("it is a directory");
  });
});
