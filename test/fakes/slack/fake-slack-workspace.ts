/**
 * The fake Slack's workspace, for the doctor (functions/app/doctor.ts): the token's scopes (sent as
 * the `x-oauth-scopes` header on every authorized answer, as Slack does), channels with the bot's
 * membership (`conversations.info`), users (`users.info`) and user groups (`usergroups.list`).
 * A method the token lacks the scope for answers `missing_scope` with `needed`, as Slack does.
 * Kept apart from fake-slack.ts, which calls in through `handle`, `refuse` and `headers`.
 */

export interface FakeChannel {
  name: string;
  /** Whether the bot is in it; default true. */
  member?: boolean;
  private?: boolean;
  archived?: boolean;
}

export interface FakeProfile {
  name: string;
  deleted?: boolean;
}

export interface FakeWorkspaceOptions {
  /** The bot token's scopes; default: every scope the project's Slack app asks for. */
  scopes?: string[];
  /** Channels `conversations.info` knows (others: channel_not_found); posting where the bot is not a member: not_in_channel. */
  channels?: Record<string, FakeChannel>;
  /** Users by id for `users.info`, besides the ids of the fake's e-mail map (named after the e-mail). */
  profiles?: Record<string, FakeProfile>;
  /** User group handles for `usergroups.list` (members come from the fake's `usergroups`). */
  groupHandles?: Record<string, string>;
  disabledGroups?: string[];
}

/** What a test can change while the fake runs. */
export interface FakeWorkspace {
  /** The token's scopes as the next answers report them (and enforce them). */
  scopes: string[];
  channels: Map<string, FakeChannel>;
  profiles: Map<string, FakeProfile>;
  disabledGroups: Set<string>;
}

/** The Slack app manifest's bot scopes (infra/slack-app-manifest.yaml). */
export const DEFAULT_FAKE_SCOPES = [
  "chat:write",
  "users:read",
  "users:read.email",
  "im:write",
  "usergroups:read",
  "files:write",
  "channels:read",
  "groups:read",
  "pins:write",
  "commands",
];

export function createWorkspace(
  options: FakeWorkspaceOptions = {},
  users: Map<string, string>,
  usergroups: Map<string, string[]>,
) {
  const state: FakeWorkspace = {
    scopes: [...(options.scopes ?? DEFAULT_FAKE_SCOPES)],
    channels: new Map(Object.entries(options.channels ?? {})),
    profiles: new Map(Object.entries(options.profiles ?? {})),
    disabledGroups: new Set(options.disabledGroups ?? []),
  };
  const handles = options.groupHandles ?? {};
  const missing = (needed: string) =>
    state.scopes.includes(needed)
      ? undefined
      : { ok: false, error: "missing_scope", needed, provided: state.scopes.join(",") };

  return {
    state,

    /** Slack's scope header, on every answer to a working token. */
    headers: (): Record<string, string> => ({ "x-oauth-scopes": state.scopes.join(",") }),

    /** A refusal before the method runs: a missing scope, or a post where the bot is not a member. */
    refuse(method: string, args: Record<string, unknown>): Record<string, unknown> | undefined {
      const channel = typeof args.channel === "string" ? state.channels.get(args.channel) : undefined;
      switch (method) {
        case "chat.postMessage":
          if (channel && channel.member === false)
            return missing("chat:write") ?? { ok: false, error: "not_in_channel" };
          return missing("chat:write");
        case "conversations.info":
          return missing(channel?.private ? "groups:read" : "channels:read");
        case "users.info":
          return missing("users:read");
        case "usergroups.list":
          return missing("usergroups:read");
        case "pins.add":
          return missing("pins:write");
        default:
          return undefined;
      }
    },

    handle(method: string, args: Record<string, unknown>): Record<string, unknown> | undefined {
      switch (method) {
        case "conversations.info": {
          const id = typeof args.channel === "string" ? args.channel : "";
          const channel = state.channels.get(id);
          // Slack does not show a private channel to a bot outside it.
          if (!channel || (channel.private && channel.member === false))
            return { ok: false, error: "channel_not_found" };
          return {
            ok: true,
            channel: {
              id,
              name: channel.name,
              is_channel: !channel.private,
              is_private: channel.private === true,
              is_archived: channel.archived === true,
              is_member: channel.member !== false,
            },
          };
        }
        case "users.info": {
          const id = typeof args.user === "string" ? args.user : "";
          const profile = state.profiles.get(id);
          const email = [...users].find(([, user]) => user === id)?.[0];
          if (!profile && email === undefined) return { ok: false, error: "user_not_found" };
          const name = profile?.name ?? (email ?? id).split("@")[0];
          return { ok: true, user: { id, name, deleted: profile?.deleted === true, is_bot: false } };
        }
        case "usergroups.list": {
          const withDisabled = args.include_disabled === true || args.include_disabled === "true";
          const groups = [...usergroups]
            .filter(([id]) => withDisabled || !state.disabledGroups.has(id))
            .map(([id, members]) => ({
              id,
              handle: handles[id] ?? id.toLowerCase(),
              name: handles[id] ?? id,
              date_delete: state.disabledGroups.has(id) ? 1_700_000_000 : 0,
              user_count: members.length,
            }));
          return { ok: true, usergroups: groups };
        }
        default:
          return undefined;
      }
    },
  };
}
