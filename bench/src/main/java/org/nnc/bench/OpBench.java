package org.nnc.bench;

import org.nnc.nn.Functional;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.StepScope;
import org.nnc.tensor.Tensor;

/**
 * Single operations, timed as a training step uses them (forward, then backward through Σ y·r), for
 * changes to one kernel that the WORKLOADS figures do not isolate: {@code bench/run softmax [--device cuda]}.
 */
final class OpBench {
    private OpBench() {}

    /** Softmax and log-softmax over the last dimension: a classifier's output, attention-like rows, a short row. */
    static void softmax() {
        for (int[] shape : new int[][] {{128, 1000}, {4096, 64}, {64, 10}}) {
            Generator g = new Generator(1);
            Tensor x = Tensor.randn(g, DType.FLOAT32, shape).mul(3).to(Workloads.device).detach().requiresGrad(true);
            Tensor r = Tensor.rand(g, DType.FLOAT32, shape).to(Workloads.device);
            for (boolean log : new boolean[] {false, true}) {
                StepScope steps = new StepScope();
                double[] us = new double[50];
                for (int i = -300; i < us.length; i++) {
                    long t0 = System.nanoTime();
                    try (StepScope s = steps.begin()) {
                        x.zeroGrad();
                        Tensor loss = (log ? Functional.logSoftmax(x, -1) : Functional.softmax(x, -1)).mul(r).sum();
                        loss.backward();
                        if (Workloads.onGpu()) x.grad().sum().item();   // waits for the step's kernels
                    }
                    if (i >= 0) us[i] = (System.nanoTime() - t0) / 1e3;
                }
                Bench.print((log ? "logSoftmax" : "softmax") + " nnc " + (Workloads.onGpu() ? "cuda_" : "") + shape[0] + "x" + shape[1]
                        + " fwd_bwd_us", us);
            }
        }
    }
}
