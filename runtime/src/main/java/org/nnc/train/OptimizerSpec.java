package org.nnc.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.nnc.optim.Adagrad;
import org.nnc.optim.Adam;
import org.nnc.optim.AdamW;
import org.nnc.optim.Optimizer;
import org.nnc.optim.RMSprop;
import org.nnc.optim.SGD;
import org.nnc.tensor.Tensor;

/**
 * An optimizer as a program writes it, {@code Adam(lr = 1e-3)}: a name and options, made into an
 * optimizer once the parameters are known (a train block) or at once (main). Defaults are PyTorch's.
 */
public record OptimizerSpec(String name, Map<String, Double> options) implements Function<List<Tensor>, Optimizer> {

    public static OptimizerSpec of(String name, String[] keys, double[] values) {
        Map<String, Double> o = new LinkedHashMap<>();
        for (int i = 0; i < keys.length; i++) o.put(keys[i], values[i]);
        return new OptimizerSpec(name, o);
    }

    private double get(String key, double dflt) { return options.getOrDefault(key, dflt); }

    @Override
    public Optimizer apply(List<Tensor> params) {
        return switch (name) {
            case "SGD" -> new SGD(params, get("lr", 0.01), get("momentum", 0), get("dampening", 0), get("nesterov", 0) != 0, get("weightDecay", 0));
            case "Adam" -> new Adam(params, get("lr", 1e-3), get("beta1", 0.9), get("beta2", 0.999), get("eps", 1e-8), get("weightDecay", 0));
            case "AdamW" -> new AdamW(params, get("lr", 1e-3), get("beta1", 0.9), get("beta2", 0.999), get("eps", 1e-8), get("weightDecay", 0.01));
            case "RMSprop" -> new RMSprop(params, get("lr", 1e-2), get("alpha", 0.99), get("eps", 1e-8), get("weightDecay", 0),
                    get("momentum", 0), get("centered", 0) != 0);
            case "Adagrad" -> new Adagrad(params, get("lr", 1e-2), get("lrDecay", 0), get("weightDecay", 0), get("eps", 1e-10));
            default -> throw new IllegalArgumentException("unknown optimizer " + name);
        };
    }

    /** The same optimizer with another learning rate (the --lr override). */
    public OptimizerSpec withLr(double lr) {
        Map<String, Double> o = new LinkedHashMap<>(options);
        o.put("lr", lr);
        return new OptimizerSpec(name, o);
    }
}
