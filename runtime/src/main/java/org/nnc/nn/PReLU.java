package org.nnc.nn;

import org.nnc.ops.Ops;
import org.nnc.tensor.Tensor;

/** max(0, x) + a · min(0, x) with a learned slope per channel (dimension 1), initialised to 0.25. */
public class PReLU extends Module {
    public final int count;
    public final Tensor weight;

    public PReLU(int count) {
        this.count = count;
        this.weight = registerParameter("weight", Tensor.full(0.25, count));
    }

    public PReLU() { this(1); }

    @Override
    public Tensor forward(Tensor x) {
        Tensor a = weight;
        if (count > 1) {
            int[] s = new int[x.dim()];
            java.util.Arrays.fill(s, 1);
            s[1] = count;
            a = Ops.reshape(weight, s);
        }
        Tensor zero = Tensor.scalar(x.dtype(), 0);
        return Ops.add(Ops.maximum(x, zero), Ops.mul(a, Ops.minimum(x, zero)));
    }

    @Override
    protected String extraRepr() { return "num_parameters=" + count; }
}
