/**
 * The doctor's Slack verdicts: the bot token, the scopes this config needs, each alert channel, the
 * responders, and the `--send-test` message and what came of posting it.
 */
import type {
  SlackChannelInfo,
  SlackGroupInfo,
  SlackIdentity,
  SlackProbeResult,
  SlackUserInfo,
} from "../ports.js";
import type { AppConfig } from "./config.js";
import { type Check, fail, list, pass, plural } from "./doctor.js";
import { type CredentialsReading, problemText, setHint, unreadable } from "./doctor-credentials.js";

export interface ScopeNeed {
  scope: string;
  for: string;
}

/** The bot token scopes this config needs (`commands` is not a token scope: not listed). */
export function neededScopes(config: AppConfig): ScopeNeed[] {
  const needs: ScopeNeed[] = [{ scope: "chat:write", for: "alerts" }];
  const rules = [...config.rules, ...config.teams.flatMap((t) => t.rules)];
  // Resolved rules carry the top-level nudge where it applies (config.ts).
  const nudges = rules.some((r) => r.nudgeSeconds !== undefined);
  const why = list([
    ...(nudges ? ["nudges"] : []),
    ...(config.slack.mentionAgents ? ["slack.mentionAgents"] : []),
  ]);
  if (why !== "") {
    needs.push({ scope: "users:read.email", for: why }, { scope: "im:write", for: why });
  }
  if ((config.slack.responders ?? []).some((r) => r.startsWith("S")))
    needs.push({ scope: "usergroups:read", for: "user group responders" });
  if (config.digest !== undefined) needs.push({ scope: "files:write", for: "the digest" });
  // slack.pinBoard comes with the board (another change adds it to the config): read it defensively.
  if ((config.slack as { pinBoard?: boolean }).pinBoard === true)
    needs.push({ scope: "pins:write", for: "slack.pinBoard" });
  return needs;
}

function tokenHint(reading: CredentialsReading): string {
  return setHint(reading, ["slackBotToken"]);
}

export function slackTokenCheck(
  result: SlackProbeResult<SlackIdentity> | "no-token",
  reading: CredentialsReading,
): Check {
  const name = "slack.token";
  const broken = unreadable(reading);
  if (broken) return fail(name, broken);
  if (result === "no-token")
    return fail(name, `${problemText(reading.keys.slackBotToken)}; ${tokenHint(reading)}`);
  if (!result.ok) {
    const { error } = result;
    const { name: key } = reading.keys.slackBotToken;
    if (error === "invalid_auth" || error === "not_authed")
      return fail(
        name,
        `Slack refused ${key} (${error}); ${tokenHint(reading)}, copied from the app's OAuth & Permissions page`,
      );
    if (error === "token_revoked" || error === "account_inactive" || error === "token_expired")
      return fail(
        name,
        `${key} no longer works (${error}: the app was uninstalled or the token revoked); reinstall the app and update ${key}`,
      );
    return fail(
      name,
      `auth.test failed (${error}); check SLACK_API_URL or the network to Slack, and try again`,
    );
  }
  const id = result.value;
  const who = `workspace ${id.team} (${id.teamId}), bot @${id.user} (${id.userId})`;
  if (id.botId === undefined)
    return fail(name, `works for ${who}, but is not a bot token; use the Bot User OAuth Token (xoxb-…)`);
  return pass(name, `works: ${who}`);
}

const NOT_CHECKED_SLACK = "not checked: needs a working slack.token";

export function slackScopesCheck(identity: SlackIdentity | undefined, needs: ScopeNeed[]): Check {
  const name = "slack.scopes";
  if (identity === undefined) return fail(name, NOT_CHECKED_SLACK);
  const wanted = needs.map((n) => `${n.scope} (${n.for})`);
  if (identity.scopes === undefined)
    return fail(
      name,
      `Slack did not say the token's scopes (no x-oauth-scopes header); check that the app has ${list(wanted)}`,
    );
  const has = new Set(identity.scopes);
  const missing = needs.filter((n) => !has.has(n.scope));
  if (missing.length > 0) {
    const names = missing.map((n) => `${n.scope} (${n.for})`);
    return fail(
      name,
      `missing ${list(names)}; add ${missing.length === 1 ? "it" : "them"} under OAuth & Permissions → Bot Token Scopes (or in infra/slack-app-manifest.yaml) and reinstall the app`,
    );
  }
  return pass(name, `the token has ${list(wanted)}`);
}

export function slackChannelCheck(
  channel: { id: string; for: string },
  result: SlackProbeResult<SlackChannelInfo> | undefined,
  bot: string | undefined,
): Check {
  const name = `slack.channel ${channel.id}`;
  if (result === undefined || bot === undefined) return fail(name, NOT_CHECKED_SLACK);
  const invite = `/invite @${bot}`;
  if (!result.ok) {
    if (result.error === "channel_not_found") {
      const notAnId = /^[CGD][A-Z0-9]{2,}$/.test(channel.id)
        ? ""
        : " (use the channel's id, C…, from its details in Slack)";
      return fail(
        name,
        `${channel.for}: not found (a wrong id${notAnId}, or a private channel the bot is not in); check the config, or ${invite} in that channel`,
      );
    }
    if (result.error === "missing_scope") {
      const scope = result.needed ?? "channels:read";
      return fail(
        name,
        `${channel.for}: cannot be checked, the token lacks ${scope} (conversations.info); add channels:read and groups:read to the app and reinstall it, or check with --send-test`,
      );
    }
    return fail(name, `${channel.for}: conversations.info failed (${result.error}); try again`);
  }
  const info = result.value;
  const label = `#${info.name}${info.isPrivate ? " (private)" : ""}, ${channel.for}`;
  if (info.isArchived) return fail(name, `${label}: archived; unarchive it or choose another channel`);
  if (!info.isMember) return fail(name, `${label}: the bot is not a member; ${invite} in #${info.name}`);
  return pass(name, `${label}: exists, the bot is a member`);
}

export function slackRespondersCheck(
  responders: string[] | undefined,
  results:
    | {
        users: Map<string, SlackProbeResult<SlackUserInfo>>;
        groups?: SlackProbeResult<SlackGroupInfo[]>;
      }
    | undefined,
): Check {
  const name = "slack.responders";
  if (responders === undefined || responders.length === 0)
    return pass(name, "none configured: anyone in the channel may act on an alert");
  if (results === undefined) return fail(name, NOT_CHECKED_SLACK);
  const found: string[] = [];
  const wrong: string[] = [];
  for (const id of responders) {
    if (id.startsWith("S")) {
      const groups = results.groups;
      if (groups === undefined || !groups.ok) {
        const error = groups === undefined ? "not asked" : groups.error;
        wrong.push(
          error === "missing_scope"
            ? `${id}: cannot be checked, the token lacks usergroups:read`
            : `${id}: usergroups.list failed (${error})`,
        );
        continue;
      }
      const group = groups.value.find((g) => g.id === id);
      if (!group) wrong.push(`${id}: no such user group`);
      else if (!group.enabled) wrong.push(`${id} (@${group.handle}): the user group is disabled`);
      else
        found.push(
          `@${group.handle} (${id}${group.members === undefined ? "" : `, ${plural(group.members, "member")}`})`,
        );
      continue;
    }
    const user = results.users.get(id);
    if (user === undefined) wrong.push(`${id}: not asked`);
    else if (!user.ok)
      wrong.push(
        user.error === "user_not_found"
          ? `${id}: no such user`
          : user.error === "missing_scope"
            ? `${id}: cannot be checked, the token lacks users:read`
            : `${id}: users.info failed (${user.error})`,
      );
    else if (user.value.deleted) wrong.push(`${id} (@${user.value.name}): deactivated`);
    else found.push(`@${user.value.name} (${id})`);
  }
  if (wrong.length > 0)
    return fail(name, `${wrong.join("; ")}; fix slack.responders (user ids U…, user group ids S…)`);
  return pass(name, `${plural(found.length, "responder")} exist: ${found.join(", ")}`);
}

export function slackTestCheck(
  channel: { id: string; for: string },
  result: SlackProbeResult<{ channel: string; ts: string }> | undefined,
  bot: string | undefined,
): Check {
  const name = `slack.test ${channel.id}`;
  if (result === undefined) return fail(name, `not sent: needs a working slack.token`);
  if (result.ok) return pass(name, `a test message was posted to ${channel.for} (ts ${result.value.ts})`);
  const invite = bot === undefined ? "invite the bot" : `/invite @${bot}`;
  if (result.error === "not_in_channel" || result.error === "channel_not_found")
    return fail(name, `not posted (${result.error}); ${invite} in that channel`);
  if (result.error === "missing_scope")
    return fail(name, "not posted (missing_scope): add chat:write to the app and reinstall it");
  return fail(name, `not posted (${result.error}); try again`);
}

/** The `--send-test` message: plain text, saying what it is. */
export function testMessage(channel: { for: string }): string {
  return `agent-status-alerts doctor: a test message for ${channel.for}. Alerts will be posted here; nothing to do.`;
}
