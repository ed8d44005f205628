package org.nnc.nn;

import org.nnc.autograd.Autograd;
import org.nnc.ops.Ops;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/**
 * Batch normalization's training step on float32 tensors as one operation on any backend: one kernel
 * forward ({@code Backend.batchNormTrain}: the batch's statistics, the normalization with its scale and
 * shift, the running statistics) and one backward (the gradients of x, weight and bias), where the
 * composed form takes about fifteen operations forward and thirty backward (on a GPU, as many launches).
 * Same formula as the composed form; a test checks the two agree, and PyTorch's fixtures check both.
 */
final class BatchNormF32 {
    private BatchNormF32() {}

    static boolean applies(Tensor x, Tensor... perChannel) {
        if (x.dtype() != DType.FLOAT32 || x.numel() == 0) return false;
        for (Tensor t : perChannel) {
            if (t.dtype() != DType.FLOAT32 || !t.isContiguous() || !t.device().equals(x.device())) return false;
        }
        return true;
    }

    static Tensor train(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double momentum, double eps) {
        Tensor x = Ops.contiguous(input.detach());
        int channels = x.size(1);
        Tensor y = Tensor.uninitialized(DType.FLOAT32, x.device(), x.shape());
        Tensor mean = Tensor.uninitialized(DType.FLOAT32, x.device(), channels), rstd = Tensor.uninitialized(DType.FLOAT32, x.device(), channels);
        Tensor w = weight.detach(), b = bias.detach();
        x.backend().batchNormTrain(x, w, b, runningMean, runningVar, momentum, eps, y, mean, rstd);
        return Autograd.record("batchNorm", y, g -> {
            Tensor dx = Tensor.uninitialized(DType.FLOAT32, x.device(), x.shape());
            Tensor dw = Tensor.uninitialized(DType.FLOAT32, x.device(), channels), db = Tensor.uninitialized(DType.FLOAT32, x.device(), channels);
            x.backend().batchNormBackward(x, w, mean, rstd, Ops.contiguous(g), dx, dw, db);
            return new Tensor[] {dx, dw, db};
        }, input, weight, bias);
    }
}
