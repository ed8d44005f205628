package org.nnc.backend.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jcuda.driver.JCudaDriver;
import org.nnc.tensor.DeviceStorage;
import org.nnc.tensor.Storage;

/**
 * Host-to-device copies that do not make the host wait. A copy from ordinary Java memory returns only once
 * the GPU has the data, so the host idles while a batch crosses the bus instead of queueing the step's
 * kernels; a copy from page-locked memory is queued on the stream like a kernel. So an upload is first
 * copied by the CPU into a page-locked staging buffer and then queued, and the kernels that read the tensor
 * queue behind it on the same stream. The caller's array is free again at once, as before.
 *
 * <p>The buffer fills front to back. It is free again whenever the host has waited for the GPU, since every
 * copy queued before has then run: each copy to the host does that ({@link #drained}), and a training step
 * ends with one (its loss). Were it to fill first, the next upload waits for the GPU itself. An upload
 * larger than a quarter of the buffer (a whole data set, say) is copied the ordinary way.
 */
final class PinnedUploads {
    /** Bytes of page-locked memory per GPU, made on the first upload. */
    static final long CAPACITY = 32L << 20;

    private final Cuda.Context ctx;
    private MemorySegment staging;
    private long used;

    PinnedUploads(Cuda.Context ctx) { this.ctx = ctx; }

    /**
     * Queues a copy of {@code n} elements of {@code src} from {@code from} to device address {@code device};
     * false where it is too large to stage (the caller then copies synchronously).
     */
    synchronized boolean upload(long device, Storage src, int from, int n) {
        long bytes = (long) n * src.dtype().bytes();
        if (bytes > CAPACITY / 4) return false;
        ctx.makeCurrent();
        if (staging == null) staging = Driver.allocateHost(CAPACITY);
        if (used + bytes > CAPACITY) {
            Cuda.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
            used = 0;
        }
        switch (src) {
            case Storage.F32 f -> MemorySegment.copy(f.data, from, staging, ValueLayout.JAVA_FLOAT, used, n);
            case Storage.F64 d -> MemorySegment.copy(d.data, from, staging, ValueLayout.JAVA_DOUBLE, used, n);
            case Storage.I32 v -> MemorySegment.copy(v.data, from, staging, ValueLayout.JAVA_INT, used, n);
            case Storage.I64 v -> MemorySegment.copy(v.data, from, staging, ValueLayout.JAVA_LONG, used, n);
            case Storage.Bool v -> MemorySegment.copy(v.data, from, staging, ValueLayout.JAVA_BYTE, used, n);
            case DeviceStorage d -> throw new IllegalArgumentException("not host storage: " + d.device());
        }
        Driver.copyToDeviceAsync(device, staging.address() + used, bytes);
        used = (used + bytes + 63) & ~63L;
        return true;
    }

    /**
     * Runs {@code copy}, which makes the host wait for the GPU (a copy to the host), and marks the buffer
     * free; under this object's lock, so no upload is queued between the wait and the mark.
     */
    synchronized void drained(Runnable copy) {
        copy.run();
        used = 0;
    }
}
