package org.nnc.backend.cpu;

import static org.nnc.backend.cpu.CpuBackend.f32;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nnc.tensor.Tensor;

/**
 * Softmax and log-softmax of float32 rows, forward and backward, each a few vector passes over a row that
 * stays in cache, where the composed form makes about ten passes over the whole tensor, each writing a new
 * one. exp is {@link VecMath}'s and sums run in a fixed order, so results do not depend on the JIT.
 */
final class SoftmaxKernels {
    private SoftmaxKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** y = softmax or log-softmax of each row of x, both contiguous [rows, n]. */
    static void rows(Tensor x, boolean log, Tensor y) {
        int n = x.shape()[x.dim() - 1], rows = x.numel() / n;
        float[] xs = f32(x), ys = f32(y);
        int xo = x.offset(), yo = y.offset();
        Parallel.forRange(rows, (long) rows * n * 12, (from, end) -> {
            for (int r = from; r < end; r++) row(xs, xo + r * n, ys, yo + r * n, n, log);
        });
    }

    private static void row(float[] x, int xo, float[] y, int yo, int n, boolean log) {
        float m = max(x, xo, n);
        if (m != m || m == Float.POSITIVE_INFINITY || m == Float.NEGATIVE_INFINITY) {
            // A NaN, +inf or a row of -inf: x - m is NaN somewhere, so the sum and every output are NaN.
            Arrays.fill(y, yo, yo + n, Float.NaN);
            return;
        }
        int i = 0, upper = S.loopBound(n);
        for (; i < upper; i += S.length()) FloatVector.fromArray(S, x, xo + i).sub(m).intoArray(y, yo + i);
        for (; i < n; i++) y[yo + i] = x[xo + i] - m;
        if (log) {
            float[] e = SCRATCH.get();
            if (e.length < n) SCRATCH.set(e = new float[n]);
            VecMath.exp(y, yo, e, 0, n);
            float ls = (float) Math.log(CpuBackend.sumF32(e, 0, n));
            for (i = 0; i < upper; i += S.length()) FloatVector.fromArray(S, y, yo + i).sub(ls).intoArray(y, yo + i);
            for (; i < n; i++) y[yo + i] -= ls;
        } else {
            VecMath.exp(y, yo, y, yo, n);
            float inv = (float) (1 / CpuBackend.sumF32(y, yo, n));
            for (i = 0; i < upper; i += S.length()) FloatVector.fromArray(S, y, yo + i).mul(inv).intoArray(y, yo + i);
            for (; i < n; i++) y[yo + i] *= inv;
        }
    }

    /** A row's exponentials for log-softmax, per thread. */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * The gradient from y (what {@link #rows} wrote) and g, all contiguous [rows, n]: softmax
     * y·(g − Σ g·y), log-softmax g − exp(y)·Σ g, per row.
     */
    static void backward(Tensor y, Tensor g, boolean log, Tensor dx) {
        int n = y.shape()[y.dim() - 1], rows = y.numel() / n;
        float[] ys = f32(y), gs = f32(g), ds = f32(dx);
        int yo = y.offset(), go = g.offset(), dO = dx.offset();
        Parallel.forRange(rows, (long) rows * n * 8, (from, end) -> {
            for (int r = from; r < end; r++) {
                int ya = yo + r * n, ga = go + r * n, da = dO + r * n, i = 0, upper = S.loopBound(n);
                if (log) {
                    float s = (float) CpuBackend.sumF32(gs, ga, n);
                    VecMath.exp(ys, ya, ds, da, n);
                    for (; i < upper; i += S.length()) {
                        FloatVector e = FloatVector.fromArray(S, ds, da + i);
                        FloatVector.fromArray(S, gs, ga + i).sub(e.mul(s)).intoArray(ds, da + i);
                    }
                    for (; i < n; i++) ds[da + i] = gs[ga + i] - ds[da + i] * s;
                } else {
                    float dot = (float) dot(gs, ga, ys, ya, n);
                    for (; i < upper; i += S.length()) {
                        FloatVector v = FloatVector.fromArray(S, ys, ya + i);
                        v.mul(FloatVector.fromArray(S, gs, ga + i).sub(dot)).intoArray(ds, da + i);
                    }
                    for (; i < n; i++) ds[da + i] = ys[ya + i] * (gs[ga + i] - dot);
                }
            }
        });
    }

    /** The row's maximum, NaN if it holds one. */
    private static float max(float[] x, int xo, int n) {
        int i = 0, upper = S.loopBound(n);
        float m = Float.NEGATIVE_INFINITY;
        if (upper > 0) {
            FloatVector acc = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; i < upper; i += S.length()) acc = acc.lanewise(VectorOperators.MAX, FloatVector.fromArray(S, x, xo + i));
            m = acc.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, x[xo + i]);
        return m;
    }

    /** Σ a·b, in the fixed order of {@link CpuBackend#sumF32} (lanes accumulate in a vector, then add up in order). */
    private static double dot(float[] a, int ao, float[] b, int bo, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            acc = FloatVector.fromArray(S, a, ao + i).fma(FloatVector.fromArray(S, b, bo + i), acc);
        }
        double s = CpuBackend.lanesInOrder(acc);
        for (; i < n; i++) s += (double) a[ao + i] * b[bo + i];
        return s;
    }
}
