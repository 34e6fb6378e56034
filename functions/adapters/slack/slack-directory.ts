/**
 * Who is who in Slack: an agent's user id by e-mail (users.lookupByEmail, for the agent mention and
 * the nudge) and a user group's members (usergroups.users.list, for who may act on an alert). Both
 * cached per container: a lookup never holds up an alert for long, and a membership a little out of
 * date is better than refusing every responder while Slack hiccups.
 */
import { field, type SlackCaller } from "./slack-caller.js";

/** How long a user group's membership is trusted before it is asked again. */
const GROUP_CACHE_MS = 10 * 60_000;

export class SlackDirectory {
  readonly #caller: SlackCaller;
  /** email → user id, or null when Slack said there is none: one lookup per agent per notifier. */
  readonly #userIds = new Map<string, Promise<string | null>>();
  /** User group id → its members and when they were read. */
  readonly #groups = new Map<string, { members: string[]; atMs: number }>();

  constructor(caller: SlackCaller) {
    this.#caller = caller;
  }

  /** True when Slack gave a definitive answer for this e-mail (found or not), so it is cached. */
  knows(email: string): boolean {
    return this.#userIds.has(email.trim().toLowerCase());
  }

  /**
   * The agent's Slack user id, or null. One lookup per e-mail (concurrent deliveries share it); a
   * definitive answer is cached, "not found" included, a transient failure is not. One attempt, no
   * waiting out rate limits, a quarter of the delivery's bound at most: without an id the alert
   * still names the agent.
   */
  async userId(email: string, deadline: number): Promise<string | null> {
    const key = email.trim().toLowerCase();
    const cached = this.#userIds.get(key);
    if (cached) return cached;
    const caller = this.#caller;
    const lookupDeadline = Math.min(deadline, Date.now() + Math.max(1_000, caller.maxRetryTimeMs / 4));
    const pending = caller
      .within(lookupDeadline, () =>
        caller.call("users.lookupByEmail", { email: key }, lookupDeadline, undefined, {
          retries: 0,
          waitOutRateLimits: false,
        }),
      )
      .then((outcome): string | null => {
        if (outcome.ok) {
          const id = field(outcome.result.user, "id");
          return typeof id === "string" ? id : null;
        }
        const { failure } = outcome;
        if (failure.transient) {
          // Asked again by the next alert; runs in a .then, so always after the set below.
          this.#userIds.delete(key);
        } else if (failure.error !== "users_not_found") {
          // e.g. missing_scope (users:read.email): cached too, so it is said once, not on every alert.
          caller.warn("slack user lookup refused; agents are not mentioned", undefined, {
            error: failure.error,
          });
        }
        return null;
      });
    this.#userIds.set(key, pending);
    return pending;
  }

  /** The members of a user group (`S…`), cached; undefined when Slack would not say and none are cached. */
  async groupMembers(groupId: string): Promise<string[] | undefined> {
    const cached = this.#groups.get(groupId);
    if (cached && Date.now() - cached.atMs < GROUP_CACHE_MS) return cached.members;
    const caller = this.#caller;
    const deadline = Date.now() + Math.min(caller.maxRetryTimeMs, 2_000);
    const outcome = await caller.within(deadline, () =>
      caller.call("usergroups.users.list", { usergroup: groupId }, deadline, undefined, {
        retries: 0,
        waitOutRateLimits: false,
      }),
    );
    if (!outcome.ok) {
      caller.warn("slack user group lookup failed", undefined, {
        group: groupId,
        error: outcome.failure.error,
      });
      return cached?.members;
    }
    const users = outcome.result.users;
    const members = Array.isArray(users) ? users.filter((u): u is string => typeof u === "string") : [];
    this.#groups.set(groupId, { members, atMs: Date.now() });
    return members;
  }
}
