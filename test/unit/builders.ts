/** Small builders for domain tests: a config, segments on one UTC day, agents. */
import type { Agent, Segment } from "../../functions/domain/agent.js";
import { type AppConfig, parseConfig } from "../../functions/domain/config.js";

export const DAY = "2023-03-10";

export function t(hhmm: string): number {
  const [h, m, s] = hhmm.split(":");
  return Date.parse(`${DAY}T${h}:${m}:${s ?? "00"}Z`);
}

export function seg(primary: string, secondary: string, start: string, end: string | null): Segment {
  return {
    primaryStatus: primary,
    secondaryStatus: secondary,
    startMs: t(start),
    endMs: end === null ? null : t(end),
  };
}

export function agent(userId: string, segments: Segment[], email = `${userId}@example.com`): Agent {
  return { userId, email, name: `Agent ${userId}`, segments, complete: true };
}

export const BASE_CONFIG = {
  timezone: "UTC",
  smartassist: { host: "https://platform.kore.ai", accountId: "acc-1", iId: "st-1" },
  schedule: { every: "5m" },
  rules: [
    { name: "Long break", secondaryStatus: ["NBK", "LUNCH", "BREAK"], threshold: "15m", critical: "30m" },
    { name: "Stuck in BUSY", primaryStatus: "BUSY", threshold: "30m" },
  ],
  repeat: "30m",
  slack: { channel: "C-DEFAULT" },
};

export function config(overrides: Record<string, unknown> = {}): AppConfig {
  return parseConfig({ ...BASE_CONFIG, ...overrides }, "test.yaml").config;
}
