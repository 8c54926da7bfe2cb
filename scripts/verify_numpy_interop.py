#!/usr/bin/env python3
"""Checks, once, that NumPy files written by SNNKit are read correctly by NumPy, and the other way round.

Not part of the default tests (they need no Python). Run it from the repository root:

    python3 -m venv /tmp/npvenv && /tmp/npvenv/bin/pip install numpy
    /tmp/npvenv/bin/python scripts/verify_numpy_interop.py [--build-path .build] [-c release] [--keep DIR]

What it does:
1. writes, with NumPy, in a temporary directory: dense 0/1 spikes and labels with `np.savez` (`dense.npz`), with
   `np.savez_compressed` (`dense_compressed.npz`: DEFLATE entries, ZIP64 local headers, float32 spikes, int32
   labels) and as two `.npy` files (`spikes.npy` bool, `labels.npy` uint8); a RAS archive (`ras.npz`: float32
   times, some past the window and some duplicated, int64 units, unsorted `sample_index`); a DVS event file
   (`dvs.npy`: an aligned record array with padding, fields x, p, y, t in that order, float64 whole-microsecond
   times, unsorted); a big-endian float64 array (`big_endian.npy`); and `from_numpy.json`, the events each
   should give, binned here the reference way (float32 `int(t * (1/dt))` for RAS, `t // dt` for DVS);
2. runs `swift test --filter NumPyInteropTests` with SNNKIT_NUMPY_INTEROP_DIR set to that directory: the Swift
   suite (Tests/SNNDataTests/NumPyInteropTests.swift) checks what SNNData reads from those files and writes
   `snnkit_dense.npz`, `snnkit_ras.npz`, `snnkit_dvs.npy` (records), `snnkit_dvs_columns.npy`, three archives of
   every scalar type (`snnkit_kinds*.npz`: stored, DEFLATE, ZIP64) and an MNIST-style IDX file, with
   `from_snnkit.json`, a record of their events;
3. reads all of them with `np.load` (and the IDX file with `struct`) and checks every dtype and value.
Exit status 0 and "numpy interop: OK" when everything matches.
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np


def check(condition, what):
    if not condition:
        raise SystemExit(f"numpy interop: FAILED: {what}")


def csr(samples, steps, channels, labels):
    """A record like SpikeDataset's: per-sample lists of (step, channel) events."""
    offsets, st, ch = [0], [], []
    for events in samples:
        for s, c in events:
            st.append(int(s))
            ch.append(int(c))
        offsets.append(len(st))
    return {"steps": steps, "channels": channels, "event_offsets": offsets, "event_steps": st, "event_channels": ch,
            "labels": [int(x) for x in labels]}


def binned(times, units, sample_index, n, dt, steps):
    """The reference binning: float32 int(t * (1/dt)), past the window dropped, duplicates once, file order."""
    inverse = np.float32(1 / dt)
    samples = []
    for s in range(n):
        mask = sample_index == s
        bins = (times[mask].astype(np.float32) * inverse).astype(np.int64)
        seen, events = set(), []
        for b, u in zip(bins, units[mask]):
            if b < steps and (b, u) not in seen:
                seen.add((b, u))
                events.append((b, u))
        samples.append(events)
    return samples


def write_from_numpy(d):
    rng = np.random.default_rng(0)
    spikes = (rng.random((6, 50, 30)) < 0.05).astype(np.uint8)
    labels = np.array([0, 3, 1, 2, 3, 0], dtype=np.int64)
    np.savez(os.path.join(d, "dense.npz"), spikes=spikes, labels=labels)
    np.savez_compressed(os.path.join(d, "dense_compressed.npz"), spikes=spikes.astype(np.float32), labels=labels.astype(np.int32))
    np.save(os.path.join(d, "spikes.npy"), spikes.astype(bool))
    np.save(os.path.join(d, "labels.npy"), labels.astype(np.uint8))
    dense = csr([[(t, c) for t, c in np.argwhere(spikes[i])] for i in range(6)], 50, 30, labels)

    n_events = 3000
    times = (rng.random(n_events) * 0.8).astype(np.float32)
    units = rng.integers(0, 700, n_events)
    sample_index = rng.integers(0, 5, n_events)
    times[10:20], units[10:20], sample_index[10:20] = times[0], units[0], sample_index[0]   # duplicates
    ras_labels = np.array([4, 0, 2, 2, 1], dtype=np.int64)
    np.savez(os.path.join(d, "ras.npz"), times=times, units=units, sample_index=sample_index, labels=ras_labels)
    ras = csr(binned(times, units, sample_index, 5, 0.002, 349), 349, 700, ras_labels)

    dtype = np.dtype([("x", "<i8"), ("p", "u1"), ("y", "<i4"), ("t", "<f8")], align=True)
    events = np.zeros(2000, dtype=dtype)
    events["x"], events["y"] = rng.integers(0, 128, 2000), rng.integers(0, 128, 2000)
    events["p"], events["t"] = rng.integers(0, 2, 2000), rng.integers(0, 1_200_000, 2000).astype(np.float64)
    np.save(os.path.join(d, "dvs.npy"), events)
    seen, dvs_events = set(), []
    for e in events:
        frame, channel = int(e["t"]) // 2000, ((int(e["y"]) // 4) * 32 + int(e["x"]) // 4) * 2 + int(e["p"])
        if frame < 500 and (frame, channel) not in seen:
            seen.add((frame, channel))
            dvs_events.append((frame, channel))
    dvs = csr([dvs_events], 500, 32 * 32 * 2, [0])

    np.save(os.path.join(d, "big_endian.npy"), np.array([1.5, -2, 3e10], dtype=">f8"))
    with open(os.path.join(d, "from_numpy.json"), "w") as f:
        json.dump({"dense": dense, "ras": ras, "dvs": dvs, "big_endian": [1.5, -2.0, 3e10]}, f)


def check_from_snnkit(d):
    record = json.load(open(os.path.join(d, "from_snnkit.json")))
    with np.load(os.path.join(d, "snnkit_dense.npz")) as f:
        check(sorted(f.files) == ["labels", "spikes"], f"dense arrays {f.files}")
        spikes, labels = f["spikes"], f["labels"]
        r = record["dense"]
        check(spikes.dtype == np.uint8 and spikes.shape == (len(r["labels"]), r["steps"], r["channels"]), f"spikes {spikes.dtype} {spikes.shape}")
        check(labels.dtype == np.int64 and list(labels) == r["labels"], "dense labels")
        check(set(np.unique(spikes)) <= {0, 1}, "spikes are 0/1")
        for i in range(len(labels)):
            lo, hi = r["event_offsets"][i], r["event_offsets"][i + 1]
            events = np.argwhere(spikes[i])
            check([int(x) for x in events[:, 0]] == r["event_steps"][lo:hi], f"dense sample {i} steps")
            check([int(x) for x in events[:, 1]] == r["event_channels"][lo:hi], f"dense sample {i} channels")

    with np.load(os.path.join(d, "snnkit_ras.npz")) as f:
        times, units, sample_index, labels = f["times"], f["units"], f["sample_index"], f["labels"]
        check((times.dtype, units.dtype, sample_index.dtype, labels.dtype) == (np.float32, np.int32, np.int64, np.int64), "RAS dtypes")
        r = record["ras"]
        check(list(labels) == r["labels"], "RAS labels")
        samples = binned(times, units, sample_index, len(labels), 0.002, r["steps"])
        check(csr(samples, r["steps"], r["channels"], labels) == r, "RAS events binned the reference way")

    expected = np.array(record["dvs"], dtype=np.int64)
    events = np.load(os.path.join(d, "snnkit_dvs.npy"))
    check(events.dtype == np.dtype([("x", "<u2"), ("y", "<u2"), ("p", "u1"), ("t", "<i8")]), f"DVS dtype {events.dtype}")
    check(all((events[k].astype(np.int64) == expected[:, i]).all() for i, k in enumerate("xypt")), "DVS records")
    columns = np.load(os.path.join(d, "snnkit_dvs_columns.npy"))
    check(columns.dtype == np.int64 and (columns == expected).all(), "DVS columns")

    kinds = {
        "bool": (np.bool_, [True, False, True]), "int8": (np.int8, [-128, 127]), "uint8": (np.uint8, [0, 255]),
        "int16": (np.int16, [-32768, 700]), "uint16": (np.uint16, [0, 65535]), "int32": (np.int32, [-2**31, 7]),
        "uint32": (np.uint32, [0, 2**32 - 1]), "int64": (np.int64, [-2**63 + 1, 9]), "uint64": (np.uint64, [0, 2**60]),
        "float32": (np.float32, [0, -1.5, 3.25]), "float64": (np.float64, [0.1, -2e300]),
        "matrix": (np.float32, [[1, 2, 3], [4, 5, 6]]), "scalar": (np.float64, 0.02), "empty": (np.uint8, np.zeros((0, 3))),
    }
    for name in ["snnkit_kinds.npz", "snnkit_kinds_deflated.npz", "snnkit_kinds_zip64.npz"]:
        with np.load(os.path.join(d, name)) as f:
            check(list(f.files) == list(kinds), f"{name}: arrays {f.files}")
            for key, (dtype, values) in kinds.items():
                a = f[key]
                check(a.dtype == dtype, f"{name}: {key} dtype {a.dtype}")
                check(a.shape == np.shape(values) and np.array_equal(a, np.array(values, dtype=dtype)), f"{name}: {key} values")

    raw = open(os.path.join(d, "snnkit_images.idx"), "rb").read()
    magic, n, rows, cols = struct.unpack(">IIII", raw[:16])
    check((magic, n, rows, cols) == (0x803, 2, 28, 28), "IDX header")
    check(np.array_equal(np.frombuffer(raw[16:], dtype=np.uint8), np.arange(2 * 28 * 28) % 256), "IDX pixels")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-path", default=".build", help="SwiftPM build directory (default .build)")
    parser.add_argument("-c", "--configuration", default="debug", help="SwiftPM build configuration (default debug)")
    parser.add_argument("--keep", help="write the files into this directory and keep them")
    args = parser.parse_args()
    directory = args.keep or tempfile.mkdtemp(prefix="snnkit-numpy-")
    os.makedirs(directory, exist_ok=True)
    write_from_numpy(directory)
    env = dict(os.environ, SNNKIT_NUMPY_INTEROP_DIR=directory)
    result = subprocess.run(["swift", "test", "-c", args.configuration, "--build-path", args.build_path, "--filter", "NumPyInteropTests"],
                            env=env)
    check(result.returncode == 0, "the Swift interop tests (see their output above)")
    check_from_snnkit(directory)
    print(f"numpy interop: OK (numpy {np.__version__}; files in {directory})")


if __name__ == "__main__":
    sys.exit(main())
