/**
 * Pack and install, as a user would: every published package is packed (`pnpm pack`: publishConfig applied,
 * `workspace:^` → `^<version>`) and installed from its tarball into plain Node projects in the system's temp
 * directory, offline (tarballs from disk, fp-ts & co. from the local pnpm store). There, with plain `node`
 * and plain `tsc`: each package imports alone, every README's install example runs and prints what the README
 * says, a TypeScript consumer type-checks under NodeNext and Bundler resolution (TypeScript 7 and 5.9), and
 * the `dtd` binary runs from the built files.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { allowBuildsBlock, build, type Consumer, lockedVersions, installSection, makeConsumer, packAll, type Packed, publicSpecifiers, publishedPackages, readWorkspace, tscBin } from "../src/index.ts";

const execFileAsync = promisify(execFile);
const ws = readWorkspace();
const dest = mkdtempSync(join(tmpdir(), "dtd-packs-"));
let packed: Packed[] = [];
const locked = lockedVersions(ws.root);
const made: string[] = [];

/** The version the workspace pins of an external package (from any package's dependencies or devDependencies). */
const pinned = (name: string): string => {
  for (const p of ws.packages) {
    if (p.packageJson._tag !== "Json") continue;
    const m = p.packageJson.value as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    const v = m.dependencies?.[name] ?? m.devDependencies?.[name];
    if (v !== undefined && /^\d/.test(v)) return v;
  }
  throw new Error(`expected a package of the workspace to pin ${name}`);
};

const consumer = (label: string, use: readonly string[], extra: Record<string, string>): Consumer => {
  const c = makeConsumer({ packed, use, extra, label, pins: locked, settings: allowBuildsBlock(ws.root) });
  made.push(c.dir);
  return c;
};

const obj = (u: unknown): Record<string, unknown> => (typeof u === "object" && u !== null ? (u as Record<string, unknown>) : {});
const depsOf = (p: Packed): string[] => Object.keys(obj(p.manifest["dependencies"]));
const requiredPeers = (p: Packed): string[] =>
  Object.keys(obj(p.manifest["peerDependencies"])).filter((k) => obj(obj(p.manifest["peerDependenciesMeta"])[k])["optional"] !== true);

/** A package's @dtd dependencies, transitively, with itself. */
const closure = (name: string): string[] => {
  const byName = new Map(packed.map((p) => [p.name, p]));
  const seen = new Set<string>();
  const visit = (n: string): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const d of depsOf(byName.get(n)!)) if (d.startsWith("@dtd/")) visit(d);
  };
  visit(name);
  return [...seen].sort();
};

/** The specifiers of a package's executables (importing one runs it): `@dtd/cli/bin` for "./dist/bin.js". */
const binSpecifiers = (p: Packed): string[] =>
  Object.values(obj(p.manifest["bin"])).map((f) => `${p.name}/${String(f).replace(/^\.\/dist\//, "").replace(/\.js$/, "")}`);

/** The modules a user can import (executables excepted). */
const importable = (p: Packed): string[] => publicSpecifiers(p.name, p.manifest["exports"], p.files).filter((s) => !binSpecifiers(p).includes(s));

/** Imports every specifier in one plain node process; prints how many loaded. */
const importAll = (c: Consumer, specifiers: readonly string[]): string =>
  c.run(process.execPath, ["--input-type=module", "-e", `for (const s of ${JSON.stringify(specifiers)}) await import(s); console.log(${specifiers.length})`]).trim();

beforeAll(() => {
  build(ws);
  packed = packAll(ws, dest);
}, 120_000);

afterAll(() => {
  for (const d of [dest, ...made]) rmSync(d, { recursive: true, force: true });
});

describe("the tarballs", () => {
  test("every package that is not private is packed, the CLI among them", () => {
    expect(packed.map((p) => p.name)).toEqual(expect.arrayContaining(["@dtd/tensor", "@dtd/autodiff", "@dtd/layers", "@dtd/deep-taylor", "@dtd/model-io", "@dtd/viz", "@dtd/datasets", "@dtd/cli"]));
    expect(packed.map((p) => p.name)).toContain("@dtd/deep-taylor");
    expect(packed.map((p) => p.name)).not.toContain("@dtd/bench");
  });

  test("hold package.json, README.md and dist/ (JavaScript, declarations, source maps) — no tests, sources or configs (but a native addon's C sources)", () => {
    for (const p of packed) {
      // A package with an install script (@dtd/native) also carries what that script compiles: C sources and the script.
      const built = obj(p.manifest["scripts"])["install"] !== undefined;
      const stray = p.files.filter((f) => !/^(package\.json|README\.md|dist\/.+\.(js|d\.ts|js\.map))$/.test(f) && !(built && /^(src\/[^/]+\.[ch]|scripts\/[^/]+\.mjs)$/.test(f)));
      expect(stray, p.name).toEqual([]);
      expect(p.files, p.name).toContain("dist/index.js");
      expect(p.files, p.name).toContain("dist/index.d.ts");
      expect(p.files, p.name).toContain("dist/index.js.map");
    }
  });

  test("every source module is built, with its declarations and a source map that carries the source", () => {
    for (const p of packed) {
      const srcDir = join(ws.root, "packages", p.dir, "src");
      const sources = (readdirSync(srcDir, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).map((f) => f.replace(/\.ts$/, ""));
      for (const s of sources) for (const ext of [".js", ".d.ts", ".js.map"]) expect(p.files, `${p.name}: ${s}${ext}`).toContain(`dist/${s}${ext}`);
      const map = JSON.parse(readFileSync(join(ws.root, "packages", p.dir, "dist", "index.js.map"), "utf8")) as { sourcesContent?: unknown[] };
      expect(map.sourcesContent?.length, p.name).toBe(1);
    }
  });

  test("manifests as a registry would serve them: dist/ exports, ^ranges, not private, no workspace protocol", () => {
    for (const p of packed) {
      const text = JSON.stringify(p.manifest);
      expect(text, p.name).not.toContain("workspace:");
      expect(text, p.name).not.toContain("./src/");
      expect(p.manifest["private"], p.name).toBeUndefined();
      for (const d of depsOf(p).filter((d) => d.startsWith("@dtd/"))) {
        const dep = packed.find((q) => q.name === d)!;
        expect(obj(p.manifest["dependencies"])[d], `${p.name} → ${d}`).toBe(`^${dep.version}`);
      }
      const main = obj(obj(p.manifest["exports"])["."]);
      // A platform-conditional "." (Node's module, the browser's by default) publishes both sides on dist/.
      if ("node" in main) expect(obj(main["default"]), p.name).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
      else expect(main, p.name).toEqual({ types: "./dist/index.d.ts", default: "./dist/index.js" });
    }
  });
});

describe("the workspace runs its own build (pnpm dtd, pnpm demo)", () => {
  const cli = join(ws.root, "packages", "cli");
  const node = (args: readonly string[]): string => execFileSync(process.execPath, [...args], { cwd: cli, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

  test("under --conditions=dtd-dist the @dtd imports resolve to dist/, otherwise to the sources", () => {
    const resolve = 'console.log(import.meta.resolve("@dtd/deep-taylor"), import.meta.resolve("@dtd/tensor/testing"))';
    expect(node(["--conditions=dtd-dist", "--input-type=module", "-e", resolve]).trim().split(" ").map((u) => u.slice(u.indexOf("/packages/")))).toEqual([
      "/packages/deep-taylor/dist/index.js",
      "/packages/tensor/dist/testing/index.js",
    ]);
    expect(node(["--input-type=module", "-e", resolve]).trim().split(" ").map((u) => u.slice(u.indexOf("/packages/")))).toEqual([
      "/packages/deep-taylor/src/index.ts",
      "/packages/tensor/src/testing/index.ts",
    ]);
  });

  test("the built CLI explains with plain node (the README's network and input)", () => {
    const section = installSection(readFileSync(join(cli, "README.md"), "utf8"))!;
    const dir = mkdtempSync(join(tmpdir(), "dtd-workspace-cli-"));
    made.push(dir);
    const net = /cat > net.json <<'EOF'\n([\s\S]*?)\nEOF/.exec(section.example!.code)![1]!;
    writeFileSync(join(dir, "net.json"), net);
    writeFileSync(join(dir, "x.json"), "[1, 2, 0.5]");
    const out = node(["--conditions=dtd-dist", "dist/bin.js", "explain", "--model", join(dir, "net.json"), "--input", join(dir, "x.json"), "--rule", "zplus", "--json"]);
    expect(out).toBe(section.output);
  });
});

describe("each package alone, with only its own dependencies", () => {
  test.each(publishedPackages(ws).map((p) => p.name))(
    "%s: installs offline, pulls in only its @dtd dependencies, and every public module imports with plain node",
    (name) => {
      const p = packed.find((q) => q.name === name);
      expect(p, `${name} is packed`).toBeDefined();
      const c = consumer(`alone-${p!.dir}`, [name], Object.fromEntries(requiredPeers(p!).map((n) => [n, pinned(n)])));
      expect(readdirSync(join(c.dir, "node_modules", "@dtd"))).toEqual([p!.dir]);
      const installed = readdirSync(join(c.dir, "node_modules", ".pnpm"))
        .filter((d) => d.startsWith("@dtd+"))
        .map((d) => `@dtd/${/^@dtd\+([^@]+)@/.exec(d)![1]}`)
        .sort();
      expect(installed).toEqual(closure(name));
      // fast-check is an optional peer: only the /testing entry points need it, and it is not installed here.
      const specifiers = importable(p!).filter((s) => !/\/testing(\/|$)/.test(s));
      expect(specifiers).toContain(name);
      expect(importAll(c, specifiers)).toBe(String(specifiers.length));
      // A package with an install script (@dtd/native) was built there, by that script, from its packed sources.
      if (name === "@dtd/native")
        expect(c.run(process.execPath, ["--input-type=module", "-e", 'const m = await import("@dtd/native"); const r = m.loadNative(); console.log(r._tag === "Right" ? r.right.name : m.message(r.left))']).trim()).toMatch(/^native /);
    },
  );
});

describe("all packages together in a plain project", () => {
  let all: Consumer;
  beforeAll(() => {
    all = consumer("all", packed.map((p) => p.name), { "fp-ts": pinned("fp-ts"), "fast-check": pinned("fast-check"), "@types/node": pinned("@types/node") });
  }, 60_000);

  test("every public module of every package, /testing included, imports with plain node", () => {
    const specifiers = packed.flatMap(importable);
    expect(specifiers).toEqual(expect.arrayContaining(["@dtd/tensor", "@dtd/tensor/unsafe", "@dtd/deep-taylor/testing", "@dtd/model-io/file", "@dtd/viz/png", "@dtd/parallel/core"]));
    expect(importAll(all, specifiers)).toBe(String(specifiers.length));
  });

  test.each(["@dtd/tensor/internal/kernels/gemm", "@dtd/tensor/Tensor", "@dtd/deep-taylor/consistency"])("%s, a module no entry point names, is not importable", (specifier) => {
    expect(() => all.run(process.execPath, ["--input-type=module", "-e", `await import(${JSON.stringify(specifier)})`])).toThrow(/ERR_PACKAGE_PATH_NOT_EXPORTED/);
  });

  test.each(publishedPackages(ws).map((p) => p.dir))("the README's install example of %s runs and prints what the README says", (dir) => {
    const section = installSection(readFileSync(join(ws.root, "packages", dir, "README.md"), "utf8"));
    const example = section?.example;
    expect(example, `packages/${dir}/README.md: a runnable example in "## Install"`).toBeDefined();
    const out =
      example!.lang === "js"
        ? all.run(process.execPath, [all.write(`example-${dir}.mjs`, example!.code)])
        : all.run("sh", ["-c", example!.code.split("\n").filter((l) => !l.startsWith("npm install")).join("\n")]);
    if (section!.output !== undefined) expect(out).toBe(section!.output);
  });

  test("the dtd binary runs from the built files", () => {
    const bin = readFileSync(join(all.dir, "node_modules", "@dtd", "cli", "dist", "bin.js"), "utf8");
    expect(bin.startsWith("#!/usr/bin/env node\n")).toBe(true);
    const version = String(packed.find((p) => p.name === "@dtd/cli")!.manifest["version"]);
    expect(all.run("dtd", ["--version"]).trim()).toBe(`dtd ${version}`);
    expect(all.run("dtd", ["--help"])).toContain("Usage: dtd <command> [options]");
    // It runs the bundle (`pnpm build`'s dist/bundle/), which finds the installed @dtd/native's addon.
    expect(packed.find((p) => p.name === "@dtd/cli")!.files).toEqual(expect.arrayContaining(["dist/bundle/dtd.js", "dist/bundle/worker.js", "dist/bundle/internal/nodeWorker.js"]));
    expect(all.run("dtd", ["--kernels", "native", "--version"]).trim()).toBe(`dtd ${version}`);
  });

  describe("a TypeScript consumer type-checks against the published declarations, with default options", () => {
    const fixtures = join(ws.root, "packages", "packaging", "consumer");
    const tsc5 = join(createRequire(import.meta.url).resolve("typescript-5/package.json"), "..", "bin", "tsc");
    const configs = {
      NodeNext: { module: "nodenext", moduleResolution: "nodenext" },
      // TypeScript 5.9's default target is ES5, whose library lacks the Generator type that a signature uses:
      // bundler projects set a modern target (Vite's templates: ES2022 and up).
      Bundler: { module: "preserve", moduleResolution: "bundler", target: "es2022" },
    } as const;
    /** tsc's report ("" when there is no error). */
    const typecheck = async (tsc: string, name: string, options: Record<string, unknown>, files: readonly string[]): Promise<string> => {
      all.write(`${name}.json`, JSON.stringify({ compilerOptions: { strict: true, noEmit: true, ...options }, files }));
      try {
        await execFileAsync(process.execPath, [tsc, "-p", `${name}.json`], { cwd: all.dir, encoding: "utf8" });
        return "";
      } catch (u) {
        return String(obj(u)["stdout"]) || String(u);
      }
    };
    // TypeScript 5.9 (JavaScript) takes seconds to check the declarations: started first, awaited last.
    let ts59: Promise<string>;
    beforeAll(() => {
      for (const f of ["consumer.ts", "browser.ts", "wrong.ts"]) all.write(f, readFileSync(join(fixtures, f), "utf8"));
      ts59 = typecheck(tsc5, "tsconfig.ts59", configs.NodeNext, ["consumer.ts"]);
    });

    test("TypeScript 7, moduleResolution NodeNext: every package, no errors — and a consumer that misuses the types is refused", async () => {
      // One run for both files (each run checks every declaration file): the errors must all be wrong.ts's two.
      const out = await typecheck(tscBin(), "tsconfig.NodeNext", configs.NodeNext, ["consumer.ts", "wrong.ts"]);
      const errors = out.split("\n").filter((l) => /error TS\d+/.test(l));
      expect(errors.map((l) => l.slice(0, l.indexOf(",")))).toEqual(["wrong.ts(5", "wrong.ts(6"]);
    });

    test("TypeScript 7, moduleResolution Bundler: every package, no errors", async () => {
      expect(await typecheck(tscBin(), "tsconfig.Bundler", configs.Bundler, ["consumer.ts"])).toBe("");
    });

    test("TypeScript 7, Bundler, DOM library and no Node types: the browser-safe packages", async () => {
      expect(await typecheck(tscBin(), "tsconfig.browser", { ...configs.Bundler, lib: ["es2022", "dom"], types: [] }, ["browser.ts"])).toBe("");
    });

    test("TypeScript 5.9, moduleResolution NodeNext: every package, no errors (the .ts import paths in the .d.ts files resolve)", async () => {
      expect(existsSync(tsc5)).toBe(true);
      expect(await ts59).toBe("");
    });
  });
});
