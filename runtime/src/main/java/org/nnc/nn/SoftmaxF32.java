package org.nnc.nn;

import org.nnc.autograd.Autograd;
import org.nnc.ops.Ops;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/**
 * Softmax and log-softmax of float32 tensors over their last dimension (attention scores, a classifier's
 * output) as one operation on any backend: one kernel forward ({@code Backend.softmaxRows}) and one
 * backward, where the composed form takes about ten element-wise operations and reductions forward and
 * four backward (on a GPU, as many launches). Same formula as the composed form (each row shifted by its
 * maximum), so the two agree to float rounding; a test checks it. Other dtypes and dimensions keep the
 * composed form.
 */
final class SoftmaxF32 {
    private SoftmaxF32() {}

    static boolean applies(Tensor x, int dim) {
        return x.dtype() == DType.FLOAT32 && dim == x.dim() - 1 && x.numel() > 0;
    }

    static Tensor apply(Tensor x, boolean log) {
        Tensor xc = Ops.contiguous(x.detach());
        Tensor y = Tensor.uninitialized(DType.FLOAT32, x.device(), x.shape());
        xc.backend().softmaxRows(xc, log, y);
        return Autograd.record(log ? "logSoftmax" : "softmax", y, g -> {
            Tensor dx = Tensor.uninitialized(DType.FLOAT32, x.device(), x.shape());
            y.backend().softmaxRowsBackward(y, Ops.contiguous(g), log, dx);
            return new Tensor[] {dx};
        }, x);
    }
}
