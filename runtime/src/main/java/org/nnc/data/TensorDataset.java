package org.nnc.data;

import org.nnc.ops.Ops;
import org.nnc.tensor.Tensor;

/** Features [N, …] and targets [N, …] held in memory; sample i is row i of each. */
public final class TensorDataset implements Dataset {
    private final Tensor x, y;

    public TensorDataset(Tensor x, Tensor y) {
        if (x.dim() == 0 || y.dim() == 0 || x.size(0) != y.size(0)) {
            throw new IllegalArgumentException("features and targets need the same first dimension, got "
                    + org.nnc.tensor.Shape.str(x.shape()) + " and " + org.nnc.tensor.Shape.str(y.shape()));
        }
        this.x = x.detach();
        this.y = y.detach();
    }

    public Tensor features() { return x; }

    public Tensor targets() { return y; }

    @Override public int size() { return x.size(0); }

    @Override
    public Sample get(int i) {
        if (i < 0 || i >= size()) throw new IndexOutOfBoundsException("sample " + i + " of a data set of " + size());
        return new Sample(Ops.select(x, 0, i), Ops.select(y, 0, i));
    }

    /** Rows at the given indices, gathered in one copy (the loader's fast path for in-memory data). */
    Sample gather(int[] indices) {
        long[] idx = new long[indices.length];
        for (int i = 0; i < idx.length; i++) idx[i] = indices[i];
        Tensor index = Tensor.of(idx, idx.length);
        return new Sample(Ops.indexSelect(x, 0, index), Ops.indexSelect(y, 0, index));
    }
}
