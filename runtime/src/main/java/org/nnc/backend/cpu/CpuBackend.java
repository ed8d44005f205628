package org.nnc.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.nnc.backend.Backend;
import org.nnc.backend.BinaryFn;
import org.nnc.backend.ReduceFn;
import org.nnc.backend.UnaryFn;
import org.nnc.tensor.DType;
import org.nnc.tensor.Storage;
import org.nnc.tensor.Tensor;

/**
 * CPU kernels. float32 rows with unit (or broadcast) strides run as Vector API loops; every other case
 * (float64 gradient checks, integers, masks, odd strides) takes the generic element loop, which is exact
 * but slower. Work is split across {@link Parallel}'s fixed pool.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private CpuBackend() {}

    @Override public org.nnc.tensor.Device device() { return org.nnc.tensor.Device.CPU; }

    @Override public Storage allocate(DType dtype, int n) { return Storage.allocate(dtype, n); }

    /** A float32 CPU tensor's array, read and written in place from the tensor's offset (no copy). */
    public static float[] f32(Tensor t) { return ((Storage.F32) t.storage()).data; }

    private static boolean allF32(Tensor... ts) {
        for (Tensor t : ts) if (t.dtype() != DType.FLOAT32) return false;
        return true;
    }

    @Override
    public void unary(UnaryFn f, double p, double q, Tensor x, Tensor out) {
        Strided it = new Strided(out.shape(), new int[][] {out.strides(), x.strides()},
                new int[] {out.offset(), x.offset()});
        Storage os = out.storage(), xs = x.storage();
        if (allF32(x, out) && it.innerStride(0) == 1 && (it.innerStride(1) == 1 || it.innerStride(1) == 0)) {
            float[] o = f32(out), xa = f32(x);
            boolean bx = it.innerStride(1) == 0;
            it.forAllRows(f == UnaryFn.IDENTITY ? 1 : 4, (off, n) -> unaryRowF32(f, (float) p, (float) q, xa, off[1], bx, o, off[0], n));
            return;
        }
        int so = it.innerStride(0), sx = it.innerStride(1);
        if (f == UnaryFn.IDENTITY && allF32(x, out)) {
            float[] o = f32(out), xa = f32(x);
            it.forAllRows(1, (off, n) -> {
                for (int i = 0, oi = off[0], xi = off[1]; i < n; i++, oi += so, xi += sx) o[oi] = xa[xi];
            });
            return;
        }
        boolean f32 = allF32(x, out);
        it.forAllRows(4, (off, n) -> {
            for (int i = 0, oi = off[0], xi = off[1]; i < n; i++, oi += so, xi += sx) {
                os.set(oi, f32 ? applyF32(f, (float) xs.get(xi), p, q) : f.apply(xs.get(xi), p, q));
            }
        });
    }

    /**
     * Rows shorter than this compute exp, sigmoid and tanh with VecMath's scalar forms (bit-identical to the
     * vector forms). A training step calls these kernels only a few times, so their vector loops reach C2's
     * compile thresholds late, and until then the Vector API runs uncompiled at a small fraction of scalar
     * speed: in W2, the softmax's exp over 128 × 10 logits kept steps at ~7 ms until step ~70. Scalar code
     * is compiled within a few steps; for short rows the vector form's gain, once compiled, is microseconds.
     */
    static final int SCALAR_BELOW = 4096;

    private static void unaryRowF32(UnaryFn f, float p, float q, float[] x, int xo, boolean bx, float[] o, int oo, int n) {
        if (f == UnaryFn.IDENTITY && !bx) {
            System.arraycopy(x, xo, o, oo, n);
            return;
        }
        boolean transcendental = f == UnaryFn.EXP || f == UnaryFn.SIGMOID || f == UnaryFn.TANH;
        if (transcendental && !bx && n >= SCALAR_BELOW) {
            switch (f) {
                case EXP -> VecMath.exp(x, xo, o, oo, n);
                case SIGMOID -> VecMath.sigmoid(x, xo, o, oo, n);
                default -> VecMath.tanh(x, xo, o, oo, n);
            }
            return;
        }
        int i = 0;
        if (vectorizable(f)) {
            FloatVector vp = FloatVector.broadcast(S, p), vq = FloatVector.broadcast(S, q), zero = FloatVector.zero(S);
            for (int upper = S.loopBound(n); i < upper; i += L) {
                FloatVector v = bx ? FloatVector.broadcast(S, x[xo]) : FloatVector.fromArray(S, x, xo + i);
                FloatVector r = switch (f) {
                    case IDENTITY -> v;
                    case NEG -> v.neg();
                    case SQRT -> v.sqrt();
                    case ABS -> v.abs();
                    case RELU -> v.max(zero);
                    case ADD_SCALAR -> v.add(vp);
                    case MUL_SCALAR -> v.mul(vp);
                    case RDIV_SCALAR -> vp.div(v);
                    case CLAMP -> v.max(vp).min(vq);
                    default -> throw new AssertionError(f);
                };
                r.intoArray(o, oo + i);
            }
        }
        for (; i < n; i++) o[oo + i] = applyF32(f, x[bx ? xo : xo + i], p, q);
    }

    /**
     * One float32 element: exp, sigmoid and tanh through {@link VecMath}'s scalar forms, which agree bit
     * for bit with the vector forms the row loop uses, so an element's value does not depend on the
     * tensor's layout or on where in a row it falls.
     */
    static float applyF32(UnaryFn f, float x, double p, double q) {
        return switch (f) {
            case EXP -> VecMath.exp(x);
            case SIGMOID -> VecMath.sigmoid(x);
            case TANH -> VecMath.tanh(x);
            default -> (float) f.apply(x, p, q);
        };
    }

    /**
     * The functions the row loop computes with the Vector API's own operations, which match their scalar
     * forms exactly. exp, sigmoid and tanh are not among them: the Vector API's EXP and TANH go through
     * SVML once C2 compiles the loop and through Math before, and the two differ in the last bit, which
     * would make a seeded run's result depend on JIT timing; rows of those go through {@link VecMath}'s
     * array forms, built from exact operations. log stays scalar.
     */
    private static boolean vectorizable(UnaryFn f) {
        return switch (f) {
            case IDENTITY, NEG, SQRT, ABS, RELU, ADD_SCALAR, MUL_SCALAR, RDIV_SCALAR, CLAMP -> true;
            default -> false;
        };
    }

    @Override
    public void binary(BinaryFn f, Tensor a, Tensor b, Tensor out) {
        Strided it = new Strided(out.shape(), new int[][] {out.strides(), a.strides(), b.strides()},
                new int[] {out.offset(), a.offset(), b.offset()});
        int so = it.innerStride(0), sa = it.innerStride(1), sb = it.innerStride(2);
        if (allF32(a, b, out) && so == 1 && (sa == 0 || sa == 1) && (sb == 0 || sb == 1) && vectorizable(f)) {
            float[] o = f32(out), aa = f32(a), ba = f32(b);
            it.forAllRows(1, (off, n) -> binaryRowF32(f, aa, off[1], sa == 0, ba, off[2], sb == 0, o, off[0], n));
            return;
        }
        Storage os = out.storage(), as = a.storage(), bs = b.storage();
        it.forAllRows(4, (off, n) -> {
            for (int i = 0, oi = off[0], ai = off[1], bi = off[2]; i < n; i++, oi += so, ai += sa, bi += sb) {
                os.set(oi, f.apply(as.get(ai), bs.get(bi)));
            }
        });
    }

    private static boolean vectorizable(BinaryFn f) {
        return switch (f) {
            case ADD, SUB, MUL, DIV, MAX, MIN, RELU_BACKWARD -> true;
            default -> false;
        };
    }

    private static void binaryRowF32(BinaryFn f, float[] a, int ao, boolean ba, float[] b, int bo, boolean bb,
                                     float[] o, int oo, int n) {
        int i;
        if (!ba && !bb) {
            i = switch (f) {
                case ADD -> addVV(a, ao, b, bo, o, oo, n);
                case MUL -> mulVV(a, ao, b, bo, o, oo, n);
                case RELU_BACKWARD -> reluBackwardVV(a, ao, b, bo, o, oo, n);
                default -> 0;
            };
        } else {
            i = 0;
        }
        if (i == 0) {
            FloatVector va0 = FloatVector.broadcast(S, a[ao]), vb0 = FloatVector.broadcast(S, b[bo]);
            for (int upper = S.loopBound(n); i < upper; i += L) {
                FloatVector va = ba ? va0 : FloatVector.fromArray(S, a, ao + i);
                FloatVector vb = bb ? vb0 : FloatVector.fromArray(S, b, bo + i);
                FloatVector r = switch (f) {
                    case ADD -> va.add(vb);
                    case SUB -> va.sub(vb);
                    case MUL -> va.mul(vb);
                    case DIV -> va.div(vb);
                    case MAX -> va.max(vb);
                    case MIN -> va.min(vb);
                    case RELU_BACKWARD -> reluMask(va, vb);
                    default -> throw new AssertionError(f);
                };
                r.intoArray(o, oo + i);
            }
        }
        for (; i < n; i++) o[oo + i] = (float) f.apply(a[ba ? ao : ao + i], b[bb ? bo : bo + i]);
    }

    /**
     * The commonest element-wise ops on two contiguous rows (ReLU's backward once per layer and step), each
     * its own loop so C2 keeps the vectors in registers: in the shared loop above, the switch's arms merge
     * their vectors, and until C2 has seen which arm a caller takes it keeps them as boxed objects.
     */
    private static int addVV(float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(o, oo + i);
        }
        return i;
    }

    private static int mulVV(float[] a, int ao, float[] b, int bo, float[] o, int oo, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(o, oo + i);
        }
        return i;
    }

    private static int reluBackwardVV(float[] g, int go, float[] x, int xo, float[] o, int oo, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            reluMask(FloatVector.fromArray(S, g, go + i), FloatVector.fromArray(S, x, xo + i)).intoArray(o, oo + i);
        }
        return i;
    }

    /** g where x > 0, else 0: {@link BinaryFn#RELU_BACKWARD}'s rule, so a NaN x gives 0 in every lane, as in the row's tail and on the GPU. */
    private static FloatVector reluMask(FloatVector g, FloatVector x) {
        return FloatVector.zero(S).blend(g, x.compare(VectorOperators.GT, 0f));
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        Strided it = new Strided(out.shape(), new int[][] {out.strides(), cond.strides(), a.strides(), b.strides()},
                new int[] {out.offset(), cond.offset(), a.offset(), b.offset()});
        int so = it.innerStride(0), sc = it.innerStride(1), sa = it.innerStride(2), sb = it.innerStride(3);
        Storage os = out.storage(), cs = cond.storage(), as = a.storage(), bs = b.storage();
        it.forAllRows(2, (off, n) -> {
            for (int i = 0, oi = off[0], ci = off[1], ai = off[2], bi = off[3]; i < n;
                 i++, oi += so, ci += sc, ai += sa, bi += sb) {
                os.set(oi, cs.get(ci) != 0 ? as.get(ai) : bs.get(bi));
            }
        });
    }

    @Override
    public void fill(Tensor out, double value) {
        if (out.isContiguous() && out.dtype() == DType.FLOAT32) {
            java.util.Arrays.fill(f32(out), out.offset(), out.offset() + out.numel(), (float) value);
            return;
        }
        Strided it = new Strided(out.shape(), new int[][] {out.strides()}, new int[] {out.offset()});
        int so = it.innerStride(0);
        Storage os = out.storage();
        it.forAllRows(1, (off, n) -> {
            for (int i = 0, oi = off[0]; i < n; i++, oi += so) os.set(oi, value);
        });
    }

    @Override
    public void reduce(ReduceFn f, Tensor x, int dim, Tensor out) {
        if (f == ReduceFn.SUM && allF32(x, out) && x.isContiguous() && out.isContiguous() && dim < x.dim() - 1) {
            sumRowsF32(x, dim, out);
            return;
        }
        int[] xShape = x.shape(), xStrides = x.strides();
        int len = xShape[dim], step = xStrides[dim];
        int[] outer = new int[xShape.length - 1], xOuter = new int[xShape.length - 1];
        for (int d = 0, j = 0; d < xShape.length; d++) {
            if (d == dim) continue;
            outer[j] = xShape[d];
            xOuter[j++] = xStrides[d];
        }
        // out's strides describe the same outer shape (out has x's shape without dim).
        Strided it = new Strided(outer, new int[][] {out.strides(), xOuter}, new int[] {out.offset(), x.offset()});
        int so = it.innerStride(0), sx = it.innerStride(1);
        Storage os = out.storage(), xs = x.storage();
        boolean fastSum = f == ReduceFn.SUM && step == 1 && allF32(x, out);
        it.forAllRows(Math.max(len, 1), (off, n) -> {
            for (int i = 0, oi = off[0], xi = off[1]; i < n; i++, oi += so, xi += sx) {
                if (fastSum) {
                    os.set(oi, sumF32(((Storage.F32) xs).data, xi, len));
                } else {
                    os.set(oi, reduceLine(f, xs, xi, len, step));
                }
            }
        });
    }

    /**
     * Sum over a dimension that is not the last of a contiguous tensor (a bias gradient: [B, n] → [n]):
     * whole rows are added in order with vector adds, parallel over the kept columns.
     */
    private static void sumRowsF32(Tensor x, int dim, Tensor out) {
        int[] s = x.shape();
        int outer = 1, inner = 1, len = s[dim];
        for (int d = 0; d < dim; d++) outer *= s[d];
        for (int d = dim + 1; d < s.length; d++) inner *= s[d];
        float[] xa = f32(x), oa = f32(out);
        int xo = x.offset(), oo = out.offset(), in = inner;
        int chunks = (inner + 4 * L - 1) / (4 * L);
        for (int o = 0; o < outer; o++) {
            int ob = o;
            Parallel.forRange(chunks, (long) len * inner, (from, to) -> {
                int j0 = from * 4 * L, j1 = Math.min(in, to * 4 * L);
                if (j1 - j0 < L) sumColumns(xa, xo + ob * len * in, in, len, oa, oo + ob * in, j0, j1);
                else sumColumnsVector(xa, xo + ob * len * in, in, len, oa, oo + ob * in, j0, j1);
            });
        }
    }

    /**
     * Columns [j0, j1) of out = Σ over len rows (row stride in) of x, one row after another. Fewer columns
     * than a vector (a 10-way layer's bias) take this scalar loop: sharing the vector method's body, C2
     * compiled that for one shape, met the other and threw the code away, six times in W2's first second.
     */
    private static void sumColumns(float[] xa, int xo, int in, int len, float[] oa, int oo, int j0, int j1) {
        java.util.Arrays.fill(oa, oo + j0, oo + j1, 0f);
        for (int r = 0; r < len; r++) {
            for (int j = j0, src = xo + r * in; j < j1; j++) oa[oo + j] += xa[src + j];
        }
    }

    /** As {@link #sumColumns}, whole vectors of columns at a time; the columns after the last whole vector go there. */
    private static void sumColumnsVector(float[] xa, int xo, int in, int len, float[] oa, int oo, int j0, int j1) {
        int jv = j0 + (j1 - j0) / L * L;
        java.util.Arrays.fill(oa, oo + j0, oo + jv, 0f);
        for (int r = 0; r < len; r++) {
            for (int j = j0, src = xo + r * in; j < jv; j += L) {
                FloatVector.fromArray(S, oa, oo + j).add(FloatVector.fromArray(S, xa, src + j)).intoArray(oa, oo + j);
            }
        }
        if (jv < j1) sumColumns(xa, xo, in, len, oa, oo, jv, j1);
    }

    /** Sum of a contiguous float row: lanes accumulate in a vector, then add up in order ({@link #lanesInOrder}). */
    static double sumF32(float[] x, int at, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int upper = S.loopBound(n); i < upper; i += L) acc = acc.add(FloatVector.fromArray(S, x, at + i));
        double s = lanesInOrder(acc);
        for (; i < n; i++) s += x[at + i];
        return s;
    }

    /**
     * A vector accumulator's lanes added up in double, first to last: the fixed order every vector sum here
     * ends with. (reduceLanes is not used: its order differs between compiled and interpreted code, which
     * would make results depend on JIT timing.)
     */
    static double lanesInOrder(FloatVector acc) {
        double s = 0;
        for (int lane = 0; lane < acc.length(); lane++) s += acc.lane(lane);
        return s;
    }

    private static double reduceLine(ReduceFn f, Storage xs, int at, int n, int step) {
        switch (f) {
            case SUM -> {
                double s = 0;
                for (int i = 0; i < n; i++) s += xs.get(at + i * step);
                return s;
            }
            case MAX, MIN, ARGMAX, ARGMIN -> {
                if (n == 0) throw new IllegalArgumentException("cannot take " + f.name().toLowerCase() + " over an empty dimension");
                boolean max = f == ReduceFn.MAX || f == ReduceFn.ARGMAX;
                double best = xs.get(at);
                int bestAt = 0;
                for (int i = 1; i < n && !Double.isNaN(best); i++) {
                    double v = xs.get(at + i * step);
                    if (Double.isNaN(v) || (max ? v > best : v < best)) {
                        best = v;
                        bestAt = i;
                    }
                }
                return (f == ReduceFn.MAX || f == ReduceFn.MIN) ? best : bestAt;
            }
            default -> throw new AssertionError(f);
        }
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) {
        int batch = out.shape()[0], m = out.shape()[1], n = out.shape()[2], k = a.shape()[2];
        int[] as = a.strides(), bs = b.strides();
        if (allF32(a, b, out)) {
            gemmF32(a, b, out, null);
            return;
        }
        Storage xa = a.storage(), xb = b.storage(), xo = out.storage();
        Parallel.forRange(batch * m, (long) batch * m * n * k, (from, to) -> {
            double[] row = new double[n];
            for (int r = from; r < to; r++) {
                int bi = r / m, i = r % m;
                java.util.Arrays.fill(row, 0);
                int aRow = a.offset() + bi * as[0] + i * as[1];
                int bBase = b.offset() + bi * bs[0];
                for (int p = 0; p < k; p++) {
                    double av = xa.get(aRow + p * as[2]);
                    int bRow = bBase + p * bs[1];
                    for (int j = 0; j < n; j++) row[j] += av * xb.get(bRow + j * bs[2]);
                }
                int oRow = out.offset() + r * n;
                for (int j = 0; j < n; j++) xo.set(oRow + j, row[j]);
            }
        });
    }

    /** float32 goes through the GEMM with the bias and ReLU in its epilogue; other dtypes compose. */
    @Override
    public void linear(Tensor a, Tensor b, Tensor bias, boolean biasPerRow, boolean relu, Tensor out) {
        if (!allF32(a, b, out) || (bias != null && (bias.dtype() != DType.FLOAT32 || !bias.isContiguous()))) {
            Backend.super.linear(a, b, bias, biasPerRow, relu, out);
            return;
        }
        gemmF32(a, b, out, new Gemm.Epilogue(bias == null ? null : f32(bias), bias == null ? 0 : bias.offset(), biasPerRow, relu));
    }

    /** Batched float32 GEMM: small matrices go one per thread, larger ones split inside the GEMM. */
    private static void gemmF32(Tensor a, Tensor b, Tensor out, Gemm.Epilogue ep) {
        int batch = out.shape()[0], m = out.shape()[1], n = out.shape()[2], k = a.shape()[2];
        int[] as = a.strides(), bs = b.strides();
        float[] aa = f32(a), ba = f32(b), oa = f32(out);
        long perMatrix = (long) m * n * k;
        boolean acrossBatch = batch > 1 && perMatrix < Gemm.PARALLEL_MIN_WORK * 8;
        java.util.function.IntConsumer one = i -> Gemm.sgemm(m, n, k,
                aa, a.offset() + i * as[0], as[1], as[2],
                ba, b.offset() + i * bs[0], bs[1], bs[2],
                oa, out.offset() + i * m * n, n, !acrossBatch && Gemm.worthThreads(m, n, k), ep);
        if (acrossBatch) {
            Parallel.forTasks(batch, one);
        } else {
            for (int i = 0; i < batch; i++) one.accept(i);
        }
    }

    @Override
    public Tensor conv2d(Tensor x, Tensor w2, Tensor bias, Window w, boolean relu, Tensor y) {
        if (!ConvKernels.applies(x, w2, bias, y)) return Backend.super.conv2d(x, w2, bias, w, relu, y);
        ConvKernels.forward(x, w2, bias, w, relu, y);   // image by image: no unfolded batch to keep
        return null;
    }

    @Override
    public void conv2dWeightGrad(Tensor x, Tensor cols, Tensor g, Window w, Tensor gw2) {
        if (ConvKernels.applies(x, g, gw2)) ConvKernels.weightGrad(x, g, w, gw2);
        else Backend.super.conv2dWeightGrad(x, cols, g, w, gw2);
    }

    @Override
    public void conv2dInputGrad(Tensor w2, Tensor g, Window w, Tensor dx) {
        if (ConvKernels.applies(w2, g, dx)) ConvKernels.inputGrad(w2, g, w, dx);
        else Backend.super.conv2dInputGrad(w2, g, w, dx);
    }

    /**
     * SGD with momentum in one pass per parameter, with the composed form's float operations in its order
     * (an FMA where it has an axpy; with a step size of 1 the FMA is the plain add it has there), so the
     * result is bit for bit the same.
     */
    @Override
    public boolean sgdStep(Tensor p, Tensor d, Tensor buf, double lr, double momentum, double dampening, boolean nesterov) {
        if (!Backend.fusableStep(p, d, buf)) return false;
        float[] pa = f32(p), da = f32(d), ba = f32(buf);
        int po = p.offset(), dof = d.offset(), bo = buf.offset();
        float mom = (float) momentum, keep = (float) (1 - dampening), step = (float) -lr;
        Parallel.forRange(p.numel(), 8L * p.numel(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float g = da[dof + i], b = ba[bo + i] * mom;
                b = Math.fma(keep, g, b);
                ba[bo + i] = b;
                float dir = nesterov ? g + b * mom : b;
                pa[po + i] = Math.fma(step, dir, pa[po + i]);
            }
        });
        return true;
    }

    /**
     * Adam in one pass per parameter. The float operations are those of the composed form, in its order
     * (scalars rounded to float as the element-wise kernels round them, FMAs where its axpy has them), so the
     * result is bit for bit the same; a test compares the two.
     */
    @Override
    public boolean adamStep(Tensor p, Tensor d, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                            double c1, double c2) {
        if (!Backend.fusableStep(p, d, m, v)) return false;
        float[] pa = f32(p), da = f32(d), ma = f32(m), va = f32(v);
        int po = p.offset(), dof = d.offset(), mo = m.offset(), vo = v.offset();
        float b1 = (float) beta1, a1 = (float) (1 - beta1), b2 = (float) beta2, a2 = (float) (1 - beta2);
        float inv = (float) (1 / Math.sqrt(c2)), e = (float) eps, step = (float) (-lr / c1);
        Parallel.forRange(p.numel(), 16L * p.numel(), (from, to) -> {
            for (int i = from; i < to; i++) {
                float g = da[dof + i];
                float mi = Math.fma(a1, g, ma[mo + i] * b1);
                float vi = Math.fma(a2, g * g, va[vo + i] * b2);
                ma[mo + i] = mi;
                va[vo + i] = vi;
                float den = (float) Math.sqrt(vi) * inv + e;
                pa[po + i] = Math.fma(step, mi / den, pa[po + i]);
            }
        });
        return true;
    }

    @Override
    public void crossEntropyRows(Tensor logits, Tensor target, long ignore, Tensor perRow, Tensor lse, Tensor valid) {
        LossKernels.rows(logits, target, ignore, perRow, lse, valid);
    }

    @Override
    public void crossEntropyMean(Tensor perRow, Tensor valid, Tensor mean, Tensor count) { LossKernels.mean(perRow, valid, mean, count); }

    @Override
    public void crossEntropyBackward(Tensor logits, Tensor target, long ignore, Tensor lse, Tensor scale, Tensor divisor, Tensor dx) {
        LossKernels.backward(logits, target, ignore, lse, scale, divisor, dx);
    }

    @Override
    public void softmaxRows(Tensor x, boolean log, Tensor y) { SoftmaxKernels.rows(x, log, y); }

    @Override
    public void softmaxRowsBackward(Tensor y, Tensor g, boolean log, Tensor dx) { SoftmaxKernels.backward(y, g, log, dx); }

    @Override
    public void layerNormRows(Tensor x, double eps, Tensor y, Tensor mean, Tensor rstd) { NormKernels.rows(x, eps, y, mean, rstd); }

    @Override
    public void layerNormRowsBackward(Tensor x, Tensor mean, Tensor rstd, Tensor dy, Tensor dx) {
        NormKernels.backward(x, mean, rstd, dy, dx);
    }

    @Override
    public void batchNormTrain(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double momentum, double eps,
                               Tensor y, Tensor mean, Tensor rstd) {
        NormKernels.batchTrain(x, weight, bias, runningMean, runningVar, momentum, eps, y, mean, rstd);
    }

    @Override
    public void batchNormEval(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps, Tensor y) {
        NormKernels.batchEval(x, weight, bias, runningMean, runningVar, eps, y);
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dy, Tensor dx, Tensor dWeight, Tensor dBias) {
        NormKernels.batchBackward(x, weight, mean, rstd, dy, dx, dWeight, dBias);
    }

    @Override
    public void gather(Tensor x, int dim, Tensor index, Tensor out) {
        int[] xs = x.strides().clone();
        int xDimStride = xs[dim], xDimSize = x.shape()[dim];
        xs[dim] = 0;
        Strided it = new Strided(out.shape(), new int[][] {out.strides(), index.strides(), xs},
                new int[] {out.offset(), index.offset(), x.offset()});
        int so = it.innerStride(0), si = it.innerStride(1), sx = it.innerStride(2);
        Storage os = out.storage(), is = index.storage(), xst = x.storage();
        it.forAllRows(2, (off, n) -> {
            for (int i = 0, oi = off[0], ii = off[1], xi = off[2]; i < n; i++, oi += so, ii += si, xi += sx) {
                int idx = checkedIndex(is.get(ii), xDimSize, dim);
                os.set(oi, xst.get(xi + idx * xDimStride));
            }
        });
    }

    @Override
    public void scatterAdd(Tensor out, int dim, Tensor index, Tensor src) {
        int[] os = out.strides().clone();
        int oDimStride = os[dim], oDimSize = out.shape()[dim];
        os[dim] = 0;
        Strided it = new Strided(index.shape(), new int[][] {os, index.strides(), src.strides()},
                new int[] {out.offset(), index.offset(), src.offset()});
        int so = it.innerStride(0), si = it.innerStride(1), ss = it.innerStride(2);
        Storage ost = out.storage(), is = index.storage(), sst = src.storage();
        it.forRows(0, it.rows, (off, n) -> {
            for (int i = 0, oi = off[0], ii = off[1], sj = off[2]; i < n; i++, oi += so, ii += si, sj += ss) {
                int at = oi + checkedIndex(is.get(ii), oDimSize, dim) * oDimStride;
                ost.set(at, ost.get(at) + sst.get(sj));
            }
        });
    }

    @Override public void im2col(Tensor x, Window w, Tensor out) { WindowKernels.im2col(x, w, out); }

    @Override public void col2im(Tensor cols, Window w, Tensor dx) { WindowKernels.col2im(cols, w, dx); }

    @Override public void maxPool2d(Tensor x, Window w, Tensor out, Tensor argmax) { WindowKernels.maxPool(x, w, out, ints(argmax)); }

    @Override public void maxPool2dBackward(Tensor grad, Tensor argmax, Window w, Tensor dx) { WindowKernels.maxPoolBackward(grad, ints(argmax), dx); }

    private static int[] ints(Tensor argmax) {
        if (!(argmax.storage() instanceof Storage.I32 s) || argmax.offset() != 0 || !argmax.isContiguous()) {
            throw new IllegalArgumentException("max pooling indices must be a fresh contiguous int32 tensor");
        }
        return s.data;
    }

    @Override public void avgPool2d(Tensor x, Window w, Tensor out) { WindowKernels.avgPool(x, w, out); }

    @Override public void avgPool2dBackward(Tensor grad, Window w, Tensor dx) { WindowKernels.avgPoolBackward(grad, w, dx); }

    static int checkedIndex(double v, int size, int dim) {
        long idx = (long) v;
        if (idx < -size || idx >= size) {
            throw new IndexOutOfBoundsException("index " + idx + " is out of bounds for dimension " + dim + " with size " + size);
        }
        return (int) (idx < 0 ? idx + size : idx);
    }
}
