/**
 * SVG → PNG with @resvg/resvg-wasm (WebAssembly: no native addon, so a bundle built on x86-64 runs on
 * arm64) and the bundled Inter font (SIL Open Font License). The wasm module is compiled once per
 * process and the fonts read once; every later render reuses them.
 *
 * Where the files are: beside this module's bundle when deployed (the digest function's asset carries
 * `resvg.wasm` and the two .ttf files, copied there at bundling), else in node_modules (CLI, tests).
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import type { DigestChartRenderer } from "../../ports.js";
import { CHART_FONT, digestChartSvg } from "./svg.js";

/** The asset files, by the name they carry beside the bundle and where npm installs them. */
export const RENDERER_FILES = {
  wasm: { asset: "resvg.wasm", module: "@resvg/resvg-wasm/index_bg.wasm" },
  regular: { asset: "Inter-Regular.ttf", module: "@expo-google-fonts/inter/400Regular/Inter_400Regular.ttf" },
  semibold: {
    asset: "Inter-SemiBold.ttf",
    module: "@expo-google-fonts/inter/600SemiBold/Inter_600SemiBold.ttf",
  },
} as const;

export type RendererFile = keyof typeof RENDERER_FILES;

/** The path of one renderer file: beside the running bundle if it is there, else in node_modules. */
export function rendererFilePath(file: RendererFile): string {
  const { asset, module } = RENDERER_FILES[file];
  const beside = fileURLToPath(new URL(`./${asset}`, import.meta.url));
  if (existsSync(beside)) return beside;
  return createRequire(import.meta.url).resolve(module);
}

let ready: Promise<Uint8Array[]> | undefined;

/** Compiles the wasm and reads the fonts, once per process; a failure is retried by the next call. */
function initialise(): Promise<Uint8Array[]> {
  ready ??= (async () => {
    await initWasm(readFileSync(rendererFilePath("wasm")));
    return [readFileSync(rendererFilePath("regular")), readFileSync(rendererFilePath("semibold"))];
  })().catch((error: unknown) => {
    ready = undefined;
    throw error;
  });
  return ready;
}

/** The digest chart port (ports.ts): the SVG drawn, then rasterized. */
export const renderDigestChart: DigestChartRenderer = (chart) => renderPng(digestChartSvg(chart));

/** Rasterizes an SVG at its own size into PNG bytes. */
export async function renderPng(svg: string): Promise<Uint8Array> {
  const fontBuffers = await initialise();
  const resvg = new Resvg(svg, {
    font: { fontBuffers, defaultFontFamily: CHART_FONT, sansSerifFamily: CHART_FONT },
    // Crisp text at a thumbnail's scale matters more than exact glyph outlines.
    textRendering: 1,
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}

/** Width and height from a PNG's IHDR chunk; throws if the bytes are not a PNG. */
export function pngSize(png: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (png.length < 24 || signature.some((b, i) => png[i] !== b)) throw new Error("not a PNG");
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  if (String.fromCharCode(...png.subarray(12, 16)) !== "IHDR") throw new Error("PNG without IHDR first");
  return { width: view.getUint32(16), height: view.getUint32(20) };
}
