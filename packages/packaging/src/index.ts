/**
 * @dtd/packaging — the packaging rules every directory under packages/ follows (rules.ts, checked in
 * `pnpm check`), and the tools of the pack-and-install test: pack the published packages (pack.ts) and install
 * them into a plain project outside the workspace, offline (consumer.ts).
 * @module
 */
export { type JsonFile, type PackageDir, type Workspace, repoRoot, readJson, packageOf, importsOf, readPackageDir, readWorkspace, shown } from "./Workspace.ts";
export { type RuleId, type Problem, type Pkg, type Rule, type InstallSection, PUBLISHED_FILES, FP_TS_PEER, FAST_CHECK_PEER, DIST_CONDITION, workspaceTarget, sourceModule, platformTarget, platformModules, publishedTarget, publishedExports, installSection, rules, ruleIds, problemsOf, problems, formatProblem } from "./rules.ts";
export { type Packed, cleanEnv, tscBin, build, publishedPackages, packAll } from "./pack.ts";
export { type ConsumerOptions, type Consumer, makeConsumer } from "./consumer.ts";
export { publicSpecifiers } from "./modules.ts";
export { lockedVersions, allowBuildsBlock } from "./locked.ts";
