package org.nnc.optim;

/** Changes an optimizer's learning rate as epochs pass; {@link #step()} once per epoch, after the optimizer's steps. */
public abstract class Scheduler {
    protected final Optimizer optimizer;
    protected final double baseLr;
    protected int epoch;

    protected Scheduler(Optimizer optimizer) {
        this.optimizer = optimizer;
        this.baseLr = optimizer.lr();
    }

    public void step() {
        epoch++;
        optimizer.setLr(lrAt(epoch));
    }

    /** The learning rate for an epoch (epoch 0 is the start). */
    protected abstract double lrAt(int epoch);

    public int epoch() { return epoch; }

    /** Restores the epoch count (resuming) and the rate it implies. */
    public void setEpoch(int e) {
        epoch = e;
        optimizer.setLr(lrAt(e));
    }
}
