/**
 * The alarms an operator needs to trust the watchdog, and the SNS topic they notify.
 * Each alarm fires on the first bad data point: a watchdog that is silently broken is the worst outcome.
 * One alarm per story (an alarm is $0.10 a month for each metric it reads): the check failed (Errors,
 * whatever the cause: the `run failed` log line names it), was refused (Throttles), is near its timeout
 * (Duration: also what a roster too large for one interval looks like), is not invoked (NotRunning),
 * and failures wait to be read (FailedInvocations: the check's, the digest's, the scheduler's).
 */
import { Aws, Duration } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  type IAlarmAction,
  type IMetric,
  MathExpression,
  Metric,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { type ITopic, Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { INTERACTION_ERRORS_METRIC } from "../../functions/app/metric-names.js";
import { METRICS_NAMESPACE, SERVICE_NAME } from "./function-defaults.js";

/** CloudWatch alarms evaluate at most one day of data per evaluation. */
const MAX_PERIOD_SECONDS = 86_400;
/** Duration alarm: a run that takes this share of its timeout is about to be cut short. */
export const DURATION_ALARM_RATIO = 0.8;

export interface OperationsAlarmsProps {
  function: IFunction;
  timeoutSeconds: number;
  everySeconds: number;
  /** Queue of failed invocations (the function's on-failure destination and the scheduler's DLQ). */
  failureQueue: IQueue;
  alarmEmail?: string;
  /** Active hours make "no invocations" normal at night, so the heartbeat alarm is left out then. */
  runsAroundTheClock: boolean;
}

export class OperationsAlarms extends Construct {
  readonly topic: Topic;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: OperationsAlarmsProps) {
    super(scope, id);

    // Always created, even without alarmEmail: people can subscribe a chat integration or an e-mail later
    // without a redeploy, and the alarms keep one stable action.
    this.topic = new Topic(this, "Topic", {
      displayName: "agent-status-alerts alarms",
      enforceSSL: true,
    });
    // The enforceSSL topic policy replaces SNS's default one, which is what let CloudWatch publish: allow
    // this account's alarms explicitly, or every notification would fail with "not authorized".
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "AllowCloudWatchAlarms",
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { "aws:SourceAccount": Aws.ACCOUNT_ID },
          ArnLike: {
            "aws:SourceArn": `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*`,
          },
        },
      }),
    );
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action: IAlarmAction = new SnsAction(this.topic);

    // At least one schedule interval per period, so a single run's data point is never split or missed.
    const period = Duration.seconds(Math.min(Math.max(props.everySeconds, 60), MAX_PERIOD_SECONDS));
    const fn = props.function;

    const add = (
      alarmId: string,
      description: string,
      metric: IMetric,
      threshold: number,
      options: {
        comparison?: ComparisonOperator;
        evaluationPeriods?: number;
        missing?: TreatMissingData;
      } = {},
    ) => {
      const alarm = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        comparisonOperator: options.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: options.evaluationPeriods ?? 1,
        datapointsToAlarm: options.evaluationPeriods ?? 1,
        // No run, no data: that is quiet, not broken (the heartbeat alarm says otherwise explicitly).
        treatMissingData: options.missing ?? TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
      return alarm;
    };

    add(
      "Errors",
      "The check function failed: SmartAssist could not be read (credentials refused, API unreachable, rate limited to the end: the `run failed` log line says `cause: smartassist`), or an exception, a timeout or an out-of-memory. Alerts may be missed until it runs again. See the function's log group.",
      fn.metricErrors({ period, statistic: "Sum" }),
      1,
    );
    add(
      "Throttles",
      "Lambda refused to start the check function (account or reserved concurrency exhausted). Ticks are being skipped.",
      fn.metricThrottles({ period, statistic: "Sum" }),
      1,
    );
    const durationThresholdMs = Math.round(props.timeoutSeconds * 1000 * DURATION_ALARM_RATIO);
    add(
      "Duration",
      `A run took at least ${Math.round(DURATION_ALARM_RATIO * 100)}% of its ${props.timeoutSeconds}s timeout: it is close to being cut short, or the roster no longer fits one interval and is read in rotation (the run summary line's truncated, cycleRuns and coverage say so). Check the page count and SmartAssist latency (latencyMs); raise schedule.every or the pace.`,
      fn.metricDuration({ period, statistic: "Maximum" }),
      durationThresholdMs,
    );
    add(
      "FailedInvocations",
      "Failed invocations are waiting in the failure queue (a run that errored, or a tick the scheduler could not deliver). Read them, fix the cause, then purge the queue.",
      props.failureQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: "Maximum",
      }),
      1,
    );
    if (props.runsAroundTheClock) {
      // Three silent intervals, as far as CloudWatch's one-day evaluation limit allows.
      const periods = Math.max(1, Math.min(3, Math.floor(MAX_PERIOD_SECONDS / period.toSeconds())));
      add(
        "NotRunning",
        `The check function has not been invoked for ${periods} interval(s): the schedule is disabled, deleted or failing. No alerts are being produced.`,
        fn.metricInvocations({ period, statistic: "Sum" }),
        1,
        {
          comparison: ComparisonOperator.LESS_THAN_THRESHOLD,
          evaluationPeriods: periods,
          missing: TreatMissingData.BREACHING,
        },
      );
    }
  }
}

export interface InteractionsAlarmsProps {
  /** The Slack interactivity function (behind the Function URL). */
  function: IFunction;
  /** The operations topic (OperationsAlarms.topic): one place to subscribe to. */
  topic: ITopic;
}

/**
 * Alarms on the function that answers Slack's button clicks. A click that fails or is throttled is not
 * retried by Slack, so each one is a person whose Acknowledge / Snooze / Excuse did nothing.
 */
export class InteractionsAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: InteractionsAlarmsProps) {
    super(scope, id);
    const action: IAlarmAction = new SnsAction(props.topic);
    // Clicks come when people are looking: five minutes is a short enough wait to hear of a broken endpoint.
    const period = Duration.minutes(5);
    const fn = props.function;
    const add = (alarmId: string, description: string, metric: IMetric): void => {
      const alarm = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        datapointsToAlarm: 1,
        // No clicks, no data: that is quiet, not broken.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };
    // The handler answers an error it caught with a 500 (the invocation itself succeeds): that one is
    // counted in a custom metric, added to the Lambda's own Errors (uncaught errors, timeouts).
    add(
      "Errors",
      "The Slack interactions function failed (an error answered 500, an exception or a timeout): someone's Acknowledge, Snooze or Excuse did nothing, and Slack does not retry clicks. See the function's log group (`interaction failed`).",
      new MathExpression({
        expression: "FILL(invocationErrors, 0) + FILL(answeredErrors, 0)",
        usingMetrics: {
          invocationErrors: fn.metricErrors({ period, statistic: "Sum" }),
          answeredErrors: new Metric({
            namespace: METRICS_NAMESPACE,
            metricName: INTERACTION_ERRORS_METRIC,
            dimensionsMap: { service: SERVICE_NAME },
            statistic: "Sum",
            period,
          }),
        },
        label: "Interaction errors",
        period,
      }),
    );
    add(
      "Throttles",
      "Lambda refused Slack interactions beyond the function's reserved concurrency: a burst of clicks, or unsigned traffic to the public URL. Refused clicks are lost; look at the request rate.",
      fn.metricThrottles({ period, statistic: "Sum" }),
    );
  }
}
