package org.nnc.backend.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fixed pool of threads sized to the cores, shared by every CPU kernel. The calling thread takes part in
 * the work, so one core's worth of work never waits on a hand-off. A kernel started from inside a pool
 * thread runs serially, which keeps nested parallel calls from deadlocking.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Integer.getInteger("nnc.threads",
            Runtime.getRuntime().availableProcessors()));
    private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> false);
    private static final ExecutorService POOL = THREADS == 1 ? null : Executors.newFixedThreadPool(THREADS - 1, r -> {
        Thread t = new Thread(() -> {
            IN_POOL.set(true);
            r.run();
        }, "nnc-cpu");
        t.setDaemon(true);
        return t;
    });

    /** A body over a half-open range of indices. */
    @FunctionalInterface
    public interface RangeBody {
        void run(int from, int to);
    }

    private Parallel() {}

    public static int threads() { return THREADS; }

    /**
     * Runs {@code body} over [0, n) split into at most one contiguous chunk per thread.
     * {@code work} is the total cost in elementary operations; below about 32k it is not worth waking threads.
     */
    public static void forRange(int n, long work, RangeBody body) {
        int chunks = (int) Math.min(Math.min(THREADS, n), Math.max(1, work / 32_768));
        if (chunks <= 1 || IN_POOL.get()) {
            if (n > 0) body.run(0, n);
            return;
        }
        forTasks(chunks, c -> body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks)));
    }

    /** Runs tasks 0..count-1, handed out dynamically to the pool threads and the caller. */
    public static void forTasks(int count, java.util.function.IntConsumer task) {
        if (count <= 0) return;
        if (count == 1 || THREADS == 1 || IN_POOL.get()) {
            for (int i = 0; i < count; i++) task.accept(i);
            return;
        }
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < count; ) task.accept(i);
        };
        int helpers = Math.min(THREADS - 1, count - 1);
        @SuppressWarnings("unchecked")
        Future<?>[] futures = new Future<?>[helpers];
        for (int h = 0; h < helpers; h++) futures[h] = POOL.submit(worker);
        Throwable failure = null;
        try {
            worker.run();
        } catch (Throwable t) {
            failure = t;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (failure == null) failure = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException re) throw re;
        if (failure instanceof Error err) throw err;
        if (failure != null) throw new IllegalStateException(failure);
    }
}
