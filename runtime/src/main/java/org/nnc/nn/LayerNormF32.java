package org.nnc.nn;

import org.nnc.autograd.Autograd;
import org.nnc.ops.Ops;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/**
 * The normalization step of a float32 layer norm (rows of the last dimension) as one operation on any
 * backend: one kernel forward ({@code Backend.layerNormRows}) and one backward, where the composed form
 * takes seven operations forward and about fifteen backward (on a GPU, as many launches). The scale and
 * shift stay ordinary operations, so their gradients come from autograd as before. Same formula as the
 * composed form (biased variance, eps inside the root); a test checks the two agree.
 */
final class LayerNormF32 {
    private LayerNormF32() {}

    static boolean applies(Tensor rows) { return rows.dtype() == DType.FLOAT32 && rows.numel() > 0; }

    /** rows [..., n] normalized over n. */
    static Tensor apply(Tensor rows, double eps) {
        Tensor x = Ops.contiguous(rows.detach());
        int[] stats = java.util.Arrays.copyOf(x.shape(), x.dim() - 1);
        Tensor y = Tensor.uninitialized(DType.FLOAT32, x.device(), x.shape());
        Tensor mean = Tensor.uninitialized(DType.FLOAT32, x.device(), stats), rstd = Tensor.uninitialized(DType.FLOAT32, x.device(), stats);
        x.backend().layerNormRows(x, eps, y, mean, rstd);
        return Autograd.record("layerNorm", y, g -> {
            Tensor dx = Tensor.uninitialized(DType.FLOAT32, x.device(), x.shape());
            x.backend().layerNormRowsBackward(x, mean, rstd, Ops.contiguous(g), dx);
            return new Tensor[] {dx};
        }, rows);
    }
}
