/**
 * The digest use case: read one local day (its history, a week before's, the open alerts), work out
 * the figures (domain/digest.ts), and, for the Lambda, post one digest per channel with its chart.
 * The same code answers `report` in the CLI. Adapters come in through the ports.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import type { AppConfig } from "../domain/config.js";
import {
  type DayInput,
  type DigestEpisode,
  dayReport,
  episodeFromHistory,
  episodeFromRecord,
  episodesByChannel,
  ruleOrder,
} from "../domain/digest.js";
import { hourlySeries } from "../domain/digest-exports.js";
import { shiftLocalDate } from "../domain/local-date.js";

import { localDate } from "../domain/time.js";
import type {
  AlertStore,
  AppSecrets,
  DigestChart,
  DigestChartRenderer,
  DigestPublisher,
  HistoryStore,
  SecretsProvider,
} from "../ports.js";
import { fromPowertools, type Log } from "./logger.js";

export interface DayDeps {
  store: AlertStore & HistoryStore;
}

/** Everything the day's figures need: its history, the same weekday a week before, the open alerts. */
export async function loadDay(
  config: AppConfig,
  deps: DayDeps,
  date: string,
  nowMs: number,
): Promise<DayInput> {
  const [today, weekBefore, records] = await Promise.all([
    deps.store.historyOn(date),
    deps.store.historyOn(shiftLocalDate(date, -7)),
    deps.store.load(),
  ]);
  const episodes: DigestEpisode[] = [
    ...[...today, ...weekBefore].map(episodeFromHistory),
    ...records.filter((r) => r.state === "open").map(episodeFromRecord),
  ];
  return { config, date, nowMs, episodes };
}

/** The chart of one channel's day, or of every channel together (`channel` undefined). */
export function digestChartOf(input: DayInput, channel?: string): DigestChart {
  const groups = episodesByChannel(input, input.date);
  const episodes = channel === undefined ? [...groups.values()].flat() : (groups.get(channel) ?? []);
  const series = hourlySeries(
    episodes,
    ruleOrder(input.config),
    input.config.timezone,
    input.date,
    input.nowMs,
  );
  const minutes = series.minutes.flat().reduce((a, b) => a + b, 0);
  const alerts = episodes.length;
  const subtitle = `${alerts} alert${alerts === 1 ? "" : "s"} · ${minutes} min past threshold${channel ? ` · ${channel}` : ""}`;
  return { date: input.date, timezone: input.config.timezone, series, subtitle };
}

export interface DigestDeps extends DayDeps {
  publisher: DigestPublisher;
  /** Draws the chart; absent or failing, the text digest still goes out. */
  renderChart?: DigestChartRenderer;
  log: Log;
}

export interface DigestResult {
  date: string;
  channels: Array<{
    channel: string;
    alerts: number;
    posted: boolean;
    chart: "uploaded" | "skipped" | "failed";
  }>;
  /** Summaries Slack refused. */
  postFailures: number;
  /** Charts that could not be drawn (renderer) or uploaded (Slack): the text went out without them. */
  chartFailures: number;
}

/**
 * Posts the local day so far (as of `nowMs`) to every digest channel. Each channel stands alone:
 * one that Slack refuses does not stop the others. A quiet day is one short line and no chart.
 */
export async function postDigest(config: AppConfig, deps: DigestDeps, nowMs: number): Promise<DigestResult> {
  const date = localDate(config.timezone, nowMs);
  const input = await loadDay(config, deps, date, nowMs);
  const report = dayReport(input);
  const result: DigestResult = { date, channels: [], postFailures: 0, chartFailures: 0 };
  for (const digest of report.channels) {
    if (digest.channel === "") continue; // alerts that had no channel to go to
    const entry: DigestResult["channels"][number] = {
      channel: digest.channel,
      alerts: digest.alerts,
      posted: false,
      chart: "skipped",
    };
    result.channels.push(entry);
    try {
      await deps.publisher.postSummary(digest.channel, digest, report);
      entry.posted = true;
    } catch (error) {
      result.postFailures++;
      deps.log.error("the digest could not be posted", { channel: digest.channel, error: describe(error) });
      continue;
    }
    if (digest.alerts === 0 || !deps.renderChart) continue;
    let png: Uint8Array;
    try {
      png = await deps.renderChart(digestChartOf(input, digest.channel));
    } catch (error) {
      entry.chart = "failed";
      result.chartFailures++;
      deps.log.warn("the digest chart could not be drawn; the text digest was posted without it", {
        channel: digest.channel,
        error: describe(error),
      });
      continue;
    }
    try {
      await deps.publisher.uploadChart(digest.channel, png, {
        filename: `digest-${date}.png`,
        title: `Minutes past threshold by hour — ${date}`,
      });
      entry.chart = "uploaded";
    } catch (error) {
      entry.chart = "failed";
      result.chartFailures++;
      deps.log.warn(
        "the digest chart could not be uploaded to Slack; the text digest was posted without it",
        {
          channel: digest.channel,
          error: describe(error),
        },
      );
    }
  }
  return result;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface ScheduledDigestDeps {
  config: AppConfig;
  secrets: SecretsProvider;
  /** The state store as of `nowMs` (history and open alerts), read only. */
  storeFor: (nowMs: number) => AlertStore & HistoryStore;
  publisherFor: (secrets: AppSecrets, nowMs: number) => DigestPublisher;
  renderChart?: DigestChartRenderer;
  logger: Logger;
  /** Custom metrics (none: the `digest summary` log line has the channels posted and the failures). */
  metrics: Metrics;
}

/**
 * The digest Lambda's run: secrets → the day → Slack, with one `digest summary` log line (channels
 * posted, `postFailures`, `chartFailures`). A chart that fails is a warning; a digest no channel
 * received is an error (the function fails, so the failure queue and its alarm see it).
 */
export function createScheduledDigest(deps: ScheduledDigestDeps) {
  const { config, logger, metrics } = deps;
  const log = fromPowertools(logger);
  return async (_event: unknown): Promise<DigestResult> => {
    const nowMs = Date.now();
    try {
      const secrets = await deps.secrets.get();
      const result = await postDigest(
        config,
        {
          store: deps.storeFor(nowMs),
          publisher: deps.publisherFor(secrets, nowMs),
          ...(deps.renderChart ? { renderChart: deps.renderChart } : {}),
          log,
        },
        nowMs,
      );
      logger.info("digest summary", { digest: result });
      if (result.channels.length > 0 && result.channels.every((c) => !c.posted))
        throw new Error(`the digest for ${result.date} could not be posted to any channel`);
      return result;
    } catch (error) {
      logger.error("digest failed", { error: describe(error) });
      throw error;
    } finally {
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    }
  };
}
