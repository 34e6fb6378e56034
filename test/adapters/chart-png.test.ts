/** The rasterizer: resvg-wasm and the bundled Inter font turn the chart into a real PNG. */
import { describe, expect, it } from "vitest";
import { pngSize, renderPng } from "../../functions/adapters/chart/png.js";
import { digestChartSvg } from "../../functions/adapters/chart/svg.js";

const series = {
  rules: ["Long break", "Stuck in BUSY"],
  minutes: [
    Array.from({ length: 24 }, (_, h) => (h >= 9 && h <= 17 ? h : 0)),
    Array.from({ length: 24 }, (_, h) => (h === 11 ? 20 : 0)),
  ],
};

describe("renderPng", () => {
  it("renders the chart as a 1200×600 PNG with text and bars in it", async () => {
    // Prepare
    const svg = digestChartSvg({ date: "2025-06-10", timezone: "Asia/Kolkata", series });
    // Act
    const png = await renderPng(svg);
    const again = await renderPng(svg);
    // Assess
    expect(pngSize(png)).toEqual({ width: 1200, height: 600 });
    // A blank canvas compresses to ~5 KB; text and bars make it several times that.
    expect(png.length).toBeGreaterThan(20_000);
    expect(Buffer.from(again).equals(Buffer.from(png))).toBe(true);
  }, 30_000);

  it("renders the quiet day too", async () => {
    // Act
    const png = await renderPng(
      digestChartSvg({ date: "2025-06-10", timezone: "UTC", series: { rules: [], minutes: [] } }),
    );
    // Assess
    expect(pngSize(png)).toEqual({ width: 1200, height: 600 });
  }, 30_000);

  it("pngSize refuses bytes that are not a PNG", () => {
    expect(() => pngSize(new TextEncoder().encode("<svg/> not a png at all"))).toThrow("not a PNG");
  });
});
