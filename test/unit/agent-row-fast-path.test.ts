/**
 * parseAgentRow reads a well-formed row's identity without the schema, and leaves anything unusual to
 * the schema. Whichever way a row goes, the result must be what the schema alone gives: this test
 * holds the schema's rules (as functions/domain/agent.ts states them) as a reference and compares.
 */
import { describe, expect, it } from "vitest";
import { agentIdentity, parseAgentRow } from "../../functions/domain/agent.js";
import { mulberry32 } from "../fakes/smartassist/day.js";

/** The reference: agent.ts's own schema for a row's identity. */
const referenceIdentity = agentIdentity;

/** What parseAgentRow must say about a row's identity, by the reference schema alone. */
function expected(row: Record<string, unknown>) {
  const parsed = referenceIdentity.safeParse(row);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join(".") || "row";
    const what = issue && row[String(issue.path[0])] === undefined ? "missing" : "invalid";
    const userId = typeof row.userId === "string" && row.userId !== "" ? row.userId : null;
    return { skipped: [{ userId, reason: `${what} ${field}` }] };
  }
  const { userId, firstName, lastName, email } = parsed.data;
  const name = [firstName, lastName].filter((p) => p && p.trim() !== "").join(" ") || (email ?? userId);
  return { agent: { userId, email: email ?? "", name, segments: [], complete: true }, skipped: [] };
}

const VALUES: unknown[] = [
  undefined,
  null,
  "",
  " ",
  "u-1",
  "Priya",
  "  Sharma ",
  "priya@example.com",
  0,
  42,
  -1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  true,
  false,
  [],
  ["x"],
  {},
  { a: 1 },
];

describe("parseAgentRow's identity fast path", () => {
  it("gives the schema's result for every combination of field values", () => {
    const fields = ["userId", "firstName", "lastName", "email"] as const;
    const random = mulberry32(11);
    for (let i = 0; i < 5_000; i++) {
      const row: Record<string, unknown> = {};
      for (const field of fields) {
        const value = VALUES[Math.floor(random() * VALUES.length)];
        if (value !== undefined || random() < 0.5) row[field] = value;
      }
      const status = [undefined, null, [], "x", 1, {}][Math.floor(random() * 6)];
      if (status !== undefined || random() < 0.5) row.status = status;
      if (random() < 0.3) row.customId = VALUES[Math.floor(random() * VALUES.length)];
      expect(parseAgentRow(row, -330), JSON.stringify(row)).toEqual(expected(row));
    }
  });

  it.each([
    [{ userId: 7, firstName: "A", lastName: null, email: "a@x.y", status: null }, "7", "A"],
    [{ userId: "u-2", email: "b@x.y" }, "u-2", "b@x.y"],
    [{ userId: "u-3", firstName: " ", lastName: "" }, "u-3", "u-3"],
    [{ userId: "u-4", firstName: "Ana", lastName: "Lima", extra: { deep: true } }, "u-4", "Ana Lima"],
  ])("reads %j as %s named %s", (row, userId, name) => {
    const { agent, skipped } = parseAgentRow(row, 0);
    expect(skipped).toEqual([]);
    expect(agent).toMatchObject({ userId, name });
    expect(parseAgentRow(row, 0)).toEqual(expected(row));
  });

  it.each([
    [{ userId: "", email: "a@x.y" }, "invalid userId"],
    [{ userId: Number.NaN }, "invalid userId"],
    [{ firstName: "A" }, "missing userId"],
    [{ userId: "u-1", email: 5 }, "invalid email"],
    [{ userId: "u-1", status: "BUSY" }, "invalid status"],
  ])("leaves %j to the schema, which reports %s", (row, reason) => {
    expect(parseAgentRow(row, 0).skipped[0]?.reason).toBe(reason);
    expect(parseAgentRow(row, 0)).toEqual(expected(row));
  });
});
