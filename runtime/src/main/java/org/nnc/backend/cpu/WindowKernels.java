package org.nnc.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import org.nnc.backend.Backend.Window;
import org.nnc.tensor.Storage;
import org.nnc.tensor.Tensor;

/**
 * Convolution unfolding and pooling over contiguous NCHW tensors, parallel over (batch, channel) planes so
 * that no two threads write the same element. Element access goes through {@link Storage}, which serves
 * float32 training and float64 gradient checks alike.
 */
final class WindowKernels {
    private WindowKernels() {}

    static void im2col(Tensor x, Window w, Tensor out) {
        int b = x.size(0), c = x.size(1), h = w.height(), wd = w.width(), k = w.kernel();
        int oh = w.outHeight(), ow = w.outWidth(), l = oh * ow;
        Storage xs = x.storage(), os = out.storage();
        int xo = x.offset(), oo = out.offset();
        if (xs instanceof Storage.F32 xf && os instanceof Storage.F32 of) {
            Parallel.forRange(b * c, (long) b * c * k * k * l, (from, to) -> {
                for (int plane = from; plane < to; plane++) im2colPlane(xf.data, xo + plane * h * wd, w, of.data, oo + plane * k * k * l);
            });
            return;
        }
        Parallel.forRange(b * c, (long) b * c * k * k * l, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int src = xo + plane * h * wd;
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        int dst = oo + (plane * k * k + i * k + j) * l;
                        for (int y = 0; y < oh; y++) {
                            int iy = y * w.stride() - w.padding() + i * w.dilation();
                            for (int z = 0; z < ow; z++) {
                                int ix = z * w.stride() - w.padding() + j * w.dilation();
                                boolean in = iy >= 0 && iy < h && ix >= 0 && ix < wd;
                                os.set(dst + y * ow + z, in ? xs.get(src + iy * wd + ix) : 0);
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * One channel plane (at x[src]) unfolded into its k·k rows of columns (at out[dst], each Ho·Wo long).
     * At stride 1 each output row of a window offset is one contiguous run of an input row with zeros at
     * the padded ends, copied whole instead of element by element with a bounds test each.
     */
    static void im2colPlane(float[] x, int src, Window w, float[] out, int dst) {
        int h = w.height(), wd = w.width(), k = w.kernel(), p = w.padding(), d = w.dilation(), s = w.stride();
        int oh = w.outHeight(), ow = w.outWidth(), l = oh * ow;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                int base = dst + (i * k + j) * l;
                if (s != 1) {
                    for (int y = 0; y < oh; y++) {
                        int iy = y * s - p + i * d;
                        for (int z = 0; z < ow; z++) {
                            int ix = z * s - p + j * d;
                            out[base + y * ow + z] = iy >= 0 && iy < h && ix >= 0 && ix < wd ? x[src + iy * wd + ix] : 0f;
                        }
                    }
                    continue;
                }
                int shift = j * d - p;                       // ix = z + shift
                int zlo = Math.max(0, -shift), zhi = Math.min(ow, wd - shift);
                for (int y = 0; y < oh; y++) {
                    int iy = y - p + i * d, row = base + y * ow;
                    if (iy < 0 || iy >= h || zlo >= zhi) {
                        java.util.Arrays.fill(out, row, row + ow, 0f);
                        continue;
                    }
                    // The padding at either end is a column or two: plain stores, not Arrays.fill calls,
                    // whose range checks and set-up cost W3 8 % of its step at these lengths.
                    for (int z = 0; z < zlo; z++) out[row + z] = 0f;
                    System.arraycopy(x, src + iy * wd + zlo + shift, out, row + zlo, zhi - zlo);
                    for (int z = zhi; z < ow; z++) out[row + z] = 0f;
                }
            }
        }
    }

    /** The adjoint of {@link #im2colPlane}: the plane's k·k rows of columns (at cols[src]) added back into x[dst]. */
    static void col2imPlane(float[] cols, int src, Window w, float[] dx, int dst) {
        int h = w.height(), wd = w.width(), k = w.kernel(), p = w.padding(), d = w.dilation(), s = w.stride();
        int oh = w.outHeight(), ow = w.outWidth(), l = oh * ow;
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                int base = src + (i * k + j) * l;
                if (s != 1) {
                    for (int y = 0; y < oh; y++) {
                        int iy = y * s - p + i * d;
                        if (iy < 0 || iy >= h) continue;
                        for (int z = 0; z < ow; z++) {
                            int ix = z * s - p + j * d;
                            if (ix >= 0 && ix < wd) dx[dst + iy * wd + ix] += cols[base + y * ow + z];
                        }
                    }
                    continue;
                }
                int shift = j * d - p;
                int zlo = Math.max(0, -shift), zhi = Math.min(ow, wd - shift);
                if (zlo >= zhi) continue;
                for (int y = 0; y < oh; y++) {
                    int iy = y - p + i * d;
                    if (iy < 0 || iy >= h) continue;
                    int from = base + y * ow + zlo, into = dst + iy * wd + zlo + shift, n = zhi - zlo;
                    // A plain loop: C2 vectorizes it, and until C2 has compiled it, it is not the
                    // Vector API's interpreted form, which costs far more in the first steps.
                    for (int e = 0; e < n; e++) dx[into + e] += cols[from + e];
                }
            }
        }
    }

    static void col2im(Tensor cols, Window w, Tensor dx) {
        int b = dx.size(0), c = dx.size(1), h = w.height(), wd = w.width(), k = w.kernel();
        int oh = w.outHeight(), ow = w.outWidth(), l = oh * ow;
        Storage cs = cols.storage(), ds = dx.storage();
        int co = cols.offset(), dof = dx.offset();
        if (cs instanceof Storage.F32 cf && ds instanceof Storage.F32 df) {
            Parallel.forRange(b * c, (long) b * c * k * k * l, (from, to) -> {
                for (int plane = from; plane < to; plane++) col2imPlane(cf.data, co + plane * k * k * l, w, df.data, dof + plane * h * wd);
            });
            return;
        }
        Parallel.forRange(b * c, (long) b * c * k * k * l, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int dst = dof + plane * h * wd;
                for (int i = 0; i < k; i++) {
                    for (int j = 0; j < k; j++) {
                        int src = co + (plane * k * k + i * k + j) * l;
                        for (int y = 0; y < oh; y++) {
                            int iy = y * w.stride() - w.padding() + i * w.dilation();
                            if (iy < 0 || iy >= h) continue;
                            for (int z = 0; z < ow; z++) {
                                int ix = z * w.stride() - w.padding() + j * w.dilation();
                                if (ix < 0 || ix >= wd) continue;
                                int at = dst + iy * wd + ix;
                                ds.set(at, ds.get(at) + cs.get(src + y * ow + z));
                            }
                        }
                    }
                }
            }
        });
    }

    static void maxPool(Tensor x, Window w, Tensor out, int[] argmax) {
        int planes = x.size(0) * x.size(1), h = w.height(), wd = w.width(), k = w.kernel();
        int oh = w.outHeight(), ow = w.outWidth();
        int stride = w.stride(), pad = w.padding(), dil = w.dilation(), xo = x.offset(), oo = out.offset();
        Storage xs = x.storage(), os = out.storage();
        float[] xf = xs instanceof Storage.F32 f ? f.data : null, of = os instanceof Storage.F32 f ? f.data : null;
        if (xf != null && of != null && k == 2 && stride == 2 && pad == 0 && dil == 1) {
            pool2x2(xf, xo, of, oo, argmax, planes, h, wd, oh, ow);
            return;
        }
        Parallel.forRange(planes, (long) planes * oh * ow * k * k, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int src = xo + plane * h * wd, dst = plane * oh * ow;
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        // The first maximum, or the last NaN, as in PyTorch.
                        double best = Double.NEGATIVE_INFINITY;
                        int bestAt = -1;
                        for (int i = 0; i < k; i++) {
                            int iy = y * stride - pad + i * dil;
                            if (iy < 0 || iy >= h) continue;
                            for (int j = 0; j < k; j++) {
                                int ix = z * stride - pad + j * dil;
                                if (ix < 0 || ix >= wd) continue;
                                double v = xf != null ? xf[src + iy * wd + ix] : xs.get(src + iy * wd + ix);
                                if (v > best || bestAt < 0 || v != v) {
                                    best = v;
                                    bestAt = iy * wd + ix;
                                }
                            }
                        }
                        int o = dst + y * ow + z;
                        if (of != null) of[oo + o] = (float) best; else os.set(oo + o, best);
                        argmax[o] = bestAt;
                    }
                }
            }
        });
    }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> SI = IntVector.SPECIES_PREFERRED;

    /**
     * 2 × 2 windows, the commonest pooling. Whole vectors of windows (of one plane, across output rows)
     * are gathered as their four corners through a table of top-left positions; the winner is the first
     * corner equal to the maximum, which is what the sequential scan picks (ties go to the first, and
     * −0 = +0 as IEEE compares them). Vectors holding a NaN, and the plane's last few windows, take the
     * scalar loop, whose NaN rule (the last NaN wins) the vector form does not copy. The scalar loop
     * alone costs about 11 ns a window here: its comparisons are coin tosses to the branch predictor.
     */
    private static void pool2x2(float[] x, int xo, float[] out, int oo, int[] argmax, int planes, int h, int wd, int oh, int ow) {
        int n = oh * ow, L = S.length();
        int[] corner = new int[n];
        for (int t = 0; t < n; t++) corner[t] = 2 * (t / ow) * wd + 2 * (t % ow);
        boolean vector = SI.length() == L;
        Parallel.forRange(planes, (long) planes * n * 4, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int src = xo + plane * h * wd, dst = plane * n, t = 0;
                for (; vector && t + L <= n; t += L) {
                    FloatVector a = FloatVector.fromArray(S, x, src, corner, t);
                    FloatVector b = FloatVector.fromArray(S, x, src + 1, corner, t);
                    FloatVector c = FloatVector.fromArray(S, x, src + wd, corner, t);
                    FloatVector d = FloatVector.fromArray(S, x, src + wd + 1, corner, t);
                    if (a.test(VectorOperators.IS_NAN).or(b.test(VectorOperators.IS_NAN))
                            .or(c.test(VectorOperators.IS_NAN)).or(d.test(VectorOperators.IS_NAN)).anyTrue()) {
                        pool2x2Scalar(x, src, wd, corner, t, t + L, out, oo + dst, argmax, dst);
                        continue;
                    }
                    FloatVector m = a.max(b).max(c.max(d));
                    IntVector at0 = IntVector.fromArray(SI, corner, t);
                    // From the last corner back to the first, so the first corner equal to m is kept.
                    FloatVector best = d;
                    IntVector at = at0.add(wd + 1);
                    VectorMask<Float> eq = c.eq(m);
                    best = best.blend(c, eq);
                    at = at.blend(at0.add(wd), eq.cast(SI));
                    eq = b.eq(m);
                    best = best.blend(b, eq);
                    at = at.blend(at0.add(1), eq.cast(SI));
                    eq = a.eq(m);
                    best = best.blend(a, eq);
                    at = at.blend(at0, eq.cast(SI));
                    best.intoArray(out, oo + dst + t);
                    at.intoArray(argmax, dst + t);
                }
                pool2x2Scalar(x, src, wd, corner, t, n, out, oo + dst, argmax, dst);
            }
        });
    }

    /** Windows [from, to) of one plane, scanned in PyTorch's order: the first maximum, or the last NaN. */
    private static void pool2x2Scalar(float[] x, int src, int wd, int[] corner, int from, int to,
                                      float[] out, int oo, int[] argmax, int ao) {
        for (int t = from; t < to; t++) {
            int c = src + corner[t];
            float best = x[c], v1 = x[c + 1], v2 = x[c + wd], v3 = x[c + wd + 1];
            int at = 0;
            if (v1 > best || v1 != v1) { best = v1; at = 1; }
            if (v2 > best || v2 != v2) { best = v2; at = wd; }
            if (v3 > best || v3 != v3) { best = v3; at = wd + 1; }
            out[oo + t] = best;
            argmax[ao + t] = corner[t] + at;
        }
    }

    static void maxPoolBackward(Tensor grad, int[] argmax, Tensor dx) {
        int planes = dx.size(0) * dx.size(1), hw = dx.size(2) * dx.size(3);
        int ohw = grad.size(2) * grad.size(3);
        Storage gs = grad.storage(), ds = dx.storage();
        boolean f32 = gs instanceof Storage.F32 && ds instanceof Storage.F32;
        Parallel.forRange(planes, (long) planes * ohw, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                for (int o = 0; o < ohw; o++) {
                    int at = dx.offset() + plane * hw + argmax[plane * ohw + o];
                    if (f32) {
                        ((Storage.F32) ds).data[at] += ((Storage.F32) gs).data[grad.offset() + plane * ohw + o];
                        continue;
                    }
                    ds.set(at, ds.get(at) + gs.get(grad.offset() + plane * ohw + o));
                }
            }
        });
    }

    static void avgPool(Tensor x, Window w, Tensor out) {
        int planes = x.size(0) * x.size(1), h = w.height(), wd = w.width(), k = w.kernel();
        int oh = w.outHeight(), ow = w.outWidth();
        double div = (double) k * k;
        Storage xs = x.storage(), os = out.storage();
        Parallel.forRange(planes, (long) planes * oh * ow * k * k, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int src = x.offset() + plane * h * wd, dst = out.offset() + plane * oh * ow;
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        double s = 0;
                        for (int i = 0; i < k; i++) {
                            int iy = y * w.stride() - w.padding() + i;
                            if (iy < 0 || iy >= h) continue;
                            for (int j = 0; j < k; j++) {
                                int ix = z * w.stride() - w.padding() + j;
                                if (ix >= 0 && ix < wd) s += xs.get(src + iy * wd + ix);
                            }
                        }
                        os.set(dst + y * ow + z, s / div);
                    }
                }
            }
        });
    }

    static void avgPoolBackward(Tensor grad, Window w, Tensor dx) {
        int planes = dx.size(0) * dx.size(1), h = w.height(), wd = w.width(), k = w.kernel();
        int oh = w.outHeight(), ow = w.outWidth();
        double div = (double) k * k;
        Storage gs = grad.storage(), ds = dx.storage();
        Parallel.forRange(planes, (long) planes * oh * ow * k * k, (from, to) -> {
            for (int plane = from; plane < to; plane++) {
                int dst = dx.offset() + plane * h * wd, src = grad.offset() + plane * oh * ow;
                for (int y = 0; y < oh; y++) {
                    for (int z = 0; z < ow; z++) {
                        double g = gs.get(src + y * ow + z) / div;
                        for (int i = 0; i < k; i++) {
                            int iy = y * w.stride() - w.padding() + i;
                            if (iy < 0 || iy >= h) continue;
                            for (int j = 0; j < k; j++) {
                                int ix = z * w.stride() - w.padding() + j;
                                if (ix >= 0 && ix < wd) ds.set(dst + iy * wd + ix, ds.get(dst + iy * wd + ix) + g);
                            }
                        }
                    }
                }
            }
        });
    }
}
