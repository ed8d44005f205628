package org.nnc.train;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.nnc.autograd.GradMode;
import org.nnc.nn.Activation;
import org.nnc.nn.AvgPool2d;
import org.nnc.nn.BatchNorm;
import org.nnc.nn.BatchNorm1d;
import org.nnc.nn.Conv2d;
import org.nnc.nn.Flatten;
import org.nnc.nn.GRU;
import org.nnc.nn.LayerNorm;
import org.nnc.nn.LSTM;
import org.nnc.nn.Linear;
import org.nnc.nn.MaxPool2d;
import org.nnc.nn.Module;
import org.nnc.nn.Recurrent;
import org.nnc.nn.Sequential;
import org.nnc.optim.Optimizer;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.Generator;
import org.nnc.tensor.StepScope;
import org.nnc.tensor.Tensor;

/**
 * Trains small throwaway models before the real training, so that the JIT compiles the CPU kernels while
 * a step costs a fraction of a millisecond rather than during the first hundreds of full-size steps.
 *
 * <p>Why: HotSpot first runs the Vector API kernels interpreted, then in C1 code that boxes every vector
 * (about 30× a compiled loop), and C2 needs most of a second of both cores to compile them. Without a
 * warm-up that time lands on the first real steps at full batch size; with it, the first real step runs
 * compiled code. It is not free: on two cores a warm-up of 1–2 s saves only about half of that in the
 * steps that follow (bench/RESULTS.md), so {@link Trainer} warms up only runs long enough for a second
 * not to matter ({@link #worthIt}). What it buys is steps that cost from the first one what they will
 * cost all along, which is what a served model's first requests, or a benchmark, need.
 *
 * <p>The throwaway models' sizes are chosen to take every branch the real kernels take: depths above and
 * below the GEMM's depth block, widths with and without a partial vector or tile, products large enough
 * to split across threads, a 10-way output (dot products), batch 1 at inference. A branch C2 has never
 * seen is compiled as a trap that throws the compiled kernel away when a real step takes it, which costs
 * more than no warm-up (a first W2 step of 200 ms instead of 5).
 *
 * <p>Nothing the user sees changes: the models and data come from a private generator, and the global
 * generator's state is put back, so a run gives the same numbers with and without a warm-up.
 */
public final class JitWarmup {
    private JitWarmup() {}

    /** A kind of layer with its own throwaway model; dense layers, activations and the loss are in every one. */
    public enum Family { DENSE, CONV, LSTM, GRU, NORM }

    /** Longest a family trains, whether or not its step time has settled. */
    static final long MAX_NANOS_PER_FAMILY = 1_500_000_000L;
    /**
     * A family stops once the median of its last {@link #WINDOW} step times has not improved by
     * {@link #GAIN} for this long and for two windows' worth of steps (while steps still run interpreted,
     * a window takes longer than this).
     */
    static final long SETTLED_NANOS = 200_000_000L;
    static final double GAIN = 0.97;
    /** Steps per median, the figure a family's progress is judged by (one step is too noisy). */
    private static final int WINDOW = 16;

    /** The families {@code model} needs: dense always (every classifier ends in one), others where it has such a layer. */
    public static Set<Family> familiesOf(Module model) {
        Set<Family> found = EnumSet.of(Family.DENSE);
        collect(model, found);
        return found;
    }

    private static void collect(Module m, Set<Family> found) {
        if (m instanceof Conv2d || m instanceof MaxPool2d || m instanceof AvgPool2d) found.add(Family.CONV);
        if (m instanceof LSTM) found.add(Family.LSTM);
        if (m instanceof GRU) found.add(Family.GRU);
        if (m instanceof BatchNorm || m instanceof LayerNorm) found.add(Family.NORM);
        for (Module c : m.children().values()) collect(c, found);
    }

    /**
     * Whether a run of {@code steps} training steps should warm up first: the warm-up costs 0.5–1 s more
     * than it saves, which at 10,000 steps (15 s of W2-sized steps) is a few per cent; shorter runs, the
     * samples among them (hundreds of steps), start at once.
     */
    public static boolean worthIt(long steps) { return steps >= 10_000; }

    /**
     * Whether to warm up before {@code steps} steps: {@code -Dnnc.warmup=true} or {@code false} (e.g. in
     * {@code NNC_JAVA_OPTS}) where given, else {@link #worthIt}.
     */
    public static boolean wanted(long steps) {
        String asked = System.getProperty("nnc.warmup");
        return asked == null ? worthIt(steps) : Boolean.parseBoolean(asked);
    }

    /**
     * Trains each family's throwaway model with {@code optimizer} and {@code loss} (10 classes, or
     * targets in [0, 1) for a loss on floats), running it forward without gradients after each step at the
     * training batch and at batch 1, until its step time settles.
     *
     * @return the milliseconds it took
     */
    public static long run(Set<Family> families, Function<List<Tensor>, Optimizer> optimizer, Loss loss) {
        return run(families, optimizer, loss, Device.CPU, MAX_NANOS_PER_FAMILY);
    }

    /**
     * As {@link #run(Set, Function, Loss)}, with the throwaway models on {@code device}. On a GPU what
     * warms up is the host's share of a step (autograd, the backend's launches, the driver binding), which
     * is most of a small model's step there: measured with the kernels left out on the emulated GPU
     * (bench/RESULTS.md), a W2 step's host time was 0.8–0.9 ms over the first 60 steps against 0.26–0.29
     * ms once compiled.
     */
    public static long run(Set<Family> families, Function<List<Tensor>, Optimizer> optimizer, Loss loss, Device device) {
        return run(families, optimizer, loss, device, MAX_NANOS_PER_FAMILY);
    }

    /**
     * Runs each family's throwaway model forward without gradients, at batch 1 and at a small batch,
     * until its time settles: the warm-up for a model that only serves, such as a compiled model class
     * called from Java, whose first requests then run compiled kernels. Unlike {@link #run(Set, Function,
     * Loss)} it leaves the backward passes and the optimizer cold; it takes about as long (0.9–1.2 s for
     * W6's MLP), most of which is C2 compiling.
     *
     * @return the milliseconds it took
     */
    public static long inference(Set<Family> families) {
        return run(families, null, null, Device.CPU, MAX_NANOS_PER_FAMILY);
    }

    /**
     * As {@link #run(Set, Function, Loss)}, each family stopping after {@code maxNanos} at most; without
     * an optimizer (and loss) the models only run forward, as {@link #inference} says.
     */
    static long run(Set<Family> families, Function<List<Tensor>, Optimizer> optimizer, Loss loss, Device device, long maxNanos) {
        long t0 = System.nanoTime();
        Generator global = Generator.global();
        long[] saved = global.getState();
        try {
            Generator g = new Generator(0x5eed);
            for (Family f : families) {
                global.manualSeed(g.nextLong());
                Module m = model(f).to(device);
                Tensor host = input(f, g), x = host.to(device), one = host.slice(0, 0, 1, 1).contiguous().to(device);
                Tensor y = loss == null ? null : targets(loss, g, x.size(0)).to(device);
                Optimizer opt = optimizer == null ? null : optimizer.apply(m.parameters());
                runUntilSettled(m, opt, loss, x, one, y, maxNanos);
            }
        } finally {
            global.setState(saved);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** A training step with {@code opt} (none without it) and the forward passes, over and over until their time settles. */
    private static void runUntilSettled(Module m, Optimizer opt, Loss loss, Tensor x, Tensor one, Tensor y, long maxNanos) {
        StepScope steps = new StepScope();
        long[] recent = new long[WINDOW];
        long start = System.nanoTime(), lastGain = start, best = Long.MAX_VALUE;
        for (int n = 0, sinceGain = 0; ; n++, sinceGain++) {
            long t = System.nanoTime();
            if (opt != null) {
                try (StepScope s = steps.begin()) {
                    opt.zeroGrad();
                    Tensor l = loss.apply(m.forward(x), y);
                    l.backward();
                    opt.step();
                    l.item();   // as a training loop reads its loss (on a GPU, waiting for the step)
                }
            }
            m.eval();
            try (StepScope s = steps.begin(); GradMode.Scope ng = GradMode.disable()) {
                m.forward(x);
                m.forward(one);
            }
            m.train();
            long now = System.nanoTime();
            recent[n % WINDOW] = now - t;
            if (n >= WINDOW - 1) {
                long median = median(recent);
                if (median < best * GAIN) {
                    best = median;
                    lastGain = now;
                    sinceGain = 0;
                }
            }
            boolean settled = now - lastGain >= SETTLED_NANOS && sinceGain >= 2 * WINDOW;
            if (settled || now - start >= maxNanos) return;
        }
    }

    private static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    /**
     * Sizes that take every branch the kernels have. Dense: depths 300 and 264 exceed the GEMM's depth
     * block (256), the others do not; at 8 lanes and at 16 some widths end in a partial vector and tile
     * (300) and some do not (128); the weight gradients come as wide (out < in), tall and square
     * products, which the GEMM splits across threads in different ways. Recurrent: the per-step product
     * against the hidden weight is large enough for two threads, and one layer's width ends in a partial
     * vector (84) where the other's does not (96). Normalization: batch norm over [16, 8, 37] (37 values
     * a channel per sample: a vector body and a tail) in training and in eval mode, then layer norm over
     * 296 (a tail at 16 lanes, none at 8).
     */
    private static Module model(Family f) {
        return switch (f) {
            case DENSE -> new Sequential(new Linear(300, 136), Activation.relu(), new Linear(136, 264), Activation.relu(),
                    new Linear(264, 264), Activation.relu(), new Linear(264, 128), Activation.relu(), new Linear(128, 10));
            case CONV -> new Sequential(new Conv2d(1, 30, 3, 1, 1, 1, true), Activation.relu(), new MaxPool2d(2),
                    new Conv2d(30, 20, 3, 1, 1, 1, true), Activation.relu(), new MaxPool2d(2), new Flatten(),
                    new Linear(20 * 3 * 3, 10));
            case LSTM -> new LastStep(new LSTM(20, 84), new LSTM(84, 96));
            case GRU -> new LastStep(new GRU(20, 84), new GRU(84, 96));
            case NORM -> new Sequential(new BatchNorm1d(8), Activation.relu(), new Flatten(), new LayerNorm(8 * 37), new Linear(8 * 37, 10));
        };
    }

    private static Tensor input(Family f, Generator g) {
        return switch (f) {
            case DENSE -> Tensor.randn(g, DType.FLOAT32, 40, 300);
            case CONV -> Tensor.randn(g, DType.FLOAT32, 6, 1, 12, 12);
            case LSTM, GRU -> Tensor.randn(g, DType.FLOAT32, 32, 4, 20);
            case NORM -> Tensor.randn(g, DType.FLOAT32, 16, 8, 37);
        };
    }

    private static Tensor targets(Loss loss, Generator g, int n) {
        if (!loss.classification()) return Tensor.rand(g, DType.FLOAT32, n, 10);
        long[] y = new long[n];
        for (int i = 0; i < n; i++) y[i] = g.nextInt(10);
        return Tensor.of(y, n);
    }

    /** Two recurrent layers, the second's last hidden state into a 10-way linear layer. */
    private static final class LastStep extends Module {
        final Recurrent first, second;
        final Linear fc;

        LastStep(Recurrent first, Recurrent second) {
            this.first = registerModule("first", first);
            this.second = registerModule("second", second);
            this.fc = registerModule("fc", new Linear(second.hidden, 10));
        }

        @Override
        public Tensor forward(Tensor x) { return fc.forward(second.last(first.forward(x))); }
    }
}
