/**
 * The meta block of a run: machine, runtime, date, commit and how the figures were taken.
 * @module
 */
import { execFileSync } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";

/** The short commit of the repository the bench runs from, or null outside git. */
export const gitCommit = (): string | null => {
  try {
    const cwd = fileURLToPath(new URL(".", import.meta.url));
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim() || null;
  } catch {
    return null;
  }
};

/** Machine and runtime facts. */
export interface MachineMeta {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpu: string;
  readonly logical_cpus: number;
  readonly date: string;
  readonly commit: string | null;
}

/** Collects the machine facts now. */
export const machineMeta = (): MachineMeta => {
  const cpus = os.cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    platform: process.platform,
    arch: process.arch,
    cpu: cpus[0]?.model.trim() ?? "unknown",
    logical_cpus: cpus.length,
    date: new Date().toISOString(),
    commit: gitCommit(),
  };
};
