/**
 * What the board says of a channel's roster: how many agents a run read, in which status, summed
 * over the pages a tick read. State keeps them per roster page in a compact form, so that a tick
 * reading a few pages can still count the whole roster; a run's pages replace the kept ones.
 */

/** What one channel's agents read in a run showed: how many, and in which status. */
export interface ChannelCounts {
  /** Every agent read, logged-out ones included. */
  agents: number;
  /** Agents with an open segment, by primary status (upper case). */
  primary: Record<string, number>;
  /** AWAY agents by secondary status (upper case). */
  away: Record<string, number>;
  /** Agents with no open segment, or OFFLINE. */
  loggedOut: number;
}

export function emptyCounts(): ChannelCounts {
  return { agents: 0, primary: {}, away: {}, loggedOut: 0 };
}

/** Counts one agent as read, by its open segment's statuses (undefined: no open segment). */
export function countAgent(
  counts: ChannelCounts,
  open: { primary: string; secondary: string } | undefined,
): void {
  counts.agents++;
  const primary = open?.primary.trim().toUpperCase() ?? "";
  if (open === undefined || primary === "OFFLINE" || primary === "") {
    counts.loggedOut++;
    return;
  }
  counts.primary[primary] = (counts.primary[primary] ?? 0) + 1;
  if (primary === "AWAY") {
    const secondary = open.secondary.trim().toUpperCase();
    if (secondary !== "" && secondary !== "AWAY") counts.away[secondary] = (counts.away[secondary] ?? 0) + 1;
  }
}

/** Several slices' counts together (a tick's pages, the pages last read by earlier ticks). */
export function addCounts(parts: Iterable<ChannelCounts>): ChannelCounts {
  const sum = emptyCounts();
  for (const part of parts) {
    sum.agents += part.agents;
    sum.loggedOut += part.loggedOut;
    for (const [k, n] of Object.entries(part.primary)) sum.primary[k] = (sum.primary[k] ?? 0) + n;
    for (const [k, n] of Object.entries(part.away)) sum.away[k] = (sum.away[k] ?? 0) + n;
  }
  return sum;
}

/**
 * Counts per roster page, compact enough to keep every page of a large roster in one item (240 pages
 * of 50 agents: about 5 KB): `legend` names the counted statuses (`P:BUSY` a primary status, `A:LUNCH`
 * an AWAY reason); each row is `[offset, agents, loggedOut, ...count per legend entry]`.
 */
export interface KeptPages {
  legend: string[];
  rows: number[][];
}

export function decodePages(kept: KeptPages | undefined): Map<number, ChannelCounts> {
  const pages = new Map<number, ChannelCounts>();
  for (const row of kept?.rows ?? []) {
    const [offset = 0, agents = 0, loggedOut = 0, ...rest] = row;
    const counts: ChannelCounts = { agents, primary: {}, away: {}, loggedOut };
    rest.forEach((n, i) => {
      const name = kept?.legend[i];
      if (!name || n === 0) return;
      const target = name.startsWith("A:") ? counts.away : counts.primary;
      target[name.slice(2)] = n;
    });
    pages.set(offset, counts);
  }
  return pages;
}

export function encodePages(pages: ReadonlyMap<number, ChannelCounts>): KeptPages {
  const legend: string[] = [];
  const index = new Map<string, number>();
  const slot = (name: string) => {
    let at = index.get(name);
    if (at === undefined) {
      at = legend.length;
      legend.push(name);
      index.set(name, at);
    }
    return at;
  };
  const rows = [...pages.entries()]
    .sort(([a], [b]) => a - b)
    .map(([offset, counts]) => {
      const row = [offset, counts.agents, counts.loggedOut];
      const put = (name: string, n: number) => {
        const at = 3 + slot(name);
        while (row.length <= at) row.push(0);
        row[at] = n;
      };
      for (const [k, n] of Object.entries(counts.primary)) put(`P:${k}`, n);
      for (const [k, n] of Object.entries(counts.away)) put(`A:${k}`, n);
      return row;
    });
  return { legend, rows };
}

/**
 * The roster as last read, after a run read `read` (page offset → counts of its agents): the run's
 * pages replace the kept ones; a run that read the whole roster (`whole`) replaces them all; pages
 * past the roster's end are dropped.
 */
export function mergePages(
  kept: ReadonlyMap<number, ChannelCounts>,
  read: ReadonlyMap<number, ChannelCounts>,
  options: { whole: boolean; rosterEnd?: number | undefined },
): Map<number, ChannelCounts> {
  const pages = new Map(options.whole ? [] : kept);
  for (const [offset, counts] of read) pages.set(offset, counts);
  const end = options.rosterEnd;
  if (end !== undefined) for (const offset of [...pages.keys()]) if (offset >= end) pages.delete(offset);
  return pages;
}
