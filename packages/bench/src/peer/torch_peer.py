"""The native peer of `pnpm bench` (driven by torch.ts): PyTorch on the bench nets, timed in this process.

Two explanations, both from the same forward pass of the same weights:
- deep Taylor with dtd's rules, written here as each rule is defined (Montavon et al. 2017): for an affine layer,
  z_j = sum_t sum_i a_t,i (W_t)_ij is the rule's modified forward pass (bias removed), s = R / z (0 where z = 0),
  and R_i = sum_t a_t,i * d(sum_j z_j s_j)/d a_t,i by autograd; z+ has one term (x, W+), zB three
  (x, W), (l, -W+), (h, -W-). Max pooling sends a window's relevance to its maximum (autograd through the pool),
  ReLU passes it on, sum pooling redistributes it in proportion to the inputs;
- gradient x input, R = x * df/dx.
f is the net's output summed (net A) or, per sample, its largest logit.

Protocol: one JSON request per line on stdin, one JSON answer per line on stdout ({"error": ...} on failure).
Arrays travel as base64 of little-endian float64. The thread count is fixed by the environment the process is
started with (OMP_NUM_THREADS, OPENBLAS_NUM_THREADS) and torch.set_num_threads.
"""

import base64
import json
import os
import platform
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))


def tensor_of(b64, shape, dtype):
    return torch.from_numpy(np.frombuffer(base64.b64decode(b64), dtype="<f8").reshape(shape).copy()).to(dtype)


def b64_of(t):
    return base64.b64encode(t.detach().to(torch.float64).contiguous().numpy().astype("<f8").tobytes()).decode()


class Affine:
    """A dense (W: in x out) or conv2d (W: OIHW, stride 1, no padding) layer with its weight parts."""

    def __init__(self, kind, W, b):
        self.kind, self.W, self.b = kind, W, b
        self.Wp, self.Wn = W.clamp(min=0), W.clamp(max=0)

    def lin(self, a, W):
        return a @ W if self.kind == "dense" else F.conv2d(a, W)

    def forward(self, a):
        return self.lin(a, self.W) + (self.b if self.kind == "dense" else self.b.view(1, -1, 1, 1))


def build(spec, dtype):
    layers = []
    for layer in spec["layers"]:
        if layer["kind"] in ("dense", "conv2d"):
            layers.append(Affine(layer["kind"], tensor_of(layer["W"], layer["Wshape"], dtype), tensor_of(layer["b"], layer["bshape"], dtype)))
        else:
            layers.append(layer)
    return layers


def forward_layer(layer, a):
    if isinstance(layer, Affine):
        return layer.forward(a)
    kind = layer["kind"]
    if kind == "relu":
        return torch.relu(a)
    if kind == "maxPool2d":
        return F.max_pool2d(a, layer["size"])
    if kind == "flatten":
        return a.reshape(a.shape[0], -1)
    if kind == "sumPool":
        return a.sum(1, keepdim=True)
    raise ValueError(f"unknown layer kind {kind}")


def explained(out, output):
    """f per sample: the output itself (one score) or the largest logit, as a tensor shaped like `out`."""
    if output == "sum":
        return out
    top = out.argmax(1, keepdim=True)
    return torch.zeros_like(out).scatter_(1, top, out.gather(1, top))


def eq4(layer, a, R, rule, box):
    """Relevance of an affine layer's inputs by the rule's modified forward pass and autograd (see the module doc)."""
    if rule == "zplus":
        terms = [(a.detach().requires_grad_(), layer.Wp, 1.0)]
    else:
        lo, hi = box
        terms = [(a.detach().requires_grad_(), layer.W, 1.0),
                 (torch.full_like(a, lo).requires_grad_(), layer.Wp, -1.0),
                 (torch.full_like(a, hi).requires_grad_(), layer.Wn, -1.0)]
    z = sum(sign * layer.lin(t, W) for t, W, sign in terms)
    s = (R / z).masked_fill_(z == 0, 0)
    grads = torch.autograd.grad(z, [t for t, _, _ in terms], s)
    return sum(t.detach() * g for (t, _, _), g in zip(terms, grads))


def deep_taylor(layers, x, spec, rule):
    with torch.no_grad():
        acts = [x]
        for layer in layers:
            acts.append(forward_layer(layer, acts[-1]))
    R = explained(acts[-1], spec["output"])
    first = next(i for i, layer in enumerate(layers) if isinstance(layer, Affine))
    box = (min(0.0, spec["box"]["lo"]), max(0.0, spec["box"]["hi"]))
    for i in range(len(layers) - 1, -1, -1):
        layer, a = layers[i], acts[i]
        if isinstance(layer, Affine):
            R = eq4(layer, a, R, "zb" if rule == "zb" or (rule == "zb+zplus" and i == first) else "zplus", box)
        elif layer["kind"] == "maxPool2d":
            a = a.detach().requires_grad_()
            (R,) = torch.autograd.grad(F.max_pool2d(a, layer["size"]), a, R)
        elif layer["kind"] == "flatten":
            R = R.reshape(a.shape)
        elif layer["kind"] == "sumPool":
            z = a.sum(1, keepdim=True)
            R = a * (R / z).masked_fill_(z == 0, 0)
    return R


def gradient_times_input(layers, x, spec):
    x = x.detach().requires_grad_()
    h = x
    for layer in layers:
        h = forward_layer(layer, h)
    (g,) = torch.autograd.grad(explained(h, spec["output"]).sum(), x)
    return x.detach() * g


def measure(fn, timing):
    """harness.ts's loop: warm up, then time calls until both minRuns and minSeconds are reached; the clock is
    elapsed time, or with timing["clock"] == "cpu" the process's CPU time (all its threads)."""
    clock = time.process_time if timing.get("clock") == "cpu" else time.perf_counter
    start = clock()
    i = 0
    while i < timing["warmupRuns"] or clock() - start < timing["warmupSeconds"]:
        fn()
        i += 1
    samples, total = [], 0.0
    while len(samples) < timing["minRuns"] or total < timing["minSeconds"]:
        t0 = clock()
        fn()
        dt = clock() - t0
        samples.append(dt)
        total += dt
    return samples


def blas():
    """The BLAS library this process loaded, from its memory map (Linux), else torch's build note."""
    try:
        with open("/proc/self/maps") as maps:
            libs = sorted({line.split()[-1] for line in maps if "blas" in line.lower()})
        if libs:
            return ", ".join(os.path.realpath(lib) for lib in libs)
    except OSError:
        pass
    return next((line.strip() for line in torch.__config__.show().splitlines() if "BLAS" in line), "unknown")


def main():
    nets, current = {}, None
    for line in sys.stdin:
        req = json.loads(line)
        try:
            cmd = req["cmd"]
            if cmd == "hello":
                torch.ones(2, 2) @ torch.ones(2, 2)
                ans = {"torch": torch.__version__, "numpy": np.__version__, "python": platform.python_version(),
                       "threads": torch.get_num_threads(), "blas": blas()}
            elif cmd == "net":
                nets[req["id"]] = req["spec"]
                ans = {}
            elif cmd == "prepare":
                spec, dtype = nets[req["net"]], getattr(torch, req["dtype"])
                layers, x, rule = build(spec, dtype), tensor_of(req["x"], req["shape"], dtype), req["rule"]
                if req["method"] == "deepTaylor":
                    current = lambda: deep_taylor(layers, x, spec, rule)
                else:
                    current = lambda: gradient_times_input(layers, x, spec)
                ans = {}
            elif cmd == "measure":
                ans = {"samples": measure(current, req["timing"])}
            elif cmd == "heatmaps":
                ans = {"R": b64_of(current())}
            elif cmd == "gemm":
                g = torch.Generator().manual_seed(req["n"])
                a, b = (torch.rand(req["n"], req["n"], generator=g, dtype=getattr(torch, req["dtype"])) for _ in range(2))
                ans = {"samples": measure(lambda: torch.mm(a, b), req["timing"])}
            else:
                raise ValueError(f"unknown command {cmd}")
        except Exception as e:  # noqa: BLE001 — every failure goes back to the bench as an answer
            ans = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(ans) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
