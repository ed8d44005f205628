package org.nnc.backend.cpu;

import static org.nnc.backend.cpu.CpuBackend.f32;

import org.nnc.tensor.Storage;
import org.nnc.tensor.Tensor;

/**
 * Cross-entropy rows of float32 logits: one pass for log-sum-exp, the pick and the row's loss (in double),
 * one for the gradient. Rows are short (the class count), so these are plain loops, split by rows.
 */
final class LossKernels {
    private LossKernels() {}

    /** The target at t[at], wrapped if negative; a bad one fails as the gather it replaces would. */
    private static int target(Storage t, int at, int c) { return CpuBackend.checkedIndex(t.get(at), c, 1); }

    static void rows(Tensor logits, Tensor target, long ignore, Tensor perRow, Tensor lse, Tensor valid) {
        int b = logits.size(0), c = logits.size(1);
        float[] x = f32(logits), per = f32(perRow), ok = f32(valid);
        double[] l = ((Storage.F64) lse.storage()).data;
        int xo = logits.offset(), po = perRow.offset(), lo = lse.offset(), vo = valid.offset(), to = target.offset();
        Storage t = target.storage();
        for (int i = 0; i < b; i++) {
            if ((long) t.get(to + i) == ignore) {
                per[po + i] = 0;
                ok[vo + i] = 0;
                l[lo + i] = 0;
                continue;
            }
            int row = xo + i * c, ti = target(t, to + i, c);
            double m = Double.NEGATIVE_INFINITY;
            boolean nan = false;
            for (int j = 0; j < c; j++) {
                float v = x[row + j];
                if (v != v) nan = true;
                else if (v > m) m = v;
            }
            if (nan) m = 0;
            double s = 0;
            for (int j = 0; j < c; j++) s += Math.exp(x[row + j] - m);
            l[lo + i] = Math.log(s) + m;
            per[po + i] = (float) (l[lo + i] - x[row + ti]);
            ok[vo + i] = 1;
        }
    }

    /** Σ per / Σ valid and Σ valid, in double, rounded once each. */
    static void mean(Tensor perRow, Tensor valid, Tensor mean, Tensor count) {
        float[] per = f32(perRow), ok = f32(valid);
        double s = 0, n = 0;
        for (int i = 0; i < perRow.numel(); i++) {
            s += per[perRow.offset() + i];
            n += ok[valid.offset() + i];
        }
        f32(mean)[mean.offset()] = (float) (s / n);
        f32(count)[count.offset()] = (float) n;
    }

    static void backward(Tensor logits, Tensor target, long ignore, Tensor lse, Tensor scale, Tensor divisor, Tensor dx) {
        int b = logits.size(0), c = logits.size(1);
        float[] x = f32(logits), g = f32(scale), d = f32(dx);
        double div = divisor == null ? 1 : f32(divisor)[divisor.offset()];
        double[] l = ((Storage.F64) lse.storage()).data;
        int xo = logits.offset(), go = scale.offset(), gs = scale.strides()[0], doff = dx.offset(), lo = lse.offset(), to = target.offset();
        Storage t = target.storage();
        Parallel.forRange(b, (long) b * c * 8, (from, end) -> {
            for (int i = from; i < end; i++) {
                int row = i * c;
                if ((long) t.get(to + i) == ignore) {
                    java.util.Arrays.fill(d, doff + row, doff + row + c, 0f);
                    continue;
                }
                int ti = target(t, to + i, c);
                double gi = g[go + i * gs] / div;
                for (int j = 0; j < c; j++) {
                    double p = Math.exp(x[xo + row + j] - l[lo + i]);
                    d[doff + row + j] = (float) (gi * (j == ti ? p - 1 : p));
                }
            }
        });
    }
}
