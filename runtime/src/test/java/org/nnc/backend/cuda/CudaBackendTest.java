package org.nnc.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.nnc.backend.cuda.GpuOrSkip.CUDA;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nnc.backend.BinaryFn;
import org.nnc.backend.UnaryFn;
import org.nnc.nn.Functional;
import org.nnc.nn.FunctionalGradCheckTest;
import org.nnc.ops.Ops;
import org.nnc.ops.OpsGradCheckTest;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.Generator;
import org.nnc.tensor.StepScope;
import org.nnc.tensor.Tensor;

/**
 * Every CUDA kernel against the CPU kernel on the same inputs, forward and backward: the op and nn cases
 * of the gradient checks, run in float64 and float32 on both devices, plus the rules (NaN, ties, int64
 * exactness, bad indices) that are easy to get subtly different on a GPU.
 */
class CudaBackendTest {
    @BeforeEach
    void gpu() { GpuOrSkip.require(); }

    /** A case as a function of its device, for the ones that make index or mask tensors of their own. */
    record DeviceCase(String label, BiFunction<Device, Tensor[], Tensor> f, Tensor[] inputs) {
        @Override public String toString() { return label; }
    }

    /** Gradient-check cases that capture CPU constants; each has a device-aware twin in {@link #ownCases}. */
    private static final Set<String> CAPTURING = Set.of("cond[2,3], a[3], b[2,1]", "[2,3] mask [3]", "dim 1 with repeats", "dim 0",
            "dim 0 with repeats", "dim 1", "embedding", "crossEntropy", "crossEntropy smoothing + ignore", "nll sum");

    private static final Generator G = new Generator(5);

    private static Tensor u(int... s) { return Tensor.rand(G, DType.FLOAT64, s).mul(2).add(-1).detach(); }

    static Stream<Arguments> cases() {
        List<DeviceCase> l = new ArrayList<>();
        for (OpsGradCheckTest.Case c : OpsGradCheckTest.cases()) {
            if (!CAPTURING.contains(c.label())) l.add(new DeviceCase(c.op() + " " + c.label(), (d, x) -> c.f().apply(x), c.inputs()));
        }
        FunctionalGradCheckTest.cases().filter(c -> !CAPTURING.contains(c.label()))
                .forEach(c -> l.add(new DeviceCase(c.label(), (d, x) -> c.f().apply(x), c.inputs())));
        l.addAll(ownCases());
        List<Arguments> out = new ArrayList<>();
        for (DeviceCase c : l) {
            out.add(Arguments.of(c, DType.FLOAT64));
            out.add(Arguments.of(c, DType.FLOAT32));
        }
        return out.stream();
    }

    private static Tensor longs(Device d, long... v) { return Tensor.of(v, v.length).to(d); }

    static List<DeviceCase> ownCases() {
        List<DeviceCase> l = new ArrayList<>();
        l.add(new DeviceCase("where", (d, x) -> Ops.where(Tensor.of(new boolean[] {true, false, false, true, true, false}, 2, 3).to(d), x[0], x[1]),
                new Tensor[] {u(3), u(2, 1)}));
        l.add(new DeviceCase("maskedFill", (d, x) -> x[0].maskedFill(Tensor.of(new boolean[] {true, false, true}, 3).to(d), -7), new Tensor[] {u(2, 3)}));
        l.add(new DeviceCase("gather dim 1", (d, x) -> x[0].gather(1, Tensor.of(new long[] {0, 0, 2, 1, 1, 1}, 2, 3).to(d)), new Tensor[] {u(2, 4)}));
        l.add(new DeviceCase("gather dim 0 int32", (d, x) -> x[0].gather(0, Tensor.of(new int[] {2, 0, -1}, 1, 3).to(d)), new Tensor[] {u(3, 3)}));
        l.add(new DeviceCase("indexSelect", (d, x) -> x[0].indexSelect(1, longs(d, 1, 3, 1)), new Tensor[] {u(3, 4)}));
        l.add(new DeviceCase("embedding", (d, x) -> Functional.embedding(Tensor.of(new long[] {2, 0, 2, 1}, 2, 2).to(d), x[0]), new Tensor[] {u(3, 4)}));
        l.add(new DeviceCase("crossEntropy", (d, x) -> Functional.crossEntropy(x[0], longs(d, 1, 0, 3)), new Tensor[] {u(3, 4)}));
        l.add(new DeviceCase("crossEntropy smoothing + ignore", (d, x) -> Functional.crossEntropy(x[0], longs(d, 1, -100, 3), 0.1, -100,
                Functional.Reduction.MEAN), new Tensor[] {u(3, 4)}));
        l.add(new DeviceCase("softmax over the last dim of [3, 4, 300]", (d, x) -> Functional.softmax(x[0].mul(5), -1), new Tensor[] {u(3, 4, 300)}));
        l.add(new DeviceCase("logSoftmax of [5, 7], transposed", (d, x) -> Functional.logSoftmax(x[0].t().mul(5), 1), new Tensor[] {u(7, 5)}));
        l.add(new DeviceCase("layerNorm over the last dim of [3, 4, 300], scaled and shifted",
                (d, x) -> Functional.layerNorm(x[0].mul(5).add(2), 1, x[1], x[2], 1e-5), new Tensor[] {u(3, 4, 300), u(300), u(300)}));
        l.add(new DeviceCase("layerNorm over the last two dims of [5, 3, 7]", (d, x) -> Functional.layerNorm(x[0], 2, null, null, 1e-5),
                new Tensor[] {u(5, 3, 7)}));
        l.add(new DeviceCase("nll sum", (d, x) -> Functional.nll(Functional.logSoftmax(x[0], 1), longs(d, 2, 2), -100, Functional.Reduction.SUM),
                new Tensor[] {u(2, 3)}));
        l.add(new DeviceCase("matmul 130x70 @ 70x200, A transposed", (d, x) -> x[0].t().matmul(x[1]), new Tensor[] {u(70, 130), u(70, 200)}));
        l.add(new DeviceCase("batched matmul, broadcast batch", (d, x) -> x[0].matmul(x[1]), new Tensor[] {u(3, 1, 17, 33), u(4, 33, 65)}));
        // Few output tiles over a long depth: the product is split over its depth (CudaBackend.depthSlices).
        l.add(new DeviceCase("matmul 37x1000 @ 1000x50, split over the depth", (d, x) -> x[0].matmul(x[1]),
                new Tensor[] {u(37, 1000), u(1000, 50)}));
        l.add(new DeviceCase("batched matmul 3 x (5x500 @ 500x7), split over the depth", (d, x) -> x[0].matmul(x[1]),
                new Tensor[] {u(3, 5, 500), u(3, 500, 7)}));
        l.add(new DeviceCase("linear + ReLU, 2x37x700 by 70x700, split over the depth", (d, x) -> Functional.linearRelu(x[0], x[1], x[2]),
                new Tensor[] {u(2, 37, 700), u(70, 700), u(70)}));
        l.add(new DeviceCase("conv2d 3x3 on 28x28", (d, x) -> Functional.conv2d(x[0], x[1], x[2], 1, 1, 1), new Tensor[] {u(4, 3, 28, 28), u(8, 3, 3, 3), u(8)}));
        l.add(new DeviceCase("maxPool2d 2 on 28x28", (d, x) -> Functional.maxPool2d(x[0], 2), new Tensor[] {u(4, 8, 28, 28)}));
        l.add(new DeviceCase("sum of 100000", (d, x) -> x[0].sum(), new Tensor[] {u(100000)}));
        l.add(new DeviceCase("sum over dim 0 of [300, 7]", (d, x) -> x[0].sum(0, false), new Tensor[] {u(300, 7)}));
        // Many contiguous elements after the summed dimension: one thread per output column (CudaBackend.columnSum).
        l.add(new DeviceCase("sum over dim 0 of [40, 60, 50]", (d, x) -> x[0].sum(0, false), new Tensor[] {u(40, 60, 50)}));
        l.add(new DeviceCase("sum over dim 1 of [3, 30, 800], kept", (d, x) -> x[0].sum(1, true), new Tensor[] {u(3, 30, 800)}));
        l.add(new DeviceCase("max over a permuted 5-D view", (d, x) -> x[0].permute(4, 2, 0, 3, 1).max(1, false), new Tensor[] {u(2, 3, 4, 5, 6)}));
        return l;
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void cudaMatchesCpu(DeviceCase c, DType dtype) {
        double atol = dtype == DType.FLOAT64 ? 1e-9 : 5e-5, rtol = dtype == DType.FLOAT64 ? 1e-9 : 5e-4;
        Tensor[] cpu = new Tensor[c.inputs().length], gpu = new Tensor[cpu.length];
        for (int i = 0; i < cpu.length; i++) {
            Tensor x = c.inputs()[i].detach().to(dtype);
            cpu[i] = x.clone().detach().requiresGrad(true);
            gpu[i] = x.to(CUDA).detach().requiresGrad(true);
        }
        Tensor yc = c.f().apply(Device.CPU, cpu), yg = c.f().apply(CUDA, gpu);
        assertEquals(CUDA, yg.device(), "the result stays on the GPU");
        close("output", yc, yg, atol, rtol);
        if (!yc.requiresGrad()) return;
        Tensor r = Tensor.rand(new Generator(3), dtype, yc.shape()).add(0.5);
        yc.mul(r).sum().backward();
        yg.mul(r.to(CUDA)).sum().backward();
        for (int i = 0; i < cpu.length; i++) {
            if (cpu[i].grad() == null) continue;
            assertEquals(CUDA, gpu[i].grad().device());
            close("gradient of input " + i, cpu[i].grad(), gpu[i].grad(), atol, rtol);
        }
    }

    static void close(String what, Tensor expected, Tensor actualOnGpu, double atol, double rtol) {
        assertEquals(java.util.Arrays.toString(expected.shape()), java.util.Arrays.toString(actualOnGpu.shape()), what + " shape");
        double[] e = expected.toDoubleArray(), a = actualOnGpu.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            // Equal infinities are close; their difference is NaN, so they need the first test.
            boolean ok = e[i] == a[i] || (Double.isNaN(e[i]) ? Double.isNaN(a[i]) : Math.abs(e[i] - a[i]) <= atol + rtol * Math.abs(e[i]));
            if (!ok) fail(what + " differs at flat element " + i + ": cpu " + e[i] + ", cuda " + a[i]);
        }
    }

    @Test
    void everyUnaryAndBinaryFunctionMatches() {
        Tensor x = Tensor.of(new double[] {-3, -1.5, -0.0, 0.0, 0.25, 1, 2.5, Double.NaN, Double.POSITIVE_INFINITY, -1e-300}, 2, 5);
        for (UnaryFn f : UnaryFn.values()) {
            for (DType t : List.of(DType.FLOAT64, DType.FLOAT32)) {
                Tensor xc = x.to(t);
                Tensor c = Ops.map(f, 0.3, 1.7, xc), g = Ops.map(f, 0.3, 1.7, xc.to(CUDA));
                close(f + " " + t, c, g, t == DType.FLOAT64 ? 1e-12 : 1e-6, t == DType.FLOAT64 ? 1e-12 : 1e-6);
            }
        }
        Tensor y = Tensor.of(new double[] {2, -1.5, 0.0, -0.0, 0.25, 0, 3, 1, Double.NaN, 5}, 2, 5);
        for (BinaryFn f : BinaryFn.values()) {
            Tensor c = Tensor.empty(f.isComparison() ? DType.BOOL : DType.FLOAT64, 2, 5);
            c.backend().binary(f, x, y, c);
            Tensor g = Tensor.empty(c.dtype(), CUDA, 2, 5);
            g.backend().binary(f, x.to(CUDA), y.to(CUDA), g);
            close(f.toString(), c, g, 1e-12, 1e-12);
        }
    }

    @Test
    void maxAndArgmaxKeepTheFirstExtremeAndTheFirstNaN() {
        Tensor x = Tensor.of(new float[] {1, 7, 7, 2, /**/ 3, Float.NaN, 9, Float.NaN, /**/ -0f, 0f, -1, -0f}, 3, 4);
        for (Tensor t : List.of(x, x.t().contiguous().t())) {
            assertEquals(java.util.Arrays.toString(t.argmax(1, false).toLongArray()),
                    java.util.Arrays.toString(t.to(CUDA).argmax(1, false).toLongArray()));
            assertEquals(java.util.Arrays.toString(t.min(1, false).toFloatArray()), java.util.Arrays.toString(t.to(CUDA).min(1, false).toFloatArray()));
        }
        Tensor wide = Tensor.rand(new Generator(1), DType.FLOAT32, 3, 5000);
        wide.set(2.0, 1, 4321);
        wide.set(2.0, 1, 4999);
        assertEquals(4321, (long) wide.to(CUDA).argmax(1, false).get(1), "first of two equal maxima across threads");
    }

    @Test
    void int64SurvivesCopiesExactly() {
        long big = (1L << 60) + 1;
        Tensor x = Tensor.of(new long[] {big, -big, 3, 4, 5, 6}, 2, 3);
        Tensor g = x.to(CUDA);
        assertEquals(big, g.toLongArray()[0]);
        assertEquals(-big, g.t().contiguous().toLongArray()[2], "a strided int64 copy on the device");   // [[big, 4], [-big, 5], [3, 6]]
        // get() answers a double, as on the CPU, so 2^60 + 1 comes back rounded the same way on both devices.
        assertEquals(x.get(0, 1), g.get(0, 1), "one element read on its own");
    }

    @Test
    void aBadIndexIsAnErrorNotGarbage() {
        Tensor w = Tensor.rand(new Generator(2), DType.FLOAT32, 5, 3).to(CUDA);
        // The kernel runs ahead of the host: the error surfaces at the next read from the GPU.
        Tensor looked = Functional.embedding(Tensor.of(new long[] {1, 5}, 2).to(CUDA), w);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, looked::toFloatArray);
        assertTrue(e.getMessage().contains("dimension 0 with size 5"), e.getMessage());
        assertEquals(3.0, Tensor.ones(3).to(CUDA).sum().item(), 0.0, "reported once; the next read is clean");
        Tensor target = Tensor.of(new long[] {0, 3}, 2).to(CUDA);
        Tensor loss = Functional.crossEntropy(Tensor.zeros(DType.FLOAT32, 2, 4).to(CUDA), target);
        assertEquals(Math.log(4), loss.item(), 1e-6, "targets in range");
        Tensor bad = Functional.crossEntropy(Tensor.zeros(DType.FLOAT32, 2, 3).to(CUDA), target);
        e = assertThrows(IndexOutOfBoundsException.class, bad::item);
        assertTrue(e.getMessage().contains("dimension 1 with size 3"), e.getMessage());
    }

    @Test
    void indexChecksBeyondTheFlagsAvailableAreReadEarlyNotLost() {
        Tensor w = Tensor.rand(new Generator(2), DType.FLOAT32, 5, 3).to(CUDA);
        Tensor ok = Tensor.of(new long[] {1, 4}, 2).to(CUDA);
        Tensor bad = Tensor.of(new long[] {7}, 1).to(CUDA);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> {
            for (int i = 0; i < 300; i++) Functional.embedding(ok, w);
            Functional.embedding(bad, w);
            for (int i = 0; i < 300; i++) Functional.embedding(ok, w);
            Tensor.ones(1).to(CUDA).item();
        });
        assertTrue(e.getMessage().contains("size 5"), e.getMessage());
    }

    @Test
    void mixingDevicesNamesBoth() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.ones(3).to(CUDA).add(Tensor.ones(3)));
        assertTrue(e.getMessage().contains("cuda:0") && e.getMessage().contains("cpu"), e.getMessage());
        assertEquals(9.0, Tensor.ones(3).to(CUDA).add(Tensor.scalar(2)).sum().item(), 0.0, "a CPU scalar joins any device");
    }

    /** TF32 as tensor cores take it: 10 mantissa bits, rounded to nearest (ties away from zero). */
    private static float tf32(float f) {
        int u = Float.floatToRawIntBits(f);
        return (u & 0x7f800000) == 0x7f800000 ? f : Float.intBitsToFloat((u + 0x1000) & 0xffffe000);
    }

    @Test
    void tf32ProductsRoundTheirInputsOnlyWhereAsked() {
        // A layer's product (bias and ReLU in the epilogue) always runs our kernel, with cuBLAS or without.
        float v = 1f + 3f / 4096;   // TF32 rounds it to 1 + 2^-10; cutting its low bits would give 1
        Tensor x = Tensor.of(new float[] {v, -v, 2}, 1, 3).to(CUDA), w = Tensor.of(new float[] {1, 0, 0}, 1, 3).to(CUDA);
        Tensor zero = Tensor.zeros(1).to(CUDA);
        assertEquals(v, Functional.linear(x, w, zero).item(), 0.0, "float32 keeps every bit without --tf32");
        System.setProperty("nnc.cuda.tf32", "true");
        try {
            assertEquals(1f + 1f / 1024, Functional.linear(x, w, zero).item(), 0.0, "rounded to TF32 with it");
            // Odd sizes (partial tiles and fragments), a transposed weight, bias and ReLU: against the CPU on TF32-rounded
            // inputs; 45 deep in one pass, 300 deep split over the depth.
            Generator g = new Generator(7);
            for (int depth : new int[] {45, 300}) {
                Tensor a = Tensor.rand(g, DType.FLOAT32, 2, 37, depth).mul(2).add(-1);
                Tensor wt = Tensor.rand(g, DType.FLOAT32, 70, depth).mul(2).add(-1), b = Tensor.rand(g, DType.FLOAT32, 70);
                Tensor gpu = Functional.linearRelu(a.to(CUDA), wt.to(CUDA), b.to(CUDA));
                Tensor ar = Tensor.of(round(a.toFloatArray()), a.shape()), wr = Tensor.of(round(wt.toFloatArray()), wt.shape());
                close("TF32 product " + depth + " deep", Functional.linearRelu(ar, wr, b), gpu, 1e-4, 1e-4);   // tensor cores sum in their own order
                double off = 0;
                float[] full = Functional.linearRelu(a, wt, b).toFloatArray(), got = gpu.toFloatArray();
                for (int i = 0; i < full.length; i++) off = Math.max(off, Math.abs(full[i] - got[i]));
                assertTrue(off > 1e-5 && off < 2e-2, "TF32 is within its precision of float32, and not float32 itself: " + off);
            }
        } finally {
            System.clearProperty("nnc.cuda.tf32");
        }
    }

    private static float[] round(float[] v) {
        float[] r = v.clone();
        for (int i = 0; i < r.length; i++) r[i] = tf32(r[i]);
        return r;
    }

    @Test
    void uploadsQueuedWithoutAReadArriveIntactBeyondTheStagingBuffer() {
        // 48 uploads of 2 MiB fill the 32 MiB staging buffer three times over before anything is read back.
        int n = 1 << 19;
        float[] host = new float[n];
        List<Tensor> up = new ArrayList<>();
        for (int k = 0; k < 48; k++) {
            java.util.Arrays.fill(host, k);
            host[k] = -k;
            up.add(Tensor.of(host, n).to(CUDA));   // the same array each time: the upload must not keep reading it
        }
        for (int k = 0; k < 48; k++) {
            float[] back = up.get(k).toFloatArray();
            assertEquals(k, back[n - 1], "upload " + k);
            assertEquals(-k, back[k], "upload " + k);
        }
    }

    @Test
    void runningOutOfMemoryNamesTheTensorAndTheGpusMemory() {
        CudaBackend b = (CudaBackend) Tensor.empty(DType.FLOAT32, CUDA, 1).backend();
        long[] total = new long[1];
        jcuda.driver.JCudaDriver.cuDeviceTotalMem(total, Cuda.device(0));
        // One tensor holds at most 2^31 - 1 elements (16 GiB in float64), so a GPU with more memory than that
        // is filled with such tensors, held by a step so that they go back when it ends.
        List<Tensor> held = new ArrayList<>();
        CudaException e = null;
        try (StepScope step = new StepScope().begin()) {
            for (long n = 0; e == null && n <= (total[0] >> 34) + 1; n++) {
                try {
                    held.add(Tensor.empty(DType.FLOAT64, CUDA, Integer.MAX_VALUE));
                } catch (CudaException full) {
                    e = full;
                }
            }
        }
        assertNotNull(e, "no allocation failed on a GPU of " + CudaMemory.human(total[0]) + " after " + held.size() + " tensors of 16 GiB");
        assertTrue(e.getMessage().startsWith("out of GPU memory allocating a float64 tensor of 2,147,483,647 elements (16.00 GiB)")
                && e.getMessage().contains("a smaller batch size"), e.getMessage());
        assertEquals(6.0, Tensor.ones(3).to(CUDA).mul(2).sum().item(), 0.0, "the GPU is still usable");
        assertTrue(b.memoryUse()[0] < 1L << 30, "the step gave its " + held.size() + " tensors back");
    }

    @Test
    void theAllocatorCollectsAndReusesBlocks() {
        CudaBackend b = (CudaBackend) Tensor.empty(DType.FLOAT32, CUDA, 1).backend();
        System.setProperty("nnc.cuda.collectBytes", String.valueOf(64L << 20));
        try {
            for (int i = 0; i < 1000; i++) Tensor.empty(DType.FLOAT32, CUDA, 1 << 18).add(1.0);
            long[] use = b.memoryUse();
            assertTrue(use[0] + use[1] < 512L << 20, "2000 MiB allocated and dropped, device use stays near the 64 MiB budget: "
                    + java.util.Arrays.toString(use));
        } finally {
            System.clearProperty("nnc.cuda.collectBytes");
        }
    }
}
