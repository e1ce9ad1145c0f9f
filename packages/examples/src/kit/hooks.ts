/**
 * Where a long example run reports what it is doing: progress displays (../progress.ts on the command line) and
 * notes for the user. Library calls and tests pass `silent`.
 * @module
 */

/** A running progress display. */
export interface ProgressHandle {
  readonly update: (n: number, fields?: Readonly<Record<string, number | string>>) => void;
  readonly stop: () => void;
}

/** Where the pipeline reports what it is doing. */
export interface Hooks {
  readonly progress: (label: string, total: number) => ProgressHandle;
  /** A line for the user (e.g. "using the cached model …"). */
  readonly note: (text: string) => void;
}

/** Hooks that say nothing (for library use and tests). */
export const silent: Hooks = { progress: () => ({ update: () => undefined, stop: () => undefined }), note: () => undefined };
