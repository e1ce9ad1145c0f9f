/**
 * Every directory under packages/ follows the packaging rules (src/rules.ts, docs/packaging.md): a package
 * added without them fails here with messages that say what to add. Each rule is also shown to fail: a
 * conforming package is written to a temporary workspace, then broken one rule at a time.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { formatProblem, platformTarget, problemsOf, publicSpecifiers, type RuleId, readWorkspace, ruleIds, rules, workspaceTarget } from "../src/index.ts";

const ws = readWorkspace();

describe("the packages of this repository", () => {
  test("are all checked: the known ones and any new directory", () => {
    expect(ws.packages.map((p) => p.dir)).toEqual(expect.arrayContaining(["tensor", "autodiff", "layers", "deep-taylor", "model-io", "viz", "cli", "bench", "packaging"]));
  });

  test.each(ws.packages.map((p) => p.dir))("packages/%s follows the packaging rules", (dir) => {
    const d = ws.packages.find((p) => p.dir === dir)!;
    expect(problemsOf(d, ws).map(formatProblem)).toEqual([]);
  });
});

test("docs/packaging.md lists every rule with its summary", () => {
  const doc = readFileSync(join(ws.root, "docs", "packaging.md"), "utf8");
  for (const id of ruleIds) expect(doc, id).toContain(`| \`${id}\` | ${rules[id].appliesTo} | ${rules[id].summary} |`);
});

/** A conforming published package "good" (imports fp-ts, fast-check in /testing, a bin) in a workspace of its own. */
interface Files {
  [path: string]: string | object;
}
const conforming = (): Files => ({
  "tsconfig.json": { files: [], references: [{ path: "packages/good" }, { path: "packages/tensor" }] },
  "tsconfig.build.json": { files: [], references: [{ path: "packages/good/tsconfig.build.json" }, { path: "packages/tensor/tsconfig.build.json" }] },
  "packages/tensor/package.json": { name: "@dtd/tensor", version: "0.1.0", type: "module", description: "a dependency" },
  "packages/tensor/README.md": "# @dtd/tensor\n",
  "packages/tensor/tsconfig.build.json": { extends: "../../tsconfig.build.base.json", references: [] },
  "packages/tensor/tsconfig.json": { extends: "../../tsconfig.base.json", include: ["test"], references: [{ path: "./tsconfig.build.json" }] },
  "packages/good/package.json": {
    name: "@dtd/good",
    version: "0.1.0",
    type: "module",
    description: "a package that follows every rule",
    engines: { node: ">=20" },
    exports: { ".": workspaceTarget("index"), "./testing": workspaceTarget("testing/index") },
    bin: { good: "./dist/bin.js" },
    files: ["dist", "!dist/*.tsbuildinfo"],
    publishConfig: {
      access: "public",
      exports: {
        ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
        "./testing": { types: "./dist/testing/index.d.ts", default: "./dist/testing/index.js" },
      },
      types: "./dist/index.d.ts",
    },
    dependencies: { "@dtd/tensor": "workspace:^", "fp-ts": "2.16.11" },
    peerDependencies: { "fast-check": "^4.0.0" },
    peerDependenciesMeta: { "fast-check": { optional: true } },
    devDependencies: { "fast-check": "4.11.0" },
  },
  "packages/good/README.md": "# @dtd/good\n\n## Install\n\n```sh\nnpm install @dtd/good\n```\n\n```js\nconsole.log(1);\n```\n\n```text\n1\n```\n",
  "packages/good/tsconfig.build.json": { extends: "../../tsconfig.build.base.json", references: [{ path: "../tensor/tsconfig.build.json" }] },
  "packages/good/tsconfig.json": { extends: "../../tsconfig.base.json", include: ["test"], references: [{ path: "./tsconfig.build.json" }, { path: "../tensor/tsconfig.build.json" }] },
  "packages/good/src/index.ts": 'import * as E from "fp-ts/lib/Either.js";\nimport * as T from "@dtd/tensor";\nimport { readFileSync } from "node:fs";\nexport { E, T, readFileSync };\n',
  "packages/good/src/bin.ts": '#!/usr/bin/env node\nimport("./index.ts");\n',
  "packages/good/src/testing/index.ts": 'import fc from "fast-check";\nexport { fc };\n',
  "packages/good/src/internal/x.ts": "export const x = 1;\n",
});

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** Writes the files into a fresh temporary workspace and returns the problems of packages/good. */
const problemsIn = (files: Files): string[] => {
  const root = mkdtempSync(join(tmpdir(), "dtd-conform-"));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    writeFileSync(join(root, path), typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
  const w = readWorkspace(root);
  return problemsOf(w.packages.find((p) => p.dir === "good")!, w).map(formatProblem);
};

type Manifest = Record<string, unknown> & { dependencies: Record<string, string>; devDependencies: Record<string, string>; peerDependencies: Record<string, string> };
const withManifest = (change: (m: Manifest) => void): Files => {
  const files = conforming();
  const m = structuredClone(files["packages/good/package.json"]) as Manifest;
  change(m);
  return { ...files, "packages/good/package.json": m };
};

/** One way to break each rule, and a phrase its message must contain (keyed by rule: a rule without a case does not compile). */
const breakages: { readonly [R in RuleId]: { readonly files: Files; readonly says: string } } = {
  manifest: { files: withManifest((m) => (m["name"] = "@dtd/other")), says: '"name" must be "@dtd/good"' },
  exports: { files: withManifest((m) => (m["exports"] = { ".": "./src/index.ts" })), says: '"exports" must map "." to {"dtd-dist":"./dist/index.js","default":"./src/index.ts"}' },
  workspaceRanges: { files: withManifest((m) => (m.dependencies["@dtd/tensor"] = "workspace:*")), says: '"@dtd/tensor" must be "workspace:^"' },
  importsDeclared: { files: { ...conforming(), "packages/good/src/more.ts": 'export { PNG } from "pngjs";\n' }, says: 'src/ imports "pngjs"' },
  readme: { files: { ...conforming(), "packages/good/README.md": "# good\n" }, says: 'README.md must start with the heading "# @dtd/good"' },
  tsconfigBuild: {
    files: { ...conforming(), "packages/good/tsconfig.build.json": { extends: "../../tsconfig.build.base.json", references: [] } },
    says: '"references" must be the builds of the @dtd dependencies: [{"path":"../tensor/tsconfig.build.json"}]',
  },
  tsconfigTest: { files: (({ "packages/good/tsconfig.json": _, ...rest }) => rest)(conforming()), says: "tsconfig.json is missing: add it" },
  solution: { files: { ...conforming(), "tsconfig.json": { files: [], references: [] } }, says: 'add { "path": "packages/good" }' },
  publishedFiles: { files: withManifest((m) => delete m["files"]), says: '"files" must be ["dist","!dist/*.tsbuildinfo"]' },
  publishedExports: { files: withManifest((m) => delete m["publishConfig"]), says: "publishConfig.exports must mirror" },
  publishedDeps: {
    files: { ...conforming(), "packages/tensor/package.json": { name: "@dtd/tensor", version: "0.1.0", private: true, type: "module", description: "private" } },
    says: '"@dtd/tensor" is private',
  },
  engines: { files: withManifest((m) => delete m["engines"]), says: '"engines": { "node": ">=20" }' },
  peers: { files: withManifest((m) => delete m.peerDependencies["fast-check"]), says: 'peerDependencies must have "fast-check": "^4.0.0"' },
  bin: { files: { ...conforming(), "packages/good/src/bin.ts": 'import("./index.ts");\n' }, says: 'src/bin.ts must exist and start with "#!/usr/bin/env node"' },
  readmeInstall: { files: { ...conforming(), "packages/good/README.md": "# @dtd/good\n\nNo install section.\n" }, says: '"## Install" section' },
};

describe("each rule can fail, and says what to do", () => {
  test("the conforming package breaks none", () => {
    expect(problemsIn(conforming())).toEqual([]);
  });

  test.each(ruleIds)("%s", (id) => {
    const { files, says } = breakages[id];
    const found = problemsIn(files);
    expect(found.some((p) => p.includes(`[${id}]`) && p.includes(says)), `${rules[id].summary}\nfound:\n${found.join("\n")}`).toBe(true);
  });

  test("a library must not take fp-ts as a dependency: its users unwrap the same Either", () => {
    const found = problemsIn(
      withManifest((m) => {
        delete m["bin"];
        m.devDependencies["fp-ts"] = "2.16.11";
      }),
    );
    expect(found.some((p) => p.includes("[peers]") && p.includes('"fp-ts" must be a peer dependency, not a dependency'))).toBe(true);
  });

  test("a private package keeps to the layout rules only", () => {
    const found = problemsIn(withManifest((m) => {
      m["private"] = true;
      delete m["files"];
      delete m["publishConfig"];
      delete m["engines"];
    }));
    expect(found).toEqual([]);
  });

  test("a platform-conditional entry (Node's module under \"node\", the browser's by default) is published per condition", () => {
    const platformed = withManifest((m) => {
      m["exports"] = { ".": platformTarget("node", "index"), "./node": workspaceTarget("node"), "./index": workspaceTarget("index") };
      m["publishConfig"] = {
        access: "public",
        exports: {
          ".": { node: { types: "./dist/node.d.ts", default: "./dist/node.js" }, default: { types: "./dist/index.d.ts", default: "./dist/index.js" } },
          "./node": { types: "./dist/node.d.ts", default: "./dist/node.js" },
          "./index": { types: "./dist/index.d.ts", default: "./dist/index.js" },
        },
        types: "./dist/index.d.ts",
      };
    });
    expect(problemsIn(platformed)).toEqual([]);
    const published = (platformed["packages/good/package.json"] as { publishConfig: { exports: unknown } }).publishConfig.exports;
    expect(publicSpecifiers("@dtd/good", published, ["dist/index.js", "dist/node.js", "dist/internal/x.js"])).toEqual(["@dtd/good", "@dtd/good/index", "@dtd/good/node"]);
    const wrong = withManifest((m) => (m["exports"] = { ".": { node: workspaceTarget("node"), browser: workspaceTarget("index") } }));
    expect(problemsIn(wrong).some((p) => p.includes("[exports]") && p.includes('or { "node": <that>, "default": <that> }'))).toBe(true);
  });

  test('a wildcard entry ("./*") is refused: every public module is named; a null pattern may still hide files', () => {
    const wild = withManifest((m) => (m["exports"] = { ".": workspaceTarget("index"), "./*": workspaceTarget("*"), "./internal/*": null }));
    const found = problemsIn(wild);
    expect(found.filter((p) => p.includes("[exports]") && p.includes("makes every matching file public"))).toHaveLength(1);
    expect(found.some((p) => p.includes('"exports" entry "./internal/*"'))).toBe(false);
  });

  test("a directory without package.json is reported, not skipped", () => {
    const files = conforming();
    delete files["packages/good/package.json"];
    expect(problemsIn(files)).toEqual(['packages/good [manifest]: package.json is missing: every directory under packages/ is a package (add one with "name": "@dtd/good")']);
  });
});
