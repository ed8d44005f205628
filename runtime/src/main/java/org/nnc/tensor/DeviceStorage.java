package org.nnc.tensor;

import org.nnc.backend.Backend;

/**
 * Storage that lives in an accelerator's memory. The CPU kernels never see it: a tensor on a device runs
 * its device's {@link Backend}, and host code reaches the elements only through the copies below (or,
 * slowly, one element at a time through {@link #get}/{@link #set}, which printing and {@code item()} use).
 */
public abstract non-sealed class DeviceStorage extends Storage {

    /** The kernels for this storage's device. */
    public abstract Backend backend();

    @Override public abstract Device device();

    /** Copies n elements starting at {@code from} into host storage {@code dst} (same dtype) at {@code to}. */
    public abstract void read(int from, Storage dst, int to, int n);

    /** Copies n elements of host storage {@code src} (same dtype) from {@code from} into this storage at {@code to}. */
    public abstract void write(Storage src, int from, int to, int n);

    /**
     * Gives the memory back to the device's allocator now, not when the collector finds this unreachable:
     * the {@link StepScope} that owned it has ended, so no tensor may touch it again.
     */
    protected abstract void release();
}
