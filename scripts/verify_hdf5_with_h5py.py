#!/usr/bin/env python3
"""Checks, once, that HDF5 files written by SNNKit are read correctly by h5py, and the other way round.

Not part of the default tests (they need no Python). Run it from the repository root:

    python3 -m venv /tmp/h5venv && /tmp/h5venv/bin/pip install h5py numpy
    /tmp/h5venv/bin/python scripts/verify_hdf5_with_h5py.py [--build-path .build] [--keep DIR]

What it does:
1. writes `from_h5py.h5` with h5py in a temporary directory: the SHD layout as the published files use it
   (`spikes/times` variable-length float16 seconds, `spikes/units` variable-length uint16, `labels` uint8),
   plus fixed- and variable-length strings, a string attribute and plain numeric datasets;
2. runs `swift test --filter HDF5Interop` with SNNKIT_HDF5_INTEROP_DIR set to that directory: the Swift suite
   (Tests/SNNDataTests/HDF5InteropTests.swift) checks what SNNData reads from `from_h5py.h5` and writes
   `synthetic_shd.h5` (SyntheticSHD, 700 channels, 20 classes) with a JSON record of its events, and
   `kinds.h5` (every numeric type, a matrix, a scalar, variable-length arrays, strings, attributes);
3. reads both with h5py and checks every dtype and value; for the SHD file it bins the float32 times the
   way the reference does (int(t * (1/dt)) in float32) and compares with the events SNNKit wrote.
Exit status 0 and "h5py interop: OK" when everything matches.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np


def write_from_h5py(path):
    with h5py.File(path, "w") as f:
        f.attrs["description"] = "written by h5py"
        times = f.create_dataset("spikes/times", (3,), dtype=h5py.vlen_dtype(np.float16))
        units = f.create_dataset("spikes/units", (3,), dtype=h5py.vlen_dtype(np.uint16))
        for i, (t, u) in enumerate([([0.25, 0.5, 0.125], [0, 699, 3]), ([], []), ([0.0625, 0.3125], [10, 10])]):
            times[i] = np.array(t, dtype=np.float16)
            units[i] = np.array(u, dtype=np.uint16)
        f.create_dataset("labels", data=np.array([3, 0, 19], dtype=np.uint8))
        f.create_dataset("names", data=np.array([b"alpha", b"beta"]))  # fixed-length, NUL-padded
        f.create_dataset("vlen_names", data=["γ", "delta"], dtype=h5py.string_dtype("utf-8"))
        f.create_dataset("numbers/int16", data=np.array([-3, 0, 700], dtype=np.int16))
        f.create_dataset("numbers/matrix", data=np.arange(1, 7, dtype=np.float64).reshape(3, 2))


def check(condition, what):
    if not condition:
        raise SystemExit(f"h5py interop: FAILED: {what}")


def check_synthetic(directory):
    record = json.load(open(os.path.join(directory, "synthetic_shd.json")))
    with h5py.File(os.path.join(directory, "synthetic_shd.h5"), "r") as f:
        times, units, labels = f["spikes/times"], f["spikes/units"], f["labels"]
        check(h5py.check_vlen_dtype(times.dtype) == np.float32, f"spikes/times dtype {times.dtype}")
        check(h5py.check_vlen_dtype(units.dtype) == np.uint16, f"spikes/units dtype {units.dtype}")
        check(labels.dtype == np.uint8, f"labels dtype {labels.dtype}")
        n = len(record["labels"])
        check(times.shape == (n,) and units.shape == (n,) and labels.shape == (n,), "sample counts")
        check(list(labels[()]) == record["labels"], "labels")
        check("steps = %d" % record["steps"] in f.attrs["snnkit"], "snnkit attribute")
        inverse = np.float32(1 / record["time_step_s"])
        offsets = record["event_offsets"]
        for i in range(n):
            t, u = times[i], units[i]
            check(t.dtype == np.float32 and u.dtype == np.uint16, f"row {i} dtypes")
            check(len(t) == len(u), f"row {i} lengths")
            bins = (t * inverse).astype(np.int64)  # float32 product, truncated: the reference rule
            lo, hi = offsets[i], offsets[i + 1]
            check(list(bins) == record["event_steps"][lo:hi], f"row {i} time bins")
            check(list(u.astype(np.int64)) == record["event_channels"][lo:hi], f"row {i} units")
            check(np.all(t >= 0) and np.all(u < 700), f"row {i} ranges")


def check_kinds(directory):
    expected = {
        "numbers/float32": (np.float32, [0, -1.5, 3.25]),
        "numbers/float64": (np.float64, [0.1, -2e300]),
        "numbers/int8": (np.int8, [-128, 127]),
        "numbers/uint8": (np.uint8, [0, 255]),
        "numbers/int16": (np.int16, [-32768, 700]),
        "numbers/uint16": (np.uint16, [0, 65535]),
        "numbers/int32": (np.int32, [-2**31, 7]),
        "numbers/uint32": (np.uint32, [0, 2**32 - 1]),
        "numbers/int64": (np.int64, [-2**63, 9]),
        "numbers/uint64": (np.uint64, [0, 2**64 - 1]),
    }
    with h5py.File(os.path.join(directory, "kinds.h5"), "r") as f:
        for name, (dtype, values) in expected.items():
            d = f[name]
            check(d.dtype == dtype, f"{name} dtype {d.dtype}")
            check(d.shape == (len(values),), f"{name} shape {d.shape}")
            check(np.array_equal(d[()], np.array(values, dtype=dtype)), f"{name} values {d[()]}")
        check(f["matrix"].shape == (2, 3) and np.array_equal(f["matrix"][()], np.arange(1, 7, dtype=np.float32).reshape(2, 3)), "matrix")
        check(f["tau"].shape == () and f["tau"][()] == 0.02, "scalar tau")
        ragged = f["ragged/float32"]
        check(h5py.check_vlen_dtype(ragged.dtype) == np.float32, "ragged/float32 dtype")
        check([list(r) for r in ragged[()]] == [[0.5, 0.25], [], [1.0]], "ragged/float32 values")
        check([list(r) for r in f["ragged/int64"][()]] == [[-1, 2**40], [3]], "ragged/int64 values")
        check(list(f["strings"].asstr()[()]) == ["Input", "CubaLIF", "σ"], "strings")
        check(f["type"].asstr()[()] == "Affine", "scalar string")
        check(f.attrs["version"] == "0.1", "root attribute")
        check(f["tau"].attrs["unit"] == "seconds", "dataset attribute")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-path", default=".build", help="SwiftPM build directory (default .build)")
    parser.add_argument("--keep", help="write the files into this directory and keep them")
    args = parser.parse_args()
    directory = args.keep or tempfile.mkdtemp(prefix="snnkit-h5py-")
    os.makedirs(directory, exist_ok=True)
    write_from_h5py(os.path.join(directory, "from_h5py.h5"))
    env = dict(os.environ, SNNKIT_HDF5_INTEROP_DIR=directory)
    result = subprocess.run(["swift", "test", "--build-path", args.build_path, "--filter", "HDF5Interop"], env=env)
    check(result.returncode == 0, "the Swift interop tests (see their output above)")
    check_synthetic(directory)
    check_kinds(directory)
    print(f"h5py interop: OK (h5py {h5py.__version__}, HDF5 {h5py.version.hdf5_version}; files in {directory})")


if __name__ == "__main__":
    sys.exit(main())
