package org.nnc.backend;

import java.util.Arrays;

/**
 * Several views of one shape with their size-1 dimensions dropped and neighbouring dimensions merged
 * wherever every view steps through them as one, so that a contiguous tensor of any rank is one dimension.
 * The CPU's strided loops and the CUDA kernels' Geom both start from this. A shape of only size-1
 * dimensions (or none) has rank 0.
 */
public record MergedDims(int[] shape, int[][] strides) {

    public static MergedDims of(int[] shape, int[][] strides) {
        int ops = strides.length;
        int[] dims = new int[shape.length];
        int[][] st = new int[ops][shape.length];
        int nd = 0;
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1) continue;
            boolean merge = nd > 0;
            for (int k = 0; k < ops && merge; k++) merge = st[k][nd - 1] == strides[k][d] * shape[d];
            if (merge) {
                dims[nd - 1] *= shape[d];
                for (int k = 0; k < ops; k++) st[k][nd - 1] = strides[k][d];
            } else {
                dims[nd] = shape[d];
                for (int k = 0; k < ops; k++) st[k][nd] = strides[k][d];
                nd++;
            }
        }
        int[][] kept = new int[ops][];
        for (int k = 0; k < ops; k++) kept[k] = Arrays.copyOf(st[k], nd);
        return new MergedDims(Arrays.copyOf(dims, nd), kept);
    }

    public int rank() { return shape.length; }
}
