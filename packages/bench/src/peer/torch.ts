/**
 * The native peer: PyTorch (Debian's python3-torch with OpenBLAS) computing deep Taylor heatmaps with dtd's rules
 * and gradient × input on the bench nets, at 1 and 2 threads (torch_peer.py, one Python process per thread
 * count, talking JSON lines over its stdin and stdout). The Python process times its own calls with the
 * harness's loop, so no pipe traffic is timed; inputs and heatmaps travel as base64 float64.
 *
 * Python is `$DTD_PYTHON` if set, else the first of `python3` and `/usr/bin/python3` that imports torch. When
 * none does, every torch implementation is skipped with a note saying why (the rest of the bench runs).
 * @module
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { DType } from "@dtd/tensor";
import { type Timing, type TimingOptions } from "../harness.ts";
import type { Impl, Method } from "../Impl.ts";
import type { NetSpec } from "../nets.ts";
import { summarize } from "../stats.ts";

const script = fileURLToPath(new URL("./torch_peer.py", import.meta.url));

/** What the Python process reports about itself. */
export interface TorchHello {
  readonly python: string;
  readonly torch: string;
  readonly numpy: string;
  readonly threads: number;
  readonly blas: string;
  readonly executable: string;
}

type Answer = Record<string, unknown>;

/** A running peer process: requests are answered in order. */
export interface TorchProcess {
  readonly hello: TorchHello;
  readonly request: (req: Record<string, unknown>) => Promise<Answer>;
  /** Sends the net's weights once per process. */
  readonly register: (net: NetSpec) => Promise<string>;
  readonly close: () => void;
}

/** float64 values as base64 (little-endian, as on every platform Node runs on). */
export const toBase64 = (x: Float64Array): string => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString("base64");

/** The inverse of {@link toBase64}. */
export const fromBase64 = (s: string): Float64Array => {
  const bytes = Buffer.from(s, "base64");
  const out = new Float64Array(bytes.length / 8);
  new Uint8Array(out.buffer).set(bytes);
  return out;
};

/** A bench net as the Python side reads it: layer kinds, sizes and float64 parameters. */
const netJson = (net: NetSpec): Record<string, unknown> => ({
  output: net.output,
  box: net.box,
  layers: net.layers.map((l) =>
    l.kind === "dense" || l.kind === "conv2d"
      ? { kind: l.kind, W: toBase64(l.W.data), Wshape: l.W.shape, b: toBase64(l.b.data), bshape: l.b.shape }
      : l.kind === "maxPool2d" ? { kind: l.kind, size: l.size } : { kind: l.kind }),
});

const start = (python: string, threads: number): Promise<TorchProcess> =>
  new Promise((resolve, reject) => {
    const t = String(threads);
    let child: ChildProcessWithoutNullStreams;
    try {
      child = spawn(python, [script], { env: { ...process.env, OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t }, stdio: "pipe" });
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    const pending: { resolve: (a: Answer) => void; reject: (e: Error) => void }[] = [];
    let stderr = "";
    let dead: Error | undefined;
    child.stderr.on("data", (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-2000)));
    const fail = (e: Error): void => {
      dead = e;
      for (const p of pending.splice(0)) p.reject(e);
    };
    child.on("error", (e) => fail(e));
    child.on("exit", (code) => fail(new Error(`${python} exited (code ${code}): ${stderr.trim().split("\n").slice(-3).join(" | ") || "no output"}`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      const p = pending.shift();
      if (p === undefined) return;
      let a: Answer;
      try {
        a = JSON.parse(line) as Answer;
      } catch {
        p.reject(new Error(`torch peer: expected a JSON line, found ${JSON.stringify(line.slice(0, 200))}`));
        return;
      }
      if (typeof a.error === "string") p.reject(new Error(`torch peer: ${a.error}`));
      else p.resolve(a);
    });
    const request = (req: Record<string, unknown>): Promise<Answer> =>
      dead !== undefined
        ? Promise.reject(dead)
        : new Promise((res, rej) => {
            pending.push({ resolve: res, reject: rej });
            child.stdin.write(JSON.stringify(req) + "\n");
          });
    const registered = new Map<NetSpec, string>();
    const register = async (net: NetSpec): Promise<string> => {
      const known = registered.get(net);
      if (known !== undefined) return known;
      const id = `${net.name}#${registered.size}`;
      await request({ cmd: "net", id, spec: netJson(net) });
      registered.set(net, id);
      return id;
    };
    request({ cmd: "hello" }).then(
      (a) => resolve({ hello: { ...(a as unknown as Omit<TorchHello, "executable">), executable: python }, request, register, close: () => child.stdin.end() }),
      (e: Error) => {
        child.kill();
        reject(e);
      },
    );
  });

const candidates = (): string[] => {
  const env = process.env.DTD_PYTHON;
  return env !== undefined && env !== "" ? [env] : ["python3", "/usr/bin/python3"];
};

const processes = new Map<number, Promise<TorchProcess | string>>();

/**
 * The peer process for `threads` threads, started on first use: the first candidate Python that imports torch;
 * a string saying why none could when none does.
 */
export const torchProcess = (threads: number): Promise<TorchProcess | string> => {
  const known = processes.get(threads);
  if (known !== undefined) return known;
  const started = (async (): Promise<TorchProcess | string> => {
    const why: string[] = [];
    for (const python of candidates()) {
      try {
        return await start(python, threads);
      } catch (e) {
        why.push(`${python}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    return `no Python with torch (${why.join("; ")}); on Debian: apt-get install python3-torch libopenblas0-pthread`;
  })();
  processes.set(threads, started);
  return started;
};

/** Ends every started peer process (their stdin closes; Python exits). */
export const closeTorchProcesses = async (): Promise<void> => {
  for (const p of processes.values()) {
    const proc = await p;
    if (typeof proc !== "string") proc.close();
  }
  processes.clear();
};

const timingOf = (a: Answer): Timing => {
  const samples = a.samples as number[];
  return { ...summarize(samples), samples };
};

const ready = async (threads: number): Promise<TorchProcess> => {
  const p = await torchProcess(threads);
  if (typeof p === "string") throw new Error(`torch peer unavailable: ${p}`);
  return p;
};

/** One torch implementation: deep Taylor ("torch-dt-Nt") or gradient × input ("torch-gxi-Nt") at N threads. */
export const torchImpl = (method: Method, threads: number): Impl => ({
  name: `torch-${method === "deepTaylor" ? "dt" : "gxi"}-${threads}t`,
  kind: "peer",
  method,
  threads,
  dtypes: ["float32", "float64"],
  setup: async () => {
    const p = await torchProcess(threads);
    return typeof p === "string" ? p : undefined;
  },
  describe: async () => {
    const { hello } = await ready(threads);
    return { library: `torch ${hello.torch}`, numpy: hello.numpy, python: `${hello.python} (${hello.executable})`, threads: hello.threads, blas: hello.blas };
  },
  prepare: async (job) => {
    const p = await ready(threads);
    const net = await p.register(job.net);
    await p.request({ cmd: "prepare", net, method, rule: job.rule, dtype: job.dtype, x: toBase64(job.x.data), shape: job.x.shape });
    return {
      measure: async (timing: TimingOptions) => timingOf(await p.request({ cmd: "measure", timing })),
      heatmaps: async () => fromBase64((await p.request({ cmd: "heatmaps" })).R as string),
      dispose: () => {},
    };
  },
});

/** `torch.mm` of two uniform n×n matrices (OpenBLAS sgemm / dgemm) on the 1-thread process, timed there. */
export const torchGemm = async (n: number, dtype: DType, timing: TimingOptions): Promise<Timing | string> => {
  const p = await torchProcess(1);
  return typeof p === "string" ? p : timingOf(await p.request({ cmd: "gemm", n, dtype, timing }));
};
