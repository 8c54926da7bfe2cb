#!/usr/bin/env python3
"""Checks, once, that safetensors files written by SNNKit are read correctly by the PyPI safetensors package, and the other way round.

Not part of the default tests (they need no Python). Run it from the repository root:

    python3 -m venv /tmp/stvenv && /tmp/stvenv/bin/pip install safetensors numpy
    /tmp/stvenv/bin/python scripts/verify_safetensors.py [--build-path .build] [--keep DIR]

What it does:
1. writes `from_python.safetensors` with `safetensors.numpy.save_file` in a temporary directory (float32, float64,
   int64, uint8 and an empty tensor, with metadata);
2. runs `swift test --filter SafeTensorsInterop` with SNNKIT_SAFETENSORS_INTEROP_DIR set to that directory: the Swift
   suite (Tests/SNNKitTests/SafeTensorsInteropTests.swift) checks what SNNKit reads from `from_python.safetensors`,
   trains a small network for one epoch and writes its checkpoint `checkpoint.safetensors` (Trainer.saveCheckpoint)
   with a JSON record of every tensor, and writes `kinds.safetensors` (every dtype SNNKit writes, a scalar, an empty
   tensor, metadata that needs escaping);
3. opens both with `safetensors.safe_open(..., framework="numpy")` (which validates the header and offsets) and
   `safetensors.numpy.load_file`, and checks every name, dtype, shape, value and metadata entry; for the checkpoint it
   also parses the JSON metadata (network description, optimizer hyper-parameters, history).
Exit status 0 and "safetensors interop: OK" when everything matches.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import safetensors
from safetensors import safe_open
from safetensors.numpy import load_file, save_file


def check(condition, what):
    if not condition:
        raise SystemExit(f"safetensors interop: FAILED: {what}")


def write_from_python(path):
    save_file({
        "weights": (np.arange(6, dtype=np.float32) * 0.5).reshape(2, 3),
        "doubles": np.array([0.1, -2e300], dtype=np.float64),
        "counts": np.array([[-2**63, 9]], dtype=np.int64),
        "bytes": np.array([0, 255, 7], dtype=np.uint8),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }, path, metadata={"source": "python", "epoch": "3"})


def check_checkpoint(directory):
    path = os.path.join(directory, "checkpoint.safetensors")
    record = json.load(open(os.path.join(directory, "checkpoint.json")))
    tensors = load_file(path)
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata()
        names = list(f.keys())
    check(sorted(names) == sorted(record["order"]), f"tensor names {names}")
    parameters = record["parameters"]
    check(set(parameters) <= set(names), "every parameter is a tensor")
    for name in names:
        expected = record["tensors"][name]
        array = tensors[name]
        check(array.dtype == np.float32, f"{name} dtype {array.dtype}")
        check(list(array.shape) == expected["shape"], f"{name} shape {array.shape}")
        check(np.array_equal(array.reshape(-1), np.array(expected["values"], dtype=np.float32)), f"{name} values")
        if name not in parameters:
            moment, _, parameter = name[len("optimizer."):].partition(".")
            check(name.startswith("optimizer.") and moment in ("mem", "g", "g2") and parameter in parameters, f"optimizer tensor {name}")
            check(array.shape == tensors[parameter].shape, f"{name} has its parameter's shape")
    check(metadata["format"] == "snnkit.checkpoint" and metadata["format_version"] == "1", "format metadata")
    check(metadata["epoch"] == "1" and metadata["training.seed"] == "2", "epoch and seed")
    check(metadata["optimizer.kind"] == "smorms3" and int(metadata["optimizer.step"]) == 3, "optimizer kind and step")
    check(json.loads(metadata["optimizer.hyperparameters"])["learningRate"] == 5e-3, "optimizer hyper-parameters")
    network = json.loads(metadata["network"])
    check(network["inputs"] == 12 and len(network["layers"]) == 2, "network description")
    check(len(json.loads(metadata["training.history"])) == 1, "history")
    json.loads(metadata["training.dropout_generator"])


def check_kinds(directory):
    path = os.path.join(directory, "kinds.safetensors")
    t = load_file(path)
    expected = {
        "float32": np.array([0, -1.5, 3.25, 0.1, -0.0, 1e-38], dtype=np.float32).reshape(2, 3),
        "float64": np.array([0.1, -2e300, np.inf], dtype=np.float64),
        "int64": np.array([-2**63, -1, 9, 2**63 - 1], dtype=np.int64).reshape(2, 2),
        "uint8": np.array([0, 7, 255, 128], dtype=np.uint8),
        "scalar": np.array(0.02, dtype=np.float32),
        "empty": np.zeros((0, 3), dtype=np.float32),
    }
    check(sorted(t) == sorted(expected), f"names {sorted(t)}")
    for name, want in expected.items():
        got = t[name]
        check(got.dtype == want.dtype and got.shape == want.shape, f"{name}: {got.dtype} {got.shape}")
        check(np.array_equal(got, want), f"{name} values {got}")
    check(np.signbit(t["float32"][1, 1]), "negative zero kept")
    with safe_open(path, framework="numpy") as f:
        check(f.metadata() == {"note": 'unicode τ and "quotes"', "empty": ""}, f"metadata {f.metadata()}")
    with open(path, "rb") as f:
        n = int.from_bytes(f.read(8), "little")
        check((8 + n) % 8 == 0, "header padded to 8 bytes")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-path", default=".build", help="SwiftPM build directory (default .build)")
    parser.add_argument("--keep", help="write the files into this directory and keep them")
    args = parser.parse_args()
    directory = args.keep or tempfile.mkdtemp(prefix="snnkit-safetensors-")
    os.makedirs(directory, exist_ok=True)
    write_from_python(os.path.join(directory, "from_python.safetensors"))
    env = dict(os.environ, SNNKIT_SAFETENSORS_INTEROP_DIR=directory)
    result = subprocess.run(["swift", "test", "--build-path", args.build_path, "--filter", "SafeTensorsInterop"], env=env)
    check(result.returncode == 0, "the Swift interop tests (see their output above)")
    check_checkpoint(directory)
    check_kinds(directory)
    print(f"safetensors interop: OK (safetensors {safetensors.__version__}, numpy {np.__version__}; files in {directory})")


if __name__ == "__main__":
    sys.exit(main())
