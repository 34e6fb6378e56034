/**
 * What a run does with its decisions, in one or two batches: the writes (apply-decisions.ts), then
 * Slack (deliver-slack.ts). On the tick the open alerts' batch goes first, while the rotation is still
 * read: what they owe on messages already posted (resolves, escalations, reminders) goes out then,
 * so Slack's one-a-second pace in a channel costs the tick no time of its own. New messages and
 * roll-ups wait for the last batch: a roll-up depends on how many alerts the whole run posts.
 */
import type { AlertRecord, Transition } from "../domain/alert.js";
import type { AppConfig } from "../domain/config.js";
import { sendableBeforeRotation } from "../domain/delivery.js";
import type { AlertWrite } from "../domain/lifecycle.js";
import type { LiveRecords } from "../domain/live-records.js";
import type { HistoryStore } from "../ports.js";
import { type ApplyContext, applyDecisions, type RunDecisions } from "./apply-decisions.js";
import {
  type DeliveryDeps,
  type DeliveryReport,
  deliverSlack,
  noDelivery,
  sumDeliveries,
} from "./deliver-slack.js";
import type { RunBudget } from "./run-budget.js";
import { HeldRecords, type HoldOptions } from "./run-records.js";

export interface SettlementContext {
  config: AppConfig;
  deps: DeliveryDeps & { history?: HistoryStore | undefined };
  live: LiveRecords;
  /** Transitions the run made before deciding (an Acknowledge all's owed members). */
  settled: readonly Transition[];
  hold: HoldOptions;
  runId: string;
  wallMs: () => number;
  budget?: RunBudget | undefined;
  dryRun: boolean;
  mayWrite: () => boolean;
}

export class RunSettlement {
  #decisions: RunDecisions | undefined;
  readonly #applying: ApplyContext;
  readonly #sentEarly = new Set<string>();
  #early: Promise<{ writesLeft: number; delivery: DeliveryReport }> | undefined;
  /** What the early batch sent, once `apply` has waited for it. */
  #firstDelivery: DeliveryReport | undefined;

  constructor(private readonly context: SettlementContext) {
    const { config, deps, runId, wallMs } = context;
    this.#applying = {
      config,
      store: deps.store,
      history: deps.history,
      log: deps.log,
      dryRun: context.dryRun,
      mayWrite: context.mayWrite,
      // Only a run that will send takes leases in its decisions (a run without Slack leaves none).
      ...(deps.notifier ? { lease: { runId, wallMs } } : {}),
    };
  }

  /**
   * The open alerts' batch (the tick's, once they are read): written and sent while the rest of the
   * run goes on. What it cannot send yet (new messages, roll-ups) waits for `deliver`.
   */
  startEarly(batch: AlertWrite[]): void {
    const into = this.#hold(batch);
    this.#early = (async () => {
      const writesLeft = await applyDecisions(batch, into, this.#applying);
      for (const r of into.held.forSlack())
        if (sendableBeforeRotation(r, into.reminded.has(r.id))) this.#sentEarly.add(r.id);
      return { writesLeft, delivery: await this.#deliver(into, (r) => this.#sentEarly.has(r.id)) };
    })();
    // Awaited by `apply` (or `settleEarly`); until then a failure must not go unhandled.
    this.#early.catch(() => undefined);
  }

  /** Waits for the early batch, whatever became of it (the run is failing). */
  async settleEarly(): Promise<void> {
    await this.#early?.catch(() => undefined);
  }

  /**
   * The last batch's writes, once the early batch is done. Resolves to what the run decided and the
   * writes left unmade (both batches).
   */
  async apply(batch: AlertWrite[]): Promise<RunDecisions & { writesLeft: number }> {
    const first = this.#early ? await this.#early : undefined;
    this.#firstDelivery = first?.delivery;
    const into = this.#hold(batch);
    const writesLeft = (first?.writesLeft ?? 0) + (await applyDecisions(batch, into, this.#applying));
    return { ...into, writesLeft };
  }

  /** Slack for everything not sent early; the report counts both batches. */
  async deliver(): Promise<DeliveryReport> {
    const into = this.#decisions;
    const rest = into ? await this.#deliver(into, (r) => !this.#sentEarly.has(r.id)) : noDelivery();
    return sumDeliveries(this.#firstDelivery, rest);
  }

  #hold(batch: AlertWrite[]): RunDecisions {
    const records = batch.map((w) => w.record);
    if (this.#decisions) this.#decisions.held.hold(records);
    else
      this.#decisions = {
        held: new HeldRecords(this.context.live, records, this.context.hold),
        transitions: [...this.context.settled],
        owned: new Set(),
        reminded: new Set(),
      };
    return this.#decisions;
  }

  #deliver(into: RunDecisions, pick: (r: AlertRecord) => boolean): Promise<DeliveryReport> {
    const { config, deps, runId, wallMs, budget } = this.context;
    if (this.context.dryRun) return Promise.resolve(noDelivery());
    return deliverSlack(
      config.slack.rollup,
      into.held.forSlack().filter(pick),
      into.owned,
      into.reminded,
      deps,
      { runId, wallMs, budget },
    );
  }
}
