"""Exports torchvision architectures to ONNX for probing @dtd/import (not run by the tests; the files are large).

    /usr/bin/python3 packages/import/probe/export_torchvision.py OUT_DIR [name[@opset][:size][+flag...] ...]

Flags: +nofold (do_constant_folding=False: batch norms stay BatchNormalization nodes), +dyn (a dynamic batch
axis), +inputs (keep_initializers_as_inputs=True: initializers also listed as graph inputs, as old exporters did).

Needs Debian's python3-torch, python3-torchvision and python3-onnx. Random initial weights (nothing is
downloaded), batch norms given non-trivial running statistics so they change the function, eval mode, batch 1.
"""
import os
import sys

import torch
import torch.nn as nn
import torchvision.models as tvm

DEFAULT = [
    "resnet18", "mobilenet_v2", "mobilenet_v3_small", "squeezenet1_1", "googlenet", "densenet121", "vgg11",
    "alexnet", "shufflenet_v2_x0_5", "inception_v3", "mnasnet0_5", "efficientnet_b0", "resnet50", "regnet_x_400mf",
]


def randomise_bn(m):
    for bn in m.modules():
        if isinstance(bn, (nn.BatchNorm2d, nn.BatchNorm1d)):
            n = bn.num_features
            bn.running_mean.copy_(torch.randn(n) * 0.1)
            bn.running_var.copy_(torch.rand(n) * 0.5 + 0.75)
            bn.weight.data.copy_(torch.rand(n) * 0.5 + 0.75)
            bn.bias.data.copy_(torch.randn(n) * 0.1)


def build(name):
    kwargs = {"weights": None}
    if name in ("googlenet", "inception_v3"):
        kwargs["aux_logits"] = False
        kwargs["init_weights"] = True
    return getattr(tvm, name)(**kwargs)


def export(out, spec):
    name, *flags = spec.split("+")
    size, opset = 224, 13
    if ":" in name:
        name, s = name.split(":")
        size = int(s)
    if "@" in name:
        name, o = name.split("@")
        opset = int(o)
    if name == "inception_v3" and size == 224:
        size = 299
    torch.manual_seed(0)
    model = build(name)
    randomise_bn(model)
    model.eval()
    x = torch.rand(1, 3, size, size)
    suffix = "".join(f"_{f}" for f in flags)
    path = os.path.join(out, f"{name}_op{opset}_{size}{suffix}.onnx")
    torch.onnx.export(
        model, x, path, opset_version=opset, input_names=["input"], output_names=["output"],
        do_constant_folding="nofold" not in flags, keep_initializers_as_inputs="inputs" in flags,
        dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}} if "dyn" in flags else None,
    )
    print(path, os.path.getsize(path), "bytes", flush=True)


if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for spec in sys.argv[2:] or DEFAULT:
        try:
            export(out, spec)
        except Exception as e:  # report and go on: the probe lists what could not even be exported
            print(spec, "FAILED TO EXPORT:", e, flush=True)
