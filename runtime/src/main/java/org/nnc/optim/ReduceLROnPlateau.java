package org.nnc.optim;

/**
 * Multiplies the learning rate by {@code factor} when a minimized metric has not improved by a relative
 * {@code threshold} for more than {@code patience} epochs, then waits {@code cooldown} epochs (PyTorch's
 * defaults: factor 0.1, patience 10, threshold 1e-4 relative, cooldown 0, minLr 0, eps 1e-8).
 */
public final class ReduceLROnPlateau {
    private final Optimizer optimizer;
    private final double factor, threshold, minLr, eps;
    private final int patience, cooldown;
    private double best = Double.POSITIVE_INFINITY;
    private int badEpochs, cooldownLeft;

    public ReduceLROnPlateau(Optimizer optimizer, double factor, int patience, double threshold, int cooldown, double minLr) {
        if (factor >= 1) throw new IllegalArgumentException("factor must be below 1");
        this.optimizer = optimizer;
        this.factor = factor;
        this.patience = patience;
        this.threshold = threshold;
        this.cooldown = cooldown;
        this.minLr = minLr;
        this.eps = 1e-8;
    }

    public ReduceLROnPlateau(Optimizer optimizer) { this(optimizer, 0.1, 10, 1e-4, 0, 0); }

    /** Reports the epoch's metric (e.g. validation loss). */
    public void step(double metric) {
        if (metric < best * (1 - threshold)) {
            best = metric;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownLeft > 0) {
            cooldownLeft--;
            badEpochs = 0;
        }
        if (badEpochs > patience) {
            for (Optimizer.Group g : optimizer.groups()) {
                double old = g.get("lr"), lr = Math.max(old * factor, minLr);
                if (old - lr > eps) g.options.put("lr", lr);
            }
            cooldownLeft = cooldown;
            badEpochs = 0;
        }
    }
}
