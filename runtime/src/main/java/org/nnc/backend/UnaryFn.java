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
    RELU { public double apply(double x, double p, double q) { return x > 0 ? x : 0; } },
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
    /** 1 where x is not 0: logical not of a mask when p = 0. */
    NOT { public double apply(double x, double p, double q) { return x == 0 ? 1 : 0; } };

    public abstract double apply(double x, double p, double q);
}
