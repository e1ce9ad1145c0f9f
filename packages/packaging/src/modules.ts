/**
 * The module specifiers a published package answers to: its exports map (as published, on dist/) expanded
 * over the files of its tarball, minus what a `null` pattern hides (`"./internal/*": null`). These are what a
 * user can import; the pack-and-install test imports every one of them with plain Node.
 * @module
 */

const isObj = (u: unknown): u is Readonly<Record<string, unknown>> => typeof u === "object" && u !== null && !Array.isArray(u);

/** The file a published export target loads (its `default` condition, nested or not, or the string itself). */
const defaultTarget = (target: unknown): string | undefined => {
  if (typeof target === "string") return target;
  return isObj(target) ? defaultTarget(target["default"]) : undefined;
};

/** Whether `subpath` (e.g. "./internal/x") matches an exports key with at most one `*`. */
const matchKey = (key: string, subpath: string): string | undefined => {
  const star = key.indexOf("*");
  if (star < 0) return key === subpath ? "" : undefined;
  const [pre, post] = [key.slice(0, star), key.slice(star + 1)];
  return subpath.startsWith(pre) && subpath.endsWith(post) && subpath.length >= pre.length + post.length ? subpath.slice(pre.length, subpath.length - post.length) : undefined;
};

/**
 * The specifiers of package `name` whose published `exports` are given, over the tarball's `files` (paths
 * relative to the package root, e.g. "dist/ops/conv.js"). Sorted.
 */
export const publicSpecifiers = (name: string, exports: unknown, files: readonly string[]): string[] => {
  if (!isObj(exports)) return [];
  const hidden = Object.entries(exports).filter(([, v]) => v === null).map(([k]) => k);
  const out = new Set<string>();
  for (const [key, target] of Object.entries(exports)) {
    const file = defaultTarget(target);
    if (file === undefined) continue;
    if (!key.includes("*")) {
      out.add(key === "." ? name : `${name}/${key.slice(2)}`);
      continue;
    }
    for (const f of files) {
      const part = matchKey(file, `./${f}`);
      if (part === undefined) continue;
      const subpath = key.replace("*", part);
      if (hidden.some((h) => matchKey(h, subpath) !== undefined)) continue;
      out.add(`${name}/${subpath.slice(2)}`);
    }
  }
  return [...out].sort();
};
