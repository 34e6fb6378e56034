/**
 * The custom CloudWatch metrics the functions emit, shared with the alarms (infra/constructs/alarms.ts).
 * Each costs $0.30 a month for every hour it has data, so only what an alarm reads is a metric; every
 * other count is a field of the function's log line (README, "Cost"). On time will add `DueChecks` and
 * `DueLatenessSeconds`.
 */

/**
 * Slack requests the interactions function answered 500 after catching an error: its Lambda Errors
 * metric does not count them, so the interactions Errors alarm adds this one. Emitted only when it
 * happens.
 */
export const INTERACTION_ERRORS_METRIC = "InteractionErrors";
