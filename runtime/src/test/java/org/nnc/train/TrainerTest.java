package org.nnc.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnc.io.CsvReader;
import org.nnc.io.SafeTensors;
import org.nnc.nn.Activation;
import org.nnc.nn.Linear;
import org.nnc.nn.Module;
import org.nnc.nn.Sequential;
import org.nnc.optim.Adam;
import org.nnc.tensor.Generator;

class TrainerTest {
    @TempDir
    Path dir;

    private static Module mlp() {
        return new Sequential(new Linear(4, 16), Activation.relu(), new Linear(16, 3));
    }

    private TrainConfig iris(int workers) {
        var data = CsvReader.read(Path.of("../samples/data/iris.csv"),
                new CsvReader.Options("species", null, null, 1, true, CsvReader.Missing.ERROR, CsvReader.Target.CLASSES)).data();
        return TrainConfig.of(data, Loss.CROSS_ENTROPY).withValidationSplit(0.2).withEpochs(40).withBatchSize(16)
                .withOptimizer(p -> new Adam(p, 0.01)).withSeed(3).withWorkers(workers).withDevice("cpu");
    }

    @Test
    void trainsIrisWritesWeightsLogAndPlot() throws IOException {
        Generator.global().manualSeed(0);
        Module m = mlp();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Trainer.Result r = Trainer.fit(m, iris(0).withSave(dir.resolve("w.safetensors")).withLog(dir.resolve("log.csv")),
                new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(r.history().last().valAccuracy() >= 0.9, out);
        assertEquals(40, out.lines().filter(l -> l.startsWith("epoch ")).count(), out);
        assertTrue(out.lines().reduce((a, b) -> b).orElse("").startsWith("done: 40 epochs, loss "), out);
        assertEquals(41, Files.readAllLines(dir.resolve("log.csv")).size());
        byte[] png = Files.readAllBytes(dir.resolve("log.png"));
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, java.util.Arrays.copyOf(png, 4));
        assertEquals(m.stateDict().keySet(), SafeTensors.read(dir.resolve("w.safetensors")).tensors().keySet());
    }

    @Test
    void theSameSeedGivesTheSameWeightsWhateverTheWorkerCount() {
        float[] reference = null;
        for (int workers : new int[] {0, 3}) {
            Generator.global().manualSeed(0);
            Module m = mlp();
            Trainer.fit(m, iris(workers).withEpochs(3), new PrintStream(new ByteArrayOutputStream()), false);
            float[] w = m.stateDict().get("2.weight").toFloatArray();
            if (reference == null) reference = w;
            else assertArrayEquals(reference, w);
        }
    }

    @Test
    void aNonFiniteLossStopsWithWhereItHappened() {
        Generator.global().manualSeed(0);
        TrainConfig c = iris(0).withOptimizer(p -> new org.nnc.optim.SGD(p, 1e30)).withEpochs(5);
        TrainingException e = assertThrows(TrainingException.class, () -> Trainer.fit(mlp(), c, new PrintStream(new ByteArrayOutputStream()), false));
        assertTrue(e.getMessage().matches("the loss became (NaN|Infinity) at epoch \\d+, batch \\d+ \\(the last finite loss was .*"), e.getMessage());
    }

    @Test
    void aNonFiniteLossLeavesTheParametersAsTheyWere() {
        // One NaN feature: the batch holding it has a NaN loss, computed (backward pass included) before
        // the update, which must then not run; the parameters stay finite.
        org.nnc.tensor.Tensor x = org.nnc.tensor.Tensor.rand(new Generator(1), org.nnc.tensor.DType.FLOAT32, 48, 4);
        x.detach().select(0, 30).select(0, 2).fill_(Float.NaN);
        long[] y = new long[48];
        for (int i = 0; i < y.length; i++) y[i] = i % 3;
        var data = new org.nnc.data.TensorDataset(x, org.nnc.tensor.Tensor.of(y, 48));
        TrainConfig c = TrainConfig.of(data, Loss.CROSS_ENTROPY).withEpochs(2).withBatchSize(16).withOptimizer(p -> new Adam(p, 0.01))
                .withSeed(3).withDevice("cpu");
        Generator.global().manualSeed(0);
        Module m = mlp();
        TrainingException e = assertThrows(TrainingException.class, () -> Trainer.fit(m, c, new PrintStream(new ByteArrayOutputStream()), false));
        assertTrue(e.getMessage().startsWith("the loss became NaN at epoch 1"), e.getMessage());
        for (var p : m.namedParameters().entrySet()) {
            for (float v : p.getValue().toFloatArray()) assertTrue(Float.isFinite(v), p.getKey() + " was updated with a NaN gradient");
        }
    }
}
