/**
 * A run's reads, by mode: the rotation (all of it for a one-off run, the tick's share on the tick),
 * the re-read of open alerts by e-mail, and a due re-check's agents. Every page goes to one
 * `onPage`, which decides each agent once however many reads bring it.
 */
import { type AlertRecord, isActive } from "../domain/alert.js";
import type { AppConfig } from "../domain/config.js";
import { type Cursor, rereadOpenAlerts, startOffset, tickPages } from "../domain/coverage.js";
import type { QueryWindow } from "../domain/time.js";
import {
  type AgentPage,
  type AgentStatusSource,
  type FetchReport,
  type ReadReport,
  readReport,
} from "../ports.js";

/**
 * A tick's rotation waits at most this long for room in the shared rate window. The window frees the
 * slots of the tick a minute before at the pace that tick used them, so a tick that follows them reads
 * its share in a few seconds; when the window is spent (a center that needs more requests than
 * `requestsPerMinute` allows), the tick stops and its share is owed to the next one, rather than
 * sleeping out its minute, which Lambda bills.
 */
export const TICK_ROTATION_MAX_WAIT_MS = 2_000;

/** Requests a minute the rotation leaves for due re-checks. */
const DUE_HEADROOM = 4;

export interface ReadRequest {
  mode: "once" | "tick" | "due";
  cursor: Cursor | undefined;
  /** The open and nudged records (their e-mails are re-read), asked for only by the reads that use them. */
  active: () => AlertRecord[];
  nowMs: number;
  /** User ids decided so far (the open-alert re-read skips agents the rotation already brought). */
  seen: ReadonlySet<string>;
  deadline: { deadlineMs?: number };
  dueEmails: string[];
  /** On the tick: called once the open alerts are read, before the rotation starts. */
  afterOpenAlerts?: () => void;
}

export interface ReadResult {
  /** Everything read, rotation and e-mail reads together. */
  fetch: FetchReport;
  /** The rotation alone (an empty report when this run read none of it). */
  rotation: FetchReport;
  /** Agents asked for by e-mail because they had an open alert. */
  openEmails: string[];
  reread: ReadReport | undefined;
  /** On the tick: rotation pages this tick owed (what it could not read carries over). */
  owed: number;
}

export async function readAgents(
  config: AppConfig,
  source: AgentStatusSource,
  window: QueryWindow,
  onPage: (page: AgentPage) => void,
  request: ReadRequest,
): Promise<ReadResult> {
  const { mode, cursor, deadline } = request;
  // Pages read by e-mail say so (the board counts the rotation's pages, as last read).
  const byEmail = (page: AgentPage) => onPage({ ...page, byEmail: true });
  const startAt = startOffset(cursor, config.smartassist.pageSize);
  if (mode === "due") {
    const reread = await source.fetchAgents(window, request.dueEmails, byEmail, deadline);
    const rotation = emptyRotation(startAt, cursor);
    return { fetch: combine(rotation, reread), rotation, openEmails: [], reread, owed: 0 };
  }
  if (mode === "tick") {
    // Every open alert is looked at every minute, so its resolve is never a minute late. When the
    // tick's share of the rotation takes more than one round of requests, the open alerts are read
    // first and what they owe Slack goes out while the rotation is read (`afterOpenAlerts`); the
    // rotation then skips the agents the re-read brought. A share of one round is read first instead,
    // and the re-read asks only for the open alerts it did not bring (a small center's pages often
    // hold them all: no request of their own).
    const share = tickPages(cursor, request.nowMs, config.schedule.everySeconds);
    const active = request.active();
    const open = openAlertEmails(active);
    const rereadFirst = share.pages === undefined || share.pages > config.smartassist.concurrency;
    const rereadUnseen = async () => {
      // Before any page, every open alert is unseen (the list is walked once per tick, not twice).
      const emails =
        request.seen.size === 0 ? open : openAlertEmails(active.filter((r) => !request.seen.has(r.userId)));
      const report =
        emails.length > 0 ? await source.fetchAgents(window, emails, byEmail, deadline) : undefined;
      return { emails, report };
    };
    const first = rereadFirst ? await rereadUnseen() : undefined;
    if (first) request.afterOpenAlerts?.();
    // The rotation leaves room in the shared window for what comes first: the open alerts' re-read
    // and a few due re-checks (each one request per 50 agents).
    const headroom = Math.ceil(open.length / 50) + DUE_HEADROOM;
    const rotation =
      share.pages === 0
        ? emptyRotation(startAt, cursor)
        : await source.fetchAll(window, onPage, {
            ...deadline,
            startOffset: startAt,
            knownPages: cursor?.rosterPages ?? null,
            headroom,
            maxWaitMs: TICK_ROTATION_MAX_WAIT_MS,
            ...(share.pages === undefined ? {} : { maxPages: share.pages }),
          });
    const owed = share.pages === undefined ? rotation.pages : share.credit;
    const { emails: openEmails, report: reread } = first ?? (await rereadUnseen());
    return { fetch: reread ? combine(rotation, reread) : rotation, rotation, openEmails, reread, owed };
  }
  // While the roster does not fit one run, agents with an open alert are read first, by e-mail, so a
  // resolve or an escalation never waits for the rotation to come round to them.
  const openEmails = rereadOpenAlerts(cursor) ? openAlertEmails(request.active()) : [];
  const reread =
    openEmails.length > 0 ? await source.fetchAgents(window, openEmails, byEmail, deadline) : undefined;
  const rotation = await source.fetchAll(window, onPage, {
    ...deadline,
    startOffset: startAt,
    knownPages: cursor?.rosterPages ?? null,
  });
  return { fetch: reread ? combine(rotation, reread) : rotation, rotation, openEmails, reread, owed: 0 };
}

/** A rotation this run did not read: the cursor stays where it is. */
function emptyRotation(startAt: number, cursor: Cursor | undefined): FetchReport {
  const report: FetchReport = { ...readReport(), startOffset: startAt, nextOffset: startAt };
  if (cursor?.rosterPages != null) report.rosterPages = cursor.rosterPages;
  return report;
}

/**
 * The distinct e-mails of open alerts (one agent may have several rules' alerts open), and of nudged
 * agents: their alert is due at the threshold and must not wait for the rotation either.
 */
export function openAlertEmails(records: AlertRecord[]): string[] {
  const emails = new Map<string, string>();
  for (const r of records) {
    const key = r.email.toLowerCase();
    if (isActive(r) && key !== "" && !emails.has(key)) emails.set(key, r.email);
  }
  return [...emails.values()];
}

/** The rotation's report with the re-read's requests, pages and failures added in. */
function combine(rotation: FetchReport, reread: ReadReport): FetchReport {
  return {
    ...rotation,
    pages: rotation.pages + reread.pages,
    requests: rotation.requests + reread.requests,
    failedPages: [...reread.failedPages, ...rotation.failedPages],
    rateLimited: rotation.rateLimited + reread.rateLimited,
    retries: rotation.retries + reread.retries,
    truncated: rotation.truncated || reread.truncated,
    latencyMs: {
      count: rotation.latencyMs.count + reread.latencyMs.count,
      total: rotation.latencyMs.total + reread.latencyMs.total,
      max: Math.max(rotation.latencyMs.max, reread.latencyMs.max),
    },
  };
}
