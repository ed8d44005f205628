package org.nnc.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

class DataLoaderTest {
    /** 103 samples: x = [i, 2i], y = i. */
    private static TensorDataset data() {
        int n = 103;
        float[] x = new float[2 * n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = i;
            x[2 * i + 1] = 2 * i;
            y[i] = i;
        }
        return new TensorDataset(Tensor.of(x, n, 2), Tensor.of(y, n));
    }

    private static List<long[]> epochs(DataLoader l, int count) {
        List<long[]> out = new ArrayList<>();
        for (int e = 0; e < count; e++) {
            List<Long> order = new ArrayList<>();
            for (DataLoader.Batch b : l) {
                long[] y = b.y().toLongArray();
                float[] x = b.x().toFloatArray();
                for (int i = 0; i < y.length; i++) {
                    assertEquals(y[i], (long) x[2 * i]);
                    order.add(y[i]);
                }
            }
            out.add(order.stream().mapToLong(Long::longValue).toArray());
        }
        return out;
    }

    @Test
    void theOrderForASeedIsTheSameWhateverTheWorkerCount() {
        List<long[]> reference = null;
        for (int workers : new int[] {0, 1, 4}) {
            try (DataLoader l = new DataLoader(data(), 10, true, false, workers, 42)) {
                List<long[]> got = epochs(l, 3);
                if (reference == null) {
                    reference = got;
                } else {
                    for (int e = 0; e < 3; e++) assertArrayEquals(reference.get(e), got.get(e), workers + " workers, epoch " + e);
                }
            }
        }
        assertFalse(java.util.Arrays.equals(reference.get(0), reference.get(1)), "each epoch is shuffled anew");
        long[] sorted = reference.get(0).clone();
        java.util.Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) assertEquals(i, sorted[i], "every sample once per epoch");
    }

    @Test
    void batchesDropLastAndCollateThroughGet() {
        Dataset viaGet = new Subset(data(), new int[] {5, 6, 7, 8, 9});
        DataLoader l = new DataLoader(viaGet, 2, false, true, 0, 0);
        assertEquals(2, l.size());
        List<DataLoader.Batch> batches = new ArrayList<>();
        l.forEach(batches::add);
        assertEquals(2, batches.size());
        assertArrayEquals(new int[] {2, 2}, batches.get(0).x().shape());
        assertArrayEquals(new long[] {7, 8}, batches.get(1).y().toLongArray());
        assertEquals(3, new DataLoader(viaGet, 2).size());
    }

    @Test
    void anExceptionInAWorkerSurfacesWithItsCause() {
        Dataset broken = new Dataset() {
            @Override public int size() { return 50; }

            @Override
            public Sample get(int i) {
                if (i == 33) throw new IllegalStateException("sample 33 is corrupt");
                return new Sample(Tensor.ones(2), Tensor.scalar(1));
            }
        };
        try (DataLoader l = new DataLoader(broken, 5, false, false, 3, 0)) {
            Iterator<DataLoader.Batch> it = l.iterator();
            int good = 0;
            DataException e = null;
            while (it.hasNext()) {
                try {
                    it.next();
                    good++;
                } catch (DataException x) {
                    e = x;
                    break;
                }
            }
            assertEquals(6, good, "the batches before the broken one arrive");
            assertTrue(e != null && e.getMessage().contains("batch 6") && e.getMessage().contains("sample 33 is corrupt"), String.valueOf(e));
            assertSame(IllegalStateException.class, e.getCause().getClass());
            assertFalse(it.hasNext(), "the epoch ends after a failure");
        }
    }

    @Test
    void aLoaderSurvivesAFailedBatchAndLeaksNoThreads() throws InterruptedException {
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        Dataset flaky = new Dataset() {
            @Override public int size() { return 40; }

            @Override
            public Sample get(int i) {
                if (i == 17 && failed.compareAndSet(false, true)) throw new IllegalStateException("transient read error");
                return new Sample(Tensor.ones(3), Tensor.scalar(i));
            }
        };
        long before = loaderThreads();
        try (DataLoader l = new DataLoader(flaky, 4, true, false, 3, 2)) {
            assertThrows(DataException.class, () -> { for (DataLoader.Batch b : l) { } });
            int batches = 0;
            for (DataLoader.Batch b : l) batches++;
            assertEquals(10, batches, "the next epoch runs whole");
        }
        for (int i = 0; i < 50 && loaderThreads() > before; i++) Thread.sleep(20);
        assertEquals(before, loaderThreads());
    }

    private static long loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("nnc-loader-") && t.isAlive()).count();
    }

    @Test
    void closingEarlyStopsTheThreads() throws InterruptedException {
        DataLoader l = new DataLoader(data(), 4, true, false, 4, 1);
        Iterator<DataLoader.Batch> it = l.iterator();
        it.next();
        assertTrue(loaderThreads() > 0);
        l.close();
        for (int i = 0; i < 50 && loaderThreads() > 0; i++) Thread.sleep(20);
        assertEquals(0, loaderThreads());
    }

    @Test
    void randomSplitIsSeededAndCoversEverything() {
        List<Subset> a = Subset.randomSplit(data(), new double[] {0.8, 0.2}, new Generator(3));
        List<Subset> b = Subset.randomSplit(data(), new double[] {0.8, 0.2}, new Generator(3));
        assertEquals(83, a.get(0).size());
        assertEquals(20, a.get(1).size());
        assertArrayEquals(a.get(1).indices(), b.get(1).indices());
        assertNotEquals(List.of(a.get(1).indices()), List.of(Subset.randomSplit(data(), new double[] {0.8, 0.2}, new Generator(4)).get(1).indices()));
        boolean[] seen = new boolean[103];
        for (Subset s : a) for (int i : s.indices()) seen[i] = true;
        for (boolean s : seen) assertTrue(s);
    }
}
