package org.nnc.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.nnc.autograd.GradMode;
import org.nnc.ops.Ops;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/**
 * Batches of a data set: shuffled with a seed (epoch e uses its own generator from the seed, so every
 * epoch differs and any epoch can be replayed), optionally dropping a last short batch, assembled ahead
 * of time by {@code workers} background threads. Batches come out in the same order whatever the
 * worker count; an exception in a worker is rethrown by {@code next()} naming the batch, with its cause;
 * {@link #close()} stops the threads.
 */
public final class DataLoader implements Iterable<DataLoader.Batch>, AutoCloseable {
    /** Features stacked along a new first dimension, and targets likewise. */
    public record Batch(Tensor x, Tensor y) {}

    private static final AtomicInteger LOADERS = new AtomicInteger();
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle, dropLast;
    private final int workers;
    private final long seed;
    private ExecutorService pool;
    private int epoch;

    public DataLoader(Dataset data, int batchSize, boolean shuffle, boolean dropLast, int workers, long seed) {
        if (batchSize < 1) throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        if (workers < 0) throw new IllegalArgumentException("workers must be 0 or more, got " + workers);
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.dropLast = dropLast;
        this.workers = workers;
        this.seed = seed;
    }

    public DataLoader(Dataset data, int batchSize) { this(data, batchSize, false, false, 0, 0); }

    public Dataset dataset() { return data; }

    /** Batches per epoch. */
    public int size() {
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The epoch the next iteration will run (it also decides the shuffle), for resuming. */
    public int epoch() { return epoch; }

    public void setEpoch(int e) { epoch = e; }

    /** The sample indices of each batch of an epoch. */
    public List<int[]> plan(int e) {
        int n = data.size();
        int[] order;
        if (shuffle) {
            order = Subset.permutation(n, new Generator(seed * 0x9E3779B97F4A7C15L + e));
        } else {
            order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
        }
        List<int[]> batches = new ArrayList<>();
        for (int start = 0; start < n; start += batchSize) {
            int end = Math.min(n, start + batchSize);
            if (dropLast && end - start < batchSize) break;
            batches.add(java.util.Arrays.copyOfRange(order, start, end));
        }
        return batches;
    }

    /** One epoch of batches; each call starts the next epoch. */
    @Override
    public Iterator<Batch> iterator() { return iterator(0); }

    /** The next epoch's batches from batch {@code skip} on (resuming inside an epoch). */
    public Iterator<Batch> iterator(int skip) {
        List<int[]> plan = plan(epoch++);
        List<int[]> rest = plan.subList(Math.min(skip, plan.size()), plan.size());
        return workers == 0 ? new Serial(rest, skip) : new Prefetching(rest, skip);
    }

    /** Stacks the samples at these indices into a batch. */
    public Batch collate(int[] indices) {
        try (GradMode.Scope s = GradMode.disable()) {
            if (data instanceof TensorDataset td) {
                Dataset.Sample g = td.gather(indices);
                return new Batch(g.x(), g.y());
            }
            List<Tensor> xs = new ArrayList<>(indices.length), ys = new ArrayList<>(indices.length);
            for (int i : indices) {
                Dataset.Sample sample = data.get(i);
                xs.add(sample.x());
                ys.add(sample.y());
            }
            return new Batch(Ops.stack(xs, 0), Ops.stack(ys, 0));
        }
    }

    private final class Serial implements Iterator<Batch> {
        private final List<int[]> plan;
        private final int first;
        private int next;

        Serial(List<int[]> plan, int first) {
            this.plan = plan;
            this.first = first;
        }

        @Override public boolean hasNext() { return next < plan.size(); }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            int k = next++;
            try {
                return collate(plan.get(k));
            } catch (RuntimeException e) {
                throw new DataException("batch " + (first + k) + " of the data set failed: " + e.getMessage(), e);
            }
        }
    }

    private synchronized ExecutorService pool() {
        if (pool == null) {
            int id = LOADERS.incrementAndGet();
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(workers, r -> {
                Thread t = new Thread(r, "nnc-loader-" + id + "-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    /** Keeps up to 2 × workers batches in flight and hands them out in plan order. */
    private final class Prefetching implements Iterator<Batch> {
        private final List<int[]> plan;
        private final int first;
        private final ArrayDeque<Future<Batch>> inFlight = new ArrayDeque<>();
        private int submitted, taken;

        Prefetching(List<int[]> plan, int first) {
            this.plan = plan;
            this.first = first;
            fill();
        }

        private void fill() {
            ExecutorService p = pool();
            while (submitted < plan.size() && inFlight.size() < 2 * workers) {
                int[] idx = plan.get(submitted++);
                inFlight.add(p.submit(() -> collate(idx)));
            }
        }

        @Override public boolean hasNext() { return taken < plan.size(); }

        @Override
        public Batch next() {
            if (!hasNext()) throw new NoSuchElementException();
            Future<Batch> f = inFlight.poll();
            int k = taken++;
            try {
                Batch b = f.get();
                fill();
                return b;
            } catch (ExecutionException e) {
                inFlight.forEach(x -> x.cancel(true));
                inFlight.clear();
                taken = plan.size();
                Throwable cause = e.getCause();
                throw new DataException("batch " + (first + k) + " of the data set failed: " + cause.getMessage(), cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new DataException("interrupted while waiting for batch " + k, e);
            }
        }
    }

    /** Stops the worker threads; the loader can still be iterated afterwards (it starts new ones). */
    @Override
    public synchronized void close() {
        if (pool != null) {
            pool.shutdownNow();
            try {
                pool.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pool = null;
        }
    }
}
