package org.nnc.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nnc.tensor.Tensor;

/**
 * Adam, as torch.optim.Adam: bias-corrected first and second moments, weight decay as an L2 term in the
 * gradient. {@link AdamW} decouples the decay.
 */
public class Adam extends Optimizer {
    public Adam(List<Tensor> params, double lr, double beta1, double beta2, double eps, double weightDecay) {
        super(single(params, Map.of("lr", lr, "beta1", beta1, "beta2", beta2, "eps", eps, "weightDecay", weightDecay)));
    }

    public Adam(List<Tensor> params, double lr) { this(params, lr, 0.9, 0.999, 1e-8, 0); }

    public Adam(List<Tensor> params) { this(params, 1e-3); }

    protected boolean decoupled() { return false; }

    /**
     * Without weight decay and with every parameter at the same step count, the backend's
     * {@code adamSteps}: on a GPU one launch for the whole group.
     */
    @Override
    protected boolean updateTogether(List<Tensor> ps, List<Map<String, Tensor>> states, List<Long> ts, Group g) {
        if (ps.isEmpty() || g.get("weightDecay") != 0) return false;
        long t = ts.get(0);
        List<Tensor> grads = new ArrayList<>(ps.size()), ms = new ArrayList<>(ps.size()), vs = new ArrayList<>(ps.size());
        for (int i = 0; i < ps.size(); i++) {
            if (ts.get(i) != t) return false;
            Tensor p = ps.get(i);
            grads.add(p.grad());
            ms.add(states.get(i).computeIfAbsent("exp_avg", k -> Tensor.zerosLike(p)));
            vs.add(states.get(i).computeIfAbsent("exp_avg_sq", k -> Tensor.zerosLike(p)));
        }
        double b1 = g.get("beta1"), b2 = g.get("beta2");
        return ps.get(0).backend().adamSteps(ps, grads, ms, vs, g.get("lr"), b1, b2, g.get("eps"), 1 - Math.pow(b1, t), 1 - Math.pow(b2, t));
    }

    @Override
    protected void update(Tensor p, Tensor grad, Map<String, Tensor> st, long t, Group g) {
        double lr = g.get("lr"), b1 = g.get("beta1"), b2 = g.get("beta2"), eps = g.get("eps"), wd = g.get("weightDecay");
        Tensor d = grad;
        if (decoupled()) p.mul_(1 - lr * wd);
        else d = decayed(p, grad, wd);
        Tensor m = st.computeIfAbsent("exp_avg", k -> Tensor.zerosLike(p));
        Tensor v = st.computeIfAbsent("exp_avg_sq", k -> Tensor.zerosLike(p));
        double c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
        if (p.backend().adamStep(p, d, m, v, lr, b1, b2, eps, c1, c2)) return;
        m.mul_(b1).add_(d, 1 - b1);
        v.mul_(b2).add_(d.mul(d), 1 - b2);
        Tensor denom = v.sqrt().div(Math.sqrt(c2)).add(eps);
        p.add_(m.div(denom), -lr / c1);
    }
}
