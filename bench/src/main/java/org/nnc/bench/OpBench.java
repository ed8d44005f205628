package org.nnc.bench;

import org.nnc.nn.Functional;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.StepScope;
import org.nnc.tensor.Tensor;

/**
 * Single operations, timed as a training step uses them (forward, then backward through Σ y·r), for
 * changes to one kernel that the WORKLOADS figures do not isolate: {@code bench/run softmax|layernorm|batchnorm [--device cuda]}.
 */
final class OpBench {
    private OpBench() {}

    /** Softmax and log-softmax over the last dimension: a classifier's output, attention-like rows, a short row. */
    static void softmax() {
        for (int[] shape : new int[][] {{128, 1000}, {4096, 64}, {64, 10}}) {
            for (boolean log : new boolean[] {false, true}) {
                time((log ? "logSoftmax" : "softmax"), shape, x -> log ? Functional.logSoftmax(x, -1) : Functional.softmax(x, -1));
            }
        }
    }

    /** Layer norm over the last dimension with its scale and shift: a transformer's activations, and a small batch. */
    static void layerNorm() {
        for (int[] shape : new int[][] {{2048, 512}, {64, 32}}) {
            Tensor w = Tensor.ones(shape[1]).to(Workloads.device).requiresGrad(true);
            Tensor b = Tensor.zeros(shape[1]).to(Workloads.device).requiresGrad(true);
            time("layerNorm", shape, x -> Functional.layerNorm(x, 1, w, b, 1e-5), w, b);
        }
    }

    /** BatchNorm2d's training step: W3's first convolution's output, and a small batch. */
    static void batchNorm() {
        for (int[] shape : new int[][] {{64, 32, 28, 28}, {8, 16, 8, 8}}) {
            org.nnc.nn.BatchNorm2d bn = new org.nnc.nn.BatchNorm2d(shape[1]);
            bn.to(Workloads.device);
            time("batchNorm2d", shape, bn::forward, bn.weight, bn.bias);
        }
    }

    /** f's forward and backward through Σ f(x)·r, 300 warm-up and 50 timed steps, each in a StepScope; params are f's own. */
    private static void time(String name, int[] shape, java.util.function.UnaryOperator<Tensor> f, Tensor... params) {
        Generator g = new Generator(1);
        Tensor x = Tensor.randn(g, DType.FLOAT32, shape).mul(3).to(Workloads.device).detach().requiresGrad(true);
        Tensor r = Tensor.rand(g, DType.FLOAT32, shape).to(Workloads.device);
        StepScope steps = new StepScope();
        double[] us = Workloads.time(300, 50, () -> {
            try (StepScope s = steps.begin()) {
                x.zeroGrad();
                for (Tensor p : params) p.zeroGrad();
                f.apply(x).mul(r).sum().backward();
                if (Workloads.onGpu()) x.grad().sum().item();   // waits for the step's kernels
            }
        });
        for (int i = 0; i < us.length; i++) us[i] *= 1000;   // ms to µs
        String dims = java.util.Arrays.stream(shape).mapToObj(Integer::toString).collect(java.util.stream.Collectors.joining("x"));
        Bench.print(name + " nnc " + (Workloads.onGpu() ? "cuda_" : "") + dims + " fwd_bwd_us", us);
    }
}
