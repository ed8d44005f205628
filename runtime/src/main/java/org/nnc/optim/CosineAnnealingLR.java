package org.nnc.optim;

/** lr = etaMin + (base − etaMin) (1 + cos(π · epoch / tMax)) / 2, PyTorch's closed form. */
public final class CosineAnnealingLR extends Scheduler {
    private final int tMax;
    private final double etaMin;

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        super(optimizer);
        if (tMax < 1) throw new IllegalArgumentException("CosineAnnealingLR tMax must be at least 1");
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    public CosineAnnealingLR(Optimizer optimizer, int tMax) { this(optimizer, tMax, 0); }

    @Override
    protected double lrAt(int epoch) { return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2; }
}
