import { describe, expect, it } from "vitest";
import {
  boundLists,
  jsonBytes,
  type ListSummary,
  LOG_LINE_BUDGET_BYTES,
  RESULT_BUDGET_BYTES,
  summaryListPaths,
} from "../../functions/app/bounded-summary.js";
import type { CheckResult } from "../../functions/app/run-check.js";
import { runLogFields, runResult } from "../../functions/app/run-log.js";
import type { FiringAlert, RunSummary, Transition } from "../../functions/domain/alert.js";

function firing(i: number): FiringAlert {
  return {
    userId: `u-${i}`,
    email: `agent.number.${i}@example.com`,
    name: `Agent Number ${i}`,
    rule: "Long break",
    primaryStatus: "AWAY",
    secondaryStatus: "LUNCH",
    since: "2023-03-10T08:00:00.000Z",
    elapsedSeconds: 1800,
    thresholdSeconds: 900,
    severity: "warning",
  };
}

function fired(i: number): Transition {
  return { ...firing(i), type: "fired", at: "2023-03-10T08:30:00.000Z" };
}

function summaryWith(alerts: number, transitions = alerts): RunSummary {
  return {
    checkedAgents: alerts,
    pages: Math.ceil(alerts / 50),
    firing: Array.from({ length: alerts }, (_, i) => firing(i)),
    transitions: Array.from({ length: transitions }, (_, i) => fired(i)),
    skipped: [{ userId: "u-x", reason: "unparseable startTime" }],
    coverage: { complete: true, startOffset: 0, nextOffset: 0, rosterPages: Math.ceil(alerts / 50) },
    due: [],
  };
}

function resultWith(summary: RunSummary, warnings: string[] = []): CheckResult {
  return {
    summary,
    fetch: {
      pages: summary.pages,
      requests: summary.pages + 3,
      failedPages: [{ offset: 50, error: "HTTP 503" }],
      rateLimited: 2,
      retries: 1,
      truncated: false,
      latencyMs: { count: 4, total: 1000, max: 400.4 },
      startOffset: 0,
      nextOffset: 0,
      rosterPages: summary.pages,
    },
    rereadAgents: 0,
    cycleRuns: 1,
    slack: { delivered: 3, failed: 1, pending: 0, nudgesSkipped: 0 },
    events: { published: 3, failed: 0 },
    budget: { budgetMs: 300_000, exhausted: false, writesLeft: 0, deliveriesLeft: 0 },
    due: { scheduled: 0, left: 0, failed: 0 },
    warnings,
  };
}

describe("boundLists", () => {
  it("leaves a value that fits exactly as it is (the same object)", () => {
    // Prepare
    const summary = summaryWith(10);
    // Act
    const bounded = boundLists(summary, summaryListPaths(), 60_000);
    // Assess
    expect(bounded).toBe(summary);
  });

  it("keeps the small lists whole and summarizes the large ones as count, listed and their first items", () => {
    // Prepare: 2,000 firing (~500 KB), 3 transitions, 1 skipped
    const summary = summaryWith(2_000, 3);
    // Act
    const bounded = boundLists(summary, summaryListPaths(), 60_000) as unknown as Record<string, unknown>;
    // Assess
    expect(jsonBytes(bounded)).toBeLessThanOrEqual(60_000);
    expect(bounded.transitions).toEqual(summary.transitions);
    expect(bounded.skipped).toEqual(summary.skipped);
    const list = bounded.firing as ListSummary<FiringAlert>;
    expect(list.count).toBe(2_000);
    expect(list.listed).toBe(list.items.length);
    expect(list.listed).toBeGreaterThan(100);
    expect(list.items).toEqual(summary.firing.slice(0, list.listed));
    // Everything that is not a list is untouched.
    expect(bounded.coverage).toEqual(summary.coverage);
    expect(bounded.checkedAgents).toBe(2_000);
  });

  it("shares the room between several lists too long to keep, in turn", () => {
    // Prepare
    const summary = summaryWith(12_350);
    // Act
    const bounded = boundLists(summary, summaryListPaths(), 60_000) as unknown as Record<string, ListSummary>;
    // Assess
    expect(jsonBytes(bounded)).toBeLessThanOrEqual(60_000);
    const { firing: f, transitions: t } = bounded;
    expect(f?.count).toBe(12_350);
    expect(t?.count).toBe(12_350);
    expect(Math.abs((f?.listed ?? 0) - (t?.listed ?? 0))).toBeLessThanOrEqual(1);
    // The rest of the room is used: one more entry in each would not fit.
    expect(jsonBytes(bounded)).toBeGreaterThan(60_000 - 2 * jsonBytes(firing(12_349)) - 40);
  });

  it("lists nothing when only the counts fit, and ignores paths that are not lists", () => {
    // Prepare
    const summary = summaryWith(500);
    const skeletonBytes = jsonBytes({
      ...summary,
      firing: { count: 500, listed: 0, items: [] },
      transitions: { count: 500, listed: 0, items: [] },
      skipped: { count: 1, listed: 0, items: [] },
    });
    // Act
    const bounded = boundLists(
      summary,
      [...summaryListPaths(), ["coverage"], ["nowhere", "deep"]],
      skeletonBytes,
    );
    // Assess
    expect(bounded).toMatchObject({
      firing: { count: 500, listed: 0, items: [] },
      transitions: { count: 500, listed: 0, items: [] },
      coverage: summary.coverage,
    });
    expect(jsonBytes(bounded)).toBeLessThanOrEqual(skeletonBytes);
  });

  it("counts bytes, not characters: names outside ASCII", () => {
    // Prepare
    const summary = summaryWith(400);
    for (const f of summary.firing) f.name = "Zoë Ōkubo-Żółć 山田";
    // Act
    const bounded = boundLists(summary, summaryListPaths(), 20_000);
    // Assess
    expect(Buffer.byteLength(JSON.stringify(bounded), "utf8")).toBeLessThanOrEqual(20_000);
  });
});

describe("the run summary log line and the Lambda result", () => {
  it("carries the counts that used to be metrics, always complete", () => {
    // Prepare
    const summary = summaryWith(3);
    // Act
    const fields = runLogFields(resultWith(summary));
    // Assess
    expect(fields).toMatchObject({
      summary,
      counts: {
        firing: 3,
        skipped: 1,
        failedPages: 1,
        transitions: { nudged: 0, fired: 3, reminded: 0, escalated: 0, resolved: 0 },
      },
      requests: summary.pages + 3,
      retries: 1,
      rateLimited: 2,
      truncated: false,
      latencyMs: { count: 4, mean: 250, max: 400 },
      cycleRuns: 1,
      slack: { failed: 1 },
    });
  });

  it("stays under the log line's bound with every one of 12,350 agents alerting, the counts intact", () => {
    // Prepare
    const warnings = Array.from({ length: 400 }, (_, i) => `warning ${i}: ${"x".repeat(200)}`);
    // Act
    const fields = runLogFields(resultWith(summaryWith(12_350), warnings));
    // Assess
    expect(jsonBytes(fields)).toBeLessThanOrEqual(LOG_LINE_BUDGET_BYTES);
    expect(fields.counts.firing).toBe(12_350);
    expect(fields.counts.transitions.fired).toBe(12_350);
    expect(fields.summary.firing).toMatchObject({ count: 12_350 });
    expect(fields.warnings).toMatchObject({ count: 400 });
  });

  it("returns the full summary up to 1 MB, summarized the same way beyond", () => {
    // Prepare
    const small = summaryWith(1_000);
    const large = summaryWith(12_350);
    // Act
    const full = runResult(small);
    const bounded = runResult(large);
    // Assess
    expect(full).toBe(small);
    expect(jsonBytes(bounded)).toBeLessThanOrEqual(RESULT_BUDGET_BYTES);
    expect(jsonBytes(bounded)).toBeGreaterThan(RESULT_BUDGET_BYTES * 0.99);
    expect(bounded.firing).toMatchObject({ count: 12_350 });
  });
});
