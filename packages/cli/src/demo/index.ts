/**
 * Placeholder for `dtd demo` (the deck's MNIST example), until its module is written. The contract (see ../run.ts): this
 * module exports `command`, built with `defineCommand` from ../Command.ts, named "demo".
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { failure } from "../CliError.ts";
import { defineCommand } from "../Command.ts";

export const command = defineCommand({
  name: "demo",
  summary: "the deck's MNIST example (not built yet)",
  usage: "demo",
  flags: {},
  run: async () => E.left(failure("not built yet")),
});
