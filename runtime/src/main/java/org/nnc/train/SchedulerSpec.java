package org.nnc.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.nnc.optim.CosineAnnealingLR;
import org.nnc.optim.Optimizer;
import org.nnc.optim.Scheduler;
import org.nnc.optim.StepLR;

/** A scheduler as a program writes it, {@code StepLR(stepSize = 10)}, made once the optimizer exists. */
public record SchedulerSpec(String name, Map<String, Double> options) implements Function<Optimizer, Scheduler> {

    public static SchedulerSpec of(String name, String[] keys, double[] values) {
        Map<String, Double> o = new LinkedHashMap<>();
        for (int i = 0; i < keys.length; i++) o.put(keys[i], values[i]);
        return new SchedulerSpec(name, o);
    }

    @Override
    public Scheduler apply(Optimizer opt) {
        return switch (name) {
            case "StepLR" -> new StepLR(opt, (int) (double) options.get("stepSize"), options.getOrDefault("gamma", 0.1));
            case "CosineAnnealingLR" -> new CosineAnnealingLR(opt, (int) (double) options.get("tMax"), options.getOrDefault("etaMin", 0.0));
            default -> throw new IllegalArgumentException("unknown scheduler " + name);
        };
    }
}
