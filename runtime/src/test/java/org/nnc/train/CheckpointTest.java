package org.nnc.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnc.data.Dataset;
import org.nnc.io.CsvReader;
import org.nnc.nn.Activation;
import org.nnc.nn.BatchNorm1d;
import org.nnc.nn.Dropout;
import org.nnc.nn.Linear;
import org.nnc.nn.Module;
import org.nnc.nn.Sequential;
import org.nnc.optim.Adam;
import org.nnc.optim.StepLR;
import org.nnc.tensor.Generator;

/** Checkpoints: an interrupted run, resumed, ends bit for bit where an uninterrupted one does; the heap stays flat. */
class CheckpointTest {
    @TempDir
    Path dir;

    private static final PrintStream QUIET = new PrintStream(new ByteArrayOutputStream());

    /** Iris through a model with dropout and batch norm (random and buffered state), Adam and a scheduler. */
    private static Module model() {
        Generator.global().manualSeed(5);
        return new Sequential(new Linear(4, 16), new BatchNorm1d(16), Activation.relu(), new Dropout(0.2), new Linear(16, 3));
    }

    private static Dataset iris() {
        return CsvReader.read(Path.of("../samples/data/iris.csv"),
                new CsvReader.Options("species", null, null, 1, true, CsvReader.Missing.ERROR, CsvReader.Target.CLASSES)).data();
    }

    private TrainConfig config(Dataset data, int epochs) {
        return TrainConfig.of(data, Loss.CROSS_ENTROPY).withEpochs(epochs).withBatchSize(16).withValidationSplit(0.2).withSeed(9)
                .withOptimizer(p -> new Adam(p, 0.01)).withScheduler(o -> new StepLR(o, 2, 0.5)).withWorkers(2).withDevice("cpu")
                .withCheckpoint(dir.resolve("ckpt"));
    }

    private static List<float[]> weights(Module m) {
        List<float[]> out = new ArrayList<>();
        for (var t : m.stateDict().values()) out.add(t.toFloatArray());
        return out;
    }

    private static void assertSameWeights(Module a, Module b) {
        List<float[]> wa = weights(a), wb = weights(b);
        for (int i = 0; i < wa.size(); i++) assertArrayEquals(wa.get(i), wb.get(i), "tensor " + i);
    }

    @Test
    void resumingAfterAnEpochEndsWhereAnUninterruptedRunEnds() {
        Module whole = model();
        Trainer.fit(whole, config(iris(), 6).withCheckpoint(null), QUIET, false);
        Module first = model();
        Trainer.fit(first, config(iris(), 3), QUIET, false);
        assertTrue(Files.exists(dir.resolve("ckpt/checkpoint.safetensors")));
        Generator.global().manualSeed(12345);
        Module resumed = model();
        Trainer.Result r = Trainer.fit(resumed, config(iris(), 6).withResume(true), QUIET, false);
        assertSameWeights(whole, resumed);
        assertEquals(6, r.history().epochs().size(), "the metrics of the first epochs come back too");
    }

    @Test
    void stoppingInsideAnEpochAndResumingIsBitIdentical() {
        Module whole = model();
        Trainer.fit(whole, config(iris(), 4).withCheckpoint(null), QUIET, false);
        AtomicInteger fetched = new AtomicInteger();
        Dataset base = iris();
        Dataset stopping = new Dataset() {
            @Override public int size() { return base.size(); }

            @Override
            public Sample get(int i) {
                if (fetched.incrementAndGet() == 300) Trainer.requestStop();
                return base.get(i);
            }
        };
        // Through get(), batches are assembled sample by sample, so the stop request lands in epoch 3.
        Module first = model();
        Trainer.Stopped s = assertThrows(Trainer.Stopped.class, () -> Trainer.fit(first, config(stopping, 4), QUIET, false));
        assertTrue(s.getMessage().startsWith("stopped at epoch 3, batch "), s.getMessage());
        assertTrue(s.getMessage().endsWith("continue with --resume"), s.getMessage());
        Module resumed = model();
        Trainer.fit(resumed, config(iris(), 4).withResume(true), QUIET, false);
        assertSameWeights(whole, resumed);
    }

    @Test
    void aCheckpointForAnotherModelIsAClearError() {
        Trainer.fit(model(), config(iris(), 1), QUIET, false);
        Module other = new Sequential(new Linear(4, 8), new Linear(8, 3));
        TrainingException e = assertThrows(TrainingException.class,
                () -> Trainer.fit(other, config(iris(), 2).withResume(true), QUIET, false));
        assertTrue(e.getMessage().contains("is for another model") && e.getMessage().contains("unexpected keys: 1.num_batches_tracked"), e.getMessage());
        TrainingException none = assertThrows(TrainingException.class,
                () -> Trainer.fit(model(), config(iris(), 2).withCheckpoint(dir.resolve("empty")).withResume(true), QUIET, false));
        assertTrue(none.getMessage().startsWith("there is no checkpoint to resume from"), none.getMessage());
    }

    @Test
    void aHundredEpochsKeepAFlatHeap() {
        Module m = model();
        long[] used = new long[101];
        Runtime rt = Runtime.getRuntime();
        Trainer.fit(m, config(iris(), 100).withCheckpoint(null), QUIET, false, e -> {
            if (e.epoch() == 10 || e.epoch() == 100) {
                System.gc();
                used[e.epoch()] = rt.totalMemory() - rt.freeMemory();
            }
        });
        long growth = used[100] - used[10];
        assertTrue(growth < 8L << 20, "heap grew by " + (growth >> 10) + " KiB between epochs 10 and 100");
        assertTrue(Map.of().isEmpty());
    }
}
