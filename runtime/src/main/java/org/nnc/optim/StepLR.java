package org.nnc.optim;

/** lr = base · gamma^⌊epoch / stepSize⌋. */
public final class StepLR extends Scheduler {
    private final int stepSize;
    private final double gamma;

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        super(optimizer);
        if (stepSize < 1) throw new IllegalArgumentException("StepLR stepSize must be at least 1");
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    public StepLR(Optimizer optimizer, int stepSize) { this(optimizer, stepSize, 0.1); }

    @Override
    protected double lrAt(int epoch) { return baseLr * Math.pow(gamma, epoch / stepSize); }
}
