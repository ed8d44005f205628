package org.nnc.backend.cuda;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;

/**
 * A caching allocator for one device. cuMemAlloc and cuMemFree synchronize the device and cost tens of
 * microseconds, more than most kernels, so blocks are kept by size class and handed out again.
 *
 * <p>A training step's tensors come back when the step ends ({@code StepScope}, {@link #release}). Java has
 * no reference counts, so any other block comes back when the garbage collector finds its storage
 * unreachable (a phantom reference, drained on the next allocation). The collector only watches the Java
 * heap, where a device tensor is a few bytes, so the allocator asks for a collection itself once the
 * blocks handed out since the last one pass a budget, and once more, after dropping its cache, before it
 * reports that the GPU is out of memory. Kernels run in order on one stream, so a block freed by the host
 * can be reused at once: any kernel still reading it was queued before the next writer.
 */
final class CudaMemory {
    /**
     * Fill blocks handed out without zeroing with 0xff bytes (NaN), as a test aid: an output that a kernel
     * should write in full but does not then shows, even in a block that an earlier, identical result left
     * behind.
     */
    private static final boolean POISON = Boolean.getBoolean("nnc.cuda.poison");

    private final Cuda.Context ctx;
    private final TreeMap<Long, ArrayDeque<DevicePointer>> cache = new TreeMap<>();
    private final ReferenceQueue<Object> released = new ReferenceQueue<>();
    private final Set<Block> live = new HashSet<>();
    private final long total;
    private long inUse, cached, budget;

    /** A block handed out: what the collector hands back for a storage that is gone, or its owner releases. */
    static final class Block extends PhantomReference<Object> {
        final DevicePointer ptr;
        final long bytes;

        Block(Object owner, DevicePointer ptr, long bytes, ReferenceQueue<Object> q) {
            super(owner, q);
            this.ptr = ptr;
            this.bytes = bytes;
        }
    }

    CudaMemory(Cuda.Context ctx, long total) {
        this.ctx = ctx;
        this.total = total;
        this.budget = baseBudget();
    }

    /** Bytes handed out between collections: a quarter of the GPU, or {@code -Dnnc.cuda.collectBytes}. */
    private long baseBudget() { return Long.getLong("nnc.cuda.collectBytes", Math.max(256L << 20, total / 4)); }

    /** Size classes: powers of two up to 1 MiB, then multiples of 2 MiB, so freed blocks fit later requests. */
    static long sizeClass(long bytes) {
        if (bytes <= 256) return 256;
        if (bytes <= 1 << 20) return Long.highestOneBit(bytes - 1) << 1;
        long unit = 2L << 20;
        return (bytes + unit - 1) / unit * unit;
    }

    /**
     * A block of at least {@code bytes} (zero-filled if asked), owned by {@code owner} until it becomes
     * unreachable; {@code what} says what it was for, in the out-of-memory message (made only then: a
     * formatted number costs more than the rest of an allocation).
     */
    synchronized Block allocate(Object owner, long bytes, boolean zeroed, Supplier<String> what) {
        ctx.makeCurrent();
        drain();
        long size = sizeClass(Math.max(bytes, 1));
        if (inUse + size > budget) {
            collect();
            budget = Math.max(baseBudget(), 2 * inUse);
        } else {
            budget = Math.min(budget, Math.max(baseBudget(), 2 * inUse));
        }
        DevicePointer p = take(size);
        if (p == null) p = fresh(size);
        if (p == null) {
            collect();
            p = take(size);
            if (p == null) {
                trim();
                p = fresh(size);
            }
        }
        if (p == null) {
            long[] free = new long[1], all = new long[1];
            JCudaDriver.cuMemGetInfo(free, all);
            throw new CudaException(String.format(Locale.ROOT, "out of GPU memory allocating %s (%s): nnc holds %s of the"
                    + " GPU's %s; a smaller batch size or model needs less", what.get(), human(bytes), human(inUse), human(all[0])));
        }
        if ((zeroed || POISON) && bytes > 0) {
            Cuda.check(JCudaDriver.cuMemsetD8Async(p, zeroed ? 0 : (byte) 0xff, bytes, null), "cuMemsetD8Async");
        }
        Block b = new Block(owner, p, size, released);
        live.add(b);
        inUse += size;
        return b;
    }

    /** Takes a block back before its owner is unreachable (a step's tensors, when the step ends); once only. */
    synchronized void release(Block b) {
        b.clear();   // the collector need not report it
        give(b);
    }

    private DevicePointer take(long size) {
        ArrayDeque<DevicePointer> q = cache.get(size);
        if (q == null || q.isEmpty()) return null;
        cached -= size;
        return q.pop();
    }

    private DevicePointer fresh(long size) {
        DevicePointer p = new DevicePointer();   // its address can be read, for launches and cuBLAS
        int r = JCudaDriver.cuMemAlloc(p, size);
        if (r == CUresult.CUDA_ERROR_OUT_OF_MEMORY) return null;
        Cuda.check(r, "cuMemAlloc(" + size + " bytes)");
        return p;
    }

    /** Returns the blocks of storages the collector found unreachable to the cache. */
    private void drain() {
        for (Reference<?> r; (r = released.poll()) != null; ) give((Block) r);
    }

    private void give(Block b) {
        if (!live.remove(b)) return;
        inUse -= b.bytes;
        cached += b.bytes;
        cache.computeIfAbsent(b.bytes, k -> new ArrayDeque<>()).push(b.ptr);
    }

    /** Runs the collector and waits briefly for the references it clears. */
    private void collect() {
        System.gc();
        try {
            for (Reference<?> r; (r = released.remove(20)) != null; ) give((Block) r);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Gives every cached block back to the driver. */
    private void trim() {
        Cuda.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
        for (Map.Entry<Long, ArrayDeque<DevicePointer>> e : cache.entrySet()) {
            for (DevicePointer p : e.getValue()) Cuda.check(JCudaDriver.cuMemFree(p), "cuMemFree");
        }
        cache.clear();
        cached = 0;
    }

    synchronized long inUse() { return inUse; }

    synchronized long cached() { return cached; }

    static String human(long bytes) {
        if (bytes < 1 << 10) return bytes + " B";
        if (bytes < 1 << 20) return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        if (bytes < 1L << 30) return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20));
        return String.format(Locale.ROOT, "%.2f GiB", bytes / (double) (1L << 30));
    }
}
