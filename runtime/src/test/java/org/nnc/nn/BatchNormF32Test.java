package org.nnc.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nnc.autograd.GradMode;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** The fused float32 batch norm's training step against the formulas worked in double: output, running statistics, gradients. */
class BatchNormF32Test {
    private static void check(BatchNorm bn, int... shape) {
        Generator g = new Generator(shape.length);
        int channels = shape[1];
        GradMode.noGrad(() -> {
            bn.weight.copy_(Tensor.rand(g, DType.FLOAT32, channels).add(0.5));
            return bn.bias.copy_(Tensor.randn(g, DType.FLOAT32, channels));
        });
        Tensor x = Tensor.randn(g, DType.FLOAT32, shape).mul(3).add(1).requiresGrad(true), r = Tensor.rand(g, DType.FLOAT32, shape);
        Tensor y = bn.forward(x);
        y.mul(r).sum().backward();

        int batch = shape[0], spatial = x.numel() / (batch * channels), count = batch * spatial;
        double[] xs = x.toDoubleArray(), rs = r.toDoubleArray(), ys = y.toDoubleArray(), dx = x.grad().toDoubleArray();
        double[] w = bn.weight.toDoubleArray(), b = bn.bias.toDoubleArray();
        double[] dw = bn.weight.grad().toDoubleArray(), db = bn.bias.grad().toDoubleArray();
        double[] rm = bn.stateDict().get("running_mean").toDoubleArray(), rv = bn.stateDict().get("running_var").toDoubleArray();
        for (int c = 0; c < channels; c++) {
            double mean = 0, var = 0, sr = 0, srx = 0;
            for (int i = 0; i < count; i++) mean += xs[at(i, c, channels, spatial)] / count;
            for (int i = 0; i < count; i++) var += Math.pow(xs[at(i, c, channels, spatial)] - mean, 2) / count;
            double rstd = 1 / Math.sqrt(var + bn.eps);
            for (int i = 0; i < count; i++) {
                int k = at(i, c, channels, spatial);
                double xh = (xs[k] - mean) * rstd;
                assertEquals(xh * w[c] + b[c], ys[k], 2e-5 * (1 + Math.abs(ys[k])), "output");
                sr += rs[k];
                srx += rs[k] * xh;
            }
            assertEquals(sr, db[c], 1e-4 * (1 + Math.abs(sr)), "bias gradient");
            assertEquals(srx, dw[c], 1e-4 * (1 + Math.abs(srx)), "weight gradient");
            for (int i = 0; i < count; i++) {
                int k = at(i, c, channels, spatial);
                double want = w[c] * rstd * (rs[k] - sr / count - (xs[k] - mean) * rstd * srx / count);
                assertEquals(want, dx[k], 1e-5 * (1 + Math.abs(want)), "input gradient at " + k);
            }
            assertEquals(0.1 * mean, rm[c], 1e-6 * (1 + Math.abs(mean)), "running mean");
            assertEquals(0.9 + 0.1 * var * count / (count - 1), rv[c], 1e-5 * (1 + var), "running variance, unbiased");
        }
        assertEquals(1L, (long) bn.stateDict().get("num_batches_tracked").item());

        // Eval mode with nothing to differentiate (the fused kernel), and with a gradient wanted (the composed form);
        // running variances near eps, so that eps shows.
        bn.eval();
        GradMode.noGrad(() -> bn.stateDict().get("running_var").fill_(3e-5));
        rv = bn.stateDict().get("running_var").toDoubleArray();
        double[] fused, composed;
        try (GradMode.Scope s = GradMode.disable()) {
            fused = bn.forward(x).toDoubleArray();
        }
        composed = bn.forward(x).toDoubleArray();
        for (int c = 0; c < channels; c++) {
            double scale = w[c] / Math.sqrt(rv[c] + bn.eps);
            for (int i = 0; i < count; i++) {
                int k = at(i, c, channels, spatial);
                double want = (xs[k] - rm[c]) * scale + b[c];
                assertEquals(want, fused[k], 2e-5 * (1 + Math.abs(want)), "eval output, fused");
                assertEquals(want, composed[k], 2e-5 * (1 + Math.abs(want)), "eval output, composed");
            }
        }
    }

    private static int at(int i, int c, int channels, int spatial) { return ((i / spatial) * channels + c) * spatial + i % spatial; }

    @Test
    void matchesTheFormulasInDouble() {
        check(new BatchNorm2d(3), 4, 3, 5, 5);
        check(new BatchNorm1d(4), 6, 4);
        check(new BatchNorm1d(3), 2, 3, 37);
    }
}
