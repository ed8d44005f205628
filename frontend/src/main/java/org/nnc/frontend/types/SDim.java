package org.nnc.frontend.types;

/**
 * One dimension of a shape: its normalized value, and how it was computed in the user's terms
 * ({@code 64 * 7 * 7}, {@code (28 + 2 * 1 - 3) / 1 + 1}), or null when it was written as is. Diagnostics
 * print the value and, when it differs, the arithmetic: {@code 3136 (= 64 * 7 * 7)}.
 */
public record SDim(DimExpr value, String origin) {
    public static SDim of(DimExpr value) { return new SDim(value, null); }

    public static SDim of(long value) { return new SDim(DimExpr.of(value), null); }

    /** The value, followed by its arithmetic when that says more. */
    public String explain() {
        String v = value.toString();
        return origin == null || origin.equals(v) ? v : v + " (= " + origin + ")";
    }

    @Override public String toString() { return value.toString(); }
}
