package org.nnc.nn;

import org.nnc.autograd.Autograd;
import org.nnc.ops.Ops;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.Tensor;

/**
 * Cross-entropy of float32 logits [B, C] as one operation on any backend: log-sum-exp, the picked logit and
 * each row's loss in one kernel ({@code Backend.crossEntropyRows}), the mean over the rows that count in
 * one more ({@code crossEntropyMean}), softmax − one-hot (divided by that count) in one for the backward,
 * instead of the ~30 element-wise operations and graph nodes of log_softmax + nll (and, on a GPU, ~30
 * launches). Same formula as the composed form (each row shifted by its maximum, by 0 if it holds a
 * NaN), so the two agree to float rounding; a test checks it. Other dtypes and label smoothing keep the
 * composed form.
 */
final class CrossEntropyF32 {
    private CrossEntropyF32() {}

    static boolean applies(Tensor logits, double labelSmoothing) {
        return labelSmoothing == 0 && logits.dtype() == DType.FLOAT32;
    }

    static Tensor apply(Tensor logits, Tensor target, long ignoreIndex, Functional.Reduction r) {
        Device dev = Ops.commonDevice(logits, target);
        int b = logits.size(0), c = logits.size(1);
        Tensor x = Ops.contiguous(logits.detach()), t = Ops.contiguous(target.detach());
        Tensor per = Tensor.uninitialized(DType.FLOAT32, dev, b), lse = Tensor.uninitialized(DType.FLOAT64, dev, b);
        Tensor valid = Tensor.uninitialized(DType.FLOAT32, dev, b);
        x.backend().crossEntropyRows(x, t, ignoreIndex, per, lse, valid);
        Tensor count = r == Functional.Reduction.MEAN ? Tensor.uninitialized(DType.FLOAT32, dev) : null;
        Tensor y = switch (r) {
            case NONE -> per;
            case SUM -> Ops.sum(per);
            case MEAN -> {
                Tensor mean = Tensor.uninitialized(DType.FLOAT32, dev);
                x.backend().crossEntropyMean(per, valid, mean, count);
                yield mean;
            }
        };
        return Autograd.record("crossEntropy", y, g -> {
            Tensor scale = Ops.broadcastTo(g, new int[] {b});   // a sum's or mean's one scale reaches every row with stride 0
            Tensor dx = Tensor.uninitialized(DType.FLOAT32, dev, b, c);
            x.backend().crossEntropyBackward(x, t, ignoreIndex, lse, scale, count, dx);
            return new Tensor[] {dx, null};
        }, logits, target);
    }
}
