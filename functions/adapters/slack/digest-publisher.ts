/**
 * The digest's Slack side (@slack/web-api): the summary with chat.postMessage, the chart with
 * files.uploadV2 (files.getUploadURLExternal → upload → files.completeUploadExternal).
 * Errors carry Slack's error code, never the token.
 */
import { LogLevel, type Logger as SlackLogger, WebClient } from "@slack/web-api";
import type { ChannelDigest, DayReport } from "../../domain/digest.js";
import { localTimeOfDay } from "../../domain/time.js";
import type { DigestPublisher } from "../../ports.js";
import { PAYLOAD_REFUSALS } from "./bounds.js";
import { digestMessage } from "./digest-messages.js";
import { normalizeApiUrl } from "./slack-caller.js";

export interface SlackDigestPublisherOptions {
  token: string;
  apiUrl?: string | undefined;
  /** The digest's instant, for "as of HH:MM". */
  nowMs: number;
  timezone: string;
}

/** The SDK's own log lines stay out: its errors come back to us, and we report them with context. */
function silentLogger(): SlackLogger {
  let level = LogLevel.ERROR;
  const none = () => undefined;
  return {
    debug: none,
    info: none,
    warn: none,
    error: none,
    setLevel: (l) => {
      level = l;
    },
    getLevel: () => level,
    setName: none,
  };
}

function slackError(error: unknown): string {
  const data = (error as { data?: { error?: unknown } } | undefined)?.data;
  if (typeof data?.error === "string") return data.error;
  return error instanceof Error ? error.message : String(error);
}

export class SlackDigestPublisher implements DigestPublisher {
  readonly #client: WebClient;
  readonly #asOf: string;

  constructor(options: SlackDigestPublisherOptions) {
    this.#asOf = localTimeOfDay(options.timezone, options.nowMs);
    this.#client = new WebClient(options.token, {
      slackApiUrl: normalizeApiUrl(options.apiUrl),
      // Once a day, nothing waits on it: a couple of retries (and honouring Retry-After) is right here.
      retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 5_000 },
      timeout: 20_000,
      logger: silentLogger(),
    });
  }

  async postSummary(channel: string, digest: ChannelDigest, report: DayReport): Promise<{ ts: string }> {
    const message = digestMessage(digest, report, this.#asOf);
    try {
      const result = await this.#client.chat.postMessage({
        channel,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
      });
      return { ts: String(result.ts ?? "") };
    } catch (error) {
      const refused = slackError(error);
      if (!PAYLOAD_REFUSALS.has(refused))
        throw new Error(`chat.postMessage to ${channel} failed: ${refused}`);
      // Slack will refuse these blocks every time: the day's figures still go out, as plain text.
      try {
        const result = await this.#client.chat.postMessage({
          channel,
          text: message.text,
          unfurl_links: false,
        });
        return { ts: String(result.ts ?? "") };
      } catch (again) {
        throw new Error(
          `chat.postMessage to ${channel} failed: ${refused}, and as plain text: ${slackError(again)}`,
        );
      }
    }
  }

  async uploadChart(
    channel: string,
    png: Uint8Array,
    name: { filename: string; title: string },
  ): Promise<void> {
    try {
      await this.#client.filesUploadV2({
        channel_id: channel,
        file: Buffer.from(png.buffer, png.byteOffset, png.byteLength),
        filename: name.filename,
        title: name.title,
        alt_text: `${name.title}: a bar chart of minutes past threshold per local hour, stacked by rule`,
      });
    } catch (error) {
      throw new Error(`files.uploadV2 to ${channel} failed: ${slackError(error)}`);
    }
  }
}
