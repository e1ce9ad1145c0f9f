/**
 * Placeholder for `dtd titanic` (the deck's Titanic example), until its module is written. The contract (see ../run.ts): this
 * module exports `command`, built with `defineCommand` from ../Command.ts, named "titanic".
 * @module
 */
import * as E from "fp-ts/lib/Either.js";
import { failure } from "../CliError.ts";
import { defineCommand } from "../Command.ts";

export const command = defineCommand({
  name: "titanic",
  summary: "the deck's Titanic example (not built yet)",
  usage: "titanic",
  flags: {},
  run: async () => E.left(failure("not built yet")),
});
