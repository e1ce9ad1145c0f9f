/**
 * What the pool needs of a platform: start a worker running a module, talk to it, learn when it dies, stop it;
 * the number of cores; whether memory can be shared between threads. Node (`worker_threads`) and browsers (Web
 * Workers) each provide one (`@dtd/parallel` picks the right one by export condition); `inThread` runs the
 * worker's code in the calling thread, one batch per task of the event loop (`workers: 0`).
 * @module
 */
import type { Request, Response } from "./internal/protocol.ts";
import { handler, type ServeOptions } from "./serve.ts";

/** A started worker, as the pool sees it. */
export interface WorkerPort {
  readonly post: (message: Request, transfer: readonly ArrayBuffer[]) => void;
  readonly onMessage: (h: (message: Response) => void) => void;
  /** Called at most once, when the worker dies of itself (an exception, running out of memory), not when terminated. */
  readonly onFailure: (h: (reason: string) => void) => void;
  readonly terminate: () => Promise<void>;
}

/** A platform's threads. */
export interface Platform {
  readonly name: string;
  /** Starts a worker running `module` (a custom worker module), or the package's own worker. */
  readonly spawn: (module: URL | undefined) => WorkerPort;
  /** The number of logical cores. */
  readonly cores: () => number;
  /** Whether SharedArrayBuffer can be posted to workers (Node; a cross-origin isolated page). */
  readonly shareMemory: () => boolean;
}

/** The worker's code run in this thread: each message handled in a task of its own, after the current one. */
export const inThread = (options: ServeOptions = {}): Platform => ({
  name: "in-thread",
  cores: () => 1,
  shareMemory: () => false,
  spawn: () => {
    const handle = handler(options);
    let receive: (m: Response) => void = () => undefined;
    let fail: (reason: string) => void = () => undefined;
    let stopped = false;
    let queue: Promise<void> = Promise.resolve();
    return {
      post: (message) => {
        // One message after the other, each in its own macrotask, so that I/O and cancellation run in between.
        queue = queue.then(
          () =>
            new Promise<void>((resolve) =>
              setTimeout(() => {
                if (!stopped) {
                  try {
                    receive(handle(message).message);
                  } catch (u) {
                    stopped = true;
                    fail(u instanceof Error ? u.message : String(u));
                  }
                }
                resolve();
              }, 0),
            ),
        );
      },
      onMessage: (h) => (receive = h),
      onFailure: (h) => (fail = h),
      terminate: async () => {
        stopped = true;
      },
    };
  },
});
