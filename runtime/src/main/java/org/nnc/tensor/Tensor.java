package org.nnc.tensor;

import java.util.Arrays;
import org.nnc.autograd.Autograd;
import org.nnc.autograd.GradMode;
import org.nnc.autograd.Node;
import org.nnc.backend.Backend;
import org.nnc.backend.Devices;
import org.nnc.backend.cpu.CpuBackend;
import org.nnc.ops.Ops;

/**
 * An n-dimensional array: a view (shape, strides, offset) onto a {@link Storage}, plus the autograd state
 * (whether it requires a gradient, its accumulated gradient, and the graph node that produced it).
 *
 * <p>The instance methods mirror PyTorch's tensor methods and delegate to {@link Ops}, where each
 * operation's forward and backward are defined once.
 */
public final class Tensor {
    private Storage storage;
    private final int[] shape;
    private int[] strides;
    private int offset;
    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;

    /** A view onto {@code storage}; no data is copied. Ops build their results through this. */
    public Tensor(Storage storage, int[] shape, int[] strides, int offset) {
        this.storage = storage;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Shape.str(shape));
        }
    }

    // ---------------------------------------------------------------- creation

    public static Tensor empty(DType dtype, int... shape) {
        return new Tensor(Storage.allocate(dtype, Shape.numel(shape)), shape, Shape.contiguousStrides(shape), 0);
    }

    /**
     * A contiguous tensor on {@code device} whose contents are undefined (zeros on the CPU): for results that a
     * kernel then writes in full.
     */
    public static Tensor uninitialized(DType dtype, Device device, int... shape) {
        if (device.kind() == Device.Kind.CPU) return empty(dtype, shape);
        return new Tensor(Devices.backend(device).allocateUninitialized(dtype, Shape.numel(shape)), shape, Shape.contiguousStrides(shape), 0);
    }

    /** A contiguous tensor on {@code device} (zero-filled, like every fresh storage). */
    public static Tensor empty(DType dtype, Device device, int... shape) {
        if (device.kind() == Device.Kind.CPU) return empty(dtype, shape);
        return new Tensor(Devices.backend(device).allocate(dtype, Shape.numel(shape)), shape, Shape.contiguousStrides(shape), 0);
    }

    public static Tensor zeros(int... shape) { return empty(DType.FLOAT32, shape); }

    public static Tensor zeros(DType dtype, int... shape) { return empty(dtype, shape); }

    public static Tensor ones(int... shape) { return full(1, shape); }

    public static Tensor ones(DType dtype, int... shape) { return full(dtype, 1, shape); }

    public static Tensor full(double value, int... shape) { return full(DType.FLOAT32, value, shape); }

    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = empty(dtype, shape);
        if (value != 0) t.backend().fill(t, value);
        return t;
    }

    /** Zeros of t's dtype and shape, on t's device. */
    public static Tensor zerosLike(Tensor t) { return empty(t.dtype(), t.device(), t.shape); }

    public static Tensor onesLike(Tensor t) {
        Tensor o = uninitialized(t.dtype(), t.device(), t.shape);   // the fill writes every element: no zeroing first
        o.backend().fill(o, 1);
        return o;
    }

    /** A 0-dimensional float32 tensor. */
    public static Tensor scalar(double value) { return full(DType.FLOAT32, value); }

    public static Tensor scalar(DType dtype, double value) { return full(dtype, value); }

    /** Values start, start + step, … below end; int64 when all three are whole numbers, as torch.arange. */
    public static Tensor arange(double start, double end, double step) {
        boolean whole = start == Math.rint(start) && end == Math.rint(end) && step == Math.rint(step);
        return arange(whole ? DType.INT64 : DType.FLOAT32, start, end, step);
    }

    public static Tensor arange(int end) { return arange(0, end, 1); }

    public static Tensor arange(DType dtype, double start, double end, double step) {
        if (step == 0) throw new IllegalArgumentException("arange step must not be zero");
        int n = (int) Math.max(0, Math.ceil((end - start) / step));
        Tensor t = empty(dtype, n);
        for (int i = 0; i < n; i++) t.storage.set(i, start + i * step);
        return t;
    }

    /** Uniform in [0, 1) from the global generator. */
    public static Tensor rand(int... shape) { return rand(Generator.global(), DType.FLOAT32, shape); }

    public static Tensor rand(Generator g, DType dtype, int... shape) {
        Tensor t = empty(dtype, shape);
        for (int i = 0, n = t.numel(); i < n; i++) t.storage.set(i, g.nextDouble());
        return t;
    }

    /** Standard normal from the global generator. */
    public static Tensor randn(int... shape) { return randn(Generator.global(), DType.FLOAT32, shape); }

    public static Tensor randn(Generator g, DType dtype, int... shape) {
        Tensor t = empty(dtype, shape);
        for (int i = 0, n = t.numel(); i < n; i++) t.storage.set(i, g.nextGaussian());
        return t;
    }

    /** Wraps the array (no copy) as a float32 tensor of the given shape. */
    public static Tensor of(float[] data, int... shape) {
        Storage lent = StepScope.storageOf(data);   // an array a kernel had from the open step: the step's storage
        return new Tensor(lent != null ? lent : new Storage.F32(data), checkCount(data.length, shape), Shape.contiguousStrides(shape), 0);
    }

    public static Tensor of(double[] data, int... shape) {
        return new Tensor(new Storage.F64(data), checkCount(data.length, shape), Shape.contiguousStrides(shape), 0);
    }

    public static Tensor of(long[] data, int... shape) {
        return new Tensor(new Storage.I64(data), checkCount(data.length, shape), Shape.contiguousStrides(shape), 0);
    }

    public static Tensor of(int[] data, int... shape) {
        return new Tensor(new Storage.I32(data), checkCount(data.length, shape), Shape.contiguousStrides(shape), 0);
    }

    public static Tensor of(boolean[] data, int... shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (data[i] ? 1 : 0);
        return new Tensor(new Storage.Bool(b), checkCount(data.length, shape), Shape.contiguousStrides(shape), 0);
    }

    /** A 1-D float32 tensor of the values. */
    public static Tensor vector(float... data) { return of(data, data.length); }

    private static int[] checkCount(int n, int[] shape) {
        if (Shape.numel(shape) != n) {
            throw new IllegalArgumentException(n + " values cannot fill shape " + Shape.str(shape)
                    + " of " + Shape.numel(shape) + " elements");
        }
        return shape;
    }

    // ---------------------------------------------------------------- layout

    public Storage storage() { return live(); }

    /** The storage, checked to be still this tensor's: a step's tensors are dead once its {@link StepScope} ends. */
    private Storage live() {
        if (storage.retired()) {
            throw new IllegalStateException("this tensor was made inside a training step that has ended, and its memory"
                    + " now belongs to a later step; read what you need inside the step (item(), toFloatArray()),"
                    + " or make it outside the step (StepScope.outside)");
        }
        return storage;
    }

    public int[] shape() { return shape.clone(); }

    public int[] strides() { return strides.clone(); }

    public int offset() { return offset; }

    public int dim() { return shape.length; }

    public int size(int dim) { return shape[Shape.wrapDim(dim, shape.length)]; }

    public int numel() { return Shape.numel(shape); }

    public DType dtype() { return storage.dtype(); }

    public Device device() { return storage.device(); }

    public Backend backend() { return live() instanceof DeviceStorage d ? d.backend() : CpuBackend.INSTANCE; }

    /** This tensor on {@code target}: itself when already there, else a copy that gradients flow back through. */
    public Tensor to(Device target) { return Ops.toDevice(this, target); }

    /**
     * Moves this tensor's data to {@code target} in place, keeping the object (and so every field that holds
     * it): what {@code Module.to} does to parameters, as PyTorch's {@code param.data = param.data.to(device)}.
     * The tensor becomes contiguous; a gradient it holds moves too.
     */
    public void moveTo(Device target) {
        if (target.equals(device())) return;
        Tensor moved = Ops.toDevice(detach(), target);
        storage = moved.storage;
        strides = moved.strides;
        offset = moved.offset;
        if (grad != null) grad = Ops.toDevice(grad, target);
    }

    public boolean isContiguous() {
        int expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /** The same storage seen through another shape and strides; records no gradient. */
    public Tensor asStrided(int[] newShape, int[] newStrides, int newOffset) {
        return new Tensor(storage, newShape, newStrides, newOffset);
    }

    // ---------------------------------------------------------------- element access

    /** The single value of a one-element tensor. */
    public double item() {
        if (numel() != 1) {
            throw new IllegalStateException("item() needs a tensor with one element, but this one has shape " + Shape.str(shape));
        }
        return live().get(offset);
    }

    /** The element at the given index (negative indices count from the end). */
    public double get(int... index) {
        return live().get(elementOffset(index));
    }

    /** Sets one element in place, outside autograd (for building data, not for parameters under training). */
    public void set(double value, int... index) {
        checkInPlace("set");
        live().set(elementOffset(index), value);
    }

    private int elementOffset(int[] index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("index of " + index.length + " dimensions for a tensor of shape " + Shape.str(shape));
        }
        int at = offset;
        for (int d = 0; d < index.length; d++) {
            int i = index[d] < 0 ? index[d] + shape[d] : index[d];
            if (i < 0 || i >= shape[d]) {
                throw new IndexOutOfBoundsException("index " + index[d] + " is out of bounds for dimension " + d + " with size " + shape[d]);
            }
            at += i * strides[d];
        }
        return at;
    }

    /** This tensor's values, contiguous, in main memory (a copy from the device when it lives on one). */
    private Tensor host(DType dtype) { return Ops.contiguous(detach().to(Device.CPU)).to(dtype); }

    public float[] toFloatArray() {
        Tensor c = host(DType.FLOAT32);
        return Arrays.copyOfRange(((Storage.F32) c.live()).data, c.offset, c.offset + c.numel());
    }

    public double[] toDoubleArray() {
        Tensor c = host(DType.FLOAT64);
        return Arrays.copyOfRange(((Storage.F64) c.live()).data, c.offset, c.offset + c.numel());
    }

    public long[] toLongArray() {
        Tensor c = host(DType.INT64);
        return Arrays.copyOfRange(((Storage.I64) c.live()).data, c.offset, c.offset + c.numel());
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf as requiring a gradient; returns this for chaining. */
    public Tensor requiresGrad(boolean on) {
        if (gradFn != null && !on) {
            throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor: use detach() to cut it from the graph");
        }
        if (on && !dtype().isFloating()) {
            throw new IllegalArgumentException("only floating-point tensors can require gradients, not " + dtype());
        }
        this.requiresGrad = on;
        return this;
    }

    public boolean isLeaf() { return gradFn == null; }

    public Node gradFn() { return gradFn; }

    /** The gradient accumulated by backward() into this leaf, or null. */
    public Tensor grad() { return grad; }

    public void setGrad(Tensor g) { this.grad = g; }

    /** Forgets the accumulated gradient, as PyTorch's zero_grad(set_to_none=True). */
    public void zeroGrad() { this.grad = null; }

    /** For op implementations: makes this tensor the output of {@code node}. */
    public void attachGradFn(Node node) {
        this.gradFn = node;
        this.requiresGrad = true;
    }

    /** For the autograd engine: adds {@code g} into this leaf's gradient. */
    public void accumulateGrad(Tensor g) { accumulateGrad(g, false); }

    /**
     * As {@link #accumulateGrad(Tensor)}; {@code exclusive} says that nothing else holds {@code g} (the
     * engine made it during this backward), so it can become the gradient without a copy.
     */
    public void accumulateGrad(Tensor g, boolean exclusive) {
        if (!requiresGrad) return;
        Tensor own = Ops.contiguous(g.dtype() == dtype() ? g : g.to(dtype()));
        if (!exclusive && own.storage == g.storage && own.offset == g.offset) own = own.clone();
        grad = grad == null ? own : grad.add(own);
    }

    public void backward() { Autograd.backward(this, null, false); }

    public void backward(Tensor gradient) { Autograd.backward(this, gradient, false); }

    public void backward(Tensor gradient, boolean retainGraph) { Autograd.backward(this, gradient, retainGraph); }

    /** The same data, cut from the graph. */
    public Tensor detach() { return new Tensor(storage, shape, strides, offset); }

    /** A contiguous copy with its own storage; gradients flow back through it. */
    @Override
    public Tensor clone() { return Ops.copy(this); }

    // ---------------------------------------------------------------- in-place updates (outside autograd)

    private void checkInPlace(String what) {
        if (requiresGrad && isLeaf() && GradMode.isEnabled()) {
            throw new IllegalStateException(what + " modifies in place a leaf tensor that requires grad;"
                    + " do it inside noGrad { … } (as optimizers do)");
        }
    }

    /** Copies src (broadcast to this shape) into this view. */
    public Tensor copy_(Tensor src) {
        checkInPlace("copy_");
        Tensor s = src.device().equals(device()) ? src : Ops.toDevice(src.detach(), device());
        backend().unary(org.nnc.backend.UnaryFn.IDENTITY, 0, 0, Ops.broadcastTo(s, shape), this);
        return this;
    }

    public Tensor fill_(double value) {
        checkInPlace("fill_");
        backend().fill(this, value);
        return this;
    }

    public Tensor zero_() { return fill_(0); }

    /** this += alpha * other (an axpy in one pass when both are contiguous float32 of one shape). */
    public Tensor add_(Tensor other, double alpha) {
        checkInPlace("add_");
        if (alpha != 1 && live() instanceof Storage.F32 mine && other.live() instanceof Storage.F32 theirs && isContiguous()
                && other.isContiguous() && java.util.Arrays.equals(shape, other.shape)) {
            org.nnc.backend.cpu.Kernels.axpy((float) alpha, theirs.data, other.offset, mine.data, offset, numel());
            return this;
        }
        Tensor o = alpha == 1 ? other : Ops.mul(other.detach(), alpha);
        backend().binary(org.nnc.backend.BinaryFn.ADD, this, Ops.broadcastTo(o, shape), this);
        return this;
    }

    /** this += value, on this tensor's device (a counter on a GPU then needs no read to the host). */
    public Tensor add_(double value) {
        checkInPlace("add_");
        backend().unary(org.nnc.backend.UnaryFn.ADD_SCALAR, value, 0, this, this);
        return this;
    }

    public Tensor mul_(double factor) {
        checkInPlace("mul_");
        backend().unary(org.nnc.backend.UnaryFn.MUL_SCALAR, factor, 0, this, this);
        return this;
    }

    // ---------------------------------------------------------------- operations (see Ops)

    public Tensor add(Tensor o) { return Ops.add(this, o); }
    public Tensor add(double o) { return Ops.add(this, o); }
    public Tensor sub(Tensor o) { return Ops.sub(this, o); }
    public Tensor sub(double o) { return Ops.add(this, -o); }
    public Tensor mul(Tensor o) { return Ops.mul(this, o); }
    public Tensor mul(double o) { return Ops.mul(this, o); }
    public Tensor div(Tensor o) { return Ops.div(this, o); }
    public Tensor div(double o) { return Ops.mul(this, 1 / o); }
    public Tensor neg() { return Ops.neg(this); }
    public Tensor exp() { return Ops.exp(this); }
    public Tensor log() { return Ops.log(this); }
    public Tensor sqrt() { return Ops.sqrt(this); }
    public Tensor abs() { return Ops.abs(this); }
    public Tensor pow(double p) { return Ops.pow(this, p); }
    public Tensor pow(Tensor p) { return Ops.pow(this, p); }
    public Tensor clamp(double min, double max) { return Ops.clamp(this, min, max); }
    public Tensor maximum(Tensor o) { return Ops.maximum(this, o); }
    public Tensor minimum(Tensor o) { return Ops.minimum(this, o); }
    public Tensor eq(Tensor o) { return Ops.eq(this, o); }
    public Tensor ne(Tensor o) { return Ops.ne(this, o); }
    public Tensor lt(Tensor o) { return Ops.lt(this, o); }
    public Tensor le(Tensor o) { return Ops.le(this, o); }
    public Tensor gt(Tensor o) { return Ops.gt(this, o); }
    public Tensor ge(Tensor o) { return Ops.ge(this, o); }
    public Tensor sum() { return Ops.sum(this); }
    public Tensor sum(int dim, boolean keep) { return Ops.sum(this, dim, keep); }
    public Tensor mean() { return Ops.mean(this); }
    public Tensor mean(int dim, boolean keep) { return Ops.mean(this, dim, keep); }
    public Tensor max() { return Ops.max(this); }
    public Tensor max(int dim, boolean keep) { return Ops.max(this, dim, keep); }
    public Tensor min() { return Ops.min(this); }
    public Tensor min(int dim, boolean keep) { return Ops.min(this, dim, keep); }
    public Tensor argmax() { return Ops.argmax(this); }
    public Tensor argmax(int dim, boolean keep) { return Ops.argmax(this, dim, keep); }
    public Tensor matmul(Tensor o) { return Ops.matmul(this, o); }
    public Tensor reshape(int... s) { return Ops.reshape(this, s); }
    public Tensor view(int... s) { return Ops.view(this, s); }
    public Tensor transpose(int a, int b) { return Ops.transpose(this, a, b); }
    public Tensor t() { return Ops.transpose(this, 0, 1); }
    public Tensor permute(int... dims) { return Ops.permute(this, dims); }
    public Tensor slice(int dim, int start, int end, int step) { return Ops.slice(this, dim, start, end, step); }
    public Tensor select(int dim, int index) { return Ops.select(this, dim, index); }
    public Tensor expand(int... s) { return Ops.expand(this, s); }
    public Tensor squeeze(int dim) { return Ops.squeeze(this, dim); }
    public Tensor squeeze() { return Ops.squeeze(this); }
    public Tensor unsqueeze(int dim) { return Ops.unsqueeze(this, dim); }
    public Tensor flatten(int from, int to) { return Ops.flatten(this, from, to); }
    public Tensor contiguous() { return Ops.contiguous(this); }
    public Tensor to(DType dt) { return Ops.to(this, dt); }
    public Tensor indexSelect(int dim, Tensor index) { return Ops.indexSelect(this, dim, index); }
    public Tensor gather(int dim, Tensor index) { return Ops.gather(this, dim, index); }
    public Tensor maskedFill(Tensor mask, double value) { return Ops.maskedFill(this, mask, value); }

    @Override
    public String toString() { return TensorFormat.format(this); }
}
