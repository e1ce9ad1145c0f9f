/**
 * `pnpm conform`: checks every directory under packages/ against the packaging rules (rules.ts) and prints each
 * problem with what to add; exit 1 if there is any. The same check runs in `pnpm check`
 * (test/conformance.test.ts). `pnpm conform --table` prints the rules as the table rows of docs/packaging.md.
 * @module
 */
import { formatProblem, problems, ruleIds, rules } from "./rules.ts";
import { readWorkspace } from "./Workspace.ts";

if (process.argv.includes("--table")) {
  for (const id of ruleIds) process.stdout.write(`| \`${id}\` | ${rules[id].appliesTo} | ${rules[id].summary} |\n`);
  process.exit(0);
}

const ws = readWorkspace();
const found = problems(ws);
for (const p of found) process.stderr.write(`${formatProblem(p)}\n`);
process.stdout.write(
  found.length === 0
    ? `${ws.packages.length} packages follow the packaging rules (docs/packaging.md)\n`
    : `${found.length} problem${found.length === 1 ? "" : "s"} in ${new Set(found.map((p) => p.dir)).size} of ${ws.packages.length} packages (docs/packaging.md)\n`,
);
process.exitCode = found.length === 0 ? 0 : 1;
