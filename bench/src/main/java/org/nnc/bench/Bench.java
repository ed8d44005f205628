package org.nnc.bench;

import java.util.Arrays;
import java.util.Locale;
import org.nnc.backend.cpu.Gemm;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/**
 * The WORKLOADS.md benchmarks. Each prints one line per figure:
 * {@code W1 nnc n=1024 gflops median=… min=… max=…}. Run through {@code bench/run}, which holds the
 * benchmark lock so no two timings share the machine.
 */
public final class Bench {
    private Bench() {}

    public static void main(String[] argv) {
        java.util.List<String> rest = new java.util.ArrayList<>(Arrays.asList(argv));
        int at = rest.indexOf("--device");
        if (at >= 0 && at + 1 < rest.size()) {
            org.nnc.backend.Devices.Choice where;
            try {
                where = org.nnc.backend.Devices.resolve(rest.get(at + 1));
            } catch (RuntimeException e) {
                System.err.println("bench: " + e.getMessage());
                System.exit(1);
                return;
            }
            if (where.note() != null) System.out.println("# " + where.note());
            Workloads.device = where.device();
            rest.subList(at, at + 2).clear();
        }
        String[] args = rest.toArray(new String[0]);
        if (args.length == 0) {
            System.err.println("usage: bench/run W1 [sizes…] | W2 … W6 [--device cuda] | softmax | layernorm | batchnorm | check [lines]");
            System.exit(2);
        }
        switch (args[0]) {
            case "W1" -> w1(args.length > 1 ? Arrays.stream(args, 1, args.length).mapToInt(Integer::parseInt).toArray()
                    : new int[] {256, 512, 1024, 2048});
            case "check" -> CheckBench.run(args.length > 1 ? Integer.parseInt(args[1]) : 5000);
            case "W2" -> Workloads.w2();
            case "W3" -> Workloads.w3();
            case "W4" -> Workloads.w4();
            case "W5" -> Workloads.w5();
            case "W6" -> Workloads.w6();
            case "softmax" -> OpBench.softmax();
            case "layernorm" -> OpBench.layerNorm();
            case "batchnorm" -> OpBench.batchNorm();
            default -> {
                System.err.println("unknown workload " + args[0] + " (W1 … W6, softmax, layernorm, batchnorm, or check)");
                System.exit(2);
            }
        }
    }

    /** W1: C = A·B for square float32 matrices, GFLOP/s = 2n³ / t. */
    static void w1(int[] sizes) {
        for (int n : sizes) {
            Generator g = new Generator(0);
            float[] a = Tensor.randn(g, org.nnc.tensor.DType.FLOAT32, n, n).toFloatArray();
            float[] b = Tensor.randn(g, org.nnc.tensor.DType.FLOAT32, n, n).toFloatArray();
            float[] c = new float[n * n];
            double flops = 2.0 * n * n * n;
            // Enough repetitions for about a second of timing at 100 GFLOP/s, at least 5.
            int reps = (int) Math.max(5, Math.min(200, 1e11 / flops));
            for (int i = 0; i < Math.max(3, reps / 3); i++) Gemm.sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
            double[] gflops = new double[reps];
            for (int i = 0; i < reps; i++) {
                long t0 = System.nanoTime();
                Gemm.sgemm(n, n, n, a, 0, n, 1, b, 0, n, 1, c, 0, n, false);
                gflops[i] = flops / (System.nanoTime() - t0);
            }
            print("W1 nnc n=" + n + " gflops", gflops);
        }
    }

    static void print(String label, double[] values) {
        double[] s = values.clone();
        Arrays.sort(s);
        double median = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
        System.out.println(String.format(Locale.ROOT, "%s median=%.2f min=%.2f max=%.2f", label, median, s[0], s[s.length - 1]));
    }
}
