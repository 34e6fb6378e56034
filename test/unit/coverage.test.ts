import { describe, expect, it } from "vitest";
import {
  type Cursor,
  coverageAfter,
  cycleRuns,
  rereadOpenAlerts,
  startOffset,
} from "../../functions/domain/coverage.js";

const NOW = Date.parse("2023-03-10T08:30:00Z");
const cursor = (over: Partial<Cursor> = {}): Cursor => ({
  nextOffset: 0,
  rosterPages: null,
  complete: false,
  pagesRead: 0,
  updatedMs: NOW,
  ...over,
});

describe("coverage", () => {
  it("starts at the cursor, on a page boundary of today's page size", () => {
    expect(startOffset(undefined, 50)).toBe(0);
    expect(startOffset(cursor({ nextOffset: 500 }), 50)).toBe(500);
    expect(startOffset(cursor({ nextOffset: 525 }), 50)).toBe(500);
  });

  it("re-reads open alerts unless the last run read the whole roster", () => {
    expect(rereadOpenAlerts(undefined)).toBe(true);
    expect(rereadOpenAlerts(cursor({ complete: false }))).toBe(true);
    expect(rereadOpenAlerts(cursor({ complete: true }))).toBe(false);
  });

  it("keeps the next offset of a run cut short, and what a previous run learnt of the roster's size", () => {
    const read = { startOffset: 500, nextOffset: 1000, truncated: true, failedPages: 0, pages: 10 };
    const { coverage, cursor: next } = coverageAfter(read, cursor({ rosterPages: 30 }), NOW);
    expect(coverage).toEqual({ complete: false, startOffset: 500, nextOffset: 1000, rosterPages: 30 });
    expect(next).toEqual({
      nextOffset: 1000,
      rosterPages: 30,
      complete: false,
      pagesRead: 10,
      updatedMs: NOW,
    });
  });

  it("says the roster's size is unknown until a run sees its end", () => {
    const read = { startOffset: 0, nextOffset: 500, truncated: true, failedPages: 0, pages: 10 };
    expect(coverageAfter(read, undefined, NOW).coverage.rosterPages).toBeNull();
  });

  it("starts the next cycle at 0 after a complete run; a failed page makes it incomplete", () => {
    const read = {
      startOffset: 0,
      nextOffset: 0,
      truncated: false,
      failedPages: 0,
      pages: 3,
      rosterPages: 3,
    };
    expect(coverageAfter(read, undefined, NOW).coverage).toEqual({
      complete: true,
      startOffset: 0,
      nextOffset: 0,
      rosterPages: 3,
    });
    expect(coverageAfter({ ...read, failedPages: 1 }, undefined, NOW).coverage.complete).toBe(false);
  });

  it("counts ⌈roster pages ÷ pages per run⌉ runs for a full cycle", () => {
    expect(cycleRuns(30, 10)).toBe(3);
    expect(cycleRuns(31, 10)).toBe(4);
    expect(cycleRuns(null, 10)).toBeNull();
    expect(cycleRuns(5, 0)).toBe(5);
  });
});
