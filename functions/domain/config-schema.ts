/**
 * The config file's schema (zod): every key, its type, range and default, and the message a bad
 * value gets. One definition makes two passes: a strict one, where unknown keys are issues, and a
 * lenient one that strips them (config.ts runs both). Pure: no file, no clock.
 */
import * as z from "zod";
import { parseDuration, toDurationString } from "./duration.js";
import { closest, orList, quote } from "./spelling.js";
import { timeZoneProblem } from "./zone-names.js";

const DURATION_HINT = "expected a duration like 15m";

interface DurationRange {
  /** The longest accepted, in the config's notation (`24h`): the error names it as written. */
  atMost: string;
  /** The shortest accepted; any positive duration when absent. */
  atLeast?: string;
  /** Only whole minutes: the EventBridge schedule's rate is in minutes. */
  wholeMinutes?: boolean;
}

function seconds(text: string): number {
  return parseDuration(text) as number;
}

/**
 * A duration string, in whole seconds, within its range. The range also keeps an overflowing number
 * (`99999999999999999999h`, which reads as 3.6e23 or Infinity) from ever reaching date arithmetic.
 */
function duration(range: DurationRange) {
  const max = seconds(range.atMost);
  const min = range.atLeast === undefined ? 1 : seconds(range.atLeast);
  return z.string({ error: DURATION_HINT }).transform((text, ctx) => {
    const value = parseDuration(text);
    const problem =
      value === undefined
        ? DURATION_HINT
        : !Number.isSafeInteger(value) || value > max
          ? `must be at most ${range.atMost}`
          : value < min
            ? `must be at least ${range.atLeast ?? "1s"}`
            : range.wholeMinutes && value % 60 !== 0
              ? "expected whole minutes"
              : undefined;
    if (problem === undefined) return value as number;
    ctx.addIssue({ code: "custom", message: `${problem} (got ${quote(text)})` });
    return z.NEVER;
  });
}

/**
 * Thresholds and the other per-episode durations. Past a day there is nothing left to watch, and the
 * largest threshold sets how many days of timelines every run asks for.
 */
const EPISODE = { atMost: "24h" } as const;

/** The status types of `primaryStatus` (DESIGN.md, "The upstream API"). */
export const STATUS_TYPES = ["AVAILABLE", "BUSY", "AWAY", "OFFLINE"] as const;

/** Rule and team names: shown in Slack, whose block limits the rendering relies on. */
const NAME_MAX = 100;

function name(what: string) {
  return z
    .string({ error: `expected a ${what} name` })
    .min(1, { error: "must not be empty" })
    .refine((text) => [...text].length <= NAME_MAX, {
      error: (issue) => `must be at most ${NAME_MAX} characters (got ${[...String(issue.input)].length})`,
    });
}

const statusMatch = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
  error: "expected a status name or a list of them",
});

function statusTypeProblem(value: string): string | undefined {
  const upper = value.trim().toUpperCase();
  if ((STATUS_TYPES as readonly string[]).includes(upper)) return undefined;
  const near = closest(upper, STATUS_TYPES, 2);
  const hint =
    near.length > 0
      ? `did you mean ${orList(near)}?`
      : `a specific status such as ${quote(value)} goes under secondaryStatus`;
  return `${quote(value)} is not a status type (${STATUS_TYPES.join(", ")}): ${hint}`;
}

/** `primaryStatus`: one of the status types or a list of them, in any case. */
const primaryStatusMatch = statusMatch.superRefine((match, ctx) => {
  const values = Array.isArray(match) ? match : [match];
  values.forEach((value, i) => {
    const message = statusTypeProblem(value);
    if (message !== undefined)
      ctx.addIssue({ code: "custom", message, path: Array.isArray(match) ? [i] : [] });
  });
});

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

const host = z.string({ error: "expected a URL like https://platform.kore.ai" }).transform((text, ctx) => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    ctx.addIssue({ code: "custom", message: `expected a URL like https://platform.kore.ai (got "${text}")` });
    return z.NEVER;
  }
  const allowed = url.protocol === "https:" || (url.protocol === "http:" && isLoopback(url.hostname));
  if (!allowed) {
    ctx.addIssue({ code: "custom", message: "must use https (http is allowed only for localhost)" });
    return z.NEVER;
  }
  if (url.username || url.password) {
    ctx.addIssue({ code: "custom", message: "must not carry credentials" });
    return z.NEVER;
  }
  return url.origin + url.pathname.replace(/\/+$/, "");
});

/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const SECRET_ARN = /^arn:[\w-]+:secretsmanager:[\w-]+:\d{12}:secret:.+$/;
const EVENT_BUS_ARN = /^arn:[\w-]+:events:[\w-]+:\d{12}:event-bus\/[\w.\-/]+$/;

const clock = z
  .string({ error: "expected a local time like 08:00" })
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: "expected a local time like 08:00" });
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

/** Minutes from `from` to `to` (HH:MM), across midnight when `to` comes first: an overnight window. */
function windowMinutes(from: string, to: string): number {
  const minutes = (clockText: string) => Number(clockText.slice(0, 2)) * 60 + Number(clockText.slice(3, 5));
  return (minutes(to) - minutes(from) + 1440) % 1440;
}

const timezone = z
  .string({ error: "expected an IANA time zone like Asia/Kolkata" })
  .superRefine((zone, ctx) => {
    const problem = timeZoneProblem(zone);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });

function schemas(strict: boolean) {
  // Unknown keys are reported by a strict pass (errors when one typo from a known key, else
  // warnings); the lenient pass then strips them.
  const object = <T extends z.ZodRawShape>(shape: T) => (strict ? z.strictObject(shape) : z.object(shape));

  const rule = object({
    name: name("rule"),
    primaryStatus: primaryStatusMatch.optional(),
    secondaryStatus: statusMatch.optional(),
    threshold: duration(EPISODE),
    critical: duration(EPISODE).optional(),
    repeat: duration(EPISODE).optional(),
    nudge: duration(EPISODE).optional(),
  }).superRefine((r, ctx) => {
    if (r.primaryStatus === undefined && r.secondaryStatus === undefined) {
      ctx.addIssue({
        code: "custom",
        message: "needs primaryStatus or secondaryStatus",
        path: ["primaryStatus"],
      });
    }
    if (r.critical !== undefined && r.critical <= r.threshold) {
      ctx.addIssue({
        code: "custom",
        message: `must be longer than threshold (${toDurationString(r.threshold)})`,
        path: ["critical"],
      });
    }
    if (r.nudge !== undefined && r.nudge >= r.threshold) {
      ctx.addIssue({
        code: "custom",
        message: `must be shorter than threshold (${toDurationString(r.threshold)})`,
        path: ["nudge"],
      });
    }
  });

  const rules = z.array(rule, { error: "expected a list of rules" }).superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((r, i) => {
      const key = r.name.toLowerCase();
      if (seen.has(key))
        ctx.addIssue({ code: "custom", message: `duplicate rule name "${r.name}"`, path: [i, "name"] });
      seen.add(key);
    });
  });

  const team = object({
    name: name("team"),
    agents: z.array(z.string().min(1), { error: "expected a list of e-mail patterns" }).min(1, {
      error: "needs at least one e-mail pattern",
    }),
    channel: z.string().min(1).optional(),
    mention: z.string().min(1).optional(),
    rules: rules.optional(),
    repeat: duration(EPISODE).optional(),
  });

  return object({
    timezone,
    smartassist: object({
      host,
      accountId: z.string({ error: "expected the SmartAssist account id" }).min(1),
      iId: z.string({ error: "expected the app's stream id (st-...)" }).min(1),
      agents: z.array(z.string().min(1), { error: "expected a list of e-mails" }).default([]),
      pageSize: z.int({ error: "expected a whole number from 1 to 50" }).min(1).max(50).default(50),
      concurrency: z.int({ error: "expected a whole number from 1 to 32" }).min(1).max(32).default(4),
      requestsPerMinute: z.int({ error: "expected a whole number of at least 1" }).min(1).default(50),
      timeout: duration({ atMost: "2m" }).default(15),
    }),
    schedule: object({
      every: duration({ atLeast: "1m", atMost: "1h", wholeMinutes: true }),
      precision: duration({ atLeast: "1s", atMost: "1m" }).default(10),
      activeHours: object({
        from: clock,
        to: clock,
        days: z
          .array(z.enum(DAYS, { error: `expected days among ${DAYS.join(", ")}` }))
          .min(1)
          .optional(),
      })
        .refine((h) => h.from !== h.to, { error: "from and to must differ" })
        .optional(),
    })
      .superRefine((s, ctx) => {
        if (s.activeHours === undefined) return;
        // A window shorter than the interval may hold no scheduled run at all.
        const { from, to } = s.activeHours;
        const minutes = windowMinutes(from, to);
        if (minutes * 60 < s.every) {
          const every = toDurationString(s.every);
          ctx.addIssue({
            code: "custom",
            message: `the window ${from}–${to} (${toDurationString(minutes * 60)}) is shorter than schedule.every (${every}): widen it to at least ${every}, or shorten schedule.every`,
            path: ["activeHours"],
          });
        }
      })
      .default({ every: 300, precision: 10 }),
    rules: rules.min(1, { error: "needs at least one rule" }),
    repeat: duration(EPISODE).optional(),
    nudge: duration(EPISODE).optional(),
    slack: object({
      channel: z.string().min(1).optional(),
      mentionAgents: z.boolean().default(false),
      escalationMention: z.string().min(1).optional(),
      interactive: z.boolean({ error: "expected true or false" }).default(true),
      responders: z
        .array(
          z.string().regex(/^[UWS][A-Z0-9]{2,}$/, {
            error: "expected a Slack user id (U…) or user group id (S…)",
          }),
          { error: "expected a list of Slack user ids (U…) and user group ids (S…)" },
        )
        .optional(),
      rollup: z.int({ error: "expected a whole number (0 turns roll-ups off)" }).min(0).default(10),
      board: z.boolean({ error: "expected true or false" }).default(false),
      pinBoard: z.boolean({ error: "expected true or false" }).default(false),
    }).default({ mentionAgents: false, interactive: true, rollup: 10, board: false, pinBoard: false }),
    history: object({
      retention: duration({ atMost: "400d" }).default(35 * 86_400),
    }).default({ retention: 35 * 86_400 }),
    digest: object({
      at: clock,
      days: z
        .array(z.enum(DAYS, { error: `expected days among ${DAYS.join(", ")}` }))
        .min(1)
        .default([...DAYS]),
    }).optional(),
    teams: z.array(team).default([]),
    aws: object({
      secret: z
        .string()
        .min(1)
        .refine((s) => !s.startsWith("arn:") || SECRET_ARN.test(s), {
          error: "expected a secret name or a Secrets Manager ARN (arn:aws:secretsmanager:...:secret:...)",
        })
        .optional(),
      eventBus: z
        .string()
        .min(1)
        .refine((s) => !s.startsWith("arn:") || EVENT_BUS_ARN.test(s), {
          error:
            "expected default, create, a bus name or an event bus ARN (arn:aws:events:...:event-bus/NAME)",
        })
        .default("default"),
      alarmEmail: z.email({ error: "expected an e-mail address" }).optional(),
      logRetentionDays: z
        .int()
        .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
          error: (issue) =>
            `CloudWatch Logs accepts only ${LOG_RETENTION_DAYS.join(", ")} (got ${String(issue.input)})`,
        })
        .default(30),
    }).default({ eventBus: "default", logRetentionDays: 30 }),
  });
}

export const strictSchema = schemas(true);
export const lenientSchema = schemas(false);

export type ParsedConfig = z.output<typeof lenientSchema>;
