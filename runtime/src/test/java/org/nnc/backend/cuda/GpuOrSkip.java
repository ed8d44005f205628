package org.nnc.backend.cuda;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.nnc.tensor.Device;

/** CUDA tests call this first: without a usable GPU they are reported as skipped, with the probe's reason. */
final class GpuOrSkip {
    static final Device CUDA = Device.cuda(0);

    private GpuOrSkip() {}

    static void require() {
        String why = Cuda.unavailableReason();
        assumeTrue(why == null, () -> "no GPU to test on: " + why);
    }
}
