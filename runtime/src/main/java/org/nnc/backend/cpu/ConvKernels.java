package org.nnc.backend.cpu;

import static org.nnc.backend.cpu.CpuBackend.f32;

import org.nnc.backend.Backend.Window;
import org.nnc.tensor.Storage;
import org.nnc.tensor.Tensor;

/**
 * float32 convolution image by image: each image's columns are unfolded into a per-thread scratch buffer
 * (C·k·k × Ho·Wo, a few hundred KiB, which stays in L2) and multiplied there, instead of unfolding the
 * whole batch into a tensor (14 MiB for W3's second layer) that is written, read and kept for the
 * backward. The backward unfolds again rather than keeping the columns. Images are split across the
 * thread team; each GEMM then runs on one thread.
 */
final class ConvKernels {
    private ConvKernels() {}

    /** Images per task of the weight gradient: fixed, so its partial sums, and so the result, do not depend on the thread count. */
    private static final int IMAGES_PER_PART = 8;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] scratch(int n) {
        float[][] holder = SCRATCH.get();
        if (holder[0].length < n) holder[0] = new float[n];
        return holder[0];
    }

    static boolean applies(Tensor... ts) {
        for (Tensor t : ts) if (t != null && !(t.storage() instanceof Storage.F32 && t.isContiguous())) return false;
        return true;
    }

    private static void unfold(float[] x, int xo, int c, Window w, float[] cols) {
        int plane = w.height() * w.width(), rows = w.kernel() * w.kernel() * w.outHeight() * w.outWidth();
        for (int ci = 0; ci < c; ci++) WindowKernels.im2colPlane(x, xo + ci * plane, w, cols, ci * rows);
    }

    static void forward(Tensor x, Tensor w2, Tensor bias, Window w, boolean relu, Tensor y) {
        int b = x.size(0), c = x.size(1), o = w2.size(0), ckk = w2.size(1), l = w.outHeight() * w.outWidth();
        float[] xa = f32(x), wa = f32(w2), ya = f32(y);
        int xo = x.offset(), wo = w2.offset(), yo = y.offset(), imageIn = c * w.height() * w.width();
        Gemm.Epilogue ep = bias == null && !relu ? null : new Gemm.Epilogue(bias == null ? null : f32(bias), bias == null ? 0 : bias.offset(), true, relu);
        Gemm.PackedA packed = Gemm.packA(o, ckk, wa, wo, ckk, 1);   // the same weight for every image
        Parallel.forTasks(b, i -> {
            float[] cols = scratch(ckk * l);
            unfold(xa, xo + i * imageIn, c, w, cols);
            Gemm.sgemm(packed, l, cols, 0, l, 1, ya, yo + i * o * l, l, ep);
        });
    }

    static void weightGrad(Tensor x, Tensor g, Window w, Tensor gw2) {
        int b = x.size(0), c = x.size(1), o = gw2.size(0), ckk = gw2.size(1), l = w.outHeight() * w.outWidth();
        float[] xa = f32(x), ga = f32(g), out = f32(gw2);
        int xo = x.offset(), go = g.offset(), oo = gw2.offset(), imageIn = c * w.height() * w.width();
        int parts = (b + IMAGES_PER_PART - 1) / IMAGES_PER_PART;
        float[][] partial = new float[parts][];
        for (int part = 0; part < parts; part++) partial[part] = Storage.floats(o * ckk);   // here, in the caller's step
        Parallel.forTasks(parts, part -> {
            float[] acc = partial[part];
            float[] cols = scratch(ckk * l);
            for (int i = part * IMAGES_PER_PART, end = Math.min(b, i + IMAGES_PER_PART); i < end; i++) {
                unfold(xa, xo + i * imageIn, c, w, cols);
                // acc [O, C·k·k] += g_i [O, L] · colsᵀ [L, C·k·k]
                Gemm.sgemm(o, ckk, l, ga, go + i * o * l, l, 1, cols, 0, 1, l, acc, 0, ckk, true, false);
            }
        });
        java.util.Arrays.fill(out, oo, oo + o * ckk, 0f);
        for (float[] p : partial) for (int e = 0; e < p.length; e++) out[oo + e] += p[e];
    }

    static void inputGrad(Tensor w2, Tensor g, Window w, Tensor dx) {
        int b = dx.size(0), c = dx.size(1), o = w2.size(0), ckk = w2.size(1), l = g.size(2);
        float[] wa = f32(w2), ga = f32(g), da = f32(dx);
        int wo = w2.offset(), go = g.offset(), doff = dx.offset();
        int plane = w.height() * w.width(), rows = w.kernel() * w.kernel() * l;
        Gemm.PackedA packed = Gemm.packA(ckk, o, wa, wo, 1, ckk);   // w2ᵀ, the same for every image
        Parallel.forTasks(b, i -> {
            float[] cols = scratch(ckk * l);
            // cols [C·k·k, L] = w2ᵀ [C·k·k, O] · g_i [O, L]
            Gemm.sgemm(packed, l, ga, go + i * o * l, l, 1, cols, 0, l, null);
            for (int ci = 0; ci < c; ci++) WindowKernels.col2imPlane(cols, ci * rows, w, da, doff + (i * c + ci) * plane);
        });
    }
}
