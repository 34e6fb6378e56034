import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from "@aws-sdk/client-eventbridge";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import {
  DETAIL_TYPES,
  detailType,
  EVENT_SOURCE,
  EventBridgePublisher,
} from "../../functions/adapters/events/eventbridge-publisher.js";
import type { Transition, TransitionType } from "../../functions/domain/alert.js";

const eventBridge = mockClient(EventBridgeClient);

afterEach(() => {
  eventBridge.reset();
});

function transition(i: number, type: TransitionType = "fired"): Transition {
  return {
    type,
    userId: `u-${i}`,
    email: `agent${i}@example.com`,
    name: `Agent ${i}`,
    rule: "Long break",
    primaryStatus: "AWAY",
    secondaryStatus: "LUNCH",
    since: "2024-03-10T15:40:00.000Z",
    elapsedSeconds: 1200,
    thresholdSeconds: 900,
    severity: "warning",
    at: "2024-03-10T16:00:00.000Z",
  };
}

function publisher(options: { maxAttempts?: number } = {}): { pub: EventBridgePublisher; sleeps: number[] } {
  const sleeps: number[] = [];
  const pub = new EventBridgePublisher({
    busName: "alerts-bus",
    client: new EventBridgeClient({ region: "us-east-1" }),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...options,
  });
  return { pub, sleeps };
}

function sentEntries(): PutEventsRequestEntry[][] {
  return eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries ?? []);
}

function userIds(entries: PutEventsRequestEntry[]): string[] {
  return entries.map((e) => (JSON.parse(e.Detail ?? "{}") as Transition).userId);
}

describe("EventBridgePublisher", () => {
  it("names the detail types after the transitions", () => {
    // Prepare
    const types: TransitionType[] = [
      "nudged",
      "fired",
      "reminded",
      "escalated",
      "resolved",
      "acknowledged",
      "snoozed",
      "excused",
    ];
    // Act
    const names = types.map(detailType);
    // Assess
    expect(names).toEqual([
      "Agent Status Alert Nudged",
      "Agent Status Alert Fired",
      "Agent Status Alert Reminded",
      "Agent Status Alert Escalated",
      "Agent Status Alert Resolved",
      "Agent Status Alert Acknowledged",
      "Agent Status Alert Snoozed",
      "Agent Status Alert Excused",
    ]);
    expect(DETAIL_TYPES).toEqual(names);
  });

  it("puts each transition as one entry with source, detail type, detail and bus", async () => {
    // Prepare
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: "1" }, { EventId: "2" }] });
    const { pub } = publisher();
    const transitions = [transition(1, "escalated"), transition(2, "resolved")];
    // Act
    const result = await pub.publish(transitions);
    // Assess
    expect(result).toEqual({ failed: 0, errors: [] });
    expect(sentEntries()).toEqual([
      [
        {
          Source: EVENT_SOURCE,
          DetailType: "Agent Status Alert Escalated",
          Detail: JSON.stringify(transitions[0]),
          EventBusName: "alerts-bus",
        },
        {
          Source: "agent-status-alerts",
          DetailType: "Agent Status Alert Resolved",
          Detail: JSON.stringify(transitions[1]),
          EventBusName: "alerts-bus",
        },
      ],
    ]);
  });

  it("sends nothing for no transitions", async () => {
    // Prepare
    const { pub } = publisher();
    // Act
    const result = await pub.publish([]);
    // Assess
    expect(result.failed).toBe(0);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it("batches 23 transitions as 10, 10 and 3", async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 0,
      Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })),
    }));
    const { pub } = publisher();
    const transitions = Array.from({ length: 23 }, (_, i) => transition(i));
    // Act
    const result = await pub.publish(transitions);
    // Assess
    expect(result.failed).toBe(0);
    const batches = sentEntries();
    expect(batches.map((b) => b.length)).toEqual([10, 10, 3]);
    expect(batches.flatMap(userIds)).toEqual(transitions.map((t) => t.userId));
  });

  it("retries only the entries that failed, after a pause", async () => {
    // Prepare
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({
        FailedEntryCount: 2,
        Entries: [
          { EventId: "a" },
          { ErrorCode: "InternalFailure", ErrorMessage: "try again" },
          { EventId: "c" },
          { ErrorCode: "ThrottlingException", ErrorMessage: "slow down" },
        ],
      })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: "b" }, { EventId: "d" }] });
    const { pub, sleeps } = publisher();
    // Act
    const result = await pub.publish([transition(0), transition(1), transition(2), transition(3)]);
    // Assess
    expect(result.failed).toBe(0);
    expect(sentEntries().map(userIds)).toEqual([
      ["u-0", "u-1", "u-2", "u-3"],
      ["u-1", "u-3"],
    ]);
    expect(sleeps).toEqual([200]);
    expect(result.errors).toEqual(["InternalFailure: try again", "ThrottlingException: slow down"]);
  });

  it("counts the entries still failing after every attempt, without throwing", async () => {
    // Prepare
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({
      FailedEntryCount: 1,
      Entries: input.Entries.map((_, i) =>
        i === 0 ? { ErrorCode: "InternalFailure", ErrorMessage: "no" } : { EventId: `e${i}` },
      ),
    }));
    const { pub, sleeps } = publisher({ maxAttempts: 3 });
    // Act
    const result = await pub.publish([transition(0), transition(1), transition(2)]);
    // Assess
    expect(result.failed).toBe(1);
    expect(sentEntries().map(userIds)).toEqual([["u-0", "u-1", "u-2"], ["u-0"], ["u-0"]]);
    expect(sleeps).toEqual([200, 400]);
  });

  it("retries a batch whose request threw, and counts it failed when it keeps throwing", async () => {
    // Prepare
    // Batches go out concurrently: script the failures per batch, by the first entry's agent.
    let firstBatchCalls = 0;
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      if (userIds(input.Entries)[0] === "u-0" && ++firstBatchCalls === 1) {
        throw Object.assign(new Error("socket hang up"), { name: "TimeoutError" });
      }
      if (userIds(input.Entries)[0] === "u-10") {
        throw Object.assign(new Error("User is not authorized"), { name: "AccessDeniedException" });
      }
      return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: "x" })) };
    });
    const { pub } = publisher({ maxAttempts: 2 });
    const transitions = Array.from({ length: 12 }, (_, i) => transition(i));
    // Act
    const result = await pub.publish(transitions);
    // Assess
    expect(result.failed).toBe(2);
    expect(result.errors).toContain("TimeoutError: socket hang up");
    expect(result.errors).toContain("AccessDeniedException: User is not authorized");
    expect(
      sentEntries()
        .map((b) => b.length)
        .sort((x, y) => x - y),
    ).toEqual([2, 2, 10, 10]);
  });

  it("resends the whole batch when failures are reported without saying which", async () => {
    // Prepare
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1 })
      .resolvesOnce({ FailedEntryCount: 0, Entries: [{ EventId: "a" }, { EventId: "b" }] });
    const { pub } = publisher();
    // Act
    const result = await pub.publish([transition(0), transition(1)]);
    // Assess
    expect(result.failed).toBe(0);
    expect(sentEntries().map(userIds)).toEqual([
      ["u-0", "u-1"],
      ["u-0", "u-1"],
    ]);
  });
});
