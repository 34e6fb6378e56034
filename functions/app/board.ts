/**
 * The board's part of a run (DESIGN.md, "The board"): what the run read, per channel, as it goes
 * (counts per roster page, not the agents themselves; the per-agent data only for agents coming up),
 * then at the end of a `tick` or `once` run each channel's board drawn when it changed or its elapsed
 * figures are one `schedule.every` old, never twice a minute; at most one Slack call per channel and
 * run (none when unchanged), a re-post only when Slack says the board is gone. The board's ts, what
 * it last drew and the snapshot (`/agent-status` answers from it) are kept in the BoardStore.
 */

import type { Agent } from "../domain/agent.js";
import type { AlertRecord, BoardEntry, DueEntry } from "../domain/alert.js";
import {
  type BoardState,
  boardCall,
  boardChannels,
  boardContentKey,
  boardModel,
  boardSnapshot,
  channelOf,
  type SeenAgent,
} from "../domain/board.js";
import {
  addCounts,
  type ChannelCounts,
  countAgent,
  decodePages,
  emptyCounts,
  encodePages,
  mergePages,
} from "../domain/board-counts.js";
import type { AppConfig } from "../domain/config.js";
import type { Coverage } from "../domain/coverage.js";
import { openSegment } from "../domain/episodes.js";
import { teamFor } from "../domain/rules.js";
import type { AgentPage, BoardPublisher, BoardStore } from "../ports.js";
import type { Log } from "./logger.js";

/** What a run collects for the boards while it reads: cheap per agent, small in memory. */
export class BoardCollector {
  readonly #config: AppConfig;
  /** channel → roster page offset → counts of that page's agents. */
  readonly #slices = new Map<string, Map<number, ChannelCounts>>();
  /** Agents whose next due instant is their first alert: userId → what the run saw, and the channel. */
  readonly #comingUp = new Map<string, { agent: SeenAgent; channel: string }>();

  constructor(config: AppConfig) {
    this.#config = config;
  }

  #channel(email: string): string | undefined {
    return channelOf(this.#config, teamFor(this.#config, email));
  }

  /** One agent of a rotation page (pages read by e-mail are not counted: the rotation's are). */
  count(page: AgentPage, agent: Agent): void {
    if (page.byEmail) return;
    const channel = this.#channel(agent.email);
    if (channel === undefined) return;
    let slices = this.#slices.get(channel);
    if (!slices) {
      slices = new Map();
      this.#slices.set(channel, slices);
    }
    let counts = slices.get(page.offset);
    if (!counts) {
      counts = emptyCounts();
      slices.set(page.offset, counts);
    }
    const open = openSegment(agent.segments);
    countAgent(counts, open && { primary: open.primaryStatus, secondary: open.secondaryStatus });
  }

  /** An agent whose first alert (kind `fire`) is its next due instant. */
  comingUp(agent: Agent): void {
    const channel = this.#channel(agent.email);
    const open = openSegment(agent.segments);
    if (channel === undefined || !open) return;
    this.#comingUp.set(agent.userId, {
      channel,
      agent: {
        userId: agent.userId,
        email: agent.email,
        name: agent.name,
        primaryStatus: open.primaryStatus,
        secondaryStatus: open.secondaryStatus,
      },
    });
  }

  pagesOf(channel: string): Map<number, ChannelCounts> {
    return this.#slices.get(channel) ?? new Map();
  }

  seen(userId: string): { agent: SeenAgent; channel: string } | undefined {
    return this.#comingUp.get(userId);
  }
}

/** How long a run's claim on posting a channel's first board holds (the post and its pin). */
const BOARD_POST_CLAIM_MS = 30_000;

export interface BoardRun {
  nowMs: number;
  /** The run, in the claim on a first post, and the real clock the claim lapses on. */
  runId: string;
  wallMs: () => number;
  mode: "once" | "tick";
  /** The live records as this run leaves them. */
  records: readonly AlertRecord[];
  due: readonly DueEntry[];
  coverage: Coverage;
  dryRun: boolean;
}

export interface BoardDeps {
  store?: BoardStore;
  publisher?: BoardPublisher;
  log: Log;
}

/** Each channel's board after this run; the summary's `boards`. */
export async function updateBoards(
  config: AppConfig,
  collector: BoardCollector,
  run: BoardRun,
  deps: BoardDeps,
): Promise<BoardEntry[]> {
  const channels = boardChannels(config);
  if (channels.length === 0) return [];
  const { nowMs } = run;
  const everyMs = config.schedule.everySeconds * 1000;
  const stored = new Map<string, BoardState>();
  try {
    for (const state of (await deps.store?.loadBoards(channels)) ?? []) stored.set(state.channel, state);
  } catch (error) {
    // Without its state a board would be posted again: better left as it is until the store answers.
    deps.log.warn("could not read the boards' state; the boards wait for the next run", {
      error: error instanceof Error ? error.message : String(error),
    });
    return channels.map((channel) => ({ channel, ts: null, stuck: 0, comingUp: 0 }));
  }
  const rosterEnd =
    run.coverage.rosterPages === null ? undefined : run.coverage.rosterPages * config.smartassist.pageSize;
  const open = run.records.filter((r) => r.state === "open");

  return Promise.all(
    channels.map(async (channel): Promise<BoardEntry> => {
      const previous = stored.get(channel);
      const pages = mergePages(decodePages(previous?.pages), collector.pagesOf(channel), {
        whole: run.mode === "once" && run.coverage.complete,
        rosterEnd,
      });
      const kept = encodePages(pages);
      const snapshot = boardSnapshot(config, {
        channel,
        nowMs,
        counts: addCounts(pages.values()),
        // By the config, not `record.channel` (which holds the channel id Slack answered with).
        open: open.filter((r) => channelOf(config, teamFor(config, r.email)) === channel),
        due: run.due.flatMap((entry) => {
          const seen = entry.kind === "fire" ? collector.seen(entry.userId) : undefined;
          return seen && seen.channel === channel ? [{ entry, agent: seen.agent }] : [];
        }),
        everyMs,
      });
      const model = boardModel(snapshot);
      const key = boardContentKey(model);
      const next: BoardState = { ...previous, channel, snapshot, pages: kept, keptKey: key };
      const call = boardCall(previous, key, nowMs, everyMs);
      let drawn = false;
      // The first post is claimed first: of two overlapping runs, one posts the board, the other waits.
      const claimed =
        call !== "post" ||
        run.dryRun ||
        !deps.store ||
        !deps.publisher ||
        (await deps.store.claimBoardPost(
          channel,
          run.runId,
          run.wallMs() + BOARD_POST_CLAIM_MS,
          run.wallMs(),
        ));
      if (!claimed)
        return { channel, ts: null, stuck: snapshot.stuckCount, comingUp: snapshot.comingUpCount };
      if (call !== "none" && deps.publisher && !run.dryRun) {
        const result = await deps.publisher.publishBoard(
          channel,
          model,
          call === "update" ? previous?.ts : undefined,
          config.slack.pinBoard,
        );
        if (result.ok) {
          Object.assign(next, { ts: result.ts, drawnKey: key, drawnMs: nowMs });
          drawn = true;
        } else
          deps.log.warn("could not draw the board; the next run tries again", {
            channel,
            error: result.error,
          });
      }
      // Kept again only when something changed, or once an interval (what `/agent-status` shows then).
      const changed =
        drawn ||
        previous?.snapshot === undefined ||
        previous.keptKey !== key ||
        nowMs - previous.snapshot.asOfMs >= everyMs ||
        JSON.stringify(previous.pages ?? null) !== JSON.stringify(kept);
      if (!run.dryRun && deps.store && changed) {
        try {
          await deps.store.saveBoard(next);
        } catch (error) {
          deps.log.warn("could not keep the board's state", {
            channel,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      return { channel, ts: next.ts ?? null, stuck: snapshot.stuckCount, comingUp: snapshot.comingUpCount };
    }),
  );
}
