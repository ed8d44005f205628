package org.nnc.nn;

import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** Zeroes elements with probability p while training (from the global, seeded generator); identity in eval. */
public class Dropout extends Module {
    public final double p;

    public Dropout(double p) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout probability must be in [0, 1], got " + p);
        this.p = p;
    }

    @Override
    public Tensor forward(Tensor x) { return Functional.dropout(x, p, isTraining(), Generator.global()); }

    @Override
    protected String extraRepr() { return "p=" + p + ", inplace=False"; }
}
