/**
 * The repository's `dtd`: the CLI's commands (`@dtd/cli`'s `entries`) and the deck's examples, each loaded only
 * when it runs (so `pnpm dtd --help` loads none of them). `pnpm dtd …` and `pnpm demo …` run this table
 * (`bin.ts`); the published `dtd` offers the CLI's commands alone.
 * @module
 */
import { type AnyCommand, type Entry, entries, type ExitCode, type Io, run as runTable } from "@dtd/cli";

/** An example module (`src/demo/index.ts`, `src/titanic/index.ts`, …) exports `command`, built with `defineCommand`. */
export interface ExampleModule {
  readonly command: AnyCommand;
}

/** The examples, in the order `dtd --help` lists them after the CLI's commands. A test checks each summary. */
export const examples: readonly Entry[] = [
  {
    name: "demo",
    summary: "the deck's MNIST example: train the 1568-400-1 detector, explain test pairs, draw heatmaps",
    load: () => import("./demo/index.ts").then((m: ExampleModule) => m.command),
  },
  {
    name: "graphs",
    summary: "train the ResNet- and Inception-style MNIST networks of docs/graphs.md and write them as model files",
    load: () => import("./graphs/index.ts").then((m: ExampleModule) => m.command),
  },
  {
    name: "real-model",
    summary: "a pretrained anti-spoofing CNN from npm explained on real photos (import, tfjs check, zb + z+, bias sinks)",
    load: () => import("./realModel/index.ts").then((m: ExampleModule) => m.command),
  },
  {
    name: "titanic",
    summary: "the deck's Titanic example: train a survival model, relevance per passenger feature",
    load: () => import("./titanic/index.ts").then((m: ExampleModule) => m.command),
  },
];

/** The CLI's commands, then the examples. */
export const table: readonly Entry[] = [...entries, ...examples];

/** `@dtd/cli`'s `run` on {@link table}. */
export const run = (argv: readonly string[], io: Io): Promise<ExitCode> => runTable(argv, io, "dtd", table);
