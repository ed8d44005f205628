package org.nnc.nn;

import org.nnc.tensor.Tensor;

/** A table of {@code count} vectors of size {@code dim}, initialised N(0, 1) as in PyTorch. */
public class Embedding extends Module {
    public final int count, dim;
    public final Tensor weight;

    public Embedding(int count, int dim) {
        this.count = count;
        this.dim = dim;
        this.weight = registerParameter("weight", Init.normal(count, dim));
    }

    @Override
    public Tensor forward(Tensor indices) { return Functional.embedding(indices, weight); }

    @Override
    protected String extraRepr() { return count + ", " + dim; }
}
