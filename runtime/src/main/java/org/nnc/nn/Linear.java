package org.nnc.nn;

import org.nnc.tensor.Tensor;

/** y = x Wᵀ + b over the last dimension: weight [out, in], bias [out]. */
public class Linear extends Module {
    public final int in, out;
    public final Tensor weight, bias;

    public Linear(int in, int out, boolean bias) {
        this.in = in;
        this.out = out;
        this.weight = registerParameter("weight", Init.fanIn(in, out, in));
        this.bias = registerParameter("bias", bias ? Init.fanIn(in, out) : null);
    }

    public Linear(int in, int out) { this(in, out, true); }

    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        return Functional.linear(x, weight, bias);
    }

    private void checkInput(Tensor x) {
        if (x.dim() == 0 || x.size(-1) != in) {
            throw new IllegalArgumentException("Linear(" + in + ", " + out + ") expects last dimension " + in + ", got input of shape "
                    + org.nnc.tensor.Shape.str(x.shape()));
        }
    }

    @Override
    public Tensor forwardRelu(Tensor x) {
        checkInput(x);
        return Functional.linearRelu(x, weight, bias);
    }

    @Override
    protected String extraRepr() { return "in_features=" + in + ", out_features=" + out + ", bias=" + bool(bias != null); }
}
