package org.nnc.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
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

    /**
     * One job: tasks handed out from a shared counter. The caller waits for the tasks to finish, not for
     * the helpers to show up: a helper that the OS has not scheduled yet (a JIT compiler thread holds its
     * core) finds every task taken when it wakes, and the caller, which took them, did not wait a
     * scheduler tick for it. Waiting on helpers made every W2 step about 4 ms while C2 compiled anything,
     * against 1.8 ms.
     */
    private static final class Job {
        final int count;
        final IntConsumer task;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger finished = new AtomicInteger();
        final Thread caller = Thread.currentThread();
        volatile boolean callerParked;
        volatile Throwable failure;

        Job(int count, IntConsumer task) {
            this.count = count;
            this.task = task;
        }

        /** Claims and runs tasks until none is left; after a failure the rest are claimed and skipped. */
        void work() {
            for (int i; (i = next.getAndIncrement()) < count; ) {
                try {
                    if (failure == null) task.accept(i);
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    if (finished.incrementAndGet() == count && callerParked) LockSupport.unpark(caller);
                }
            }
        }

        /** Waits for the tasks that helpers claimed and are still running. */
        void awaitTasks() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (finished.get() < count) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                    continue;
                }
                callerParked = true;
                if (finished.get() < count) LockSupport.park(this);
                callerParked = false;
            }
        }
    }

    private static final class Worker extends Thread {
        /** The latest job handed to this thread; taken with getAndSet, so a newer job is never lost. */
        final AtomicReference<Job> slot = new AtomicReference<>();
        volatile boolean parked;

        Worker() {
            super("nnc-cpu");
            setDaemon(true);
        }

        void hand(Job job) {
            slot.set(job);
            if (parked) LockSupport.unpark(this);
        }

        @Override
        public void run() {
            IN_POOL.set(true);
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (true) {
                Job job = slot.get() == null ? null : slot.getAndSet(null);
                if (job != null) {
                    job.work();
                    spinUntil = System.nanoTime() + SPIN_NANOS;
                } else if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    parked = true;
                    if (slot.get() == null) LockSupport.park(this);
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
            Job job = new Job(count, task);
            for (int h = 0; h < helpers; h++) TEAM[h].hand(job);
            job.work();
            job.awaitTasks();
            Throwable failure = job.failure;
            if (failure instanceof RuntimeException re) throw re;
            if (failure instanceof Error err) throw err;
            if (failure != null) throw new IllegalStateException(failure);
        } finally {
            IN_USE.unlock();
        }
    }
}
