#!/usr/bin/env python3
"""Writes the bundled sample data under samples/data/ as plain CSV/NPY files with a header row.

Sources: the UCI data sets shipped by Debian's python3-sklearn (CC BY 4.0, see samples/data/README.md),
and a synthetic sequence task generated here with a fixed seed. Run: /usr/bin/python3 tools/make_sample_data.py
"""
import csv
import gzip
import pathlib

import numpy as np

SK = pathlib.Path("/usr/lib/python3/dist-packages/sklearn/datasets/data")
OUT = pathlib.Path(__file__).resolve().parent.parent / "samples" / "data"


def sklearn_csv(name):
    """sklearn's own layout: a first row 'n_samples,n_features,class names…', then features and a class index."""
    opener = gzip.open if name.endswith(".gz") else open
    with opener(SK / name, "rt") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write(name, header, rows):
    with open(OUT / name, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    print(f"wrote {OUT / name}: {len(rows)} rows")


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    head, rows = sklearn_csv("iris.csv")
    names = head[2:]
    write("iris.csv", ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"],
          [r[:4] + [names[int(r[4])]] for r in rows])

    rows = [r for r in csv.reader(gzip.open(SK / "digits.csv.gz", "rt"))]
    write("digits.csv", [f"p{i}" for i in range(64)] + ["label"], rows)

    head, rows = sklearn_csv("breast_cancer.csv")
    names = head[2:]
    feats = [f"f{i}" for i in range(30)]
    write("breast_cancer.csv", feats + ["diagnosis"], [r[:30] + [names[int(r[30])]] for r in rows])

    x = np.loadtxt(gzip.open(SK / "diabetes_data_raw.csv.gz", "rt"))
    y = np.loadtxt(gzip.open(SK / "diabetes_target.csv.gz", "rt"))
    cols = ["age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6"]
    # Standardize the features and scale the target to hundreds, so plain SGD trains without tuning.
    x = (x - x.mean(0)) / x.std(0)
    write("diabetes.csv", cols + ["progression"],
          [[f"{v:.6f}" for v in row] + [f"{t / 100:.2f}"] for row, t in zip(x, y)])

    # Sequences of 12 steps with 4 features; the class is which feature has the largest running sum.
    rng = np.random.default_rng(0)
    seq = rng.standard_normal((2000, 12, 4)).astype(np.float32)
    labels = seq.sum(axis=1).argmax(axis=1).astype(np.int64)
    np.save(OUT / "sequences_x.npy", seq)
    np.save(OUT / "sequences_y.npy", labels)
    print(f"wrote {OUT / 'sequences_x.npy'}: {seq.shape}, classes {np.bincount(labels)}")


if __name__ == "__main__":
    main()
