package org.nnc.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.nnc.backend.cuda.CudaBackendTest.close;
import static org.nnc.backend.cuda.GpuOrSkip.CUDA;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nnc.data.TensorDataset;
import org.nnc.nn.Activation;
import org.nnc.nn.BatchNorm1d;
import org.nnc.nn.BatchNorm2d;
import org.nnc.nn.Functional;
import org.nnc.nn.GRU;
import org.nnc.nn.LSTM;
import org.nnc.nn.Linear;
import org.nnc.nn.Module;
import org.nnc.nn.Recurrent;
import org.nnc.nn.Sequential;
import org.nnc.optim.Adagrad;
import org.nnc.optim.Adam;
import org.nnc.optim.Optimizer;
import org.nnc.optim.RMSprop;
import org.nnc.optim.SGD;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.Generator;
import org.nnc.tensor.StepScope;
import org.nnc.tensor.Tensor;
import org.nnc.train.Loss;
import org.nnc.train.TrainConfig;
import org.nnc.train.Trainer;

/** Layers, optimizer updates and a whole training run on the GPU against the same on the CPU. */
class CudaModulesTest {
    @BeforeEach
    void gpu() { GpuOrSkip.require(); }

    /** The same module twice (one moved to the GPU), run on the same input; outputs and every gradient compared. */
    private static void sameOnBoth(Supplier<Module> make, Tensor input) {
        Generator.global().manualSeed(4);
        Module cpu = make.get();
        Generator.global().manualSeed(4);
        Module gpu = make.get().to(CUDA);
        Tensor xc = input.detach().requiresGrad(true), xg = input.to(CUDA).detach().requiresGrad(true);
        Tensor yc = cpu.forward(xc), yg = gpu.forward(xg);
        close("output", yc, yg, 1e-5, 1e-4);
        Tensor r = Tensor.rand(new Generator(9), DType.FLOAT32, yc.shape());
        yc.mul(r).sum().backward();
        yg.mul(r.to(CUDA)).sum().backward();
        close("input gradient", xc.grad(), xg.grad(), 1e-5, 1e-4);
        Map<String, Tensor> pc = cpu.namedParameters(), pg = gpu.namedParameters();
        for (String k : pc.keySet()) close("gradient of " + k, pc.get(k).grad(), pg.get(k).grad(), 1e-5, 1e-4);
        Map<String, Tensor> sc = cpu.stateDict(), sg = gpu.stateDict();
        for (String k : sc.keySet()) close("state " + k, sc.get(k), sg.get(k), 1e-5, 1e-4);
    }

    /** The GPU's whole-sequence LSTM (LstmSequence.onDevice) against the CPU's, two layers and every step's output used. */
    @Test
    void lstmOnTheGpuMatchesTheCpu() {
        sameOnBoth(() -> new LSTM(5, 16, 2), Tensor.rand(new Generator(1), DType.FLOAT32, 3, 7, 5));
    }

    /** W4's use: only the last step's h, so the gradient enters at one step; 9 × 40 units span two blocks. */
    @Test
    void lstmLastStepOnTheGpuMatchesTheCpu() {
        sameOnBoth(() -> new LastStep(new LSTM(6, 40)), Tensor.randn(new Generator(10), DType.FLOAT32, 9, 5, 6));
    }

    /** A recurrent layer's last hidden state. */
    private static final class LastStep extends Module {
        final Recurrent rnn;

        LastStep(Recurrent rnn) { this.rnn = registerModule("rnn", rnn); }

        @Override
        public Tensor forward(Tensor x) { return rnn.last(x); }
    }

    /** The GPU's whole-sequence GRU (GruSequence.onDevice) against the CPU's, as the LSTM's. */
    @Test
    void gruOnTheGpuMatchesTheCpu() {
        sameOnBoth(() -> new GRU(5, 8, 2), Tensor.rand(new Generator(2), DType.FLOAT32, 4, 6, 5));
    }

    @Test
    void gruLastStepOnTheGpuMatchesTheCpu() {
        sameOnBoth(() -> new LastStep(new GRU(6, 40)), Tensor.randn(new Generator(11), DType.FLOAT32, 9, 5, 6));
    }

    @Test
    void batchNormInTrainingModeUpdatesItsRunningStatistics() {
        sameOnBoth(() -> new BatchNorm2d(3), Tensor.rand(new Generator(3), DType.FLOAT32, 4, 3, 5, 5));
        sameOnBoth(() -> new BatchNorm1d(4), Tensor.rand(new Generator(4), DType.FLOAT32, 6, 4));
        sameOnBoth(() -> new BatchNorm1d(3), Tensor.rand(new Generator(5), DType.FLOAT32, 2, 3, 300));
    }

    @Test
    void batchNormInEvalModeWithoutGradientsMatchesTheCpu() {
        Tensor x = Tensor.rand(new Generator(6), DType.FLOAT32, 4, 3, 5, 5);
        Generator.global().manualSeed(4);
        Module cpu = new BatchNorm2d(3);
        cpu.forward(x);   // running statistics that are not the initial ones
        Module gpu = new BatchNorm2d(3);
        gpu.loadStateDict(cpu.stateDict());
        gpu.to(CUDA);
        cpu.eval();
        gpu.eval();
        try (org.nnc.autograd.GradMode.Scope s = org.nnc.autograd.GradMode.disable()) {
            close("eval output", cpu.forward(x), gpu.forward(x.to(CUDA)), 1e-5, 1e-4);
        }
    }

    @Test
    void clipGradNormOnTheDeviceMatchesTheCpu() {
        Generator g = new Generator(8);
        Tensor g0 = Tensor.randn(g, DType.FLOAT32, 3, 3).mul(4), g1 = Tensor.randn(g, DType.FLOAT32, 4);
        Tensor ac = Tensor.zeros(3, 3).requiresGrad(true), bc = Tensor.zeros(4).requiresGrad(true);
        Tensor ag = Tensor.zeros(3, 3).to(CUDA).requiresGrad(true), bg = Tensor.zeros(4).to(CUDA).requiresGrad(true);
        ac.setGrad(g0.clone());
        bc.setGrad(g1.clone());
        ag.setGrad(g0.to(CUDA));
        bg.setGrad(g1.to(CUDA));
        double nc = Optimizer.clipGradNorm(List.of(ac, bc), 1.5), ng = Optimizer.clipGradNorm(List.of(ag, bg), 1.5);
        assertEquals(nc, ng, 1e-6 * nc, "the norm before clipping");
        close("clipped gradient", ac.grad(), ag.grad(), 1e-6, 1e-5);
        close("clipped gradient", bc.grad(), bg.grad(), 1e-6, 1e-5);
    }

    @Test
    void optimizerUpdatesRunOnTheDevice() {
        List<Function<List<Tensor>, Optimizer>> opts = List.of(
                p -> new SGD(p, 0.1, 0.9, 0, true, 1e-3),
                p -> new Adam(p, 0.01),
                p -> new RMSprop(p, 0.01, 0.9, 1e-8, 0, 0.5, true),
                p -> new Adagrad(p, 0.1));
        for (Function<List<Tensor>, Optimizer> make : opts) {
            Tensor init = Tensor.rand(new Generator(6), DType.FLOAT32, 4, 5), c = Tensor.rand(new Generator(7), DType.FLOAT32, 4, 5);
            Tensor pc = init.clone().detach().requiresGrad(true), pg = init.to(CUDA).detach().requiresGrad(true);
            Optimizer oc = make.apply(List.of(pc)), og = make.apply(List.of(pg));
            Tensor cg = c.to(CUDA);
            for (int step = 0; step < 3; step++) {
                oc.zeroGrad();
                og.zeroGrad();
                pc.pow(2).mul(c).sum().backward();
                pg.pow(2).mul(cg).sum().backward();
                oc.step();
                og.step();
            }
            assertEquals(CUDA, pg.device());
            close(oc.getClass().getSimpleName(), pc, pg, 1e-5, 1e-4);
        }
    }

    @Test
    void optimizersStepManyParametersTogetherAsEachAlone() {
        // 41 parameters of many lengths: more than one launch's 32, through sgdSteps / adamSteps on the GPU.
        List<Function<List<Tensor>, Optimizer>> opts = List.of(p -> new SGD(p, 0.05, 0.9, 0, false, 0),
                p -> new SGD(p, 0.05, 0.9, 0, true, 0), p -> new Adam(p, 0.01));
        for (Function<List<Tensor>, Optimizer> make : opts) {
            List<Tensor> cpu = new ArrayList<>(), gpu = new ArrayList<>(), coeff = new ArrayList<>();
            Generator g = new Generator(11);
            for (int i = 0; i < 41; i++) {
                Tensor init = Tensor.rand(g, DType.FLOAT32, i == 40 ? 1000 : i + 1);
                cpu.add(init.clone().detach().requiresGrad(true));
                gpu.add(init.to(CUDA).detach().requiresGrad(true));
                coeff.add(Tensor.rand(g, DType.FLOAT32, init.shape()));
            }
            Optimizer oc = make.apply(cpu), og = make.apply(gpu);
            for (int step = 0; step < 3; step++) {
                oc.zeroGrad();
                og.zeroGrad();
                for (int i = 0; i < 41; i++) {
                    cpu.get(i).pow(2).mul(coeff.get(i)).sum().backward();
                    gpu.get(i).pow(2).mul(coeff.get(i).to(CUDA)).sum().backward();
                }
                oc.step();
                og.step();
            }
            String name = og.getClass().getSimpleName();
            for (int i = 0; i < 41; i++) close(name + " parameter " + i, cpu.get(i), gpu.get(i), 1e-6, 1e-5);
            Map<String, Tensor> sc = oc.stateDict(), sg = og.stateDict();   // the buffers too: momentum, moments
            assertEquals(sc.keySet(), sg.keySet());
            for (String k : sc.keySet()) close(name + " " + k, sc.get(k), sg.get(k), 1e-6, 1e-5);
        }
    }

    @Test
    void aTrainingRunReachesTheSameAccuracyOnBothDevices() {
        TensorDataset data = spirals();
        double[] acc = new double[2];
        List<String> devices = List.of("cpu", "cuda");
        for (int i = 0; i < 2; i++) {
            Generator.global().manualSeed(0);
            Module net = new Sequential(new Linear(2, 32), Activation.tanh(), new Linear(32, 2));
            TrainConfig c = TrainConfig.of(data, Loss.CROSS_ENTROPY).withEpochs(15).withBatchSize(20)
                    .withOptimizer(p -> new Adam(p, 0.02)).withSeed(1).withDevice(devices.get(i));
            Trainer.Result r = Trainer.fit(net, c, new PrintStream(new ByteArrayOutputStream()), false);
            acc[i] = r.history().last().trainAccuracy();
            assertEquals(i == 0 ? Device.CPU : CUDA, net.device());
        }
        assertEquals(acc[0], acc[1], 0.02, "cpu vs cuda training accuracy");
    }

    @Test
    void aCheckpointSavedOnTheGpuResumesThere(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
        TensorDataset data = spirals();
        Generator.global().manualSeed(0);
        Module net = new Sequential(new Linear(2, 16), Activation.relu(), new Linear(16, 2));
        TrainConfig c = TrainConfig.of(data, Loss.CROSS_ENTROPY).withEpochs(2).withOptimizer(p -> new Adam(p, 0.01))
                .withDevice("cuda").withCheckpoint(dir);
        Trainer.fit(net, c, new PrintStream(new ByteArrayOutputStream()), false);
        Generator.global().manualSeed(0);
        Module again = new Sequential(new Linear(2, 16), Activation.relu(), new Linear(16, 2));
        Trainer.Result r = Trainer.fit(again, c.withEpochs(3).withResume(true), new PrintStream(new ByteArrayOutputStream()), false);
        assertEquals(3, r.history().epochs().size(), "epochs 1-2 from the checkpoint, 3 trained on the GPU");
        assertEquals(CUDA, again.device());
    }

    @Test
    void stepsInAStepScopeReuseDeviceMemoryAndTrainTheSame() {
        CudaBackend gpu = (CudaBackend) Tensor.empty(DType.FLOAT32, CUDA, 1).backend();
        Tensor x = Tensor.randn(new Generator(2), DType.FLOAT32, 32, 20), y = Tensor.of(new long[32], 32);
        List<Double> unscoped = new ArrayList<>(), scoped = new ArrayList<>();
        long[] inUse = new long[6];
        for (StepScope scope : java.util.Arrays.asList(null, new StepScope())) {
            Generator.global().manualSeed(3);
            Module net = new Sequential(new Linear(20, 64), Activation.relu(), new Linear(64, 4)).to(CUDA);
            Optimizer opt = new SGD(net.parameters(), 0.1, 0.9, 0, false, 0);
            Tensor xd = x.to(CUDA), yd = y.to(CUDA);
            Tensor lastLoss = null;
            for (int step = 0; step < 6; step++) {
                try (StepScope open = scope == null ? null : scope.begin()) {
                    opt.zeroGrad();
                    lastLoss = Functional.crossEntropy(net.forward(xd), yd);
                    lastLoss.backward();
                    opt.step();
                    (scope == null ? unscoped : scoped).add(lastLoss.item());
                }
                if (scope != null) inUse[step] = gpu.memoryUse()[0];
            }
            if (scope != null) {
                Tensor dead = lastLoss;
                IllegalStateException e = assertThrows(IllegalStateException.class, dead::item);
                assertTrue(e.getMessage().contains("step"), e.getMessage());
            }
        }
        assertEquals(unscoped, scoped, "the same losses, bit for bit");
        assertTrue(inUse[5] <= inUse[1], "device memory in use after steps 2..6 does not grow: " + java.util.Arrays.toString(inUse));
    }

    private static TensorDataset spirals() {
        Generator g = new Generator(1);
        int n = 200;
        float[] x = new float[4 * n];
        long[] y = new long[2 * n];
        for (int k = 0; k < 2 * n; k++) {
            int c = k / n, i = k % n;
            double r = (double) i / n * 5 + 0.2, t = 1.75 * i / n * 2 * Math.PI + c * Math.PI;
            x[2 * k] = (float) (r * Math.cos(t) + g.nextGaussian() * 0.08);
            x[2 * k + 1] = (float) (r * Math.sin(t) + g.nextGaussian() * 0.08);
            y[k] = c;
        }
        return new TensorDataset(Tensor.of(x, 2 * n, 2), Tensor.of(y, 2 * n));
    }
}
