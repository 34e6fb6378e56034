/**
 * The Agent Status Details API in memory, as the simulator renders it (timeline.ts): each request is
 * answered as of the clock's instant, for the window it asks for, in pages of `pageSize`; by e-mail,
 * a page's worth per request. What live runs of a simulated day read, without a server.
 */
import type { QueryWindow } from "../../../functions/domain/time.js";
import {
  type AgentPage,
  type AgentStatusSource,
  type FetchOptions,
  type FetchReport,
  type ReadReport,
  readReport,
} from "../../../functions/ports.js";
import { renderRow, type SimAgent, utcWindow } from "./timeline.js";

export class LiveSource implements AgentStatusSource {
  requests = 0;

  constructor(
    private readonly agents: SimAgent[],
    private readonly clock: () => number,
    private readonly pageSize = 10,
  ) {}

  #page(list: SimAgent[], window: QueryWindow, offset: number): AgentPage {
    const w = utcWindow(window.startDate, window.endDate, window.timeZoneOffSet);
    return {
      offset,
      rows: list.map((a) => renderRow(a, w, this.clock())),
      timeZoneOffSet: window.timeZoneOffSet,
    };
  }

  async fetchAll(
    window: QueryWindow,
    onPage: (p: AgentPage) => void,
    o: FetchOptions = {},
  ): Promise<FetchReport> {
    const size = this.pageSize;
    const pages = Math.ceil(this.agents.length / size);
    const start = Math.floor((o.startOffset ?? 0) / size) % pages;
    const count = Math.min(pages, o.maxPages ?? pages);
    for (let i = 0; i < count; i++) {
      const page = (start + i) % pages;
      this.requests++;
      onPage(this.#page(this.agents.slice(page * size, page * size + size), window, page * size));
    }
    return {
      ...readReport(count),
      startOffset: start * size,
      nextOffset: count === pages ? 0 : ((start + count) % pages) * size,
      rosterPages: pages,
    };
  }

  async fetchAgents(
    window: QueryWindow,
    emails: string[],
    onPage: (p: AgentPage) => void,
  ): Promise<ReadReport> {
    let n = 0;
    for (let i = 0; i < emails.length; i += this.pageSize) {
      n++;
      this.requests++;
      const want = new Set(emails.slice(i, i + this.pageSize).map((e) => e.toLowerCase()));
      onPage(
        this.#page(
          this.agents.filter((a) => want.has(a.email.toLowerCase())),
          window,
          0,
        ),
      );
    }
    return readReport(n);
  }
}
