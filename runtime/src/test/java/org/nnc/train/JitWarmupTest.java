package org.nnc.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;
import org.nnc.io.CsvReader;
import org.nnc.nn.Activation;
import org.nnc.nn.Conv2d;
import org.nnc.nn.Flatten;
import org.nnc.nn.GRU;
import org.nnc.nn.LSTM;
import org.nnc.nn.Linear;
import org.nnc.nn.MaxPool2d;
import org.nnc.nn.Module;
import org.nnc.nn.Sequential;
import org.nnc.optim.Adam;
import org.nnc.optim.SGD;
import org.nnc.tensor.Device;
import org.nnc.tensor.Generator;
import org.nnc.train.JitWarmup.Family;

class JitWarmupTest {
    @Test
    void familiesFollowTheLayersAModelHas() {
        assertEquals(EnumSet.of(Family.DENSE), JitWarmup.familiesOf(new Sequential(new Linear(4, 3))));
        assertEquals(EnumSet.of(Family.DENSE, Family.CONV), JitWarmup.familiesOf(new Sequential(
                new Conv2d(1, 2, 3), Activation.relu(), new MaxPool2d(2), new Flatten(), new Linear(2, 3))));
        assertEquals(EnumSet.of(Family.DENSE, Family.LSTM, Family.GRU), JitWarmup.familiesOf(new Sequential(
                new Sequential(new LSTM(3, 4)), new GRU(4, 4))));
        assertEquals(EnumSet.of(Family.DENSE, Family.NORM), JitWarmup.familiesOf(new Sequential(
                new Linear(4, 3), new org.nnc.nn.BatchNorm1d(3), new org.nnc.nn.LayerNorm(3))));
    }

    @Test
    void onlyLongRunsAreWorthIt() {
        assertFalse(JitWarmup.worthIt(900));     // digits_cnn: 20 epochs of 45 batches
        assertTrue(JitWarmup.worthIt(60_000));
    }

    /** Every family's throwaway model trains, with either kind of loss, or runs forward only, and the global generator is left as it was. */
    @Test
    void everyFamilyRunsAndTheGlobalGeneratorIsUntouched() {
        for (Loss loss : new Loss[] {Loss.CROSS_ENTROPY, Loss.MSE}) {
            Generator.global().manualSeed(42);
            long[] before = Generator.global().getState();
            JitWarmup.run(EnumSet.allOf(Family.class), p -> new SGD(p, 0.01, 0.9, 0, false, 0), loss, Device.CPU, 100_000_000L);
            assertArrayEquals(before, Generator.global().getState(), loss.name());
        }
        long[] before = Generator.global().getState();
        JitWarmup.run(EnumSet.allOf(Family.class), null, null, Device.CPU, 100_000_000L);   // inference: forward passes only
        assertArrayEquals(before, Generator.global().getState(), "inference");
    }

    private static float[] trainIris(String warmup, ByteArrayOutputStream log) {
        String old = System.getProperty("nnc.warmup");
        System.setProperty("nnc.warmup", warmup);
        try {
            var data = CsvReader.read(Path.of("../samples/data/iris.csv"),
                    new CsvReader.Options("species", null, null, 1, true, CsvReader.Missing.ERROR, CsvReader.Target.CLASSES)).data();
            TrainConfig c = TrainConfig.of(data, Loss.CROSS_ENTROPY).withEpochs(3).withBatchSize(16)
                    .withOptimizer(p -> new Adam(p, 0.01)).withSeed(3).withDevice("cpu");
            Generator.global().manualSeed(0);
            Module m = new Sequential(new Linear(4, 16), Activation.relu(), new Linear(16, 3));
            Trainer.fit(m, c, new PrintStream(log, true, StandardCharsets.UTF_8), false);
            return m.stateDict().get("2.weight").toFloatArray();
        } finally {
            if (old == null) System.clearProperty("nnc.warmup");
            else System.setProperty("nnc.warmup", old);
        }
    }

    /** A run with a warm-up says so and ends with the same weights, to the last bit, as one without. */
    @Test
    void aWarmUpChangesNoResult() {
        ByteArrayOutputStream with = new ByteArrayOutputStream(), without = new ByteArrayOutputStream();
        float[] warmed = trainIris("true", with);
        float[] cold = trainIris("false", without);
        assertArrayEquals(cold, warmed);
        assertTrue(with.toString(StandardCharsets.UTF_8).startsWith("JIT warm-up: "), with.toString(StandardCharsets.UTF_8));
        assertFalse(without.toString(StandardCharsets.UTF_8).contains("JIT warm-up"));
    }
}
