/**
 * The tick's reads, in order: a share of the rotation larger than one round of requests comes after
 * the open alerts' re-read (their Slack work then overlaps it); a smaller share comes first, and the
 * re-read asks only for the open alerts its pages did not bring. A recording source stands in for
 * SmartAssist (the client itself is tested against the simulator).
 */
import { describe, expect, it } from "vitest";
import { readAgents } from "../../functions/app/read-agents.js";
import type { AlertRecord } from "../../functions/domain/alert.js";
import { parseConfig } from "../../functions/domain/config.js";
import type { Cursor } from "../../functions/domain/coverage.js";
import type { QueryWindow } from "../../functions/domain/time.js";
import {
  type AgentPage,
  type AgentStatusSource,
  type FetchOptions,
  readReport,
} from "../../functions/ports.js";

const NOW = Date.parse("2026-11-30T06:00:00Z");
const WINDOW: QueryWindow = { startDate: "2026-11-30", endDate: "2026-11-30", timeZoneOffSet: -330 };
const config = parseConfig(
  {
    timezone: "Asia/Kolkata",
    smartassist: { host: "https://platform.kore.ai", accountId: "a", iId: "st-1", concurrency: 4 },
    schedule: { every: "5m" },
    rules: [{ name: "Long break", secondaryStatus: ["BREAK"], threshold: "15m" }],
    slack: { channel: "C1" },
  },
  "test config",
).config;

/** Records what was asked in order; the rotation's pages hold u-0 and u-1. */
class RecordingSource implements AgentStatusSource {
  readonly calls: string[] = [];
  async fetchAll(_w: QueryWindow, onPage: (p: AgentPage) => void, options?: FetchOptions) {
    this.calls.push(`rotation ${options?.maxPages ?? "all"}`);
    onPage({ rows: [{ userId: "u-0" }, { userId: "u-1" }], timeZoneOffSet: -330 } as AgentPage);
    return { ...readReport(1), pages: 1, startOffset: 0, nextOffset: 50 };
  }
  async fetchAgents(_w: QueryWindow, emails: string[]) {
    this.calls.push(`re-read ${emails.join(",")}`);
    return readReport(1);
  }
}

const open = (userId: string) => ({ userId, email: `${userId}@example.com`, state: "open" }) as AlertRecord;

/** A cursor whose tick a minute ago leaves `pages` of the roster due now. */
function cursorFor(rosterPages: number): Cursor {
  return {
    nextOffset: 0,
    rosterPages,
    complete: false,
    pagesRead: 0,
    updatedMs: NOW - 60_000,
    tickMs: NOW - 60_000,
  };
}

async function tick(rosterPages: number) {
  const source = new RecordingSource();
  const seen = new Set<string>();
  const onPage = (page: AgentPage) => {
    for (const row of page.rows) seen.add((row as { userId: string }).userId);
  };
  await readAgents(config, source, WINDOW, onPage, {
    mode: "tick",
    cursor: cursorFor(rosterPages),
    active: () => [open("u-1"), open("u-7")],
    nowMs: NOW,
    seen,
    deadline: {},
    dueEmails: [],
    afterOpenAlerts: () => source.calls.push("open alerts decided"),
  });
  return source.calls;
}

describe("a tick's reads", () => {
  it("with a share of several rounds: the open alerts first, handed over before the rotation", async () => {
    // 50 roster pages every 5 minutes: 10 due this minute, more than the 4 in flight at once.
    expect(await tick(50)).toEqual([
      "re-read u-1@example.com,u-7@example.com",
      "open alerts decided",
      "rotation 10",
    ]);
  });

  it("with a share of one round: the rotation first, then only the open alerts it did not bring", async () => {
    // 10 roster pages every 5 minutes: 2 due this minute.
    expect(await tick(10)).toEqual(["rotation 2", "re-read u-7@example.com"]);
  });
});
