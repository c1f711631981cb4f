#!/usr/bin/env python3
"""PyTorch side of `vocabkd bench matmul --torch`: the same products (shapes given as JSON by the caller), each
repetition with a fresh right-hand operand; batch > 1 is one torch.bmm over the slices (PyTorch's own way). GFLOP/s at
the best repetition (the ceiling) and at the median.
Prints one JSON line. Run with Debian's interpreter:
/usr/bin/python3 src/bench/torch_matmul_bench.py --threads 1 --reps 20 --shapes '[{"name":"a","batch":1,"m":1024,"k":128,"n":512}]'
"""
import argparse
import json
import statistics
import time

import torch


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--shapes", required=True)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    out = []
    for s in json.loads(a.shapes):
        batch, m, k, n = s["batch"], s["m"], s["k"], s["n"]
        x = torch.randn(batch, m, k) if batch > 1 else torch.randn(m, k)
        times = []
        for r in range(a.reps + 2):
            w = torch.randn(batch, k, n) if batch > 1 else torch.randn(k, n)
            t0 = time.perf_counter()
            y = torch.bmm(x, w) if batch > 1 else x @ w
            ms = (time.perf_counter() - t0) * 1000
            del y
            if r >= 2:
                times.append(ms)
        med = statistics.median(times)
        best = min(times)
        flops = 2 * batch * m * k * n
        out.append({"name": s["name"], "medianMs": round(med, 3), "bestMs": round(best, 3),
                    "gflops": round(flops / (best * 1e6), 1), "medianGflops": round(flops / (med * 1e6), 1)})
    print(json.dumps({"bench": "torch-matmul", "torch": torch.__version__, "threads": torch.get_num_threads(), "results": out}))


if __name__ == "__main__":
    main()
