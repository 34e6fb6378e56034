/**
 * Answers only the clicking user sees (a refusal, "already over"): through the click's
 * response_url when there is one (it needs no token and no scope), else chat.postEphemeral.
 */
import type { EphemeralTarget } from "../../ports.js";
import { ALERT_TEXT_MAX, shortenMrkdwn } from "./bounds.js";
import { answerByResponseUrl } from "./response-url.js";
import type { SlackCaller } from "./slack-caller.js";

/** True when the user was told. */
export async function answerEphemeral(
  caller: SlackCaller,
  target: EphemeralTarget,
  raw: string,
): Promise<boolean> {
  const text = shortenMrkdwn(raw, ALERT_TEXT_MAX);
  const deadline = Date.now() + caller.maxRetryTimeMs;
  if (target.responseUrl !== undefined) {
    const answered = await answerByResponseUrl(target.responseUrl, text, deadline - Date.now());
    if (answered.ok) return true;
    caller.warn("slack response_url did not take the answer", undefined, { error: answered.error });
  }
  if (target.channel === undefined) return false;
  const posted = await caller.within(deadline, () =>
    caller.call(
      "chat.postEphemeral",
      { channel: target.channel, user: target.user, text },
      deadline,
      undefined,
    ),
  );
  return posted.ok;
}
