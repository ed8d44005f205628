package org.nnc.optim;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nnc.autograd.GradMode;
import org.nnc.ops.Ops;
import org.nnc.tensor.DType;
import org.nnc.tensor.StepScope;
import org.nnc.tensor.Tensor;

/**
 * The base of the optimizers: parameter groups with their own options (learning rate …), per-parameter
 * state, and a state dict so training can resume exactly. Each subclass's {@link #update} is its PyTorch
 * namesake's step for one parameter, run with recording off.
 */
public abstract class Optimizer {
    /** Parameters sharing options; {@code options} holds numbers such as lr, momentum, weightDecay. */
    public static final class Group {
        public final List<Tensor> params;
        public final Map<String, Double> options;

        public Group(List<Tensor> params, Map<String, Double> options) {
            this.params = List.copyOf(params);
            this.options = new LinkedHashMap<>(options);
        }

        public double get(String key) {
            Double v = options.get(key);
            if (v == null) throw new IllegalStateException("option " + key + " is not set");
            return v;
        }
    }

    protected final List<Group> groups = new ArrayList<>();
    private final Map<Tensor, Map<String, Tensor>> state = new IdentityHashMap<>();
    private final Map<Tensor, Long> steps = new IdentityHashMap<>();

    protected Optimizer(List<Group> groups) {
        if (groups.isEmpty() || groups.stream().allMatch(g -> g.params.isEmpty())) {
            throw new IllegalArgumentException("an optimizer needs at least one parameter");
        }
        this.groups.addAll(groups);
    }

    /** One group with the defaults. */
    protected static List<Group> single(List<Tensor> params, Map<String, Double> defaults) {
        return List.of(new Group(params, defaults));
    }

    /** Fills each group's missing options from the defaults (so groups may override only lr, say). */
    protected static List<Group> withDefaults(List<Group> groups, Map<String, Double> defaults) {
        List<Group> out = new ArrayList<>();
        for (Group g : groups) {
            Map<String, Double> o = new LinkedHashMap<>(defaults);
            o.putAll(g.options);
            out.add(new Group(g.params, o));
        }
        return out;
    }

    public List<Group> groups() { return groups; }

    /** Sets every group's learning rate (what schedulers do). */
    public void setLr(double lr) {
        for (Group g : groups) g.options.put("lr", lr);
    }

    public double lr() { return groups.get(0).get("lr"); }

    public void zeroGrad() {
        for (Group g : groups) for (Tensor p : g.params) p.zeroGrad();
    }

    /**
     * Applies one update to every parameter that has a gradient. Buffers it makes on the way (momentum,
     * moments) outlive the step, so they are made {@link StepScope#outside} any step that is open.
     */
    public void step() { StepScope.outside(this::updateAll); }

    private void updateAll() {
        try (GradMode.Scope s = GradMode.disable()) {
            for (Group g : groups) {
                List<Tensor> ps = new ArrayList<>();
                List<Map<String, Tensor>> states = new ArrayList<>();
                List<Long> ts = new ArrayList<>();
                for (Tensor p : g.params) {
                    if (p.grad() == null) continue;
                    ps.add(p);
                    states.add(state.computeIfAbsent(p, k -> new LinkedHashMap<>()));
                    ts.add(steps.merge(p, 1L, Long::sum));
                }
                if (updateTogether(ps, states, ts, g)) continue;
                for (int i = 0; i < ps.size(); i++) update(ps.get(i), ps.get(i).grad(), states.get(i), ts.get(i), g);
            }
        }
    }

    /** Updates p in place from its gradient; {@code st} keeps this parameter's buffers, {@code t} counts its steps from 1. */
    protected abstract void update(Tensor p, Tensor grad, Map<String, Tensor> st, long t, Group g);

    /**
     * Updates all of a group's parameters that have gradients at once, where the optimizer and the backend
     * have a form for it (on a GPU, one launch for the group), and says whether it did; else each goes
     * through {@link #update}. {@code ts} are their step counts, as {@link #update}'s {@code t}. None by default.
     */
    protected boolean updateTogether(List<Tensor> ps, List<Map<String, Tensor>> states, List<Long> ts, Group g) { return false; }

    /** grad + weightDecay · p, PyTorch's L2 penalty. */
    protected static Tensor decayed(Tensor p, Tensor grad, double wd) {
        return wd == 0 ? grad : grad.add(p.mul(wd));
    }

    /**
     * Buffers, step counts and options, keyed by parameter position ({@code state.3.exp_avg},
     * {@code step.3}, {@code group.0.lr}), so they load into a fresh optimizer over the same model.
     */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        int index = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            Group g = groups.get(gi);
            for (Map.Entry<String, Double> o : g.options.entrySet()) {
                out.put("group." + gi + "." + o.getKey(), Tensor.scalar(DType.FLOAT64, o.getValue()));
            }
            for (Tensor p : g.params) {
                if (steps.containsKey(p)) out.put("step." + index, Tensor.scalar(DType.INT64, steps.get(p)));
                Map<String, Tensor> st = state.get(p);
                String prefix = "state." + index + ".";
                if (st != null) st.forEach((k, v) -> out.put(prefix + k, v.clone().detach()));
                index++;
            }
        }
        return out;
    }

    public void loadStateDict(Map<String, Tensor> sd) {
        int index = 0;
        for (int gi = 0; gi < groups.size(); gi++) {
            Group g = groups.get(gi);
            String prefix = "group." + gi + ".";
            for (Map.Entry<String, Tensor> e : sd.entrySet()) {
                if (e.getKey().startsWith(prefix)) g.options.put(e.getKey().substring(prefix.length()), e.getValue().item());
            }
            for (Tensor p : g.params) {
                Tensor s = sd.get("step." + index);
                if (s != null) steps.put(p, (long) s.item());
                String sp = "state." + index + ".";
                Map<String, Tensor> st = new LinkedHashMap<>();
                for (Map.Entry<String, Tensor> e : sd.entrySet()) {
                    if (e.getKey().startsWith(sp)) st.put(e.getKey().substring(sp.length()), e.getValue().detach().to(p.device()).clone().detach());
                }
                if (!st.isEmpty()) state.put(p, st);
                index++;
            }
        }
    }

    /**
     * Scales all gradients so that their joint 2-norm is at most maxNorm (PyTorch's clip_grad_norm_, with
     * its 1e-6 in the divisor); returns the norm before clipping.
     */
    public static double clipGradNorm(List<Tensor> params, double maxNorm) {
        // The squares are summed on the gradients' device and read once (on a GPU, one wait instead of one per parameter).
        double sq = 0;
        Tensor onDevice = null;
        for (Tensor p : params) {
            if (p.grad() == null) continue;
            Tensor n = GradMode.noGrad(() -> Ops.sum(Ops.mul(p.grad(), p.grad())));
            if (onDevice == null) onDevice = n;
            else if (onDevice.device().equals(n.device())) onDevice = Ops.add(onDevice, n);
            else sq += n.item();
        }
        if (onDevice != null) sq += onDevice.item();
        double total = Math.sqrt(sq);
        double coef = maxNorm / (total + 1e-6);
        if (coef < 1) {
            GradMode.noGrad(() -> {
                for (Tensor p : params) if (p.grad() != null) p.grad().mul_(coef);
            });
        }
        return total;
    }
}
