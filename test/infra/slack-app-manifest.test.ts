/** infra/slack-app-manifest.yaml: the Slack app people create from it can do what the project calls. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../../infra/constructs/function-defaults.js";
import { INTERACTIONS_PATH } from "../../infra/stack.js";

interface Manifest {
  display_information?: { name?: string };
  features?: {
    bot_user?: { display_name?: string };
    slash_commands?: Array<{ command?: string; url?: string; should_escape?: boolean }>;
  };
  oauth_config?: { scopes?: { bot?: string[]; user?: string[] } };
  settings?: {
    interactivity?: { is_enabled?: boolean; request_url?: string };
    socket_mode_enabled?: boolean;
    event_subscriptions?: unknown;
  };
}

const manifest = parse(readFileSync(join(PROJECT_ROOT, "infra/slack-app-manifest.yaml"), "utf8")) as Manifest;

describe("the Slack app manifest", () => {
  it("names the app and has a bot user", () => {
    expect(manifest.display_information?.name).toBe("Agent Status Alerts");
    // Slack limits names to 35 characters.
    expect(manifest.display_information?.name?.length).toBeLessThanOrEqual(35);
    expect(manifest.features?.bot_user?.display_name).toBe("agent-status-alerts");
  });

  it("asks for exactly the bot scopes of the methods the project calls, and no user scopes", () => {
    expect([...(manifest.oauth_config?.scopes?.bot ?? [])].sort()).toEqual(
      [
        "chat:write",
        "files:write",
        "im:write",
        "usergroups:read",
        "users:read",
        "users:read.email",
        "channels:read",
        "groups:read",
        "pins:write",
        "commands",
      ].sort(),
    );
    expect(manifest.oauth_config?.scopes?.user).toBeUndefined();
  });

  it("turns interactivity on, with a request URL to fill in from the stack output, and no socket mode", () => {
    const interactivity = manifest.settings?.interactivity;
    expect(interactivity?.is_enabled).toBe(true);
    expect(interactivity?.request_url).toBe(
      `https://REPLACE-WITH-STACK-OUTPUT-InteractionsUrl/${INTERACTIONS_PATH}`,
    );
    expect(new URL(interactivity?.request_url ?? "").pathname).toBe("/slack/interactions");
    expect(manifest.settings?.socket_mode_enabled).toBe(false);
    // No Events API subscription: the app only posts and answers clicks.
    expect(manifest.settings?.event_subscriptions).toBeUndefined();
  });

  it("has the /agent-status slash command at the interactions host, path /slack/commands", () => {
    const commands = manifest.features?.slash_commands ?? [];
    expect(commands.map((c) => c.command)).toEqual(["/agent-status"]);
    const url = commands[0]?.url ?? "";
    expect(url).toBe("https://REPLACE-WITH-STACK-OUTPUT-InteractionsUrl/slack/commands");
    expect(new URL(url).host).toBe(new URL(manifest.settings?.interactivity?.request_url ?? "").host);
  });
});
