/**
 * The e2e tests' stories happen on 2023-03-10 in India (UTC+05:30); times are written in UTC
 * (`08:00` is 13:30 local). Small builders for the simulator's agents and the CLI's `--now`.
 */
import type { SimAgent } from "../fakes/smartassist/simulator.js";

export const STORY_DAY = "2023-03-10";

/** `08:00` → epoch ms of 08:00Z on the story's day. */
export const utc = (hhmm: string) => Date.parse(`${STORY_DAY}T${hhmm}:00Z`);
/** `08:00` → `2023-03-10T08:00:00.000Z`, for `--now`. */
export const iso = (hhmm: string) => new Date(utc(hhmm)).toISOString();

/** One status segment from `start` to `end` (UTC `HH:MM`), open when `end` is null. */
export const seg = (primaryStatus: string, secondaryStatus: string, start: string, end: string | null) => ({
  primaryStatus,
  secondaryStatus,
  startMs: utc(start),
  endMs: end === null ? null : utc(end),
});

/** Agent `u-N`, `agentN@example.com`, with these segments. */
export function person(n: number, segments: SimAgent["segments"], first = `Agent${n}`): SimAgent {
  return { userId: `u-${n}`, firstName: first, lastName: "Test", email: `agent${n}@example.com`, segments };
}
