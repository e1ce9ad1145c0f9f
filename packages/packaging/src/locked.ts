/**
 * What a consumer project borrows from the workspace so that it installs offline: the versions the lockfile
 * resolved (a fresh resolution would pick the newest version of a range such as protobufjs's
 * `"@types/node": ">=13.7.0"`, which the local store does not have) and the build-script decisions of
 * pnpm-workspace.yaml (pnpm 12 refuses to install a package with an unapproved build script).
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** Package name → version, for every external package the lockfile resolved to exactly one version. */
export const lockedVersions = (root: string): Map<string, string> => {
  const text = readFileSync(join(root, "pnpm-lock.yaml"), "utf8");
  const versions = new Map<string, Set<string>>();
  // Keys of the `packages:` sections: `  name@version:` or `  '@scope/name@version':` (no peer suffix there).
  for (const m of text.matchAll(/^  '?((?:@[^@/\s']+\/)?[^@\s']+)@(\d[^\s'():]*)'?:\s*$/gm)) {
    const [name, version] = [m[1]!, m[2]!];
    versions.set(name, (versions.get(name) ?? new Set()).add(version));
  }
  return new Map([...versions].filter(([, v]) => v.size === 1).map(([name, v]) => [name, [...v][0]!]));
};

/** The `allowBuilds:` block of the workspace's pnpm-workspace.yaml, verbatim ("" when there is none). */
export const allowBuildsBlock = (root: string): string => {
  const m = /^allowBuilds:\n(?:[ \t]+\S.*\n?)*/m.exec(readFileSync(join(root, "pnpm-workspace.yaml"), "utf8"));
  return m === null ? "" : m[0].endsWith("\n") ? m[0] : `${m[0]}\n`;
};
