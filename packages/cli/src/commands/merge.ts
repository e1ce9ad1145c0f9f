/**
 * `dtd merge`: the outputs of `dtd explain` run on shards of a data set (JSONL shards, each explained by its own
 * process — GNU parallel, a Slurm array, a Kubernetes Job; docs/parallel.md) as one output, in shard order, each
 * record's index renumbered to its place in the whole set, with the summary of the whole set. Every shard must be
 * complete and in order (record k of a shard is its input k), which `dtd explain` guarantees.
 * @module
 */
import { closeSync, openSync, readSync, statSync, writeSync } from "node:fs";
import * as E from "fp-ts/lib/Either.js";
import { ExitCode, failure, usage } from "../CliError.ts";
import { defineCommand } from "../Command.ts";
import { line } from "../Io.ts";
import { readRecords } from "../batch/resume.ts";
import { fileProblem, readBytes } from "../jsonNumbers.ts";
import { add, allExplained, emptySummary, summaryLines } from "../batch/summary.ts";

const INDEX = /^\{"index":(\d+)/;

/**
 * Why `path` cannot be merged — not a file to read (no such file, a directory), or its last line cut short by a
 * run that stopped — or undefined when it can.
 */
const shardProblem = (path: string): string | undefined => {
  let fd: number | undefined;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return `cannot read ${path}: it is a directory`;
    if (st.size === 0) return undefined;
    fd = openSync(path, "r");
    const last = new Uint8Array(1);
    readSync(fd, last, 0, 1, st.size - 1);
    return last[0] === 0x0a ? undefined : `${path}: its last line is cut short (the run that wrote it stopped): finish it with dtd explain --resume`;
  } catch (u) {
    return `cannot read ${path}: ${fileProblem(u)}`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
};

export const merge = defineCommand({
  name: "merge",
  summary: "the outputs of dtd explain on shards of a data set as one output, with the summary of the set",
  usage: "merge --out FILE SHARD.jsonl...",
  description: `
Concatenates the JSONL outputs of dtd explain run on consecutive shards of a data set (in the order given: the
shards' order in the set), renumbering each record's "index" to its place in the whole set, and prints the
summary of the set: conservation, positivity and consistency over every input (Montavon et al. 2017, Defs.
1–3), and the failures. Each shard output must be complete (one record per input of its shard, in order); one
cut short by a stopped run is refused: finish it with dtd explain --resume first.
Exit status: 0 when every input was explained with finite numbers, 1 otherwise.`,
  flags: { out: { type: "string", value: "FILE", description: "the merged JSONL file" } },
  positionals: [{ name: "SHARD.jsonl...", description: "the outputs of the shards, in the order of the shards", variadic: true }],
  examples: ["merge --out all.jsonl out-00.jsonl out-01.jsonl out-02.jsonl", "merge --out all.jsonl $(ls out-*.jsonl | sort)"],
  run: async ({ values, positionals }, { io }) => {
    if (values.out === undefined) return E.left(usage("missing required flag --out"));
    if (positionals.length === 0) return E.left(usage("expected the shards' outputs (one or more JSONL files)"));
    if (positionals.includes(values.out)) return E.left(usage(`--out ${values.out} is also a shard: write the merged output elsewhere`));
    // Every shard checked before --out is opened (and emptied): a misspelt or unfinished shard leaves --out as it was.
    for (const path of positionals) {
      const problem = shardProblem(path);
      if (problem !== undefined) return E.left(failure(problem));
    }
    const summary = emptySummary();
    let fd: number | undefined;
    let offset = 0;
    try {
      fd = openSync(values.out, "w");
      for (const path of positionals) {
        const bytes = readBytes(path);
        if (E.isLeft(bytes)) return E.left(failure(bytes.left));
        const text = new TextDecoder().decode(bytes.right);
        const records = readRecords(text, path);
        if (E.isLeft(records)) return E.left(failure(records.left));
        for (const l of text.split("\n")) {
          if (l.trim() === "") continue;
          const m = INDEX.exec(l);
          const local = m !== null ? Number(m[1]) : (JSON.parse(l) as { readonly index: number }).index;
          const renumbered = m !== null ? `{"index":${offset + local}${l.slice(m[0].length)}` : JSON.stringify({ ...(JSON.parse(l) as object), index: offset + local });
          writeSync(fd, `${renumbered}\n`);
        }
        records.right.forEach((r) => add(summary, r));
        offset += records.right.length;
        line(io.stderr, `${path}: ${records.right.length} records`);
      }
    } catch (u) {
      return E.left(failure(u instanceof Error ? u.message : String(u)));
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    summaryLines(summary, { biasSink: summary.absorbed !== 0 }).forEach((s) => line(io.stdout, s));
    line(io.stdout, `  wrote ${values.out} (${offset} records from ${positionals.length} shard${positionals.length === 1 ? "" : "s"})`);
    return E.right(allExplained(summary) ? ExitCode.ok : ExitCode.failure);
  },
});
