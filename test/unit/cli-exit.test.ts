/** The CLI's one-line causes and exit statuses (DESIGN.md: 0 done, 2 usage or config, 1 failed). */
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { MissingCredentialsError } from "../../functions/adapters/secrets/secrets.js";
import { exitCodeFor, oneLine, UsageError } from "../../functions/cli/exit.js";

/** What Node rejects with when a second server asks for a port the first holds. */
async function portInUseError(): Promise<unknown> {
  const first = createServer();
  await new Promise<void>((resolve) => first.listen(0, "127.0.0.1", resolve));
  const port = (first.address() as { port: number }).port;
  const second = createServer();
  const error = await new Promise<unknown>((resolve) => {
    second.once("error", resolve);
    second.listen(port, "127.0.0.1");
  });
  await new Promise<void>((resolve) => first.close(() => resolve()));
  return error;
}

describe("oneLine", () => {
  it("says what to do about a port in use, naming it, instead of Node's errno text", async () => {
    const error = await portInUseError();
    const port = (error as { port: number }).port;
    expect(oneLine(error)).toBe(
      `--port ${port}: the port is already in use (another simulate or serve?); choose another --port, or --port 0 for any free one`,
    );
    expect(exitCodeFor(error)).toBe(1);
  });

  it("keeps any message on one line", () => {
    expect(oneLine(new Error("first\n  second\nthird"))).toBe("first; second; third");
    expect(oneLine("plain")).toBe("plain");
  });
});

describe("exitCodeFor", () => {
  it("2 for what the user fixes (usage, missing credentials); 1 for a failed run", () => {
    expect(exitCodeFor(new UsageError("--date is required"))).toBe(2);
    expect(
      exitCodeFor(new MissingCredentialsError("Missing SMARTASSIST_CLIENT_ID", ["SMARTASSIST_CLIENT_ID"])),
    ).toBe(2);
    expect(exitCodeFor(new Error("ECONNREFUSED"))).toBe(1);
  });
});
