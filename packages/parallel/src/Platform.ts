/**
 * What the pool needs of a platform: start a worker running a module, talk to it, learn when it dies, stop it;
 * the number of cores; whether memory can be shared between threads. Node (`worker_threads`) and browsers (Web
 * Workers) each provide one (`@dtd/parallel` picks the right one by export condition); `inThread` runs the
 * worker's code in the calling thread, one batch per task of the event loop (`workers: 0`).
 * @module
 */
import type { Request, Response } from "./internal/protocol.ts";
import { type ServeOptions, serveOn } from "./serve.ts";

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
    let receive: (m: Response) => void = () => undefined;
    let deliver: (m: Request) => void = () => undefined;
    serveOn({ post: (m) => receive(m), listen: (h) => (deliver = h) }, options);
    let stopped = false;
    let queue: Promise<void> = Promise.resolve();
    return {
      post: (message) => {
        // One message after the other, each in its own macrotask, so that I/O and cancellation run in between.
        queue = queue.then(
          () =>
            new Promise<void>((resolve) =>
              setTimeout(() => {
                if (!stopped) deliver(message);
                resolve();
              }, 0),
            ),
        );
      },
      onMessage: (h) => (receive = h),
      // This thread does not die of a batch: serveOn turns an exception into that batch's failure.
      onFailure: () => undefined,
      terminate: async () => {
        stopped = true;
      },
    };
  },
});
