#!/usr/bin/env python3
"""Checks, once, that NIR files written by SNNKit are read by the `nir` Python package, and the other way round.

Not part of the default tests (they need no Python). Run it from the repository root:

    python3 -m venv /tmp/nirvenv && /tmp/nirvenv/bin/pip install nir
    /tmp/nirvenv/bin/python scripts/verify_nir.py [--build-path .build] [--configuration release] [--keep DIR]

What it does:
1. writes, with `nir.write`, `from_nir_dense.nir` (Input [3] -> Affine -> nested graph of a CubaLIF with a recurrent
   Linear -> Linear -> CubaLI -> Output), `from_nir_conv.nir` (Input [2, 6, 6] -> Conv2d -> CubaLIF -> SumPool2d ->
   Flatten -> Affine -> CubaLI -> Output), `from_nir_lif.nir` (Input [3] -> Linear -> nested graph of a LIF with a
   recurrent Linear -> Linear -> LI -> Output) and `from_nir_lif_reset.nir` (the same with v_reset = -0.5, which
   SNNKit must refuse), plus `python_written.json` with their weights;
2. runs `swift test -c CONFIGURATION --filter NIRInterop` with SNNKIT_NIR_INTEROP_DIR set to that directory: the Swift
   suite (Tests/SNNDataTests/NIRInteropTests.swift) imports the files into SNNKit networks and checks their weights
   (LIF and LI become LIF and readout layers with tau_syn = 0, weights scaled by r), and writes the four networks of
   the NIR tests (dense recurrent, conv1d recurrent, conv2d + sum pooling, LIF/LI without synaptic filter) as NIR
   files, with a JSON record of what they hold;
3. reads each SNNKit file with `nir.read` (with the package's type checking), prints the graph, and checks node types,
   edges, shapes, the parameter mapping (CubaLIF/CubaLI: r = 1, v_leak = 0, v_reset = 0,
   w_in = 1/(1 - exp(-dt/tau_syn)); LIF/LI: tau = tau_mem, r = 1, v_leak = 0, v_reset = 0, v_threshold = theta) and the
   channels-first order of the weights after Flatten.
Exit status 0 and "nir interop: OK" when everything matches.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import h5py
import nir
import numpy as np


def check(condition, what):
    if not condition:
        raise SystemExit(f"nir interop: FAILED: {what}")


def write_from_python(directory):
    rng = np.random.default_rng(7)
    w1 = rng.uniform(-1, 1, (4, 3)).astype(np.float32)
    b1 = rng.uniform(-0.1, 0.1, 4).astype(np.float32)
    w_rec = rng.uniform(-0.5, 0.5, (4, 4)).astype(np.float32)
    w2 = rng.uniform(-1, 1, (2, 4)).astype(np.float32)
    lif = nir.CubaLIF(tau_syn=np.full(4, 0.005), tau_mem=np.full(4, 0.02), r=np.ones(4), v_leak=np.zeros(4),
                      v_threshold=np.ones(4))
    recurrent = nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([4])), "lif": lif, "w_rec": nir.Linear(weight=w_rec),
               "output": nir.Output(output_type=np.array([4]))},
        edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")])
    dense = nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([3])), "fc1": nir.Affine(weight=w1, bias=b1), "rnn": recurrent,
               "fc2": nir.Linear(weight=w2),
               "li": nir.CubaLI(tau_syn=np.full(2, 0.005), tau_mem=np.full(2, 0.1), r=np.ones(2), v_leak=np.zeros(2)),
               "output": nir.Output(output_type=np.array([2]))},
        edges=[("input", "fc1"), ("fc1", "rnn"), ("rnn", "fc2"), ("fc2", "li"), ("li", "output")])
    nir.write(os.path.join(directory, "from_nir_dense.nir"), dense)

    wc = rng.uniform(-1, 1, (3, 2, 3, 3)).astype(np.float32)
    wf = rng.uniform(-1, 1, (2, 27)).astype(np.float32)
    conv = nir.NIRGraph(
        nodes={"input": nir.Input(input_type=np.array([2, 6, 6])),
               "conv": nir.Conv2d(input_shape=(6, 6), weight=wc, stride=1, padding=1, dilation=1, groups=1,
                                  bias=np.zeros(3, dtype=np.float32)),
               "lif": nir.CubaLIF(tau_syn=np.full((3, 6, 6), 0.01), tau_mem=np.full((3, 6, 6), 0.02),
                                  r=np.ones((3, 6, 6)), v_leak=np.zeros((3, 6, 6)), v_threshold=np.ones((3, 6, 6))),
               "pool": nir.SumPool2d(kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])),
               "flatten": nir.Flatten(input_type={"input": np.array([3, 3, 3])}, start_dim=0, end_dim=-1),
               "fc": nir.Affine(weight=wf, bias=np.zeros(2, dtype=np.float32)),
               "li": nir.CubaLI(tau_syn=np.full(2, 0.01), tau_mem=np.full(2, 0.05), r=np.ones(2), v_leak=np.zeros(2)),
               "output": nir.Output(output_type=np.array([2]))},
        edges=[("input", "conv"), ("conv", "lif"), ("lif", "pool"), ("pool", "flatten"), ("flatten", "fc"),
               ("fc", "li"), ("li", "output")])
    nir.write(os.path.join(directory, "from_nir_conv.nir"), conv)

    wl = rng.uniform(-1, 1, (4, 3)).astype(np.float32)
    wl_rec = rng.uniform(-0.5, 0.5, (4, 4)).astype(np.float32)
    wl_out = rng.uniform(-1, 1, (2, 4)).astype(np.float32)

    def lif_graph(v_reset):
        lif = nir.LIF(tau=np.full(4, 0.02), r=np.full(4, 2.0), v_leak=np.zeros(4), v_threshold=np.ones(4),
                      v_reset=np.full(4, v_reset))
        recurrent = nir.NIRGraph(
            nodes={"input": nir.Input(input_type=np.array([4])), "lif": lif, "w_rec": nir.Linear(weight=wl_rec),
                   "output": nir.Output(output_type=np.array([4]))},
            edges=[("input", "lif"), ("lif", "w_rec"), ("w_rec", "lif"), ("lif", "output")])
        return nir.NIRGraph(
            nodes={"input": nir.Input(input_type=np.array([3])), "fc1": nir.Linear(weight=wl), "rnn": recurrent,
                   "fc2": nir.Linear(weight=wl_out),
                   "li": nir.LI(tau=np.full(2, 0.1), r=np.full(2, 0.5), v_leak=np.zeros(2)),
                   "output": nir.Output(output_type=np.array([2]))},
            edges=[("input", "fc1"), ("fc1", "rnn"), ("rnn", "fc2"), ("fc2", "li"), ("li", "output")])
    nir.write(os.path.join(directory, "from_nir_lif.nir"), lif_graph(0.0))
    nir.write(os.path.join(directory, "from_nir_lif_reset.nir"), lif_graph(-0.5))
    record = {"dense_affine_weight": w1.astype(float).ravel().tolist(),
              "dense_recurrent_weight": w_rec.astype(float).ravel().tolist(),
              "conv_affine_weight": wf.astype(float).ravel().tolist(),
              "lif_input_weight": wl.astype(float).ravel().tolist(),
              "lif_recurrent_weight": wl_rec.astype(float).ravel().tolist(),
              "li_weight": wl_out.astype(float).ravel().tolist()}
    with open(os.path.join(directory, "python_written.json"), "w") as f:
        json.dump(record, f)


def describe(graph, indent="  "):
    """Prints a graph's nodes (type and parameter shapes) and edges, nested graphs indented."""
    lines = []
    for name in sorted(graph.nodes):
        node = graph.nodes[name]
        kind = type(node).__name__
        if isinstance(node, nir.NIRGraph):
            lines.append(f"{indent}{name}: NIRGraph")
            lines.extend(describe(node, indent + "    "))
            continue
        fields = []
        for field in ("weight", "bias", "tau", "tau_mem", "tau_syn", "r", "v_threshold", "v_reset", "w_in", "kernel_size", "stride",
                      "padding"):
            value = getattr(node, field, None)
            if isinstance(value, np.ndarray):
                fields.append(f"{field} {list(value.shape) if value.ndim > 1 or value.size > 2 else value.tolist()}")
            elif value is not None and not callable(value):
                fields.append(f"{field} {value}")
        if isinstance(node, (nir.Input, nir.Output)):
            key = "input" if isinstance(node, nir.Input) else "output"
            fields.append(f"shape {[int(d) for d in getattr(node, key + '_type')[key]]}")
        if isinstance(node, nir.Flatten):
            fields.append(f"input_type {[int(d) for d in node.input_type['input']]}, dims {node.start_dim}..{node.end_dim}")
        lines.append(f"{indent}{name}: {kind}" + (f" ({', '.join(fields)})" if fields else ""))
    lines.append(f"{indent}edges: " + ", ".join(f"{a} -> {b}" for a, b in graph.edges))
    return lines


def neurons(graph):
    for name, node in graph.nodes.items():
        if isinstance(node, nir.NIRGraph):
            yield from neurons(node)
        elif isinstance(node, (nir.CubaLIF, nir.CubaLI, nir.LIF, nir.LI)):
            yield name, node


def node_at(graph, path):
    for name in path:
        graph = graph.nodes[name]
    return graph


def check_snnkit_file(directory, name, expected):
    path = os.path.join(directory, f"{name}.nir")
    graph = nir.read(path)  # type-checks the graph (input and output shapes along every edge)
    with h5py.File(path, "r") as f:
        version = f["version"][()]
    print(f"{name}.nir (nir.read; format version {version.decode() if isinstance(version, bytes) else version}):")
    print("\n".join(describe(graph)))
    types = {k: type(v).__name__ for k, v in graph.nodes.items()}
    check(types == expected["types"], f"{name}: node types {types} != {expected['types']}")
    check(sorted(map(tuple, graph.edges)) == sorted(map(tuple, expected["edges"])), f"{name}: edges")
    check(list(graph.nodes["input"].input_type["input"]) == expected["input_shape"], f"{name}: input shape")
    check(int(np.prod(graph.nodes["output"].output_type["output"])) == expected["output_size"], f"{name}: output shape")
    dt = float(graph.metadata["snnkit_time_step"])
    check(math.isclose(dt, expected["time_step_s"]), f"{name}: snnkit_time_step {dt}")
    for node_name, node in neurons(graph):
        if isinstance(node, (nir.CubaLIF, nir.CubaLI)):
            w_in = 1 / (1 - np.exp(-dt / node.tau_syn))
            check(np.allclose(node.w_in, w_in, rtol=1e-12), f"{name}/{node_name}: w_in")
        check(np.all(node.r == 1) and np.all(node.v_leak == 0), f"{name}/{node_name}: r, v_leak")
        if isinstance(node, (nir.CubaLIF, nir.LIF)):
            check(np.all(node.v_reset == 0), f"{name}/{node_name}: v_reset")
    # Per layer with dynamics: the node type, tau (LIF, LI) or tau_mem (CubaLIF, CubaLI) and the threshold.
    for layer in expected["neurons"]:
        node = node_at(graph, layer["path"])
        where = f"{name}/{'/'.join(layer['path'])}"
        check(type(node).__name__ == layer["type"], f"{where}: type {type(node).__name__} != {layer['type']}")
        tau = node.tau if isinstance(node, (nir.LIF, nir.LI)) else node.tau_mem
        check(np.allclose(np.ravel(tau), layer["tau_mem"], rtol=1e-12, atol=0), f"{where}: tau")
        if "threshold" in layer:
            check(np.allclose(node.v_threshold, layer["threshold"], rtol=1e-12, atol=0), f"{where}: v_threshold")
    # A dense weight after a Flatten: NIR's columns are channels-first, SNNKit's channels-last.
    weight = graph.nodes[f"layer{expected['permuted_layer']}_afferent0"].weight
    snn = np.array(expected["permuted_weights"], dtype=np.float64).reshape(weight.shape)
    shape = expected["permuted_source_shape"]
    channels, positions = shape[0], int(np.prod(shape[1:])) if len(shape) > 1 else 1
    if len(shape) > 1:
        permuted = snn.reshape(weight.shape[0], positions, channels).transpose(0, 2, 1).reshape(weight.shape)
    else:
        permuted = snn
    check(np.array_equal(weight.astype(np.float64), permuted), f"{name}: weights after Flatten in channels-first order")
    with h5py.File(path, "r") as f:
        check(f["node/type"][()] in (b"NIRGraph", "NIRGraph"), f"{name}: root node type")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build-path", default=".build", help="SwiftPM build directory (default .build)")
    parser.add_argument("--configuration", default="release", help="SwiftPM configuration of the tests (default release)")
    parser.add_argument("--keep", help="write the files into this directory and keep them")
    args = parser.parse_args()
    directory = args.keep or tempfile.mkdtemp(prefix="snnkit-nir-")
    os.makedirs(directory, exist_ok=True)
    write_from_python(directory)
    env = dict(os.environ, SNNKIT_NIR_INTEROP_DIR=directory)
    result = subprocess.run(["swift", "test", "-c", args.configuration, "--build-path", args.build_path, "--filter", "NIRInterop"],
                            env=env)
    check(result.returncode == 0, "the Swift interop tests (see their output above)")
    with open(os.path.join(directory, "snnkit_written.json")) as f:
        record = json.load(f)
    for name in ("dense_recurrent", "conv1d_recurrent", "conv2d_sumpool", "lif_li"):
        check_snnkit_file(directory, name, record[name])
    version = getattr(nir, "__version__", "?")
    print(f"nir interop: OK (nir {version}, h5py {h5py.__version__}; files in {directory})")


if __name__ == "__main__":
    sys.exit(main())
