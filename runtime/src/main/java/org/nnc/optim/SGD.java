package org.nnc.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nnc.tensor.Tensor;

/** Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, step for step as torch.optim.SGD. */
public final class SGD extends Optimizer {
    public SGD(List<Tensor> params, double lr, double momentum, double dampening, boolean nesterov, double weightDecay) {
        super(single(params, Map.of("lr", lr, "momentum", momentum, "dampening", dampening,
                "nesterov", nesterov ? 1.0 : 0.0, "weightDecay", weightDecay)));
        if (nesterov && (momentum <= 0 || dampening != 0)) {
            throw new IllegalArgumentException("Nesterov momentum needs momentum > 0 and dampening = 0");
        }
    }

    public SGD(List<Tensor> params, double lr) { this(params, lr, 0, 0, false, 0); }

    /** Parameter groups, each with its own options; missing ones take these defaults. */
    public SGD(List<Group> groups, double lr, double momentum) {
        super(withDefaults(groups, Map.of("lr", lr, "momentum", momentum, "dampening", 0.0, "nesterov", 0.0, "weightDecay", 0.0)));
    }

    /**
     * With momentum and without weight decay, once every buffer exists (the first step makes them), the
     * backend's {@code sgdSteps}: on a GPU one launch for the whole group.
     */
    @Override
    protected boolean updateTogether(List<Tensor> ps, List<Map<String, Tensor>> states, List<Long> ts, Group g) {
        double momentum = g.get("momentum");
        if (ps.isEmpty() || momentum == 0 || g.get("weightDecay") != 0) return false;
        List<Tensor> grads = new ArrayList<>(ps.size()), bufs = new ArrayList<>(ps.size());
        for (int i = 0; i < ps.size(); i++) {
            Tensor buf = states.get(i).get("momentum_buffer");
            if (buf == null) return false;
            grads.add(ps.get(i).grad());
            bufs.add(buf);
        }
        return ps.get(0).backend().sgdSteps(ps, grads, bufs, g.get("lr"), momentum, g.get("dampening"), g.get("nesterov") != 0);
    }

    @Override
    protected void update(Tensor p, Tensor grad, Map<String, Tensor> st, long t, Group g) {
        Tensor d = decayed(p, grad, g.get("weightDecay"));
        double momentum = g.get("momentum");
        if (momentum != 0) {
            Tensor buf = st.get("momentum_buffer");
            if (buf == null) {
                buf = d.clone().detach();
                st.put("momentum_buffer", buf);
            } else if (p.backend().sgdStep(p, d, buf, g.get("lr"), momentum, g.get("dampening"), g.get("nesterov") != 0)) {
                return;
            } else {
                buf.mul_(momentum).add_(d, 1 - g.get("dampening"));
            }
            d = g.get("nesterov") != 0 ? d.add(buf.mul(momentum)) : buf;
        }
        p.add_(d, -g.get("lr"));
    }
}
