/**
 * What a run's reads tell an operator: pages that could not be read, a roster that does not fit one
 * run at the configured pace (and what would make it fit), a run that needed more requests than its
 * interval allows.
 */
import type { AppConfig } from "../domain/config.js";
import type { Coverage } from "../domain/coverage.js";
import type { FetchReport } from "../ports.js";
import { intervalFor, paceFor, requestsPerRun } from "./run-budget.js";

export function fetchWarnings(
  config: AppConfig,
  fetch: FetchReport,
  rotation: { coverage: Coverage; cycle: number | null; rotationPages: number; rereadRequests: number },
): string[] {
  const warnings: string[] = [];
  if (fetch.failedPages.length > 0) {
    const offsets = fetch.failedPages.map((p) => (p.byEmail ? "by e-mail" : p.offset)).join(", ");
    warnings.push(
      `${fetch.failedPages.length} page(s) could not be read (offsets ${offsets}); their agents keep their alerts until a run sees them: ${fetch.failedPages[0]?.error}`,
    );
  }
  const { everySeconds } = config.schedule;
  const { requestsPerMinute } = config.smartassist;
  const { coverage, cycle } = rotation;
  if (fetch.truncated) {
    const cycleText =
      cycle === null
        ? "the roster's end has not been reached yet, so a full cycle takes more than one run"
        : `a full cycle takes ${cycle} runs (every agent is read at least once every ${cycle} × ${everySeconds / 60} minutes)`;
    // What one run would need: the roster, the re-read, and the pages asked for ahead of the end.
    const needed =
      coverage.rosterPages === null
        ? undefined
        : coverage.rosterPages + rotation.rereadRequests + config.smartassist.concurrency - 1;
    const advice =
      needed === undefined
        ? "raise schedule.every, or smartassist.requestsPerMinute if Kore.ai raised your account's limit"
        : `to read it in one run, set schedule.every to at least ${intervalFor(needed, requestsPerMinute) / 60}m, or smartassist.requestsPerMinute to at least ${paceFor(needed, everySeconds)} if Kore.ai raised your account's limit`;
    warnings.push(
      `the roster does not fit in one ${everySeconds / 60}-minute run at ${requestsPerMinute} requests/min: this run read ${rotation.rotationPages} page(s) from offset ${coverage.startOffset} and stopped at offset ${coverage.nextOffset}, where the next run starts; ${cycleText}; agents with an open alert are re-read by e-mail in every run; ${advice}`,
    );
  } else if (fetch.requests > requestsPerRun(requestsPerMinute, everySeconds)) {
    warnings.push(
      `this run needed ${fetch.requests} requests, more than the ${requestsPerRun(requestsPerMinute, everySeconds)} that ${requestsPerMinute} requests/min allow in one ${everySeconds / 60}-minute interval: runs will lag behind the schedule`,
    );
  }
  return warnings;
}
