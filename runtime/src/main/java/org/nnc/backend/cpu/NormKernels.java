package org.nnc.backend.cpu;

import static org.nnc.backend.cpu.CpuBackend.f32;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nnc.tensor.Tensor;

/**
 * Layer and batch normalization of float32 tensors, forward and backward: two vector passes over a row (or
 * a channel) for its statistics and one to write, where the composed form makes nine or more passes over the
 * whole tensor forward.
 * Statistics are summed in the fixed order of {@link CpuBackend#sumF32} and kept in double until stored.
 */
final class NormKernels {
    private NormKernels() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** y = (x − mean) · rstd per row of contiguous x [rows, n]; mean and rstd [rows] kept for the backward. */
    static void rows(Tensor x, double eps, Tensor y, Tensor mean, Tensor rstd) {
        int n = x.shape()[x.dim() - 1], rows = x.numel() / n;
        float[] xs = f32(x), ys = f32(y), ms = f32(mean), rs = f32(rstd);
        int xo = x.offset(), yo = y.offset(), mo = mean.offset(), ro = rstd.offset();
        Parallel.forRange(rows, (long) rows * n * 6, (from, end) -> {
            for (int r = from; r < end; r++) {
                int xa = xo + r * n, ya = yo + r * n;
                float m = (float) (CpuBackend.sumF32(xs, xa, n) / n);
                float inv = (float) (1 / Math.sqrt(squares(xs, xa, m, n) / n + eps));
                ms[mo + r] = m;
                rs[ro + r] = inv;
                affine(xs, xa, ys, ya, n, m, inv, 0);
            }
        });
    }

    /** Σ (x − m)², lanes accumulating in a vector, then added up in order. */
    private static double squares(float[] x, int xo, float m, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, xo + i).sub(m);
            acc = d.fma(d, acc);
        }
        double s = CpuBackend.lanesInOrder(acc);
        for (; i < n; i++) s += (double) (x[xo + i] - m) * (x[xo + i] - m);
        return s;
    }

    /**
     * dx = rstd · (dy − mean(dy) − ŷ · mean(dy · ŷ)) per row, ŷ = (x − mean) · rstd recomputed: the
     * gradient of the normalization with respect to x, given dy with respect to ŷ.
     */
    static void backward(Tensor x, Tensor mean, Tensor rstd, Tensor dy, Tensor dx) {
        int n = x.shape()[x.dim() - 1], rows = x.numel() / n;
        float[] xs = f32(x), ms = f32(mean), rs = f32(rstd), gs = f32(dy), ds = f32(dx);
        int xo = x.offset(), mo = mean.offset(), ro = rstd.offset(), go = dy.offset(), dO = dx.offset();
        Parallel.forRange(rows, (long) rows * n * 8, (from, end) -> {
            for (int r = from; r < end; r++) {
                int xa = xo + r * n, ga = go + r * n, da = dO + r * n;
                float m = ms[mo + r], inv = rs[ro + r];
                float a = (float) (CpuBackend.sumF32(gs, ga, n) / n), b = (float) (projection(xs, xa, gs, ga, m, inv, n) / n);
                gradient(xs, xa, gs, ga, ds, da, n, m, inv, a, b, inv);
            }
        });
    }

    /** Σ dy · ŷ over a row, in the fixed order of {@link CpuBackend#sumF32}. */
    private static double projection(float[] x, int xo, float[] g, int go, float m, float inv, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector yh = FloatVector.fromArray(S, x, xo + i).sub(m).mul(inv);
            acc = yh.fma(FloatVector.fromArray(S, g, go + i), acc);
        }
        double s = CpuBackend.lanesInOrder(acc);
        for (; i < n; i++) s += (double) ((x[xo + i] - m) * inv) * g[go + i];
        return s;
    }

    /**
     * Batch norm's training step over contiguous x [N, C, S], channel by channel: the batch's mean and biased
     * variance over N·S values, y = (x − mean) · rstd · weight + bias, mean and rstd [C] kept for the
     * backward, and the running statistics moved by momentum (the variance unbiased, as PyTorch).
     */
    static void batchTrain(Tensor x, Tensor weight, Tensor bias, Tensor runMean, Tensor runVar, double momentum, double eps,
                           Tensor y, Tensor mean, Tensor rstd) {
        int batch = x.size(0), channels = x.size(1), spatial = x.numel() / (batch * channels);
        long count = (long) batch * spatial;
        float[] xs = f32(x), ys = f32(y), ws = f32(weight), bs = f32(bias), rm = f32(runMean), rv = f32(runVar), ms = f32(mean), rs = f32(rstd);
        int xo = x.offset(), yo = y.offset(), wo = weight.offset(), bo = bias.offset(), rmo = runMean.offset(), rvo = runVar.offset();
        int mo = mean.offset(), ro = rstd.offset();
        Parallel.forRange(channels, count * channels * 6, (from, end) -> {
            for (int c = from; c < end; c++) {
                double sum = 0;
                for (int n = 0; n < batch; n++) sum += CpuBackend.sumF32(xs, xo + (n * channels + c) * spatial, spatial);
                float m = (float) (sum / count);
                double sq = 0;
                for (int n = 0; n < batch; n++) sq += squares(xs, xo + (n * channels + c) * spatial, m, spatial);
                double var = sq / count;
                float inv = (float) (1 / Math.sqrt(var + eps)), scale = inv * ws[wo + c], shift = bs[bo + c];
                ms[mo + c] = m;
                rs[ro + c] = inv;
                rm[rmo + c] = (float) ((1 - momentum) * rm[rmo + c] + momentum * m);
                rv[rvo + c] = (float) ((1 - momentum) * rv[rvo + c] + momentum * var * count / Math.max(1, count - 1));
                for (int n = 0; n < batch; n++) {
                    affine(xs, xo + (n * channels + c) * spatial, ys, yo + (n * channels + c) * spatial, spatial, m, scale, shift);
                }
            }
        });
    }

    /** Batch norm in eval mode: y = (x − runMean) · weight / sqrt(runVar + eps) + bias, segment by segment. */
    static void batchEval(Tensor x, Tensor weight, Tensor bias, Tensor runMean, Tensor runVar, double eps, Tensor y) {
        int batch = x.size(0), channels = x.size(1), spatial = x.numel() / (batch * channels);
        float[] xs = f32(x), ys = f32(y), ws = f32(weight), bs = f32(bias), rm = f32(runMean), rv = f32(runVar);
        int xo = x.offset(), yo = y.offset(), wo = weight.offset(), bo = bias.offset(), rmo = runMean.offset(), rvo = runVar.offset();
        Parallel.forRange(batch * channels, (long) x.numel() * 2, (from, end) -> {
            for (int s = from; s < end; s++) {
                int c = s % channels;
                float scale = (float) (ws[wo + c] / Math.sqrt(rv[rvo + c] + eps));
                affine(xs, xo + s * spatial, ys, yo + s * spatial, spatial, rm[rmo + c], scale, bs[bo + c]);
            }
        });
    }

    /**
     * Its gradients, channel by channel: dWeight = Σ dy · ŷ, dBias = Σ dy, and
     * dx = weight · rstd · (dy − mean(dy) − ŷ · mean(dy · ŷ)), ŷ = (x − mean) · rstd recomputed.
     */
    static void batchBackward(Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dy, Tensor dx, Tensor dWeight, Tensor dBias) {
        int batch = x.size(0), channels = x.size(1), spatial = x.numel() / (batch * channels);
        long count = (long) batch * spatial;
        float[] xs = f32(x), ws = f32(weight), ms = f32(mean), rs = f32(rstd), gs = f32(dy), ds = f32(dx), dws = f32(dWeight), dbs = f32(dBias);
        int xo = x.offset(), wo = weight.offset(), mo = mean.offset(), ro = rstd.offset(), go = dy.offset(), dO = dx.offset();
        int dwo = dWeight.offset(), dbo = dBias.offset();
        Parallel.forRange(channels, count * channels * 8, (from, end) -> {
            for (int c = from; c < end; c++) {
                float m = ms[mo + c], inv = rs[ro + c];
                double sg = 0, sgy = 0;
                for (int n = 0; n < batch; n++) {
                    int at = (n * channels + c) * spatial;
                    sg += CpuBackend.sumF32(gs, go + at, spatial);
                    sgy += projection(xs, xo + at, gs, go + at, m, inv, spatial);
                }
                dws[dwo + c] = (float) sgy;
                dbs[dbo + c] = (float) sg;
                float a = (float) (sg / count), b = (float) (sgy / count), k = ws[wo + c] * inv;
                for (int n = 0; n < batch; n++) {
                    int at = (n * channels + c) * spatial;
                    gradient(xs, xo + at, gs, go + at, ds, dO + at, spatial, m, inv, a, b, k);
                }
            }
        });
    }

    /** y = (x − m) · scale + shift over n values. */
    private static void affine(float[] x, int xo, float[] y, int yo, int n, float m, float scale, float shift) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).sub(m).mul(scale).add(shift).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] = (x[xo + i] - m) * scale + shift;
    }

    /** dx = (dy − a − ŷ · b) · k over n values, ŷ = (x − m) · inv: both normalizations' input gradient. */
    private static void gradient(float[] x, int xo, float[] g, int go, float[] d, int dO, int n, float m, float inv, float a, float b, float k) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) {
            FloatVector yh = FloatVector.fromArray(S, x, xo + i).sub(m).mul(inv);
            FloatVector.fromArray(S, g, go + i).sub(a).sub(yh.mul(b)).mul(k).intoArray(d, dO + i);
        }
        for (; i < n; i++) d[dO + i] = (g[go + i] - a - (x[xo + i] - m) * inv * b) * k;
    }
}
