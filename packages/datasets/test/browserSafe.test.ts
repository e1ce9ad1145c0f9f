import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, test } from "vitest";

const src = fileURLToPath(new URL("../src/", import.meta.url));

/** The relative modules a source file imports (`./x.ts`), and every other specifier it imports. */
const importsOf = (file: string): { readonly local: string[]; readonly external: string[] } => {
  const text = readFileSync(src + file, "utf8");
  const specs = Array.from(text.matchAll(/^(?:import|export)\b[^;]*?from\s+"([^"]+)";/gms), (m) => m[1]!);
  return { local: specs.filter((s) => s.startsWith("./")).map((s) => s.slice(2)), external: specs.filter((s) => !s.startsWith("./")) };
};

/** Every module reachable from `entry` and what they import from outside the package. */
const graph = (entry: string): { readonly modules: Set<string>; readonly external: Set<string> } => {
  const modules = new Set<string>();
  const external = new Set<string>();
  const visit = (f: string): void => {
    if (modules.has(f)) return;
    modules.add(f);
    const { local, external: ext } = importsOf(f);
    for (const e of ext) external.add(e);
    for (const l of local) visit(l);
  };
  visit(entry);
  return { modules, external };
};

test("@dtd/datasets is browser-safe: its entry point reaches no node: module and no Node-only file", () => {
  const { modules, external } = graph("index.ts");
  expect([...external].filter((s) => s.startsWith("node:"))).toEqual([]);
  expect([...external].sort()).toEqual(["@dtd/tensor", "fp-ts/lib/Either.js"]);
  expect(modules.has("mnistFiles.ts") || modules.has("titanicFiles.ts")).toBe(false);
});

test("the check sees Node imports: @dtd/datasets/node reaches node:fs", () => {
  expect([...graph("node.ts").external]).toEqual(expect.arrayContaining(["node:fs", "node:path", "node:zlib"]));
});
