package org.nnc.tensor;

import java.util.Locale;

/**
 * Prints tensors the way PyTorch's repr does: nested brackets aligned in columns, 4 decimals (or
 * scientific notation when magnitudes differ by more than 1000×), whole numbers as {@code 1.}, and
 * tensors of more than 1000 elements summarised with {@code ...} after the first and before the last 3
 * entries of each dimension. Shape and dtype always follow, so a printed tensor is never ambiguous.
 */
final class TensorFormat {
    static final int THRESHOLD = 1000;
    static final int EDGE = 3;

    private TensorFormat() {}

    static String format(Tensor t) {
        boolean summarize = t.numel() > THRESHOLD;
        double[] shown = collect(t, summarize);
        java.util.function.DoubleFunction<String> fmt = formatter(t.dtype(), shown);
        int width = 0;
        for (double v : shown) width = Math.max(width, fmt.apply(v).length());
        StringBuilder sb = new StringBuilder("tensor(");
        if (t.dim() == 0) {
            sb.append(fmt.apply(t.item()));
        } else {
            body(sb, t, 0, t.offset(), summarize, fmt, width, "tensor(".length());
        }
        sb.append(", shape=").append(Shape.str(t.shape())).append(", dtype=").append(t.dtype());
        if (t.gradFn() != null) {
            sb.append(", grad_fn=<").append(t.gradFn().op()).append('>');
        } else if (t.requiresGrad()) {
            sb.append(", requires_grad=true");
        }
        return sb.append(')').toString();
    }

    private static void body(StringBuilder sb, Tensor t, int d, int off, boolean summarize,
                             java.util.function.DoubleFunction<String> fmt, int width, int indent) {
        int n = t.shape()[d];
        int stride = t.strides()[d];
        sb.append('[');
        boolean last = d == t.dim() - 1;
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) {
                sb.append(last ? " ..., " : "...,\n" + " ".repeat(indent + d + 1));
                i = n - EDGE;
            }
            int at = off + i * stride;
            if (last) {
                String s = fmt.apply(t.storage().get(at));
                sb.append(" ".repeat(width - s.length())).append(s);
            } else {
                body(sb, t, d + 1, at, summarize, fmt, width, indent);
            }
            if (i < n - 1) {
                sb.append(last ? ", " : "," + "\n".repeat(t.dim() - d - 1) + " ".repeat(indent + d + 1));
            }
        }
        sb.append(']');
    }

    /** The values that will be printed, for choosing the number format and the column width. */
    private static double[] collect(Tensor t, boolean summarize) {
        java.util.List<Double> out = new java.util.ArrayList<>();
        if (t.dim() == 0) {
            out.add(t.item());
        } else {
            walk(t, 0, t.offset(), summarize, out);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void walk(Tensor t, int d, int off, boolean summarize, java.util.List<Double> out) {
        int n = t.shape()[d], stride = t.strides()[d];
        for (int i = 0; i < n; i++) {
            if (summarize && n > 2 * EDGE && i == EDGE) i = n - EDGE;
            int at = off + i * stride;
            if (d == t.dim() - 1) {
                out.add(t.storage().get(at));
            } else {
                walk(t, d + 1, at, summarize, out);
            }
        }
    }

    private static java.util.function.DoubleFunction<String> formatter(DType dtype, double[] values) {
        if (dtype == DType.BOOL) return v -> v != 0 ? "true" : "false";
        if (!dtype.isFloating()) return v -> Long.toString((long) v);
        double maxAbs = 0, minAbs = Double.POSITIVE_INFINITY;
        boolean whole = true;
        for (double v : values) {
            if (!Double.isFinite(v)) continue;
            double a = Math.abs(v);
            whole &= v == Math.rint(v);
            maxAbs = Math.max(maxAbs, a);
            if (a > 0) minAbs = Math.min(minAbs, a);
        }
        boolean sci = maxAbs > 1e8 || (minAbs != Double.POSITIVE_INFINITY && (maxAbs / minAbs > 1000 || minAbs < 1e-4));
        if (whole && !sci) return v -> special(v, () -> String.format(Locale.ROOT, "%.0f.", v));
        if (sci) return v -> special(v, () -> String.format(Locale.ROOT, "%.4e", v));
        return v -> special(v, () -> String.format(Locale.ROOT, "%.4f", v));
    }

    private static String special(double v, java.util.function.Supplier<String> normal) {
        if (Double.isNaN(v)) return "nan";
        if (Double.isInfinite(v)) return v > 0 ? "inf" : "-inf";
        return normal.get();
    }
}
