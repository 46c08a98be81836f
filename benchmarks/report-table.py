#!/usr/bin/env python3
"""Prints the benchmark report's table from a results directory written by benchmarks/report.

usage: report-table.py RESULTS_DIR JDK_NAME

Work is counted in dense-equivalent matrix-product FLOPs (2 M N K per product), so sparse
inputs show up as a higher effective rate. Gradient and Hessian products use the model:
  gradient            2k (2*784*50 + 3*50*10)
  H times m vectors   2k ((2+2m)*784*50 + (3+6m)*50*10)   (one forward, one reverse, m tangent
                                                           sweeps of each; the X products dominate)
"""
import glob
import json
import os
import re
import statistics
import sys

GEMM = {  # shape: (M, N, K) as functions of k samples and m directions, as in GemmBenchmark
    "XW1": lambda k, m: (k, 50 * m, 784),
    "XW1dense": lambda k, m: (k, 50 * m, 784),
    "XtD": lambda k, m: (784, 50 * m, k),
    "XtDdense": lambda k, m: (784, 50 * m, k),
    "Z1W2": lambda k, m: (k, 10 * m, 50),
    "DW2t": lambda k, m: (k * m, 50, 10),
    "Z1tD": lambda k, m: (50, 10 * m, k),
}
NOTE = {"XW1": "X 19% nonzero", "XtD": "X 19% nonzero", "XW1dense": "dense X", "XtDdense": "dense X"}


def hv_flops(k, m):
    return 2.0 * k * ((2 + 2 * m) * 784 * 50 + (3 + 6 * m) * 50 * 10)


def work(bench, params):
    k = int(params.get("k", 60000))
    if bench.endswith("GemmBenchmark.gemm"):
        shape, m = params["shape"], int(params.get("m", 1))
        M, N, K = GEMM[shape](k, m)
        label = "gemm %s (%dx%dx%d%s)" % (shape, M, N, K, ", " + NOTE[shape] if shape in NOTE else "")
        return label, 2.0 * M * N * K
    if bench.endswith("GradientBenchmark.gradient"):
        return "gradient, k=%d" % k, 2.0 * k * (2 * 784 * 50 + 3 * 50 * 10)
    if bench.endswith("HessianVectorBenchmark.hvp"):
        return "Hessian-vector product, k=%d" % k, hv_flops(k, 1)
    if bench.endswith("HessianVectorBenchmark.hessianTimesV"):
        m = int(params.get("m", 50))
        return "H times V, m=%d, k=%d" % (m, k), hv_flops(k, m)
    return bench, float("nan")


def to_seconds(value, unit):
    return value * {"s/op": 1.0, "ms/op": 1e-3, "us/op": 1e-6, "ns/op": 1e-9}[unit]


def main():
    out, jdk = sys.argv[1], sys.argv[2]
    peak = {}
    peak_note = {}
    path = os.path.join(out, "dgemm.txt")
    if os.path.exists(path):
        for line in open(path):
            f = dict(kv.split("=") for kv in line.split()[1:])
            t = int(f["threads"])
            g = float(f["gflops"])
            if g > peak.get(t, 0.0):
                peak[t] = g
                peak_note[t] = "n=%s best %.1f, median %.1f GFLOP/s" % (f["n"], g, float(f["median_gflops"]))
    rows = []
    for path in sorted(glob.glob(os.path.join(out, "*.json"))):
        kernels, threads = re.search(r"-(vector|scalar)-t(\d+)\.json$", path).groups()
        threads = int(threads)
        for r in json.load(open(path)):
            metric = r["primaryMetric"]
            samples = [x for fork in metric["rawData"] for x in fork]
            median = to_seconds(statistics.median(samples), metric["scoreUnit"])
            label, flops = work(r["benchmark"], r.get("params", {}))
            gflops = flops / median * 1e-9
            ratio = gflops / peak[threads] if threads in peak else float("nan")
            rows.append((label, kernels, threads, median, gflops, ratio, len(samples)))
    print("### dtheta kernels vs OpenBLAS DGEMM, java %s" % jdk)
    print()
    for t in sorted(peak):
        print("- OpenBLAS DGEMM peak, %d thread(s): %.1f GFLOP/s (%s), same run" % (t, peak[t], peak_note[t]))
    if not peak:
        print("- OpenBLAS reference not available in this run (ratios are n/a)")
    print()
    print("| work | kernels | threads | median | GFLOP/s | ratio to OpenBLAS (same threads) |")
    print("|---|---|---|---|---|---|")
    order = {"vector": 0, "scalar": 1}
    for label, kernels, threads, median, gflops, ratio, n in sorted(
            rows, key=lambda r: (r[0], order[r[1]], -r[2])):
        shown = "%.1f ms" % (median * 1e3) if median < 10 else "%.2f s" % median
        print("| %s | %s | %d | %s | %.1f | %s |" % (
            label, kernels, threads, shown, gflops, "n/a" if ratio != ratio else "%.2f" % ratio))
    print()
    print("Medians of %s measured iterations per row (JMH short mode); FLOPs are dense-equivalent "
          "(2MNK per product), so rows with a sparse X can exceed 1.0." % (
              ", ".join(sorted({str(r[6]) for r in rows})) or "?"))


if __name__ == "__main__":
    main()
