package org.nnc.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;
import org.nnc.autograd.GradMode;
import org.nnc.data.DataLoader;
import org.nnc.data.TensorDataset;
import org.nnc.io.IdxReader;
import org.nnc.nn.Activation;
import org.nnc.nn.Conv2d;
import org.nnc.nn.Flatten;
import org.nnc.nn.Functional;
import org.nnc.nn.LSTM;
import org.nnc.nn.Linear;
import org.nnc.nn.MaxPool2d;
import org.nnc.nn.Module;
import org.nnc.nn.Sequential;
import org.nnc.optim.Adam;
import org.nnc.optim.Optimizer;
import org.nnc.optim.SGD;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.Generator;
import org.nnc.tensor.StepScope;
import org.nnc.tensor.Tensor;
import org.nnc.train.JitWarmup;
import org.nnc.train.Loss;

/**
 * WORKLOADS.md W2–W6 on the nnc runtime, the same calls a compiled model makes. One synthetic batch
 * (seed 0) is made once and reused every step, as the workloads say.
 */
final class Workloads {
    private Workloads() {}

    /** Where W2–W4 train: {@code bench/run W2 --device cuda} sets it. Figures on a GPU carry a {@code cuda_} prefix. */
    static Device device = Device.CPU;

    static boolean onGpu() { return device.kind() != Device.Kind.CPU; }

    /** "W2 nnc ms_per_step", or "W2 nnc cuda_ms_per_step" on a GPU. */
    private static String label(String workload, String figure) {
        return workload + " nnc " + (onGpu() ? "cuda_" : "") + figure;
    }

    /** {@code -Dnnc.bench.trace=true}: every step's time and the JVM's uptime on stderr, to line up with JIT logs. */
    private static final boolean TRACE = Boolean.getBoolean("nnc.bench.trace");

    /** Milliseconds of each of {@code timed} runs of {@code step}, after {@code warmup} untimed ones (OpBench times with it too). */
    static double[] time(int warmup, int timed, Runnable step) {
        double[] ms = new double[timed];
        for (int i = -warmup; i < timed; i++) {
            long t0 = System.nanoTime();
            step.run();
            double took = (System.nanoTime() - t0) / 1e6;
            if (i >= 0) ms[i] = took;
            if (TRACE) System.err.printf(java.util.Locale.ROOT, "step %d %.3f ms at %d ms%n", i + warmup,
                    took, java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime());
        }
        return ms;
    }

    /**
     * The WORKLOADS.md figure, then the same step after 300 more. The first figure is mostly JIT warm-up
     * (C2 compiles the kernels during the first few hundred steps, on the same two cores); the second is
     * what every step of a long training run costs.
     */
    private static void trainFigures(String label, int warmup, int timed, Runnable step) {
        Bench.print(label, time(warmup, timed, step));
        Bench.print(label + "_steady", time(300, 50, step));
    }

    /**
     * {@link JitWarmup} for {@code m}'s layers on the workload's device, as {@code nnc run} does before a long run (forward passes
     * only where {@code optimizer} is null, for W6's inference), with the line
     * {@code W2 nnc jit_warmup_ms=…} saying what it cost. {@code -Dnnc.warmup=false} leaves it out (to
     * measure what it buys).
     */
    private static void warmUp(String workload, Module m, Function<List<Tensor>, Optimizer> optimizer) {
        if (!JitWarmup.wanted(Long.MAX_VALUE)) return;   // always, unless -Dnnc.warmup=false
        long ms = optimizer == null ? JitWarmup.inference(JitWarmup.familiesOf(m))
                : JitWarmup.run(JitWarmup.familiesOf(m), optimizer, Loss.CROSS_ENTROPY, device);
        System.out.println(workload + " nnc jit_warmup_ms=" + ms);
    }

    /**
     * One training step, in a {@link StepScope} as {@code nnc run}'s training loop does it (the step's
     * arrays are reused by the next); on a GPU it ends by reading the loss, which waits for every kernel
     * of the step. The JIT warm-up runs first.
     */
    private static Runnable trainStep(String workload, Module m, Function<List<Tensor>, Optimizer> optimizer, Tensor x, Tensor y) {
        warmUp(workload, m, optimizer);
        if (onGpu()) System.out.println("# " + workload + " nnc GEMM on the GPU: " + org.nnc.backend.cuda.Cuda.gemmRoute());
        Optimizer opt = optimizer.apply(m.parameters());
        m.to(device);
        Tensor xd = x.to(device), yd = y.to(device);
        StepScope steps = new StepScope();
        return () -> {
            try (StepScope s = steps.begin()) {
                Tensor loss = step(m, opt, xd, yd);
                if (onGpu()) loss.item();
            }
        };
    }

    /** Forward, cross-entropy, backward and update: every workload's step; the loss. */
    private static Tensor step(Module m, Optimizer opt, Tensor x, Tensor y) {
        opt.zeroGrad();
        Tensor loss = Functional.crossEntropy(m.forward(x), y);
        loss.backward();
        opt.step();
        return loss;
    }

    /** SGD with lr 0.01 and momentum 0.9, W2's and W3's optimizer. */
    private static Optimizer sgd(List<Tensor> p) { return new SGD(p, 0.01, 0.9, 0, false, 0); }

    private static Tensor labels(Generator g, int n) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) y[i] = g.nextInt(10);
        return Tensor.of(y, n);
    }

    static Module mlp() {
        return new Sequential(new Linear(784, 512), Activation.relu(), new Linear(512, 512), Activation.relu(), new Linear(512, 10));
    }

    static void w2() {
        Generator g = new Generator(0);
        Generator.global().manualSeed(0);
        Module m = mlp();
        Tensor x = Tensor.randn(g, DType.FLOAT32, 128, 784), y = labels(g, 128);
        trainFigures(label("W2", "ms_per_step"), 10, 50, trainStep("W2", m, Workloads::sgd, x, y));
    }

    static void w3() {
        Generator g = new Generator(0);
        Generator.global().manualSeed(0);
        Module m = new Sequential(new Conv2d(1, 32, 3, 1, 1, 1, true), Activation.relu(), new MaxPool2d(2),
                new Conv2d(32, 64, 3, 1, 1, 1, true), Activation.relu(), new MaxPool2d(2), new Flatten(),
                new Linear(3136, 128), Activation.relu(), new Linear(128, 10));
        Tensor x = Tensor.randn(g, DType.FLOAT32, 64, 1, 28, 28), y = labels(g, 64);
        trainFigures(label("W3", "ms_per_step"), 5, 20, trainStep("W3", m, Workloads::sgd, x, y));
    }

    /** LSTM(64, 128) over 32 steps, the last hidden state into Linear(128, 10). */
    static final class LstmClassifier extends Module {
        final LSTM lstm = registerModule("lstm", new LSTM(64, 128));
        final Linear fc = registerModule("fc", new Linear(128, 10));

        @Override
        public Tensor forward(Tensor x) { return fc.forward(lstm.last(x)); }
    }

    static void w4() {
        Generator g = new Generator(0);
        Generator.global().manualSeed(0);
        Module m = new LstmClassifier();
        Tensor x = Tensor.randn(g, DType.FLOAT32, 32, 32, 64), y = labels(g, 32);
        trainFigures(label("W4", "ms_per_step"), 5, 20, trainStep("W4", m, p -> new Adam(p, 1e-3), x, y));
    }

    static void w5() {
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");
        if (!Files.exists(dir.resolve("train-images-idx3-ubyte.gz"))) {
            System.out.println("W5 nnc skipped: install Debian's dataset-fashion-mnist");
            return;
        }
        TensorDataset train = IdxReader.read(dir.resolve("train-images-idx3-ubyte.gz"), dir.resolve("train-labels-idx1-ubyte.gz"), 1.0 / 255);
        TensorDataset test = IdxReader.read(dir.resolve("t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-labels-idx1-ubyte.gz"), 1.0 / 255);
        train = new TensorDataset(train.features().reshape(-1, 784), train.targets());
        Tensor testX = test.features().reshape(-1, 784);
        Generator.global().manualSeed(0);
        Module m = new Sequential(new Linear(784, 256), Activation.relu(), new Linear(256, 10));
        Optimizer opt = new Adam(m.parameters(), 1e-3);
        DataLoader loader = new DataLoader(train, 64, true, false, 0, 0);
        StepScope steps = new StepScope();
        long t0 = System.nanoTime();
        for (DataLoader.Batch b : loader) {
            try (StepScope s = steps.begin()) {
                step(m, opt, b.x(), b.y());
            }
        }
        double epoch = (System.nanoTime() - t0) / 1e9;
        double acc = GradMode.noGrad(() -> m.forward(testX).argmax(1, false).eq(test.targets()).to(DType.FLOAT32).mean().item());
        System.out.println(String.format(java.util.Locale.ROOT, "W5 nnc test_accuracy=%.4f epoch_s=%.3f", acc, epoch));
    }

    private static double[] perSecond(int samples, double[] ms) {
        double[] rate = new double[ms.length];
        for (int i = 0; i < ms.length; i++) rate[i] = samples / (ms[i] / 1000);
        return rate;
    }

    static void w6() {
        Generator g = new Generator(0);
        Generator.global().manualSeed(0);
        Module m = mlp();
        warmUp("W6", m, null);   // inference only: the forward passes
        m.eval();
        Tensor one = Tensor.randn(g, DType.FLOAT32, 1, 784), many = Tensor.randn(g, DType.FLOAT32, 256, 784);
        StepScope calls = new StepScope();   // each call's activations are reused by the next
        Runnable batch1 = () -> { try (StepScope s = calls.begin()) { m.forward(one); } };
        Runnable batch256 = () -> { try (StepScope s = calls.begin()) { m.forward(many); } };
        try (GradMode.Scope s = GradMode.disable()) {
            double[] us = time(2000, 2000, batch1);
            for (int i = 0; i < us.length; i++) us[i] *= 1000;
            Bench.print("W6 nnc batch1_us", us);
            Bench.print("W6 nnc batch256_samples_per_s", perSecond(256, time(20, 50, batch256)));
            Bench.print("W6 nnc batch256_samples_per_s_steady", perSecond(256, time(300, 50, batch256)));
        }
    }
}
