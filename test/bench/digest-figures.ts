/**
 * The digest's figures, reproducibly: `npx tsx test/bench/digest-figures.ts` (about a minute).
 * - chart render time in a fresh node: cold (wasm compile + fonts + first render) and warm (median of 10);
 * - bundle sizes of the check and digest functions as `cdk synth` builds them, and the files beside;
 * - cold init of each bundle: import time in a fresh node, median of 10, as deployed;
 * - the alternative of inlining the wasm and fonts with esbuild's binary loader: its size and import time.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { rendererFilePath } from "../../functions/adapters/chart/png.js";
import { digestChartSvg } from "../../functions/adapters/chart/svg.js";
import {
  BUNDLE_TEST_CONFIG,
  copyBundleOutsideRepo,
  lambdaEnvironment,
  probeImport,
  synthesizeLambdaBundle,
} from "./lambda-bundle.js";

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const kb = (bytes: number) => `${Math.round(bytes / 1024)} KB`;
const work = mkdtempSync(join(tmpdir(), "asa-digest-figures-"));

// 1. Render time, in a fresh node per sample (cold), and ten renders after it (warm).
const hours = (f: (h: number) => number) =>
  Array.from({ length: 24 }, (_, h) => (h >= 9 && h <= 18 ? f(h) : 0));
const svg = digestChartSvg({
  date: "2025-06-10",
  timezone: "Asia/Kolkata",
  subtitle: "36 alerts · 1180 min past threshold",
  series: {
    rules: ["Long break", "Lunch overrun", "Stuck in BUSY", "Away too long"],
    minutes: [hours((h) => 60 - h), hours((h) => (h % 3) * 7), hours((h) => 40 + h), hours((h) => h * 2)],
  },
});
writeFileSync(join(work, "chart.svg"), svg);
const renderScript = `
import { readFileSync } from "node:fs";
const { initWasm, Resvg } = await import(${JSON.stringify(join(process.cwd(), "node_modules/@resvg/resvg-wasm/index.mjs"))});
const svg = readFileSync("chart.svg", "utf8");
const t0 = performance.now();
await initWasm(readFileSync(${JSON.stringify(rendererFilePath("wasm"))}));
const fontBuffers = [readFileSync(${JSON.stringify(rendererFilePath("regular"))}), readFileSync(${JSON.stringify(rendererFilePath("semibold"))})];
const render = () => { const r = new Resvg(svg, { font: { fontBuffers, defaultFontFamily: "Inter" }, textRendering: 1 }); const i = r.render(); const png = i.asPng(); i.free(); r.free(); return png; };
const t1 = performance.now(); render(); const t2 = performance.now();
const warm = []; for (let i = 0; i < 10; i++) { const s = performance.now(); render(); warm.push(performance.now() - s); }
process.stdout.write(JSON.stringify({ init: t1 - t0, first: t2 - t1, warm }) + "\\n");
`;
const colds: Array<{ init: number; first: number; warm: number[] }> = [];
for (let i = 0; i < 5; i++) {
  const out = spawnSync(process.execPath, ["--input-type=module", "-e", renderScript], {
    cwd: work,
    encoding: "utf8",
  });
  colds.push(JSON.parse(out.stdout.trim()) as { init: number; first: number; warm: number[] });
}

// 2 and 3. The bundles as `cdk synth` builds them, each imported in fresh processes.
const bundle = synthesizeLambdaBundle(BUNDLE_TEST_CONFIG);
if (!bundle.digest) throw new Error("no digest bundle");
const sizes = (dir: string) =>
  Object.fromEntries(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).size] as const));
const initOf = (b: typeof bundle) => {
  const dir = copyBundleOutsideRepo(b);
  const env = lambdaEnvironment(b);
  const empty = median(
    Array.from({ length: 10 }, () => probeImport(dir, null, b.handlerName, env).processMs),
  );
  const full = median(
    Array.from({ length: 10 }, () => probeImport(dir, b.entryFile, b.handlerName, env).processMs),
  );
  const importMs = median(
    Array.from({ length: 10 }, () => probeImport(dir, b.entryFile, b.handlerName, env).importMs),
  );
  rmSync(dir, { recursive: true, force: true });
  return { aboveEmptyNodeMs: Math.round(full - empty), importMs: Math.round(importMs) };
};
const checkSizes = sizes(bundle.assetDir);
const digestSizes = sizes(bundle.digest.assetDir);

// 4. Inlining instead: the three files through esbuild's binary loader, minified ESM.
const inline = join(work, "inline.ts");
writeFileSync(
  inline,
  `import w from ${JSON.stringify(rendererFilePath("wasm"))}; import r from ${JSON.stringify(rendererFilePath("regular"))}; import s from ${JSON.stringify(rendererFilePath("semibold"))}; export const files = [w, r, s];`,
);
await build({
  entryPoints: [inline],
  bundle: true,
  minify: true,
  format: "esm",
  platform: "node",
  target: "node22",
  outfile: join(work, "inline.mjs"),
  loader: { ".wasm": "binary", ".ttf": "binary" },
  logLevel: "silent",
});
const inlineImport = median(
  Array.from({ length: 10 }, () => probeImport(work, "inline.mjs", "files", {}).importMs),
);
const filesRead = median(
  Array.from({ length: 10 }, () => {
    const s = performance.now();
    for (const f of ["wasm", "regular", "semibold"] as const) readFileSync(rendererFilePath(f));
    return performance.now() - s;
  }),
);

const figures = {
  render: {
    coldInitMs: Math.round(median(colds.map((c) => c.init))),
    coldFirstRenderMs: Math.round(median(colds.map((c) => c.first))),
    warmRenderMs: Math.round(median(colds.flatMap((c) => c.warm))),
  },
  check: {
    indexMjs: kb(checkSizes["index.mjs"] ?? 0),
    gzip: kb(gzipSync(readFileSync(join(bundle.assetDir, "index.mjs"))).length),
    files: Object.keys(checkSizes),
    init: initOf(bundle),
  },
  digest: {
    indexMjs: kb(digestSizes["index.mjs"] ?? 0),
    gzip: kb(gzipSync(readFileSync(join(bundle.digest.assetDir, "index.mjs"))).length),
    beside: Object.fromEntries(
      Object.entries(digestSizes)
        .filter(([f]) => !f.startsWith("index"))
        .map(([f, b]) => [f, kb(b)]),
    ),
    init: initOf(bundle.digest),
  },
  inlineAlternative: {
    extraJs: kb(statSync(join(work, "inline.mjs")).size),
    importMs: Math.round(inlineImport),
    readingTheFilesMs: Math.round(filesRead * 10) / 10,
  },
};
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
rmSync(work, { recursive: true, force: true });
rmSync(bundle.outdir, { recursive: true, force: true });
