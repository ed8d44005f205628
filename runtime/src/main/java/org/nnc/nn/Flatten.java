package org.nnc.nn;

import org.nnc.tensor.Tensor;

public class Flatten extends Module {
    public final int from;

    public Flatten(int from) { this.from = from; }

    public Flatten() { this(1); }

    @Override
    public Tensor forward(Tensor x) { return Functional.flatten(x, from); }

    @Override
    protected String extraRepr() { return "start_dim=" + from + ", end_dim=-1"; }
}
