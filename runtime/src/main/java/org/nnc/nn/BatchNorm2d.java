package org.nnc.nn;

/** Batch normalization of [B, c, H, W] per channel. */
public class BatchNorm2d extends BatchNorm {
    public BatchNorm2d(int c) { super(c, 1e-5, 0.1, 4); }
}
