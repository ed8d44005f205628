package org.nnc.nn;

import org.nnc.tensor.Tensor;

/** Normalizes the last dimension of size n, with learned scale (ones) and shift (zeros). */
public class LayerNorm extends Module {
    public final int n;
    public final double eps;
    public final Tensor weight, bias;

    public LayerNorm(int n, double eps) {
        this.n = n;
        this.eps = eps;
        this.weight = registerParameter("weight", Tensor.ones(n));
        this.bias = registerParameter("bias", Tensor.zeros(n));
    }

    public LayerNorm(int n) { this(n, 1e-5); }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() == 0 || x.size(-1) != n) {
            throw new IllegalArgumentException("LayerNorm(" + n + ") expects last dimension " + n + ", got " + org.nnc.tensor.Shape.str(x.shape()));
        }
        return Functional.layerNorm(x, 1, weight, bias, eps);
    }

    @Override
    protected String extraRepr() { return "(" + n + ",), eps=" + eps + ", elementwise_affine=True"; }
}
