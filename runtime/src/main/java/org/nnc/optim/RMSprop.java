package org.nnc.optim;

import java.util.List;
import java.util.Map;
import org.nnc.tensor.Tensor;

/** RMSprop with smoothing alpha, optional centering and momentum, as torch.optim.RMSprop. */
public final class RMSprop extends Optimizer {
    public RMSprop(List<Tensor> params, double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        super(single(params, Map.of("lr", lr, "alpha", alpha, "eps", eps, "weightDecay", weightDecay, "momentum", momentum,
                "centered", centered ? 1.0 : 0.0)));
    }

    public RMSprop(List<Tensor> params, double lr) { this(params, lr, 0.99, 1e-8, 0, 0, false); }

    @Override
    protected void update(Tensor p, Tensor grad, Map<String, Tensor> st, long t, Group g) {
        double alpha = g.get("alpha"), eps = g.get("eps"), momentum = g.get("momentum"), lr = g.get("lr");
        Tensor d = decayed(p, grad, g.get("weightDecay"));
        Tensor sq = st.computeIfAbsent("square_avg", k -> Tensor.zerosLike(p));
        sq.mul_(alpha).add_(d.mul(d), 1 - alpha);
        Tensor avg;
        if (g.get("centered") != 0) {
            Tensor ga = st.computeIfAbsent("grad_avg", k -> Tensor.zerosLike(p));
            ga.mul_(alpha).add_(d, 1 - alpha);
            avg = sq.sub(ga.mul(ga)).sqrt().add(eps);
        } else {
            avg = sq.sqrt().add(eps);
        }
        if (momentum > 0) {
            Tensor buf = st.computeIfAbsent("momentum_buffer", k -> Tensor.zerosLike(p));
            buf.mul_(momentum).add_(d.div(avg), 1);
            p.add_(buf, -lr);
        } else {
            p.add_(d.div(avg), -lr);
        }
    }
}
