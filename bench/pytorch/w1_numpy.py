#!/usr/bin/env python3
"""W1 baseline: numpy SGEMM on the system BLAS, printing the same line format as bench/run W1.
Run with Debian's python3-numpy and libopenblas0-openmp: /usr/bin/python3 bench/pytorch/w1_numpy.py"""
import sys
import time

import numpy as np


def blas_name():
    try:
        from threadpoolctl import threadpool_info
        return ",".join(f"{i['internal_api']}:{i.get('threading_layer', '?')}:{i['num_threads']}t" for i in threadpool_info())
    except Exception:
        import os
        return os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")


def main():
    sizes = [int(a) for a in sys.argv[1:]] or [256, 512, 1024, 2048]
    print(f"# baseline BLAS: {blas_name()}")
    for n in sizes:
        rng = np.random.default_rng(0)
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        flops = 2.0 * n ** 3
        reps = int(max(5, min(200, 1e11 / flops)))
        for _ in range(max(3, reps // 3)):
            a @ b
        g = []
        for _ in range(reps):
            t0 = time.perf_counter()
            a @ b
            g.append(flops / (time.perf_counter() - t0) / 1e9)
        g.sort()
        med = g[len(g) // 2] if len(g) % 2 else (g[len(g) // 2 - 1] + g[len(g) // 2]) / 2
        print(f"W1 numpy n={n} gflops median={med:.2f} min={g[0]:.2f} max={g[-1]:.2f}")


if __name__ == "__main__":
    main()
