package org.nnc.tensor;

/** Element types. float32 is what models train in; float64 exists so gradients can be checked exactly. */
public enum DType {
    FLOAT32("float32", 4, true),
    FLOAT64("float64", 8, true),
    INT32("int32", 4, false),
    INT64("int64", 8, false),
    /** Masks produced by comparisons; stored one byte per element. */
    BOOL("bool", 1, false);

    private final String pyName;
    private final int bytes;
    private final boolean floating;

    DType(String pyName, int bytes, boolean floating) {
        this.pyName = pyName;
        this.bytes = bytes;
        this.floating = floating;
    }

    public int bytes() { return bytes; }

    public boolean isFloating() { return floating; }

    /** Type promotion for binary arithmetic, as PyTorch does for tensors of the same category. */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a.floating || b.floating) {
            return (a == FLOAT64 || b == FLOAT64) ? FLOAT64 : FLOAT32;
        }
        if (a == INT64 || b == INT64) return INT64;
        if (a == INT32 || b == INT32) return INT32;
        return BOOL;
    }

    @Override public String toString() { return pyName; }
}
