/**
 * The custom CloudWatch metrics the functions emit, shared with the alarms (infra/constructs/alarms.ts).
 * Each costs $0.30 a month for every hour it has data, so only what an alarm reads is a metric; every
 * other count is a field of the function's log line (README, "Cost"). The check function emits only
 * `DueChecks` and `DueLatenessSeconds`, and only on a due re-check run (DESIGN, "On time").
 */

/** Due re-check groups a due run was handed (one per SQS message). */
export const DUE_CHECKS_METRIC = "DueChecks";
/** How late each due group ran: sent − due, in seconds (SQS delays are whole seconds, never early). */
export const DUE_LATENESS_METRIC = "DueLatenessSeconds";

/**
 * Slack requests the interactions function answered 500 after catching an error: its Lambda Errors
 * metric does not count them, so the interactions Errors alarm adds this one. Emitted only when it
 * happens.
 */
export const INTERACTION_ERRORS_METRIC = "InteractionErrors";
