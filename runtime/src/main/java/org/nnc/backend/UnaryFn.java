package org.nnc.backend;

/**
 * Element-wise functions of one tensor, with up to two scalar parameters {@code p} and {@code q}.
 * The scalar form here is the reference; backends may run a vectorized form of the same function.
 */
public enum UnaryFn {
    IDENTITY { public double apply(double x, double p, double q) { return x; } },
    NEG { public double apply(double x, double p, double q) { return -x; } },
    EXP { public double apply(double x, double p, double q) { return Math.exp(x); } },
    LOG { public double apply(double x, double p, double q) { return Math.log(x); } },
    SQRT { public double apply(double x, double p, double q) { return Math.sqrt(x); } },
    ABS { public double apply(double x, double p, double q) { return Math.abs(x); } },
    SIGN { public double apply(double x, double p, double q) { return Math.signum(x); } },
    TANH { public double apply(double x, double p, double q) { return Math.tanh(x); } },
    SIGMOID { public double apply(double x, double p, double q) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)); } },
    /** max(x, 0), NaN staying NaN as in PyTorch (and as the vector max that the float32 loops use). */
    RELU { public double apply(double x, double p, double q) { return x > 0 || x != x ? x : 0; } },
    /** x + p */
    ADD_SCALAR { public double apply(double x, double p, double q) { return x + p; } },
    /** x * p */
    MUL_SCALAR { public double apply(double x, double p, double q) { return x * p; } },
    /** p / x */
    RDIV_SCALAR { public double apply(double x, double p, double q) { return p / x; } },
    /** x ^ p */
    POW_SCALAR { public double apply(double x, double p, double q) { return Math.pow(x, p); } },
    /** min(max(x, p), q) */
    CLAMP { public double apply(double x, double p, double q) { return Math.min(Math.max(x, p), q); } },
    /** 1 where p <= x <= q, else 0: the gradient mask of clamp. */
    IN_RANGE { public double apply(double x, double p, double q) { return x >= p && x <= q ? 1 : 0; } },
    /** 1 where x is 0: the logical not of a mask. */
    NOT { public double apply(double x, double p, double q) { return x == 0 ? 1 : 0; } },
    /** x Φ(x), PyTorch's exact (erf) GELU. */
    GELU { public double apply(double x, double p, double q) { return x * Erf.phi(x); } },
    /** d/dx of GELU: Φ(x) + x φ(x). */
    GELU_GRAD { public double apply(double x, double p, double q) {
        return Erf.phi(x) + x * Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI); } },
    /** x σ(x) */
    SILU { public double apply(double x, double p, double q) { return x * SIGMOID.apply(x, 0, 0); } },
    /** d/dx of SiLU: σ(x) (1 + x (1 - σ(x))). */
    SILU_GRAD { public double apply(double x, double p, double q) {
        double s = SIGMOID.apply(x, 0, 0);
        return s * (1 + x * (1 - s)); } },
    /** x > 0 ? x : p (e^x - 1) */
    ELU { public double apply(double x, double p, double q) { return x > 0 ? x : p * Math.expm1(x); } },
    /** d/dx of ELU with alpha p. */
    ELU_GRAD { public double apply(double x, double p, double q) { return x > 0 ? 1 : p * Math.exp(x); } },
    /** x > 0 ? x : p x */
    LEAKY_RELU { public double apply(double x, double p, double q) { return x > 0 ? x : p * x; } },
    /** d/dx of leaky ReLU with slope p. */
    LEAKY_RELU_GRAD { public double apply(double x, double p, double q) { return x > 0 ? 1 : p; } },
    /** 1 where x > 0: the gradient mask of ReLU. */
    POSITIVE { public double apply(double x, double p, double q) { return x > 0 ? 1 : 0; } },
    /** log(1 + e^x) without overflow: the softplus that stable binary cross-entropy needs. */
    SOFTPLUS { public double apply(double x, double p, double q) { return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x))); } };

    public abstract double apply(double x, double p, double q);
}
