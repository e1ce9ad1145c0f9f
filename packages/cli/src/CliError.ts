/**
 * How a command ends: its exit code, and the two ways it can be refused. A usage error (an unknown flag, a
 * missing or malformed flag value) is the caller's mistake in the command line and exits 2 with a usage hint; a
 * failure (an unreadable model or input file, a violated precondition) exits 1. Success exits 0.
 * @module
 */

/** The exit codes of `dtd`, as data. */
export const ExitCode = { ok: 0, failure: 1, usage: 2 } as const;

/** One of the exit codes. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Every way a command can be refused. */
export type CliError =
  | { readonly _tag: "Usage"; readonly message: string }
  | { readonly _tag: "Failure"; readonly message: string };

/** A usage error: the command line itself is wrong (exit 2). */
export const usage = (message: string): CliError => ({ _tag: "Usage", message });

/** A failure: the command line is fine but the work cannot be done (exit 1). */
export const failure = (message: string): CliError => ({ _tag: "Failure", message });

/** The exit code of an error. */
export const exitCodeOf = (e: CliError): ExitCode => (e._tag === "Usage" ? ExitCode.usage : ExitCode.failure);
