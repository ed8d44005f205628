package org.nnc.nn;

import org.nnc.autograd.Autograd;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.Tensor;

/**
 * Cross-entropy of float32 logits [B, C] on the CPU as one operation: log-sum-exp, the picked logit and the
 * reduction in one pass over each row (in double), and a backward that writes softmax − one-hot in one more,
 * instead of the ~30 element-wise operations and graph nodes of log_softmax + nll. Same formula as the
 * composed form (the maximum shifts each row; a NaN maximum shifts by 0), so the two agree to float
 * rounding; a test checks it, and other dtypes, devices and label smoothing keep the composed form.
 */
final class CrossEntropyF32 {
    private CrossEntropyF32() {}

    static boolean applies(Tensor logits, Tensor target, double labelSmoothing) {
        return labelSmoothing == 0 && logits.dtype() == DType.FLOAT32 && logits.device().equals(Device.CPU)
                && target.device().equals(Device.CPU);
    }

    static Tensor apply(Tensor logits, Tensor target, long ignoreIndex, Functional.Reduction r) {
        int b = logits.size(0), c = logits.size(1);
        float[] x = logits.toFloatArray();
        long[] t = target.toLongArray();
        double[] lse = new double[b];
        float[] per = new float[b];
        double total = 0;
        int valid = 0;
        for (int i = 0; i < b; i++) {
            if (t[i] == ignoreIndex) continue;
            if (t[i] < -c || t[i] >= c) {
                throw new IndexOutOfBoundsException("index " + t[i] + " is out of bounds for dimension 1 with size " + c);
            }
            int row = i * c, ti = (int) (t[i] < 0 ? t[i] + c : t[i]);
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
            lse[i] = Math.log(s) + m;
            double loss = lse[i] - x[row + ti];
            per[i] = (float) loss;
            total += loss;
            valid++;
        }
        int count = valid;
        Tensor y = switch (r) {
            case NONE -> Tensor.of(per, b);
            case SUM -> Tensor.scalar(total);
            case MEAN -> Tensor.scalar(total / count);
        };
        return Autograd.record("crossEntropy", y, g -> {
            float[] gs = g.toFloatArray();
            float[] dx = new float[b * c];
            for (int i = 0; i < b; i++) {
                if (t[i] == ignoreIndex) continue;
                double gi = r == Functional.Reduction.NONE ? gs[i] : r == Functional.Reduction.MEAN ? gs[0] / (double) count : gs[0];
                int row = i * c, ti = (int) (t[i] < 0 ? t[i] + c : t[i]);
                for (int j = 0; j < c; j++) {
                    double p = Math.exp(x[row + j] - lse[i]);
                    dx[row + j] = (float) (gi * (j == ti ? p - 1 : p));
                }
            }
            return new Tensor[] {Tensor.of(dx, b, c), null};
        }, logits, target);
    }
}
