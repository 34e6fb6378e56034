import { describe, expect, it } from "vitest";
import { intervalFor, paceFor, pagingDeadline, requestsPerRun } from "../../functions/app/run-budget.js";

describe("run budget", () => {
  it("stops paging one interval after the real start, less the reserve for Slack and state", () => {
    expect(pagingDeadline(1_000, 300)).toBe(1_000 + 300_000 - 30_000);
    expect(pagingDeadline(1_000, 60)).toBe(1_000 + 60_000 - 12_000);
    // A Lambda with less time left than the interval pages within that.
    expect(pagingDeadline(0, 300, 100_000)).toBe(100_000 - 20_000);
  });

  it("counts the requests the pacer admits in one run and what a roster would need", () => {
    expect(requestsPerRun(50, 300)).toBe(250);
    expect(requestsPerRun(10, 60)).toBe(10);
    expect(intervalFor(403, 50)).toBe(540); // 9 bursts of 50 before the deadline
    expect(paceFor(403, 300)).toBe(81);
  });
});
