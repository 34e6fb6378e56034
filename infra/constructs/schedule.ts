/**
 * EventBridge Scheduler schedules that start the function: `rate(N minutes)` around the clock, or, with
 * `schedule.activeHours`, cron expressions in the contact center's time zone, so the window follows DST.
 */
import { Aws, type CfnElement, Duration, Stack, TimeZone, Validations } from "aws-cdk-lib";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleTargetInput,
  TimeWindow,
} from "aws-cdk-lib/aws-scheduler";
import { LambdaInvoke } from "aws-cdk-lib/aws-scheduler-targets";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";

export interface ActiveHours {
  from: string;
  to: string;
  days?: string[];
}

const WEEK = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
/** EventBridge cron day-of-week order: 1 = SUN ... 7 = SAT. */
const CRON_DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"] as const;
const MINUTES_PER_DAY = 24 * 60;
/** EventBridge Scheduler's limit on the length of a schedule expression. */
const MAX_EXPRESSION_LENGTH = 256;

function minuteOfDay(clock: string): number {
  const match = /^(\d\d):(\d\d)$/.exec(clock);
  if (!match) throw new Error(`expected a local time like 08:00 (got "${clock}")`);
  return Number(match[1]) * 60 + Number(match[2]);
}

/** `*`, `a-b`, `a/step` (a progression that runs to the end of the field) or a comma list. */
function formatField(values: number[], size: number): string {
  const sorted = [...values].sort((a, b) => a - b);
  const first = sorted[0];
  const last = sorted.at(-1);
  if (first === undefined || last === undefined) throw new Error("empty cron field");
  if (sorted.length === size) return "*";
  if (sorted.length === 1) return String(first);
  const step = (sorted[1] ?? first) - first;
  const arithmetic = sorted.every((v, i) => v === first + i * step);
  if (arithmetic && step === 1) return `${first}-${last}`;
  if (arithmetic && last + step >= size) return `${first}/${step}`;
  return sorted.join(",");
}

/** Day-of-month and day-of-week fields for a set of weekdays (0 = SUN .. 6 = SAT). */
function formatDays(weekdays: number[]): { dayOfMonth: string; dayOfWeek: string } {
  if (weekdays.length === 7) return { dayOfMonth: "*", dayOfWeek: "?" };
  const sorted = [...weekdays].sort((a, b) => a - b);
  const first = sorted[0] ?? 0;
  const contiguous = sorted.length > 2 && sorted.every((d, i) => d === first + i);
  const name = (d: number) => CRON_DAYS[d] ?? "SUN";
  const dayOfWeek = contiguous
    ? `${name(first)}-${name(sorted.at(-1) ?? first)}`
    : sorted.map(name).join(",");
  return { dayOfMonth: "?", dayOfWeek };
}

/**
 * Cron expressions (EventBridge Scheduler syntax, evaluated in the schedule's time zone) that fire exactly at
 * from, from + every, from + 2·every, ... while before `to`, on the given days (all days when omitted).
 * A window with `to` before `from` runs past midnight: its early-morning ticks belong to the previous day's
 * window. When the step does not divide the hour, or the window starts mid-hour, one cron expression cannot
 * say it, so the ticks are split into several expressions, each tick covered by exactly one of them.
 */
export function cronExpressions(activeHours: ActiveHours, everyMinutes: number): string[] {
  if (!Number.isInteger(everyMinutes) || everyMinutes < 1) {
    throw new Error(`expected a whole number of minutes (got ${everyMinutes})`);
  }
  const from = minuteOfDay(activeHours.from);
  const to = minuteOfDay(activeHours.to);
  const length = (to - from + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  if (length === 0) throw new Error("from and to must differ");
  const startDays = (activeHours.days ?? [...WEEK]).map((day) => {
    const index = WEEK.indexOf(day as (typeof WEEK)[number]);
    if (index < 0) throw new Error(`unknown day "${day}"`);
    return (index + 1) % 7; // mon → 1 in SUN-first numbering
  });

  // Which weekdays each minute of the day fires on, as a 7-bit mask (bit 0 = SUN).
  const masks = new Map<number, number>();
  for (let offset = 0; offset < length; offset += everyMinutes) {
    const at = from + offset;
    const minute = at % MINUTES_PER_DAY;
    const dayShift = Math.floor(at / MINUTES_PER_DAY); // 1 after midnight: the next weekday
    for (const start of startDays) {
      const weekday = (start + dayShift) % 7;
      masks.set(minute, (masks.get(minute) ?? 0) | (1 << weekday));
    }
  }

  // Per (hour, weekday mask): the minutes; then hours that share weekdays and minutes form one expression.
  const minutesByHourAndMask = new Map<string, { hour: number; mask: number; minutes: number[] }>();
  for (const [minute, mask] of [...masks].sort((a, b) => a[0] - b[0])) {
    const hour = Math.floor(minute / 60);
    const key = `${hour}|${mask}`;
    const entry = minutesByHourAndMask.get(key) ?? { hour, mask, minutes: [] };
    entry.minutes.push(minute % 60);
    minutesByHourAndMask.set(key, entry);
  }
  const groups = new Map<string, { mask: number; minutes: number[]; hours: number[] }>();
  for (const { hour, mask, minutes } of minutesByHourAndMask.values()) {
    const key = `${mask}|${minutes.join(",")}`;
    const group = groups.get(key) ?? { mask, minutes, hours: [] };
    group.hours.push(hour);
    groups.set(key, group);
  }

  return [...groups.values()].map(({ mask, minutes, hours }) => {
    const weekdays = [0, 1, 2, 3, 4, 5, 6].filter((d) => mask & (1 << d));
    const { dayOfMonth, dayOfWeek } = formatDays(weekdays);
    const expression = `cron(${formatField(minutes, 60)} ${formatField(hours, 24)} ${dayOfMonth} * ${dayOfWeek} *)`;
    if (expression.length > MAX_EXPRESSION_LENGTH) {
      throw new Error(`schedule expression longer than ${MAX_EXPRESSION_LENGTH} characters: ${expression}`);
    }
    return expression;
  });
}

/** `rate(N minutes)` for a whole number of minutes. */
export function rateExpression(everyMinutes: number): string {
  return everyMinutes === 1 ? "rate(1 minute)" : `rate(${everyMinutes} minutes)`;
}

export interface RunScheduleProps {
  target: IFunction;
  everySeconds: number;
  /** IANA zone of the contact center: cron schedules are evaluated in it. */
  timezone: string;
  activeHours?: ActiveHours;
  /** Where the scheduler puts a tick it could not deliver (the same queue as the function's failures). */
  deadLetterQueue: IQueue;
}

/**
 * The schedules' own role (the default is a shared one outside the construct), trusted by this
 * account's scheduler only, so the one acknowledged finding sits on the role that has it.
 */
function invokeRole(scope: Construct, target: IFunction, which: string): Role {
  const role = new Role(scope, "InvokeRole", {
    assumedBy: new ServicePrincipal("scheduler.amazonaws.com", {
      conditions: { StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID } },
    }),
    description: `Lets EventBridge Scheduler invoke the agent-status-alerts ${which} function`,
  });
  // grantInvoke also allows the function's versions and aliases (`ARN:*`); we publish none, so it adds nothing.
  const fnResource = target.node.defaultChild as CfnElement | undefined;
  if (fnResource) {
    const logicalId = Stack.of(scope).resolve(fnResource.logicalId) as string;
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>:*]`,
      reason: `lambda:InvokeFunction on the ${which} function and its qualified ARNs (CDK's grantInvoke); no version or alias is published, so only the function itself can be invoked.`,
    });
  }
  return role;
}

/** One schedule (rate) or several (cron, active hours only) that invoke the function. */
export class RunSchedule extends Construct {
  readonly schedules: Schedule[] = [];
  readonly expressions: string[];

  constructor(scope: Construct, id: string, props: RunScheduleProps) {
    super(scope, id);
    const everyMinutes = props.everySeconds / 60;
    const timeZone = TimeZone.of(props.timezone);
    this.expressions = props.activeHours
      ? cronExpressions(props.activeHours, everyMinutes)
      : [rateExpression(everyMinutes)];

    const role = invokeRole(this, props.target, "check");

    // A tick that cannot be delivered within a minute is stale: the next tick does the same work. The
    // scheduler invokes asynchronously, so its own retries only cover failing to hand the event to Lambda.
    const target = new LambdaInvoke(props.target, {
      role,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
      deadLetterQueue: props.deadLetterQueue,
      // What the handler receives: the intended tick time (not the delivery time) and an id for log lines.
      input: ScheduleTargetInput.fromObject({
        source: "agent-status-alerts.schedule",
        scheduledTime: ContextAttribute.scheduledTime,
        executionId: ContextAttribute.executionId,
        scheduleArn: ContextAttribute.scheduleArn,
        attemptNumber: ContextAttribute.attemptNumber,
      }),
    });

    const window = props.activeHours
      ? ` ${props.activeHours.from}-${props.activeHours.to} ${props.timezone}${props.activeHours.days ? ` on ${props.activeHours.days.join(",")}` : ""}`
      : "";
    this.expressions.forEach((expression, index) => {
      const schedule = new Schedule(
        this,
        this.expressions.length === 1 ? "Schedule" : `Schedule${index + 1}`,
        {
          schedule: props.activeHours
            ? ScheduleExpression.expression(expression, timeZone)
            : ScheduleExpression.expression(expression),
          target,
          description: `agent-status-alerts check every ${everyMinutes} min${window}`.slice(0, 512),
          timeWindow: TimeWindow.off(),
        },
      );
      this.schedules.push(schedule);
    });
  }
}

export interface DigestScheduleProps {
  target: IFunction;
  /** Local time `HH:MM` in `timezone`. */
  at: string;
  /** Days among mon…sun. */
  days: string[];
  timezone: string;
  deadLetterQueue: IQueue;
}

/**
 * The daily digest: one cron schedule (EventBridge Scheduler, evaluated in the center's zone, so it
 * follows daylight-saving time) at `at` on `days`.
 */
export class DigestSchedule extends Construct {
  readonly schedule: Schedule;
  readonly expression: string;

  constructor(scope: Construct, id: string, props: DigestScheduleProps) {
    super(scope, id);
    // A one-minute window holding one tick at `at`: exactly the digest's time, on its days.
    const start = minuteOfDay(props.at);
    const next = (start + 1) % MINUTES_PER_DAY;
    const clock = (m: number) =>
      `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    const [expression] = cronExpressions({ from: props.at, to: clock(next), days: props.days }, 1);
    if (expression === undefined) throw new Error(`no schedule for the digest at ${props.at}`);
    this.expression = expression;

    const role = invokeRole(this, props.target, "digest");
    // A digest delivered an hour late is still worth having; a second one the same day is not (no retry).
    const target = new LambdaInvoke(props.target, {
      role,
      retryAttempts: 0,
      maxEventAge: Duration.hours(1),
      deadLetterQueue: props.deadLetterQueue,
      input: ScheduleTargetInput.fromObject({
        source: "agent-status-alerts.digest",
        scheduledTime: ContextAttribute.scheduledTime,
        executionId: ContextAttribute.executionId,
      }),
    });
    this.schedule = new Schedule(this, "Schedule", {
      schedule: ScheduleExpression.expression(expression, TimeZone.of(props.timezone)),
      target,
      description:
        `agent-status-alerts digest at ${props.at} ${props.timezone} on ${props.days.join(",")}`.slice(
          0,
          512,
        ),
      timeWindow: TimeWindow.off(),
    });
  }
}
