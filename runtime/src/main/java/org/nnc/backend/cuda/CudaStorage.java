package org.nnc.backend.cuda;

import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import org.nnc.backend.Backend;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.DeviceStorage;
import org.nnc.tensor.Storage;

/** Elements in GPU memory: a block from the device's caching allocator, returned when this becomes unreachable. */
final class CudaStorage extends DeviceStorage {
    private final CudaBackend backend;
    private final DType dtype;
    private final int size;
    private final CudaMemory.Block block;
    final CUdeviceptr ptr;

    CudaStorage(CudaBackend backend, DType dtype, int size, boolean zeroed) {
        this.backend = backend;
        this.dtype = dtype;
        this.size = size;
        this.block = backend.memory.allocate(this, (long) size * dtype.bytes(), zeroed,
                () -> String.format(java.util.Locale.ROOT, "a %s tensor of %,d elements", dtype, size));
        this.ptr = block.ptr;
    }

    @Override protected void release() { backend.memory.release(block); }

    @Override public Backend backend() { return backend; }

    @Override public Device device() { return backend.device(); }

    @Override public DType dtype() { return dtype; }

    @Override public int size() { return size; }

    /** The address of element {@code i}, for JCuda's copies. */
    CUdeviceptr at(int i) { return ptr.withByteOffset((long) i * dtype.bytes()); }

    /** The device address of element {@code i}, for kernel launches and cuBLAS. */
    long address(int i) { return block.ptr.address() + (long) i * dtype.bytes(); }

    @Override
    public double get(int i) {
        Storage one = Storage.allocate(dtype, 1);
        read(i, one, 0, 1);
        return one.get(0);
    }

    @Override
    public void set(int i, double v) {
        Storage one = Storage.allocate(dtype, 1);
        one.set(0, v);
        write(one, 0, i, 1);
    }

    @Override
    public void read(int from, Storage dst, int to, int n) {
        check(dst, from, to, n);
        backend.ctx.makeCurrent();
        long b = dtype.bytes();
        backend.uploads.drained(() -> Cuda.check(JCudaDriver.cuMemcpyDtoH(host(dst).withByteOffset(to * b), at(from), n * b), "cuMemcpyDtoH"));
        backend.readChecks();   // the host waited for the GPU anyway: a bad index found since surfaces here
    }

    @Override
    public void write(Storage src, int from, int to, int n) {
        check(src, to, from, n);
        if (n == 0 || backend.uploads.upload(address(to), src, from, n)) return;
        backend.ctx.makeCurrent();
        long b = dtype.bytes();
        Cuda.check(JCudaDriver.cuMemcpyHtoD(at(to), host(src).withByteOffset(from * b), n * b), "cuMemcpyHtoD");
    }

    private void check(Storage host, int here, int there, int n) {
        if (host.dtype() != dtype) throw new IllegalArgumentException("copy between " + dtype + " and " + host.dtype() + " storage");
        if (here < 0 || there < 0 || here + n > size || there + n > host.size()) {
            throw new IndexOutOfBoundsException("copy of " + n + " elements at " + here + " / " + there + " overruns "
                    + size + " / " + host.size());
        }
    }

    private static Pointer host(Storage s) {
        return switch (s) {
            case Storage.F32 f -> Pointer.to(f.data);
            case Storage.F64 d -> Pointer.to(d.data);
            case Storage.I32 v -> Pointer.to(v.data);
            case Storage.I64 v -> Pointer.to(v.data);
            case Storage.Bool v -> Pointer.to(v.data);
            case DeviceStorage d -> throw new IllegalArgumentException("not host storage: " + d.device());
        };
    }
}
