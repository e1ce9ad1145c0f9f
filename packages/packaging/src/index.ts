/**
 * @dtd/packaging — the packaging rules every directory under packages/ follows (rules.ts, checked in
 * `pnpm check`), and the tools of the pack-and-install test: pack the published packages (pack.ts) and install
 * them into a plain project outside the workspace, offline (consumer.ts).
 * @module
 */
export * from "./Workspace.ts";
export * from "./rules.ts";
export * from "./pack.ts";
export * from "./consumer.ts";
export * from "./modules.ts";
export * from "./locked.ts";
