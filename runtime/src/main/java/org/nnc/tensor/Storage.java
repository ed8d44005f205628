package org.nnc.tensor;

/**
 * A flat buffer of elements that tensors view through shape, strides and offset.
 * CPU kernels use the typed arrays directly; {@link #get}/{@link #set} serve the generic (non-float32) paths.
 * {@link DeviceStorage} is memory on an accelerator.
 */
public abstract sealed class Storage permits Storage.F32, Storage.F64, Storage.I32, Storage.I64, Storage.Bool, DeviceStorage {
    private static final java.util.concurrent.atomic.AtomicLong SERIALS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Storages are numbered in the order they are made, so the autograd engine can tell a gradient that a
     * backward function made just now (its own, safe to add into or keep as a leaf's gradient) from one
     * that was handed on from elsewhere.
     */
    private final long serial = SERIALS.getAndIncrement();

    public final long serial() { return serial; }

    /** Set when the {@link StepScope} that lent this storage's array has ended: the array is someone else's now. */
    private boolean retired;

    final void retire() { retired = true; }

    final boolean retired() { return retired; }

    /** The backing array, for {@link StepScope} to lend again; none for memory on a device. */
    Object array() { return null; }

    /** The serial the next storage will get. */
    public static long nextSerial() { return SERIALS.get(); }

    public abstract DType dtype();

    public abstract int size();

    public abstract double get(int i);

    public abstract void set(int i, double v);

    public Device device() { return Device.CPU; }

    /**
     * A zero-filled float array for a kernel's own use (saved activations, packed operands, or a result it
     * then wraps with {@link Tensor#of(float[], int...)}): lent by the open {@link StepScope}, if any, and
     * then the step's only until it ends; a tensor made on it dies with the step, as other tensors do.
     */
    public static float[] floats(int n) { return StepScope.floats(n); }

    /** A zero-filled storage of n elements: lent by the open {@link StepScope}, if any, else new. */
    public static Storage allocate(DType dtype, int n) {
        Storage pooled = StepScope.allocate(dtype, n);
        return pooled != null ? pooled : allocateNew(dtype, n);
    }

    static Storage allocateNew(DType dtype, int n) {
        return switch (dtype) {
            case FLOAT32 -> new F32(new float[n]);
            case FLOAT64 -> new F64(new double[n]);
            case INT32 -> new I32(new int[n]);
            case INT64 -> new I64(new long[n]);
            case BOOL -> new Bool(new byte[n]);
        };
    }

    public static final class F32 extends Storage {
        public final float[] data;
        public F32(float[] data) { this.data = data; }
        @Override public DType dtype() { return DType.FLOAT32; }
        @Override public int size() { return data.length; }
        @Override Object array() { return data; }
        @Override public double get(int i) { return data[i]; }
        @Override public void set(int i, double v) { data[i] = (float) v; }
    }

    public static final class F64 extends Storage {
        public final double[] data;
        public F64(double[] data) { this.data = data; }
        @Override public DType dtype() { return DType.FLOAT64; }
        @Override public int size() { return data.length; }
        @Override Object array() { return data; }
        @Override public double get(int i) { return data[i]; }
        @Override public void set(int i, double v) { data[i] = v; }
    }

    public static final class I32 extends Storage {
        public final int[] data;
        public I32(int[] data) { this.data = data; }
        @Override public DType dtype() { return DType.INT32; }
        @Override public int size() { return data.length; }
        @Override Object array() { return data; }
        @Override public double get(int i) { return data[i]; }
        @Override public void set(int i, double v) { data[i] = (int) v; }
    }

    public static final class I64 extends Storage {
        public final long[] data;
        public I64(long[] data) { this.data = data; }
        @Override public DType dtype() { return DType.INT64; }
        @Override public int size() { return data.length; }
        @Override Object array() { return data; }
        @Override public double get(int i) { return data[i]; }
        @Override public void set(int i, double v) { data[i] = (long) v; }
    }

    public static final class Bool extends Storage {
        public final byte[] data;
        public Bool(byte[] data) { this.data = data; }
        @Override public DType dtype() { return DType.BOOL; }
        @Override public int size() { return data.length; }
        @Override Object array() { return data; }
        @Override public double get(int i) { return data[i]; }
        @Override public void set(int i, double v) { data[i] = (byte) (v != 0 ? 1 : 0); }
    }
}
