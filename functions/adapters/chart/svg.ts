/**
 * The digest chart as SVG: minutes past threshold per local hour, stacked by rule, with a title,
 * axis labels and a legend. A pure function of its input (no I/O, no clock, no fonts read), so its
 * structure is testable as text; png.ts rasterizes it.
 *
 * Drawn for the place it is seen: a Slack preview is ~360 px wide, so the canvas is 1200×600 with
 * large type (the title stays legible at 30 %), and the rule colours are the Okabe–Ito palette,
 * which stays distinguishable with the common colour-vision deficiencies.
 */
import type { HourlySeries } from "../../domain/digest-exports.js";
import type { DigestChart } from "../../ports.js";

/** The digest's chart (the port's DigestChart), or another one drawn the same way. */
export interface ChartInput extends DigestChart {
  /** Another chart than the digest's (replay's alerts per hour): its title, axis title, unit and empty text. */
  labels?: { title: string; yAxis: string; unit: string; empty: string };
  /** Series side by side in each hour (one per config), not stacked. */
  grouped?: boolean;
}

export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 600;
/** The family name of the bundled font (png.ts hands resvg exactly this font). */
export const CHART_FONT = "Inter";

/** Okabe–Ito, darkest first; the eighth and later rules share a neutral grey as "Other rules". */
export const RULE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442"];
const OTHER_COLOUR = "#8C8C8C";
const INK = "#1A1A1A";
const MUTED = "#555555";
const GRID = "#E3E3E3";

const LEFT = 112;
const RIGHT = CHART_WIDTH - 40;
const BOTTOM = 500;

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A generous estimate of a text's width in Inter (em ≈ 0.6 for digits and most letters): layout
 * uses it to wrap the legend and to drop bar labels that would touch, so it errs wide.
 */
export function textWidth(text: string, size: number): number {
  let ems = 0;
  for (const c of text) ems += /[ il.,:;'|!]/.test(c) ? 0.3 : /[MWmw@—]/.test(c) ? 0.9 : 0.6;
  return ems * size;
}

/** A round step (1, 2 or 5 × 10ⁿ) giving at most `maxTicks` gridlines above zero. */
export function niceStep(max: number, maxTicks = 5): number {
  if (max <= 0) return 1;
  const raw = max / maxTicks;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * power >= raw) return Math.max(1, m * power);
  return Math.max(1, 10 * power);
}

const round = (n: number) => Math.round(n * 10) / 10;

interface Series {
  name: string;
  colour: string;
  minutes: number[];
}

/** At most seven named series; anything beyond is summed into "Other rules". */
function coloured(series: HourlySeries): Series[] {
  const named = series.rules.slice(0, RULE_COLOURS.length).map((name, i) => ({
    name,
    colour: RULE_COLOURS[i] as string,
    minutes: series.minutes[i] ?? [],
  }));
  const rest = series.minutes.slice(RULE_COLOURS.length);
  if (rest.length === 0) return named;
  const other = new Array<number>(24).fill(0);
  for (const row of rest) {
    row.forEach((m, h) => {
      other[h] = (other[h] ?? 0) + m;
    });
  }
  return [...named, { name: "Other rules", colour: OTHER_COLOUR, minutes: other }];
}

export function digestChartSvg(input: ChartInput): string {
  const series = coloured(input.series);
  const totals = Array.from({ length: 24 }, (_, h) =>
    series.reduce((sum, s) => sum + (s.minutes[h] ?? 0), 0),
  );
  const grouped = input.grouped === true && series.length > 1;
  const max = grouped ? Math.max(0, ...series.flatMap((s) => s.minutes)) : Math.max(0, ...totals);
  const labels = input.labels ?? {
    title: "Minutes past threshold by hour",
    yAxis: "Minutes past threshold",
    unit: "min",
    empty: "No minutes past threshold — a quiet day",
  };
  const parts: string[] = [];
  const text = (
    x: number,
    y: number,
    size: number,
    content: string,
    extra: { anchor?: "start" | "middle" | "end"; weight?: number; fill?: string; transform?: string } = {},
  ) =>
    `<text x="${round(x)}" y="${round(y)}" font-size="${size}"${extra.weight ? ` font-weight="${extra.weight}"` : ""}` +
    ` fill="${extra.fill ?? INK}"${extra.anchor && extra.anchor !== "start" ? ` text-anchor="${extra.anchor}"` : ""}` +
    `${extra.transform ? ` transform="${extra.transform}"` : ""}>${escapeXml(content)}</text>`;

  // Title and subtitle.
  parts.push(
    `<g class="title">${text(48, 58, 34, `${labels.title} — ${input.date}`, { weight: 600 })}` +
      `${text(48, 96, 22, input.subtitle ? `${input.timezone} · ${input.subtitle}` : input.timezone, { fill: MUTED })}</g>`,
  );

  // Legend: swatch and name per series, wrapped onto as many rows as it needs.
  let legendX = 48;
  let legendY = 136;
  const legend: string[] = [];
  for (const s of series) {
    const width = 20 + 10 + textWidth(s.name, 22) + 32;
    if (legendX + width > RIGHT && legendX > 48) {
      legendX = 48;
      legendY += 34;
    }
    legend.push(
      `<rect x="${round(legendX)}" y="${legendY - 18}" width="20" height="20" rx="3" fill="${s.colour}"/>` +
        text(legendX + 30, legendY, 22, s.name),
    );
    legendX += width;
  }
  if (legend.length > 0) parts.push(`<g class="legend">${legend.join("")}</g>`);
  const top = (legend.length > 0 ? legendY : 100) + 40;

  // Y axis: gridlines at round steps, labels, the axis title.
  const step = niceStep(max);
  const yMax = max === 0 ? 5 * step : Math.ceil(max / step) * step;
  const y = (value: number) => BOTTOM - (value / yMax) * (BOTTOM - top);
  const grid: string[] = [];
  for (let v = 0; v <= yMax; v += step) {
    grid.push(
      `<line x1="${LEFT}" x2="${RIGHT}" y1="${round(y(v))}" y2="${round(y(v))}" stroke="${v === 0 ? MUTED : GRID}" stroke-width="${v === 0 ? 2 : 1}"/>` +
        text(LEFT - 12, y(v) + 7, 20, String(v), { anchor: "end", fill: MUTED }),
    );
  }
  parts.push(`<g class="y-axis">${grid.join("")}</g>`);
  const midY = (top + BOTTOM) / 2;
  parts.push(
    text(34, midY, 20, labels.yAxis, {
      anchor: "middle",
      fill: MUTED,
      transform: `rotate(-90 34 ${round(midY)})`,
    }),
  );

  // X axis: one slot per local hour, labelled 00–23, and the axis title naming the zone.
  const slot = (RIGHT - LEFT) / 24;
  const hours: string[] = [];
  for (let h = 0; h < 24; h++) {
    hours.push(
      text(LEFT + slot * (h + 0.5), BOTTOM + 30, 19, String(h).padStart(2, "0"), {
        anchor: "middle",
        fill: MUTED,
      }),
    );
  }
  parts.push(`<g class="x-axis">${hours.join("")}</g>`);
  parts.push(
    text((LEFT + RIGHT) / 2, BOTTOM + 72, 20, `Local hour (${input.timezone})`, {
      anchor: "middle",
      fill: MUTED,
    }),
  );

  if (max === 0) {
    parts.push(
      `<g class="empty">${text((LEFT + RIGHT) / 2, midY + 10, 30, labels.empty, { anchor: "middle", fill: MUTED })}</g>`,
    );
  } else {
    // Bars: each hour's stack in series order, bottom up, with the hour's total on top when it fits.
    const barWidth = slot * 0.72;
    const bars: string[] = [];
    const totalLabels: string[] = [];
    // As large as the widest total allows (up to 17 px); none at all rather than labels that touch.
    const widest = Math.max(...totals.map((t) => textWidth(String(t), 1)));
    const labelSize = Math.min(17, Math.floor((slot - 4) / widest));
    const labelsFit = labelSize >= 12;
    const widestValue = Math.max(1, ...series.flatMap((s) => s.minutes.map((v) => textWidth(String(v), 1))));
    for (let h = 0; h < 24 && grouped; h++) {
      // One thin bar per series, side by side, each with its value when it fits.
      const width = barWidth / series.length;
      for (const [i, s] of series.entries()) {
        const value = s.minutes[h] ?? 0;
        if (value <= 0) continue;
        const x = LEFT + slot * h + (slot - barWidth) / 2 + i * width;
        bars.push(
          `<rect x="${round(x)}" y="${round(y(value))}" width="${round(width)}" height="${round(y(0) - y(value))}" fill="${s.colour}"><title>${escapeXml(`${String(h).padStart(2, "0")}:00 ${s.name}: ${value} ${labels.unit}`)}</title></rect>`,
        );
        // One size for every value (the widest decides), with a clear gap between two bars' values
        // (two 2-digit values a pixel apart read as one 4-digit number), or none rather than labels
        // that touch.
        const size = Math.min(15, Math.floor((width - 4) / widestValue));
        if (size >= 9)
          totalLabels.push(
            text(x + width / 2, y(value) - 6, size, String(value), { anchor: "middle", weight: 600 }),
          );
      }
    }
    for (let h = 0; h < 24 && !grouped; h++) {
      const x = LEFT + slot * h + (slot - barWidth) / 2;
      let base = 0;
      for (const s of series) {
        const value = s.minutes[h] ?? 0;
        if (value <= 0) continue;
        const y0 = y(base);
        const y1 = y(base + value);
        bars.push(
          `<rect x="${round(x)}" y="${round(y1)}" width="${round(barWidth)}" height="${round(y0 - y1)}" fill="${s.colour}"><title>${escapeXml(`${String(h).padStart(2, "0")}:00 ${s.name}: ${value} ${labels.unit}`)}</title></rect>`,
        );
        base += value;
      }
      const total = totals[h] ?? 0;
      if (total > 0 && labelsFit)
        totalLabels.push(
          text(x + barWidth / 2, y(total) - 8, labelSize, String(total), { anchor: "middle", weight: 600 }),
        );
    }
    parts.push(`<g class="bars">${bars.join("")}</g>`);
    if (totalLabels.length > 0) parts.push(`<g class="totals">${totalLabels.join("")}</g>`);
  }

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" viewBox="0 0 ${CHART_WIDTH} ${CHART_HEIGHT}" font-family="${CHART_FONT}">` +
    `<rect width="${CHART_WIDTH}" height="${CHART_HEIGHT}" fill="#FFFFFF"/>${parts.join("")}</svg>`
  );
}
