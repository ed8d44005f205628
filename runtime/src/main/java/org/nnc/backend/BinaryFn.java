package org.nnc.backend;

/** Element-wise functions of two tensors. Comparisons produce masks (bool tensors). */
public enum BinaryFn {
    ADD { public double apply(double a, double b) { return a + b; } },
    SUB { public double apply(double a, double b) { return a - b; } },
    MUL { public double apply(double a, double b) { return a * b; } },
    DIV { public double apply(double a, double b) { return a / b; } },
    POW { public double apply(double a, double b) { return Math.pow(a, b); } },
    MAX { public double apply(double a, double b) { return Math.max(a, b); } },
    MIN { public double apply(double a, double b) { return Math.min(a, b); } },
    EQ(true) { public double apply(double a, double b) { return a == b ? 1 : 0; } },
    NE(true) { public double apply(double a, double b) { return a != b ? 1 : 0; } },
    LT(true) { public double apply(double a, double b) { return a < b ? 1 : 0; } },
    LE(true) { public double apply(double a, double b) { return a <= b ? 1 : 0; } },
    GT(true) { public double apply(double a, double b) { return a > b ? 1 : 0; } },
    GE(true) { public double apply(double a, double b) { return a >= b ? 1 : 0; } },
    AND(true) { public double apply(double a, double b) { return a != 0 && b != 0 ? 1 : 0; } },
    OR(true) { public double apply(double a, double b) { return a != 0 || b != 0 ? 1 : 0; } },
    /** ReLU's backward in one pass: the gradient a where the input b is positive, else 0. */
    RELU_BACKWARD { public double apply(double a, double b) { return b > 0 ? a : 0; } };

    private final boolean comparison;

    BinaryFn() { this(false); }

    BinaryFn(boolean comparison) { this.comparison = comparison; }

    /** True when the result is a mask rather than a number. */
    public boolean isComparison() { return comparison; }

    public abstract double apply(double a, double b);
}
