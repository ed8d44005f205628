package org.nnc.optim;

import java.util.List;
import java.util.Map;
import org.nnc.tensor.Tensor;

/** Adagrad (lr decay, weight decay, eps 1e-10), as torch.optim.Adagrad with an initial accumulator of 0. */
public final class Adagrad extends Optimizer {
    public Adagrad(List<Tensor> params, double lr, double lrDecay, double weightDecay, double eps) {
        super(single(params, Map.of("lr", lr, "lrDecay", lrDecay, "weightDecay", weightDecay, "eps", eps)));
    }

    public Adagrad(List<Tensor> params, double lr) { this(params, lr, 0, 0, 1e-10); }

    @Override
    protected void update(Tensor p, Tensor grad, Map<String, Tensor> st, long t, Group g) {
        Tensor d = decayed(p, grad, g.get("weightDecay"));
        double clr = g.get("lr") / (1 + (t - 1) * g.get("lrDecay"));
        Tensor sum = st.computeIfAbsent("sum", k -> Tensor.zerosLike(p));
        sum.add_(d.mul(d), 1);
        p.add_(d.div(sum.sqrt().add(g.get("eps"))), -clr);
    }
}
