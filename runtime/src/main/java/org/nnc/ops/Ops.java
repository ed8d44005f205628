package org.nnc.ops;

import java.util.Arrays;
import java.util.List;
import org.nnc.autograd.Autograd;
import org.nnc.backend.BinaryFn;
import org.nnc.backend.ReduceFn;
import org.nnc.backend.UnaryFn;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.DeviceStorage;
import org.nnc.tensor.Shape;
import org.nnc.tensor.Tensor;

/**
 * The runtime entry points of the tensor operations: each method checks its arguments, runs the forward
 * kernel of the tensor's backend, and records its backward for autograd. {@link OpTable} lists them by
 * their language names; compiled models call these methods directly.
 *
 * <p>Backward functions are written with these same operations (recording is off while they run), and
 * every gradient that crossed a broadcast is summed back to its input's shape with {@link #sumTo}.
 */
public final class Ops {
    /** Marks an omitted slice bound, like an empty side of {@code a:b} in Python. */
    public static final int NONE = Integer.MIN_VALUE;

    private Ops() {}

    // ============================================================ helpers

    /** A no-copy view of t broadcast to shape (NumPy rules); records nothing. */
    public static Tensor broadcastTo(Tensor t, int[] shape) {
        int[] ts = t.shape(), st = t.strides();
        if (Arrays.equals(ts, shape)) return t;
        if (!Arrays.equals(Shape.broadcast(ts, shape), shape)) {
            throw new IllegalArgumentException("shape " + Shape.str(ts) + " cannot be broadcast to " + Shape.str(shape));
        }
        int lead = shape.length - ts.length;
        int[] strides = new int[shape.length];
        for (int d = 0; d < ts.length; d++) strides[lead + d] = ts[d] == shape[lead + d] ? st[d] : 0;
        return t.asStrided(shape, strides, t.offset());
    }

    /** Sums a gradient over the dimensions that broadcasting added or stretched, giving it {@code shape}. */
    public static Tensor sumTo(Tensor g, int[] shape) {
        if (Arrays.equals(g.shape(), shape)) return g;
        Tensor r = g;
        int lead = g.dim() - shape.length;
        for (int i = 0; i < lead; i++) r = sum(r, 0, false);
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] == 1 && r.size(d) != 1) r = sum(r, d, true);
        }
        return r;
    }

    private static DType floatOf(DType t) { return t.isFloating() ? t : DType.FLOAT32; }

    // ============================================================ element-wise, binary

    private static Tensor binary(BinaryFn f, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(a.shape(), b.shape());
        DType dt = f.isComparison() ? DType.BOOL : DType.promote(a.dtype(), b.dtype());
        if (f == BinaryFn.DIV || f == BinaryFn.POW) dt = floatOf(dt);
        Device dev = commonDevice(a, b);
        Tensor out = Tensor.uninitialized(dt, dev, shape);
        out.backend().binary(f, broadcastTo(on(dev, a), shape), broadcastTo(on(dev, b), shape), out);
        return out;
    }

    /**
     * The device an operation of these tensors runs on. As in PyTorch, a 0-dimensional CPU tensor (a scalar)
     * may join tensors of any device; any other mix is an error that names both devices.
     */
    public static Device commonDevice(Tensor... ts) {
        Device found = null;
        for (Tensor t : ts) {
            Device d = t.device();
            if (t.dim() == 0 && d.kind() == Device.Kind.CPU) continue;
            if (found == null) {
                found = d;
            } else if (!found.equals(d)) {
                throw new IllegalArgumentException("expected all tensors on one device, but found " + found + " and " + d
                        + "; move them with .to(device) first");
            }
        }
        return found == null ? Device.CPU : found;
    }

    /** t on dev: only ever moves a CPU scalar (commonDevice allowed nothing else). */
    private static Tensor on(Device dev, Tensor t) { return t.device().equals(dev) ? t : toDevice(t.detach(), dev); }

    /** x copied to {@code target} (x itself when it is there); the gradient goes back to x's device. */
    public static Tensor toDevice(Tensor x, Device target) {
        Device from = x.device();
        if (from.equals(target)) return x;
        Tensor c = contiguous(x.detach());
        int n = c.numel();
        Tensor y = Tensor.uninitialized(c.dtype(), target, c.shape());
        if (c.storage() instanceof DeviceStorage src) {
            if (target.kind() == Device.Kind.CPU) {
                src.read(c.offset(), y.storage(), 0, n);
            } else {
                Tensor h = Tensor.empty(c.dtype(), c.shape());
                src.read(c.offset(), h.storage(), 0, n);
                ((DeviceStorage) y.storage()).write(h.storage(), 0, 0, n);
            }
        } else {
            ((DeviceStorage) y.storage()).write(c.storage(), c.offset(), 0, n);
        }
        if (!x.dtype().isFloating()) return y;
        return Autograd.record("to", y, g -> new Tensor[] {toDevice(g, from)}, x);
    }

    public static Tensor add(Tensor a, Tensor b) {
        Tensor y = binary(BinaryFn.ADD, a, b);
        return Autograd.record("add", y, g -> new Tensor[] {sumTo(g, a.shape()), sumTo(g, b.shape())}, a, b);
    }

    public static Tensor sub(Tensor a, Tensor b) {
        Tensor y = binary(BinaryFn.SUB, a, b);
        return Autograd.record("sub", y, g -> new Tensor[] {sumTo(g, a.shape()), sumTo(neg(g), b.shape())}, a, b);
    }

    public static Tensor mul(Tensor a, Tensor b) {
        Tensor y = binary(BinaryFn.MUL, a, b);
        return Autograd.record("mul", y, g -> new Tensor[] {sumTo(mul(g, b), a.shape()), sumTo(mul(g, a), b.shape())}, a, b);
    }

    public static Tensor div(Tensor a, Tensor b) {
        Tensor y = binary(BinaryFn.DIV, a, b);
        return Autograd.record("div", y, g -> new Tensor[] {
                sumTo(div(g, b), a.shape()),
                sumTo(neg(div(mul(g, y), b)), b.shape())}, a, b);
    }

    /** a ^ b element-wise; the gradient for b needs a > 0, as in PyTorch. */
    public static Tensor pow(Tensor a, Tensor b) {
        Tensor y = binary(BinaryFn.POW, a, b);
        return Autograd.record("pow", y, g -> new Tensor[] {
                sumTo(mul(g, mul(b, pow(a, sub(b, Tensor.scalar(b.dtype(), 1))))), a.shape()),
                b.requiresGrad() ? sumTo(mul(g, mul(y, log(a))), b.shape()) : null}, a, b);
    }

    /** Element-wise maximum; where a == b the gradient is split evenly, as in PyTorch. */
    public static Tensor maximum(Tensor a, Tensor b) {
        Tensor y = binary(BinaryFn.MAX, a, b);
        return Autograd.record("maximum", y, g -> splitGrad(g, gt(a, b), lt(a, b), eq(a, b), a, b), a, b);
    }

    public static Tensor minimum(Tensor a, Tensor b) {
        Tensor y = binary(BinaryFn.MIN, a, b);
        return Autograd.record("minimum", y, g -> splitGrad(g, lt(a, b), gt(a, b), eq(a, b), a, b), a, b);
    }

    private static Tensor[] splitGrad(Tensor g, Tensor toA, Tensor toB, Tensor tie, Tensor a, Tensor b) {
        Tensor half = mul(mul(g, tie), 0.5);
        return new Tensor[] {sumTo(add(mul(g, toA), half), a.shape()), sumTo(add(mul(g, toB), half), b.shape())};
    }

    /** g where x > 0, else 0: ReLU's backward in one pass (not differentiable itself). */
    public static Tensor reluBackward(Tensor g, Tensor x) { return binary(BinaryFn.RELU_BACKWARD, g, x); }

    public static Tensor eq(Tensor a, Tensor b) { return binary(BinaryFn.EQ, a, b); }
    public static Tensor ne(Tensor a, Tensor b) { return binary(BinaryFn.NE, a, b); }
    public static Tensor lt(Tensor a, Tensor b) { return binary(BinaryFn.LT, a, b); }
    public static Tensor le(Tensor a, Tensor b) { return binary(BinaryFn.LE, a, b); }
    public static Tensor gt(Tensor a, Tensor b) { return binary(BinaryFn.GT, a, b); }
    public static Tensor ge(Tensor a, Tensor b) { return binary(BinaryFn.GE, a, b); }
    public static Tensor logicalAnd(Tensor a, Tensor b) { return binary(BinaryFn.AND, a, b); }
    public static Tensor logicalOr(Tensor a, Tensor b) { return binary(BinaryFn.OR, a, b); }
    public static Tensor logicalNot(Tensor a) { return unary(UnaryFn.NOT, 0, 0, a); }

    // ============================================================ element-wise, unary

    /** f applied element-wise, outside autograd: for ops defined elsewhere (nn) that record their own backward. */
    public static Tensor map(UnaryFn f, double p, double q, Tensor x) { return unary(f, p, q, x); }

    private static Tensor unary(UnaryFn f, double p, double q, Tensor x) {
        Tensor out = Tensor.uninitialized(unaryType(f, x.dtype(), p, q), x.device(), x.shape());
        x.backend().unary(f, p, q, x, out);
        return out;
    }

    private static DType unaryType(UnaryFn f, DType in, double p, double q) {
        return switch (f) {
            case NOT, IN_RANGE -> DType.BOOL;
            case IDENTITY, NEG, ABS, SIGN, RELU -> in;
            case ADD_SCALAR, MUL_SCALAR, CLAMP -> p == Math.rint(p) && (q == Math.rint(q) || Double.isInfinite(q)) ? in : floatOf(in);
            default -> floatOf(in);
        };
    }

    public static Tensor add(Tensor x, double s) {
        Tensor y = unary(UnaryFn.ADD_SCALAR, s, 0, x);
        return Autograd.record("add", y, g -> new Tensor[] {g}, x);
    }

    public static Tensor mul(Tensor x, double s) {
        Tensor y = unary(UnaryFn.MUL_SCALAR, s, 0, x);
        return Autograd.record("mul", y, g -> new Tensor[] {mul(g, s)}, x);
    }

    /** s / x */
    public static Tensor rdiv(double s, Tensor x) {
        Tensor y = unary(UnaryFn.RDIV_SCALAR, s, 0, x);
        return Autograd.record("div", y, g -> new Tensor[] {neg(div(mul(g, y), x))}, x);
    }

    public static Tensor neg(Tensor x) {
        Tensor y = unary(UnaryFn.NEG, 0, 0, x);
        return Autograd.record("neg", y, g -> new Tensor[] {neg(g)}, x);
    }

    public static Tensor exp(Tensor x) {
        Tensor y = unary(UnaryFn.EXP, 0, 0, x);
        return Autograd.record("exp", y, g -> new Tensor[] {mul(g, y)}, x);
    }

    public static Tensor log(Tensor x) {
        Tensor y = unary(UnaryFn.LOG, 0, 0, x);
        return Autograd.record("log", y, g -> new Tensor[] {div(g, x)}, x);
    }

    public static Tensor sqrt(Tensor x) {
        Tensor y = unary(UnaryFn.SQRT, 0, 0, x);
        return Autograd.record("sqrt", y, g -> new Tensor[] {div(mul(g, 0.5), y)}, x);
    }

    /** |x|; the gradient at 0 is 0, as PyTorch's sign(0). */
    public static Tensor abs(Tensor x) {
        Tensor y = unary(UnaryFn.ABS, 0, 0, x);
        return Autograd.record("abs", y, g -> new Tensor[] {mul(g, unary(UnaryFn.SIGN, 0, 0, x))}, x);
    }

    public static Tensor pow(Tensor x, double p) {
        Tensor y = unary(UnaryFn.POW_SCALAR, p, 0, x);
        return Autograd.record("pow", y, g -> new Tensor[] {p == 0 ? mul(g, 0.0) : mul(mul(g, pow(x, p - 1)), p)}, x);
    }

    /** Limits x to [min, max]; the gradient passes where min <= x <= max. Use ±infinity for one side. */
    public static Tensor clamp(Tensor x, double min, double max) {
        Tensor y = unary(UnaryFn.CLAMP, min, max, x);
        return Autograd.record("clamp", y, g -> new Tensor[] {mul(g, unary(UnaryFn.IN_RANGE, min, max, x))}, x);
    }

    // ============================================================ selection

    /** cond ? a : b, all three broadcast together. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        int[] shape = Shape.broadcast(cond.shape(), Shape.broadcast(a.shape(), b.shape()));
        Device dev = commonDevice(cond, a, b);
        Tensor out = Tensor.uninitialized(DType.promote(a.dtype(), b.dtype()), dev, shape);
        out.backend().where(broadcastTo(on(dev, cond), shape), broadcastTo(on(dev, a), shape), broadcastTo(on(dev, b), shape), out);
        return Autograd.record("where", out, g -> {
            Tensor zero = Tensor.scalar(g.dtype(), 0);
            return new Tensor[] {null, sumTo(where(cond, g, zero), a.shape()), sumTo(where(cond, zero, g), b.shape())};
        }, cond, a, b);
    }

    public static Tensor where(Tensor cond, Tensor a, double b) { return where(cond, a, Tensor.scalar(a.dtype(), b)); }

    /** x with value wherever mask (broadcast to x's shape) is true. */
    public static Tensor maskedFill(Tensor x, Tensor mask, double value) {
        Device dev = commonDevice(x, mask);
        Tensor m = broadcastTo(on(dev, mask), x.shape());
        Tensor out = Tensor.uninitialized(x.dtype(), dev, x.shape());
        x.backend().where(m, broadcastTo(on(dev, Tensor.scalar(x.dtype(), value)), x.shape()), x, out);
        return Autograd.record("masked_fill", out, g -> new Tensor[] {where(m, Tensor.scalar(g.dtype(), 0), g), null}, x, mask);
    }

    // ============================================================ reductions

    private static Tensor reduce(ReduceFn f, Tensor x, int dim) {
        int[] s = x.shape();
        int[] outShape = new int[s.length - 1];
        for (int d = 0, j = 0; d < s.length; d++) if (d != dim) outShape[j++] = s[d];
        DType dt = (f == ReduceFn.ARGMAX || f == ReduceFn.ARGMIN) ? DType.INT64
                : (f == ReduceFn.SUM && !x.dtype().isFloating() ? DType.INT64 : x.dtype());
        Tensor out = Tensor.uninitialized(dt, x.device(), outShape);
        x.backend().reduce(f, x, dim, out);
        return out;
    }

    private static Tensor flat(Tensor x) {
        Tensor c = contiguous(x.detach());
        return c.asStrided(new int[] {c.numel()}, new int[] {1}, c.offset());
    }

    private static int[] keepShape(int[] shape, int dim) {
        int[] k = shape.clone();
        k[dim] = 1;
        return k;
    }

    public static Tensor sum(Tensor x) {
        Tensor y = reduce(ReduceFn.SUM, flat(x), 0);
        return Autograd.record("sum", y, g -> new Tensor[] {broadcastTo(g, x.shape())}, x);
    }

    public static Tensor sum(Tensor x, int dim, boolean keep) {
        int d = Shape.wrapDim(dim, x.dim());
        Tensor r = reduce(ReduceFn.SUM, x, d);
        int[] ks = keepShape(x.shape(), d);
        Tensor y = keep ? r.asStrided(ks, Shape.contiguousStrides(ks), 0) : r;
        return Autograd.record("sum", y, g -> new Tensor[] {broadcastTo(reshape(g, ks), x.shape())}, x);
    }

    public static Tensor mean(Tensor x) {
        return mul(sum(x.dtype().isFloating() ? x : to(x, DType.FLOAT32)), 1.0 / x.numel());
    }

    public static Tensor mean(Tensor x, int dim, boolean keep) {
        Tensor xf = x.dtype().isFloating() ? x : to(x, DType.FLOAT32);
        return mul(sum(xf, dim, keep), 1.0 / x.size(dim));
    }

    public static Tensor max(Tensor x) { return extremum(ReduceFn.MAX, x); }

    public static Tensor min(Tensor x) { return extremum(ReduceFn.MIN, x); }

    /** Max or min over all elements; the gradient is shared evenly among ties, as PyTorch's amax. */
    private static Tensor extremum(ReduceFn f, Tensor x) {
        if (x.numel() == 0) throw new IllegalArgumentException(f.name().toLowerCase() + "() of an empty tensor");
        Tensor y = reduce(f, flat(x), 0);
        return Autograd.record(f.name().toLowerCase(), y, g -> {
            Tensor hits = to(eq(x, y), g.dtype());
            return new Tensor[] {mul(hits, div(g, sum(hits)))};
        }, x);
    }

    public static Tensor max(Tensor x, int dim, boolean keep) { return extremum(ReduceFn.MAX, ReduceFn.ARGMAX, x, dim, keep); }

    public static Tensor min(Tensor x, int dim, boolean keep) { return extremum(ReduceFn.MIN, ReduceFn.ARGMIN, x, dim, keep); }

    /** Max or min along dim; the gradient goes to the first extreme element, as PyTorch's max(dim). */
    private static Tensor extremum(ReduceFn f, ReduceFn argf, Tensor x, int dim, boolean keep) {
        int d = Shape.wrapDim(dim, x.dim());
        int[] ks = keepShape(x.shape(), d);
        Tensor values = reduce(f, x, d);
        Tensor y = keep ? values.asStrided(ks, Shape.contiguousStrides(ks), 0) : values;
        return Autograd.record(f.name().toLowerCase(), y, g -> {
            Tensor idx = reduce(argf, x, d);
            idx = idx.asStrided(ks, Shape.contiguousStrides(ks), 0);
            Tensor gx = Tensor.empty(g.dtype(), g.device(), x.shape());
            gx.backend().scatterAdd(gx, d, idx, reshape(g, ks));
            return new Tensor[] {gx};
        }, x);
    }

    /** Index of the largest element of the flattened tensor (int64 scalar). */
    public static Tensor argmax(Tensor x) { return reduce(ReduceFn.ARGMAX, flat(x), 0); }

    public static Tensor argmax(Tensor x, int dim, boolean keep) {
        int d = Shape.wrapDim(dim, x.dim());
        Tensor r = reduce(ReduceFn.ARGMAX, x, d);
        int[] ks = keepShape(x.shape(), d);
        return keep ? r.asStrided(ks, Shape.contiguousStrides(ks), 0) : r;
    }

    public static Tensor argmin(Tensor x, int dim, boolean keep) {
        int d = Shape.wrapDim(dim, x.dim());
        Tensor r = reduce(ReduceFn.ARGMIN, x, d);
        int[] ks = keepShape(x.shape(), d);
        return keep ? r.asStrided(ks, Shape.contiguousStrides(ks), 0) : r;
    }

    // ============================================================ linear algebra

    /**
     * Matrix product with NumPy's rules: 2-D @ 2-D, batched with broadcast batch dimensions, and a 1-D
     * operand promoted to a row (left) or column (right) vector whose added dimension is removed again.
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        if (a.dim() == 0 || b.dim() == 0) {
            throw new IllegalArgumentException("matmul needs tensors of at least one dimension, got shapes "
                    + Shape.str(a.shape()) + " and " + Shape.str(b.shape()));
        }
        Tensor a2 = a.dim() == 1 ? rawUnsqueeze(a, 0) : a;
        Tensor b2 = b.dim() == 1 ? rawUnsqueeze(b, 1) : b;
        int n = a2.size(-2), k = a2.size(-1), k2 = b2.size(-2), m = b2.size(-1);
        if (k != k2) {
            throw new IllegalArgumentException("matmul: shapes " + Shape.str(a.shape()) + " and " + Shape.str(b.shape())
                    + " cannot be multiplied (" + k + " columns vs " + k2 + " rows)");
        }
        int[] batch = Shape.broadcast(Arrays.copyOf(a2.shape(), a2.dim() - 2), Arrays.copyOf(b2.shape(), b2.dim() - 2));
        int bt = Shape.numel(batch);
        Device dev = commonDevice(a, b);
        Tensor a3 = batched(broadcastTo(a2, concat(batch, n, k)), bt);
        Tensor b3 = batched(broadcastTo(b2, concat(batch, k, m)), bt);
        Tensor out = Tensor.uninitialized(DType.promote(a.dtype(), b.dtype()), dev, bt, n, m);
        a.backend().matmul(a3, b3, out);
        int[] outShape = concat(batch, n, m);
        if (a.dim() == 1) outShape = remove(outShape, outShape.length - 2);
        if (b.dim() == 1) outShape = remove(outShape, outShape.length - 1);
        Tensor y = out.asStrided(outShape, Shape.contiguousStrides(outShape), 0);
        return Autograd.record("matmul", y, g -> {
            Tensor gg = g;
            if (b.dim() == 1) gg = unsqueeze(gg, -1);
            if (a.dim() == 1) gg = unsqueeze(gg, -2);
            Tensor ga = a.requiresGrad() ? reshape(sumTo(matmul(gg, transpose(b2, -1, -2)), a2.shape()), a.shape()) : null;
            Tensor gb = b.requiresGrad() ? reshape(sumTo(matmul(transpose(a2, -1, -2), gg), b2.shape()), b.shape()) : null;
            return new Tensor[] {ga, gb};
        }, a, b);
    }

    private static int[] concat(int[] head, int... tail) {
        int[] r = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, r, head.length, tail.length);
        return r;
    }

    private static int[] remove(int[] a, int i) {
        int[] r = new int[a.length - 1];
        for (int s = 0, d = 0; s < a.length; s++) if (s != i) r[d++] = a[s];
        return r;
    }

    private static Tensor rawUnsqueeze(Tensor t, int dim) {
        int[] s = t.shape(), st = t.strides();
        int[] ns = new int[s.length + 1], nst = new int[s.length + 1];
        for (int i = 0, j = 0; i < ns.length; i++) {
            if (i == dim) {
                ns[i] = 1;
                nst[i] = 0;
            } else {
                ns[i] = s[j];
                nst[i] = st[j++];
            }
        }
        return t.asStrided(ns, nst, t.offset());
    }

    /** Views [batch..., r, c] as [bt, r, c] with one batch stride, copying only when the batch dims do not merge. */
    private static Tensor batched(Tensor t, int bt) {
        int[] s = t.shape(), st = t.strides();
        int nb = s.length - 2;
        int stride = 0;
        boolean ok = true;
        int expect = -1;
        for (int d = nb - 1; d >= 0; d--) {
            if (s[d] == 1) continue;
            if (expect == -1) {
                stride = st[d];
            } else if (st[d] != expect) {
                ok = false;
                break;
            }
            expect = st[d] * s[d];
        }
        if (!ok) {
            Tensor c = Tensor.uninitialized(t.dtype(), t.device(), s);
            t.backend().unary(UnaryFn.IDENTITY, 0, 0, t, c);
            return batched(c, bt);
        }
        return t.asStrided(new int[] {bt, s[nb], s[nb + 1]}, new int[] {stride, st[nb], st[nb + 1]}, t.offset());
    }

    // ============================================================ views and copies

    public static Tensor contiguous(Tensor x) { return x.isContiguous() ? x : copy(x); }

    /** A contiguous copy with fresh storage. */
    public static Tensor copy(Tensor x) {
        Tensor y = Tensor.uninitialized(x.dtype(), x.device(), x.shape());
        x.backend().unary(UnaryFn.IDENTITY, 0, 0, x, y);
        return Autograd.record("copy", y, g -> new Tensor[] {g}, x);
    }

    /** Converts the element type; gradients flow between floating types. */
    public static Tensor to(Tensor x, DType dtype) {
        if (x.dtype() == dtype) return x;
        Tensor y = Tensor.uninitialized(dtype, x.device(), x.shape());
        x.backend().unary(UnaryFn.IDENTITY, 0, 0, x, y);
        if (!dtype.isFloating()) return y;
        return Autograd.record("to", y, g -> new Tensor[] {to(g, x.dtype())}, x);
    }

    private static int[] inferShape(int[] requested, int numel, int[] from) {
        int[] s = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape: only one dimension can be -1, got " + Shape.str(requested));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException("reshape: invalid dimension " + s[i] + " in " + Shape.str(requested));
            } else {
                known *= s[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("reshape: shape " + Shape.str(requested) + " is invalid for "
                        + Shape.str(from) + " (" + numel + " elements)");
            }
            s[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException("reshape: shape " + Shape.str(requested) + " has " + known
                    + " elements but " + Shape.str(from) + " has " + numel);
        }
        return s;
    }

    /** Same elements in a new shape (one -1 is inferred); a view when x is contiguous, else a copy. */
    public static Tensor reshape(Tensor x, int... shape) {
        int[] s = inferShape(shape, x.numel(), x.shape());
        if (Arrays.equals(s, x.shape())) return x;
        Tensor c = x.isContiguous() ? x : copy(x.detach());
        Tensor y = c.asStrided(s, Shape.contiguousStrides(s), c.offset());
        int[] original = x.shape();
        return Autograd.record("reshape", y, g -> new Tensor[] {reshape(g, original)}, x);
    }

    /** Like reshape, but never copies: x must be contiguous. */
    public static Tensor view(Tensor x, int... shape) {
        if (!x.isContiguous()) {
            throw new IllegalArgumentException("view: a tensor of shape " + Shape.str(x.shape()) + " and strides "
                    + Shape.str(x.strides()) + " is not contiguous; use reshape(), which copies when needed");
        }
        return reshape(x, shape);
    }

    public static Tensor flatten(Tensor x, int from, int to) {
        if (x.dim() == 0) return reshape(x, 1);
        int f = Shape.wrapDim(from, x.dim()), t = Shape.wrapDim(to, x.dim());
        if (f > t) throw new IllegalArgumentException("flatten: start dimension " + from + " is after end dimension " + to);
        int[] s = x.shape();
        int[] ns = new int[s.length - (t - f)];
        int j = 0;
        for (int d = 0; d < f; d++) ns[j++] = s[d];
        int p = 1;
        for (int d = f; d <= t; d++) p *= s[d];
        ns[j++] = p;
        for (int d = t + 1; d < s.length; d++) ns[j++] = s[d];
        return reshape(x, ns);
    }

    public static Tensor transpose(Tensor x, int i, int j) {
        int a = Shape.wrapDim(i, x.dim()), b = Shape.wrapDim(j, x.dim());
        int[] perm = new int[x.dim()];
        for (int d = 0; d < perm.length; d++) perm[d] = d;
        perm[a] = b;
        perm[b] = a;
        return permute(x, perm);
    }

    public static Tensor permute(Tensor x, int... dims) {
        int n = x.dim();
        if (dims.length != n) {
            throw new IllegalArgumentException("permute: " + dims.length + " dimensions given for a tensor of rank " + n);
        }
        int[] p = new int[n], inverse = new int[n];
        boolean[] seen = new boolean[n];
        int[] s = x.shape(), st = x.strides(), ns = new int[n], nst = new int[n];
        for (int d = 0; d < n; d++) {
            p[d] = Shape.wrapDim(dims[d], n);
            if (seen[p[d]]) throw new IllegalArgumentException("permute: dimension " + p[d] + " repeats in " + Shape.str(dims));
            seen[p[d]] = true;
            inverse[p[d]] = d;
            ns[d] = s[p[d]];
            nst[d] = st[p[d]];
        }
        Tensor y = x.asStrided(ns, nst, x.offset());
        return Autograd.record("permute", y, g -> new Tensor[] {permute(g, inverse)}, x);
    }

    /**
     * Python slicing {@code x[start:end:step]} along dim: negative bounds count from the end, out-of-range
     * bounds are clipped, {@link #NONE} omits a bound, and a negative step walks backwards (as NumPy).
     */
    public static Tensor slice(Tensor x, int dim, int start, int end, int step) {
        int d = Shape.wrapDim(dim, x.dim());
        int size = x.size(d);
        if (step == 0) throw new IllegalArgumentException("slice step cannot be zero");
        int lo, hi, len;
        if (step > 0) {
            lo = start == NONE ? 0 : clip(start < 0 ? start + size : start, 0, size);
            hi = end == NONE ? size : clip(end < 0 ? end + size : end, 0, size);
            len = hi > lo ? (hi - lo + step - 1) / step : 0;
        } else {
            lo = start == NONE ? size - 1 : clip(start < 0 ? start + size : start, -1, size - 1);
            hi = end == NONE ? -1 : clip(end < 0 ? end + size : end, -1, size - 1);
            len = lo > hi ? (lo - hi - step - 1) / -step : 0;
        }
        Tensor y = sliceView(x, d, lo, len, step);
        return Autograd.recordView("slice", y, gx -> sliceView(gx, d, lo, len, step), x);
    }

    private static int clip(int v, int lo, int hi) { return Math.max(lo, Math.min(hi, v)); }

    private static Tensor sliceView(Tensor x, int d, int start, int len, int step) {
        int[] s = x.shape(), st = x.strides();
        int off = x.offset() + (len > 0 ? start * st[d] : 0);
        s[d] = len;
        st[d] *= step;
        return x.asStrided(s, st, off);
    }

    /** x[..., i, ...] along dim, removing that dimension. */
    public static Tensor select(Tensor x, int dim, int index) {
        int d = Shape.wrapDim(dim, x.dim());
        int size = x.size(d);
        if (index < -size || index >= size) {
            throw new IndexOutOfBoundsException("index " + index + " is out of bounds for dimension " + d + " with size " + size);
        }
        int i = index < 0 ? index + size : index;
        Tensor y = squeezeView(sliceView(x, d, i, 1, 1), d);
        return Autograd.recordView("select", y, gx -> squeezeView(sliceView(gx, d, i, 1, 1), d), x);
    }

    private static Tensor squeezeView(Tensor x, int d) {
        return x.asStrided(remove(x.shape(), d), remove(x.strides(), d), x.offset());
    }

    /** Broadcasts x to shape without copying; -1 keeps a dimension, as torch's expand. */
    public static Tensor expand(Tensor x, int... shape) {
        int[] s = shape.clone();
        int lead = s.length - x.dim();
        if (lead < 0) {
            throw new IllegalArgumentException("expand: shape " + Shape.str(shape) + " has fewer dimensions than "
                    + Shape.str(x.shape()));
        }
        for (int d = 0; d < x.dim(); d++) if (s[lead + d] == -1) s[lead + d] = x.size(d);
        Tensor y = broadcastTo(x, s);
        int[] original = x.shape();
        return Autograd.record("expand", y, g -> new Tensor[] {sumTo(g, original)}, x);
    }

    public static Tensor unsqueeze(Tensor x, int dim) {
        int d = Shape.wrapDim(dim, x.dim() + 1);
        int[] s = x.shape();
        int[] ns = new int[s.length + 1];
        for (int i = 0, j = 0; i < ns.length; i++) ns[i] = i == d ? 1 : s[j++];
        return reshape(x, ns);
    }

    /** Removes dim if its size is 1 (otherwise returns x unchanged, as PyTorch). */
    public static Tensor squeeze(Tensor x, int dim) {
        int d = Shape.wrapDim(dim, x.dim());
        return x.size(d) == 1 ? reshape(x, remove(x.shape(), d)) : x;
    }

    /** Removes every dimension of size 1. */
    public static Tensor squeeze(Tensor x) {
        return reshape(x, Arrays.stream(x.shape()).filter(v -> v != 1).toArray());
    }

    // ============================================================ joining and indexing

    /** Joins tensors along an existing dimension; the others must agree. */
    public static Tensor concat(List<Tensor> parts, int dim) {
        if (parts.isEmpty()) throw new IllegalArgumentException("concat of an empty list");
        Tensor first = parts.get(0);
        int d = Shape.wrapDim(dim, first.dim());
        int[] shape = first.shape();
        int total = 0;
        DType dt = first.dtype();
        for (int i = 0; i < parts.size(); i++) {
            Tensor p = parts.get(i);
            if (p.dim() != first.dim()) {
                throw new IllegalArgumentException("concat: tensor " + i + " has rank " + p.dim() + ", tensor 0 has rank " + first.dim());
            }
            for (int k = 0; k < shape.length; k++) {
                if (k != d && p.size(k) != shape[k]) {
                    throw new IllegalArgumentException("concat along dimension " + d + ": tensor " + i + " has shape "
                            + Shape.str(p.shape()) + " but tensor 0 has " + Shape.str(shape) + " (dimension " + k + " differs)");
                }
            }
            total += p.size(d);
            dt = DType.promote(dt, p.dtype());
        }
        shape[d] = total;
        Device dev = commonDevice(parts.toArray(new Tensor[0]));
        Tensor out = Tensor.uninitialized(dt, dev, shape);
        int[] starts = new int[parts.size()];
        for (int i = 0, at = 0; i < parts.size(); i++) {
            starts[i] = at;
            Tensor p = parts.get(i);
            out.backend().unary(UnaryFn.IDENTITY, 0, 0, on(dev, p), sliceView(out, d, at, p.size(d), 1));
            at += p.size(d);
        }
        Tensor[] inputs = parts.toArray(new Tensor[0]);
        return Autograd.record("concat", out, g -> {
            Tensor[] gs = new Tensor[inputs.length];
            for (int i = 0; i < gs.length; i++) gs[i] = sliceView(g, d, starts[i], inputs[i].size(d), 1);
            return gs;
        }, inputs);
    }

    /** Joins same-shaped tensors along a new dimension. */
    public static Tensor stack(List<Tensor> parts, int dim) {
        if (parts.isEmpty()) throw new IllegalArgumentException("stack of an empty list");
        int d = Shape.wrapDim(dim, parts.get(0).dim() + 1);
        for (int i = 1; i < parts.size(); i++) {
            if (!Arrays.equals(parts.get(i).shape(), parts.get(0).shape())) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shape.str(parts.get(i).shape())
                        + " but tensor 0 has " + Shape.str(parts.get(0).shape()));
            }
        }
        return concat(parts.stream().map(p -> unsqueeze(p, d)).toList(), d);
    }

    private static void checkIndex(Tensor index, String op) {
        if (index.dtype() != DType.INT64 && index.dtype() != DType.INT32) {
            throw new IllegalArgumentException(op + ": index must be an integer tensor, got " + index.dtype());
        }
    }

    /** Picks along dim the entries named by index: out[i][j][k] = x[i][index[i][j][k]][k] for dim 1. */
    public static Tensor gather(Tensor x, int dim, Tensor index) {
        checkIndex(index, "gather");
        int d = Shape.wrapDim(dim, x.dim());
        if (index.dim() != x.dim()) {
            throw new IllegalArgumentException("gather: index has rank " + index.dim() + " but the input has rank " + x.dim());
        }
        for (int k = 0; k < x.dim(); k++) {
            if (k != d && index.size(k) > x.size(k)) {
                throw new IllegalArgumentException("gather: index shape " + Shape.str(index.shape()) + " is larger than input shape "
                        + Shape.str(x.shape()) + " in dimension " + k);
            }
        }
        Device dev = commonDevice(x, index);
        Tensor out = Tensor.uninitialized(x.dtype(), dev, index.shape());
        x.backend().gather(x, d, index, out);
        int[] shape = x.shape();
        return Autograd.record("gather", out, g -> {
            Tensor gx = Tensor.empty(g.dtype(), g.device(), shape);
            gx.backend().scatterAdd(gx, d, index, g);
            return new Tensor[] {gx, null};
        }, x, index);
    }

    /** The slices of x along dim named by a 1-D index, in that order. */
    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        checkIndex(index, "index_select");
        if (index.dim() != 1) throw new IllegalArgumentException("index_select: index must be 1-D, got shape " + Shape.str(index.shape()));
        int d = Shape.wrapDim(dim, x.dim());
        int[] shape = x.shape();
        shape[d] = index.size(0);
        int[] st = new int[shape.length];
        st[d] = index.strides()[0];
        return gather(x, d, index.asStrided(shape, st, index.offset()));
    }
}
