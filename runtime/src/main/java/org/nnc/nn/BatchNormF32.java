package org.nnc.nn;

import org.nnc.autograd.Autograd;
import org.nnc.ops.Ops;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/**
 * Batch normalization's training step on float32 tensors as one operation on any backend: one kernel
 * forward ({@code Backend.batchNormTrain}: the batch's statistics, the normalization with its scale and
 * shift, the running statistics) and one backward (the gradients of x, weight and bias), where the
 * composed form takes about fifteen operations forward and thirty backward (on a GPU, as many launches);
 * and eval mode where nothing needs a gradient, one kernel where the composed form takes six. Same
 * formulas as the composed form; a test checks them, and PyTorch's fixtures check both forms.
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

    /** Whether eval mode can take the fused kernel: nothing to differentiate (the validation pass, inference). */
    static boolean evalApplies(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar) {
        boolean needsGrad = org.nnc.autograd.GradMode.isEnabled() && (x.requiresGrad() || weight.requiresGrad() || bias.requiresGrad());
        return !needsGrad && applies(x, weight, bias, runningMean, runningVar);
    }

    /** Eval mode: the running statistics, the scale and shift, in one kernel (Backend.batchNormEval). */
    static Tensor eval(Tensor input, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps) {
        Tensor x = Ops.contiguous(input.detach());
        Tensor y = Tensor.uninitialized(DType.FLOAT32, x.device(), x.shape());
        x.backend().batchNormEval(x, weight.detach(), bias.detach(), runningMean, runningVar, eps, y);
        return y;
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
