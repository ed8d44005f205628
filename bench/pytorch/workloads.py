#!/usr/bin/env python3
"""WORKLOADS.md W2-W6 in PyTorch (Debian's python3-torch), printing the same lines as bench/run with
"pytorch" in place of "nnc". Usage: /usr/bin/python3 bench/pytorch/workloads.py W2 [W3 ...] [--device cuda]
(on a GPU, W2-W4 train there and their figures are named cuda_ms_per_step, as nnc's)."""
import gzip
import os
import statistics
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(2)
DEVICE = "cpu"


def blas():
    return os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")


def report(label, values):
    print(f"{label} median={statistics.median(values):.2f} min={min(values):.2f} max={max(values):.2f}")


def timed(warmup, n, step):
    for _ in range(warmup):
        step()
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        step()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def train_figures(label, warmup, n, step):
    """The WORKLOADS.md figure, then the same step after 300 more (the steady state a long run sees)."""
    if DEVICE != "cpu":
        label = label.replace(" ms_per_step", " cuda_ms_per_step")
    report(label, timed(warmup, n, step))
    report(label + "_steady", timed(300, 50, step))


def train_step(model, opt, x, y):
    """One step; on a GPU it waits for the step's kernels, as nnc's does by reading the loss."""
    model.to(DEVICE)
    x, y = x.to(DEVICE), y.to(DEVICE)

    def step():
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()
        if DEVICE != "cpu":
            torch.cuda.synchronize()
    return step


def mlp():
    return nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))


def w2():
    torch.manual_seed(0)
    m = mlp()
    x, y = torch.randn(128, 784), torch.randint(0, 10, (128,))
    train_figures("W2 pytorch ms_per_step", 10, 50, train_step(m, torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9), x, y))


def w3():
    torch.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(),
                      nn.MaxPool2d(2), nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))
    x, y = torch.randn(64, 1, 28, 28), torch.randint(0, 10, (64,))
    train_figures("W3 pytorch ms_per_step", 5, 20, train_step(m, torch.optim.SGD(m.parameters(), lr=0.01, momentum=0.9), x, y))


class LstmClassifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(64, 128, batch_first=True)
        self.fc = nn.Linear(128, 10)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.fc(out[:, -1])


def w4():
    torch.manual_seed(0)
    m = LstmClassifier()
    x, y = torch.randn(32, 32, 64), torch.randint(0, 10, (32,))
    train_figures("W4 pytorch ms_per_step", 5, 20, train_step(m, torch.optim.Adam(m.parameters(), lr=1e-3), x, y))


def idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    rank = data[3]
    dims = struct.unpack(">" + "I" * rank, data[4:4 + 4 * rank])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def w5():
    d = "/usr/share/datasets/fashion-mnist/"
    if not os.path.exists(d + "train-images-idx3-ubyte.gz"):
        print("W5 pytorch skipped: install Debian's dataset-fashion-mnist")
        return
    x = torch.tensor(idx(d + "train-images-idx3-ubyte.gz").reshape(-1, 784), dtype=torch.float32) / 255
    y = torch.tensor(idx(d + "train-labels-idx1-ubyte.gz"), dtype=torch.int64)
    tx = torch.tensor(idx(d + "t10k-images-idx3-ubyte.gz").reshape(-1, 784), dtype=torch.float32) / 255
    ty = torch.tensor(idx(d + "t10k-labels-idx1-ubyte.gz"), dtype=torch.int64)
    torch.manual_seed(0)
    m = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    opt = torch.optim.Adam(m.parameters(), lr=1e-3)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=64, shuffle=True,
                                         generator=torch.Generator().manual_seed(0))
    t0 = time.perf_counter()
    for xb, yb in loader:
        opt.zero_grad()
        F.cross_entropy(m(xb), yb).backward()
        opt.step()
    epoch = time.perf_counter() - t0
    with torch.no_grad():
        acc = (m(tx).argmax(1) == ty).float().mean().item()
    print(f"W5 pytorch test_accuracy={acc:.4f} epoch_s={epoch:.3f}")


def w6():
    torch.manual_seed(0)
    m = mlp().eval()
    one, many = torch.randn(1, 784), torch.randn(256, 784)
    with torch.no_grad():
        report("W6 pytorch batch1_us", [v * 1000 for v in timed(2000, 2000, lambda: m(one))])
        report("W6 pytorch batch256_samples_per_s", [256 / (v / 1000) for v in timed(20, 50, lambda: m(many))])
        report("W6 pytorch batch256_samples_per_s_steady", [256 / (v / 1000) for v in timed(300, 50, lambda: m(many))])


if __name__ == "__main__":
    args = sys.argv[1:]
    if "--device" in args:
        i = args.index("--device")
        DEVICE = args[i + 1]
        del args[i:i + 2]
    if DEVICE == "cpu":
        print(f"# baseline: torch {torch.__version__}, {torch.get_num_threads()} threads, BLAS {blas()}")
    else:
        print(f"# baseline: torch {torch.__version__} on {torch.cuda.get_device_name()}, CUDA {torch.version.cuda}")
    for w in args or ["W2", "W3", "W4", "W5", "W6"]:
        globals()[w.lower()]()
