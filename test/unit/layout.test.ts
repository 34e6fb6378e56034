/**
 * The layout keeps the design: the domain is pure (it imports only itself, zod, and the ports' types),
 * and a use case (functions/app) imports no adapter, entry point or CLI — adapters come in through
 * the ports. Read from the source's import lines, so a file added later is held to it too.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../../functions");

/** Each `import … from "x"` / `export … from "x"` of the layer's files, as `file: x`, with whether it is type-only. */
function importsOf(layer: string): Array<{ file: string; from: string; typeOnly: boolean }> {
  const dir = join(ROOT, layer);
  return readdirSync(dir)
    .filter((f) => f.endsWith(".ts"))
    .flatMap((file) => {
      const text = readFileSync(join(dir, file), "utf8");
      return [...text.matchAll(/^(import|export)(\s+type)?\s[^;]*?from\s+"([^"]+)";/gms)].map((m) => ({
        file,
        from: m[3] as string,
        typeOnly: m[2] !== undefined,
      }));
    });
}

describe("the layout", () => {
  it("keeps the domain pure: itself, zod, and the ports' types", () => {
    const imports = importsOf("domain");
    expect(imports.length).toBeGreaterThan(50);
    const outside = imports.filter(
      (i) => !i.from.startsWith("./") && i.from !== "zod" && !(i.from === "../ports.js" && i.typeOnly),
    );
    expect(outside).toEqual([]);
  });

  it("lets no use case import an adapter, an entry point or the CLI", () => {
    const imports = importsOf("app");
    expect(imports.length).toBeGreaterThan(30);
    const climbing = imports.filter((i) => /^\.\.\/(adapters|lambda|cli)\//.test(i.from));
    expect(climbing).toEqual([]);
  });
});
