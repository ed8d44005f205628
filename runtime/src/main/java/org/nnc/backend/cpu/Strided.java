package org.nnc.backend.cpu;

import org.nnc.backend.MergedDims;

/**
 * Walks several same-shaped strided views together, one innermost row at a time. Dimensions that are
 * contiguous for every operand are merged first, so the inner row is as long as possible and kernels can
 * vectorize it whenever its strides are 1 (or 0 for a broadcast operand).
 */
final class Strided {
    /** Receives the offset of each operand at the start of a row, and the row's length. */
    @FunctionalInterface
    interface RowBody {
        void row(int[] offsets, int length);
    }

    final int[] shape;
    final int[][] strides;
    final int[] base;
    final int inner;
    final int rows;

    Strided(int[] shape, int[][] strides, int[] offsets) {
        int k = strides.length;
        MergedDims merged = MergedDims.of(shape, strides);
        if (merged.rank() == 0) {
            // Only size-1 dimensions: one row of one element.
            this.shape = new int[] {1};
            this.strides = new int[k][1];
        } else {
            this.shape = merged.shape();
            this.strides = merged.strides();
        }
        int nd = this.shape.length;
        this.base = offsets.clone();
        this.inner = this.shape[nd - 1];
        int r = 1;
        for (int d = 0; d < nd - 1; d++) r *= this.shape[d];
        this.rows = inner == 0 ? 0 : r;
    }

    int innerStride(int operand) { return strides[operand][shape.length - 1]; }

    /** Runs rows [from, to) in order. */
    void forRows(int from, int to, RowBody body) {
        if (from >= to) return;
        int nd = shape.length;
        int k = base.length;
        int[] idx = new int[nd];
        int[] off = base.clone();
        int rem = from;
        for (int d = nd - 2; d >= 0; d--) {
            idx[d] = rem % shape[d];
            rem /= shape[d];
            for (int o = 0; o < k; o++) off[o] += idx[d] * strides[o][d];
        }
        for (int r = from; r < to; r++) {
            body.row(off, inner);
            for (int d = nd - 2; d >= 0; d--) {
                idx[d]++;
                for (int o = 0; o < k; o++) off[o] += strides[o][d];
                if (idx[d] < shape[d]) break;
                for (int o = 0; o < k; o++) off[o] -= strides[o][d] * shape[d];
                idx[d] = 0;
            }
        }
    }

    /** Runs all rows, split across the pool when the work is large enough. */
    void forAllRows(int costPerElement, RowBody body) {
        long work = (long) rows * inner * costPerElement;
        if (rows == 1 && Parallel.threads() > 1) {
            // One long row: split it, so a large contiguous tensor still uses every core.
            Parallel.forRange(inner, work, (from, to) -> {
                int[] off = base.clone();
                for (int o = 0; o < off.length; o++) off[o] += from * innerStride(o);
                body.row(off, to - from);
            });
            return;
        }
        Parallel.forRange(rows, work, (from, to) -> forRows(from, to, body));
    }
}
