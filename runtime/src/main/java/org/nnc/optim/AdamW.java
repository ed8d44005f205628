package org.nnc.optim;

import java.util.List;
import org.nnc.tensor.Tensor;

/** Adam with decoupled weight decay (p ← p · (1 − lr · wd) before the Adam step), default wd 0.01 as PyTorch. */
public final class AdamW extends Adam {
    public AdamW(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(params, lr, beta1, beta2, eps, weightDecay);
    }

    public AdamW(List<Tensor> params, double lr) { this(params, lr, 0.9, 0.999, 1e-8, 0.01); }

    @Override
    protected boolean decoupled() { return true; }
}
