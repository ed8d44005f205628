package org.nnc.nn;

import org.nnc.autograd.GradMode;
import org.nnc.ops.Ops;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/**
 * Batch normalization over dimension 1 (features or channels). Training uses the batch's statistics and
 * updates the running ones (the variance unbiased, as PyTorch); eval uses the running statistics. Both are
 * one fused operation for float32 ({@link BatchNormF32}), eval where nothing needs a gradient.
 * Buffers: running_mean, running_var, num_batches_tracked.
 */
public abstract class BatchNorm extends Module {
    public final int n;
    public final double eps, momentum;
    public final Tensor weight, bias;
    private final int[] ranks;

    BatchNorm(int n, double eps, double momentum, int... ranks) {
        this.n = n;
        this.eps = eps;
        this.momentum = momentum;
        this.ranks = ranks;
        this.weight = registerParameter("weight", Tensor.ones(n));
        this.bias = registerParameter("bias", Tensor.zeros(n));
        registerBuffer("running_mean", Tensor.zeros(n));
        registerBuffer("running_var", Tensor.ones(n));
        registerBuffer("num_batches_tracked", Tensor.scalar(DType.INT64, 0));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (java.util.Arrays.stream(ranks).noneMatch(r -> r == x.dim()) || x.size(1) != n) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + n + ") expects " + n + " features in dimension 1 of a "
                    + java.util.Arrays.toString(ranks) + "-D input, got " + org.nnc.tensor.Shape.str(x.shape()));
        }
        int[] view = new int[x.dim()];
        java.util.Arrays.fill(view, 1);
        view[1] = n;
        Tensor mean, var;
        Tensor runningMean = buffer("running_mean"), runningVar = buffer("running_var");
        if (isTraining() && BatchNormF32.applies(x, weight, bias, runningMean, runningVar)) {
            Tensor y = BatchNormF32.train(x, weight, bias, runningMean, runningVar, momentum, eps);
            GradMode.noGrad(() -> buffer("num_batches_tracked").add_(1));
            return y;
        }
        if (!isTraining() && BatchNormF32.evalApplies(x, weight, bias, runningMean, runningVar)) {
            return BatchNormF32.eval(x, weight, bias, runningMean, runningVar, eps);
        }
        if (isTraining()) {
            Tensor m = x;
            long count = 1;
            for (int d = x.dim() - 1; d >= 0; d--) {
                if (d == 1) continue;
                m = Ops.mean(m, d, true);
                count *= x.size(d);
            }
            mean = m;
            Tensor centered = Ops.sub(x, mean);
            Tensor sq = Ops.mul(centered, centered);
            for (int d = x.dim() - 1; d >= 0; d--) if (d != 1) sq = Ops.mean(sq, d, true);
            var = sq;
            long cnt = count;
            Tensor meanFlat = mean, varFlat = var;
            GradMode.noGrad(() -> {
                runningMean.mul_(1 - momentum).add_(Ops.reshape(meanFlat.detach(), n), momentum);
                runningVar.mul_(1 - momentum).add_(Ops.reshape(varFlat.detach(), n), momentum * cnt / Math.max(1, cnt - 1));
                buffer("num_batches_tracked").add_(1);
            });
        } else {
            mean = Ops.reshape(runningMean, view);
            var = Ops.reshape(runningVar, view);
        }
        Tensor y = Ops.div(Ops.sub(x, mean), Ops.sqrt(Ops.add(var, eps)));
        return Ops.add(Ops.mul(y, Ops.reshape(weight, view)), Ops.reshape(bias, view));
    }

    @Override
    protected String extraRepr() { return n + ", eps=" + eps + ", momentum=" + momentum + ", affine=True, track_running_stats=True"; }
}
