package org.nnc.nn;

/** Batch normalization of [B, n] or [B, n, L]. */
public class BatchNorm1d extends BatchNorm {
    public BatchNorm1d(int n) { super(n, 1e-5, 0.1, 2, 3); }
}
