import { describe, expect, it } from "vitest";
import { parseAgentRow } from "../../functions/domain/agent.js";

const INDIA = -330;

function row(status: unknown, extra: Record<string, unknown> = {}) {
  return {
    userId: "u-1",
    firstName: "Priya",
    lastName: "Sharma",
    email: "priya@example.com",
    status,
    ...extra,
  };
}

describe("parseAgentRow", () => {
  it("turns local times into instants and marks the open segment", () => {
    const { agent, skipped } = parseAgentRow(
      row([
        {
          primaryStatus: "BUSY",
          secondaryStatus: "BUSY",
          startTime: "2023-03-10T21:00:00",
          endTime: "2023-03-10T21:30:00",
          duration: "00:30:01",
        },
        {
          primaryStatus: "AWAY",
          secondaryStatus: "LUNCH",
          startTime: "2023-03-10T21:30:20",
          endTime: "-",
          duration: "-",
        },
      ]),
      INDIA,
    );

    expect(skipped).toEqual([]);
    expect(agent).toMatchObject({
      userId: "u-1",
      name: "Priya Sharma",
      email: "priya@example.com",
      complete: true,
    });
    expect(
      agent?.segments.map((s) => [s.secondaryStatus, new Date(s.startMs).toISOString(), s.endMs]),
    ).toEqual([
      ["BUSY", "2023-03-10T15:30:00.000Z", Date.parse("2023-03-10T16:00:00Z")],
      ["LUNCH", "2023-03-10T16:00:20.000Z", null],
    ]);
  });

  it("accepts an agent with no status at all", () => {
    const { agent, skipped } = parseAgentRow(
      { userId: "u-2", firstName: "A", lastName: "B", email: "a@b.c" },
      INDIA,
    );
    expect(skipped).toEqual([]);
    expect(agent?.segments).toEqual([]);
  });

  it("skips a malformed segment, reports it, and keeps the rest of the agent as partial", () => {
    const { agent, skipped } = parseAgentRow(
      row([
        { primaryStatus: "BUSY", secondaryStatus: "BUSY", startTime: "yesterday-ish", endTime: "-" },
        {
          primaryStatus: "AVAILABLE",
          secondaryStatus: "AVAILABLE",
          startTime: "2023-03-10T09:00:00",
          endTime: "2023-03-10T09:10:00",
        },
      ]),
      INDIA,
    );
    expect(skipped).toEqual([{ userId: "u-1", email: "priya@example.com", reason: "unparseable startTime" }]);
    expect(agent?.segments).toHaveLength(1);
    expect(agent?.complete).toBe(false);
  });

  it.each([
    [{ secondaryStatus: "X", startTime: "2023-03-10T09:00:00", endTime: "-" }, "missing primaryStatus"],
    [{ primaryStatus: "BUSY", endTime: "-" }, "missing startTime"],
    [{ primaryStatus: "BUSY", startTime: "2023-03-10T09:00:00", endTime: "soon" }, "unparseable endTime"],
    [
      { primaryStatus: "BUSY", startTime: "2023-03-10T09:00:00", endTime: "2023-03-10T08:00:00" },
      "endTime before startTime",
    ],
    ["garbage", "status segment is not an object"],
    // A year below 100 is garbled data: skipped, neither read as 1999 (Date.UTC) nor as 1,900 years stuck.
    [{ primaryStatus: "BUSY", startTime: "0099-03-10T10:00:00", endTime: "-" }, "unparseable startTime"],
  ])("reports %j as %s", (segment, reason) => {
    expect(parseAgentRow(row([segment]), INDIA).skipped[0]?.reason).toBe(reason);
  });

  it("skips a row without a userId and a row that is not an object", () => {
    expect(parseAgentRow({ email: "x@y.z", status: [] }, INDIA)).toEqual({
      skipped: [{ userId: null, reason: "missing userId" }],
    });
    expect(parseAgentRow("nonsense", INDIA)).toEqual({
      skipped: [{ userId: null, reason: "row is not an object" }],
    });
    expect(parseAgentRow(row("not-a-list"), INDIA).skipped).toEqual([
      { userId: "u-1", reason: "invalid status" },
    ]);
  });

  it("uses the primary status when the secondary one is missing, and sorts segments", () => {
    const { agent } = parseAgentRow(
      row([
        { primaryStatus: "BUSY", startTime: "2023-03-10T10:00:00", endTime: "-" },
        { primaryStatus: "AVAILABLE", startTime: "2023-03-10T09:00:00", endTime: "2023-03-10T10:00:00" },
      ]),
      0,
    );
    expect(agent?.segments.map((s) => s.secondaryStatus)).toEqual(["AVAILABLE", "BUSY"]);
  });
});
