package org.nnc.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntConsumer;

/**
 * A fixed team of threads sized to the cores, shared by every CPU kernel. The calling thread takes part in
 * the work, so one core's worth of work never waits on a hand-off. A kernel started from inside a team
 * thread, or while another thread is using the team, runs serially in its caller, which keeps nested and
 * concurrent calls from deadlocking.
 *
 * <p>Why not an ExecutorService: a training step is thousands of kernels of tens of microseconds, and
 * waking a parked pool thread took about as long as the kernel (a 32×512×128 GEMM ran slower on two
 * threads than on one). Team threads instead spin for {@link #SPIN_NANOS} after each task before parking,
 * as OpenMP runtimes do, so back-to-back kernels find them awake; an idle program still parks them. The
 * spin costs during JIT warm-up, when compiler threads want the cores: on W2, 50 µs made steady-state
 * steps 2.6 ms instead of 3.4 ms with no spin, and the first 100 steps about 15% slower.
 */
public final class Parallel {
    private static final int THREADS = Math.max(1, Integer.getInteger("nnc.threads",
            Runtime.getRuntime().availableProcessors()));
    private static final ThreadLocal<Boolean> IN_POOL = ThreadLocal.withInitial(() -> false);
    /** How long an idle team thread stays awake; {@code -Dnnc.spinMicros=0} parks at once. */
    static final long SPIN_NANOS = 1000L * Long.getLong("nnc.spinMicros", 50);
    private static final Worker[] TEAM = new Worker[THREADS - 1];
    private static final ReentrantLock IN_USE = new ReentrantLock();

    static {
        for (int i = 0; i < TEAM.length; i++) {
            TEAM[i] = new Worker();
            TEAM[i].start();
        }
    }

    /** One job: tasks handed out from a shared counter; the caller waits until the helpers are done. */
    private static final class Job {
        final int count;
        final IntConsumer task;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger helpersLeft;
        final Thread caller = Thread.currentThread();
        volatile boolean callerParked;
        volatile Throwable failure;

        Job(int count, IntConsumer task, int helpers) {
            this.count = count;
            this.task = task;
            this.helpersLeft = new AtomicInteger(helpers);
        }

        void work() {
            try {
                for (int i; (i = next.getAndIncrement()) < count; ) task.accept(i);
            } catch (Throwable t) {
                if (failure == null) failure = t;
                next.set(count);
            }
        }

        void helperDone() {
            if (helpersLeft.decrementAndGet() == 0 && callerParked) LockSupport.unpark(caller);
        }

        void awaitHelpers() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (helpersLeft.get() > 0) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                callerParked = true;
                if (helpersLeft.get() > 0) LockSupport.park(this);
                callerParked = false;
            }
        }
    }

    private static final class Worker extends Thread {
        volatile Job slot;
        volatile boolean parked;

        Worker() {
            super("nnc-cpu");
            setDaemon(true);
        }

        void hand(Job job) {
            slot = job;
            if (parked) LockSupport.unpark(this);
        }

        @Override
        public void run() {
            IN_POOL.set(true);
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                Job job = slot;
                if (job != null) {
                    slot = null;
                    job.work();
                    job.helperDone();
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                } else if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (slot == null) LockSupport.park(this);
                    parked = false;
                }
            }
        }
    }

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
    public static void forTasks(int count, IntConsumer task) {
        if (count <= 0) return;
        if (count == 1 || THREADS == 1 || IN_POOL.get()) {
            for (int i = 0; i < count; i++) task.accept(i);
            return;
        }
        if (IN_USE.isHeldByCurrentThread() || !IN_USE.tryLock()) {
            for (int i = 0; i < count; i++) task.accept(i);
            return;
        }
        try {
            int helpers = Math.min(TEAM.length, count - 1);
            Job job = new Job(count, task, helpers);
            for (int h = 0; h < helpers; h++) TEAM[h].hand(job);
            job.work();
            job.awaitHelpers();
            Throwable failure = job.failure;
            if (failure instanceof RuntimeException re) throw re;
            if (failure instanceof Error err) throw err;
            if (failure != null) throw new IllegalStateException(failure);
        } finally {
            IN_USE.unlock();
        }
    }
}
