/**
 * `serve` for Node worker modules: answers the pool on `parentPort`. A custom worker module is a file that calls
 * it with its hooks (strategies by name, a decoder, an encoder) and is given to the pool as `worker`.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { useNativeKernels } from "@dtd/native";
import { type ServeOptions, serveOn } from "./serve.ts";
import type { Request } from "./internal/protocol.ts";

/**
 * Serves the pool from this worker thread (does nothing on the main thread, so importing it there is harmless).
 * The worker first installs the native kernels as the main thread does (@dtd/native; DTD_KERNELS, which workers
 * inherit, opts out): each thread has its own @dtd/tensor, so without this the workers would run WebAssembly.
 */
export const serve = (options: ServeOptions = {}): void => {
  const port = parentPort;
  if (port === null) return;
  useNativeKernels();
  serveOn({ post: (m, transfer) => port.postMessage(m, [...transfer]), listen: (h) => void port.on("message", (m: Request) => h(m)) }, options);
};
