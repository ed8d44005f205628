#!/usr/bin/env python3
"""Writes codegen/src/test/resources/fixtures/train_{init,final}.safetensors: a PyTorch run of the train
block in codegen/src/test/resources/fixtures/sgd_iris.nnet (same data, same initial weights, no shuffling,
SGD with momentum). TrainEquivalenceTest runs the compiled block from the same initial weights and
compares the final weights (tolerance 1e-4).

Run with Debian's python3-torch:  /usr/bin/python3 tools/make_train_fixture.py
"""
import csv
import json
import pathlib
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "codegen/src/test/resources/fixtures"


def save(path, tensors):
    header, blobs, offset = {}, [], 0
    for k, t in tensors.items():
        data = t.detach().contiguous().numpy().astype(np.float32).tobytes()
        header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    path.write_bytes(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def main():
    rows = list(csv.reader(open(ROOT / "samples/data/iris.csv")))[1:]
    x = np.array([[float(v) for v in r[:4]] for r in rows])
    x = (x - x.mean(0)) / x.std(0)                     # normalize = true: z-score with the population std
    labels = sorted(set(r[4] for r in rows))
    y = torch.tensor([labels.index(r[4]) for r in rows])
    x = torch.tensor(x.astype(np.float32))

    torch.manual_seed(0)
    net = nn.Sequential()
    net.add_module("fc1", nn.Linear(4, 8))
    net.add_module("fc2", nn.Linear(8, 3))
    init = {k: v.clone() for k, v in net.state_dict().items()}
    save(OUT / "train_init.safetensors", init)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    for epoch in range(3):
        for start in range(0, len(y), 16):
            xb, yb = x[start:start + 16], y[start:start + 16]
            opt.zero_grad()
            out = net.fc2(torch.relu(net.fc1(xb)))
            F.cross_entropy(out, yb).backward()
            opt.step()
    save(OUT / "train_final.safetensors", net.state_dict())
    print("wrote", OUT / "train_init.safetensors", "and", OUT / "train_final.safetensors")


if __name__ == "__main__":
    main()
