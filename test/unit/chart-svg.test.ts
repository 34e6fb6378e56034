/** The chart's SVG as structure (not pixels): title, axes, legend, one stacked bar per busy hour. */
import { describe, expect, it } from "vitest";
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  digestChartSvg,
  RULE_COLOURS,
  textWidth,
} from "../../functions/adapters/chart/svg.js";

const hours = (values: Record<number, number>) => Array.from({ length: 24 }, (_, h) => values[h] ?? 0);

/** The text content of every <text> element, in document order. */
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
const bars = (svg: string) =>
  [
    ...svg.matchAll(
      /<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="(#[0-9A-F]{6})"><title>([^<]*)<\/title>/g,
    ),
  ].map((m) => [m[1], m[2]]);

describe("digestChartSvg", () => {
  it("draws title, subtitle, legend, both axes and their labels, and a stacked bar per hour", () => {
    // Prepare
    const series = {
      rules: ["Long break", "Stuck in BUSY"],
      minutes: [hours({ 9: 12, 10: 30 }), hours({ 10: 15, 14: 7 })],
    };
    // Act
    const svg = digestChartSvg({
      date: "2025-06-10",
      timezone: "Asia/Kolkata",
      series,
      subtitle: "3 alerts · 64 min past threshold",
    });
    // Assess
    expect(
      svg.startsWith(
        `<svg xmlns="http://www.w3.org/2000/svg" width="${CHART_WIDTH}" height="${CHART_HEIGHT}"`,
      ),
    ).toBe(true);
    const words = texts(svg);
    expect(words.slice(0, 4)).toEqual([
      "Minutes past threshold by hour — 2025-06-10",
      "Asia/Kolkata · 3 alerts · 64 min past threshold",
      "Long break",
      "Stuck in BUSY",
    ]);
    expect(words).toContain("Minutes past threshold");
    expect(words).toContain("Local hour (Asia/Kolkata)");
    const xAxis = /<g class="x-axis">(.*?)<\/g>/.exec(svg)?.[1] ?? "";
    expect(texts(xAxis)).toEqual(Array.from({ length: 24 }, (_, h) => String(h).padStart(2, "0")));
    // Stacks bottom-up in rule order, each rule in its own palette colour; totals above the bars.
    expect(bars(svg)).toEqual([
      [RULE_COLOURS[0], "09:00 Long break: 12 min"],
      [RULE_COLOURS[0], "10:00 Long break: 30 min"],
      [RULE_COLOURS[1], "10:00 Stuck in BUSY: 15 min"],
      [RULE_COLOURS[1], "14:00 Stuck in BUSY: 7 min"],
    ]);
    expect(svg).toMatch(/<g class="totals">(<text[^>]*>(12|45|7)<\/text>){3}<\/g>/);
    // The y axis reaches past the tallest stack (45) at a round step.
    expect(words).toContain("50");
    expect(svg).not.toContain("quiet day");
  });

  it("says so on a day without minutes past threshold, and draws no bars", () => {
    // Act
    const svg = digestChartSvg({ date: "2025-06-10", timezone: "UTC", series: { rules: [], minutes: [] } });
    // Assess
    expect(texts(svg)).toContain("No minutes past threshold — a quiet day");
    expect(svg).not.toContain('class="bars"');
    expect(svg).not.toContain('class="legend"');
  });

  it("escapes rule names and folds rules past the palette into Other rules", () => {
    // Prepare
    const rules = Array.from({ length: 9 }, (_, i) => (i === 0 ? "Break <& lunch>" : `Rule ${i}`));
    const series = { rules, minutes: rules.map(() => hours({ 12: 1 })) };
    // Act
    const svg = digestChartSvg({ date: "2025-06-10", timezone: "UTC", series });
    // Assess
    expect(svg).toContain("Break &#60;&#38; lunch&#62;");
    expect(svg).not.toMatch(/>[^<]*&(?!#)/);
    expect(texts(svg)).toContain("Other rules");
    expect(texts(svg)).not.toContain("Rule 7");
    expect(bars(svg)).toHaveLength(8);
    expect(bars(svg).at(-1)).toEqual(["#8C8C8C", "12:00 Other rules: 2 min"]);
  });

  it("side by side, two configs' values over neighbouring bars keep a clear gap (48 and 48 are not 4848)", () => {
    // Prepare: two-digit values in every hour, both series.
    const busy = hours(Object.fromEntries(Array.from({ length: 24 }, (_, h) => [h, 40 + h])));
    const series = { rules: ["a.yaml", "b.yaml"], minutes: [busy, busy] };
    // Act
    const svg = digestChartSvg({ date: "2026-12-01", timezone: "UTC", series, grouped: true });
    // Assess: each value label's extent (centre ± half its width) clear of the next one's by 2 px.
    const labels = [
      ...svg.matchAll(
        /<text x="([\d.]+)" y="[\d.]+" font-size="(\d+)" font-weight="600"[^>]*>(\d+)<\/text>/g,
      ),
    ]
      .map((m) => {
        const half = textWidth(m[3] ?? "", Number(m[2])) / 2;
        return { left: Number(m[1]) - half, right: Number(m[1]) + half };
      })
      .sort((a, b) => a.left - b.left);
    expect(labels).toHaveLength(48);
    for (let i = 1; i < labels.length; i++)
      expect((labels[i]?.left ?? 0) - (labels[i - 1]?.right ?? 0)).toBeGreaterThanOrEqual(2);
  });
});
