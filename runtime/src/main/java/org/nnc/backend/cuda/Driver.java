package org.nnc.backend.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The driver calls nnc makes on every step, bound through Java's foreign-function API rather than JCuda:
 * JCuda wraps each argument in a Java object that its native side unwraps again, which for a kernel launch
 * cost more than the driver's own work (bench/RESULTS.md). The driver library is the one JCuda loaded
 * already ({@code libcuda.so.1}); JCuda keeps the rest (initialization, contexts, modules, allocation).
 * Handles and device addresses travel as longs.
 */
final class Driver {
    private Driver() {}

    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG;
    private static final SymbolLookup LIBCUDA = SymbolLookup.libraryLookup("libcuda.so.1", Arena.global());

    /** cuLaunchKernel(f, grid x/y/z, block x/y/z, shared bytes, stream, params, extra). */
    private static final MethodHandle LAUNCH = bind("cuLaunchKernel", FunctionDescriptor.of(I, L, I, I, I, I, I, I, I, L, L, L));
    /** cuMemAllocHost_v2(void** host, size_t bytes): page-locked host memory, which the GPU copies from without the CPU. */
    private static final MethodHandle ALLOC_HOST = bind("cuMemAllocHost_v2", FunctionDescriptor.of(I, L, L));
    /** cuMemHostGetDevicePointer_v2(CUdeviceptr* device, void* host, unsigned flags): where kernels see page-locked memory. */
    private static final MethodHandle DEVICE_POINTER = bind("cuMemHostGetDevicePointer_v2", FunctionDescriptor.of(I, L, L, I));
    /** cuMemcpyHtoDAsync_v2(device, host, bytes, stream). */
    private static final MethodHandle COPY_TO_DEVICE_ASYNC = bind("cuMemcpyHtoDAsync_v2", FunctionDescriptor.of(I, L, L, L, L));

    private static MethodHandle bind(String name, FunctionDescriptor d) {
        MemorySegment f = LIBCUDA.find(name).orElseThrow(() -> new CudaException("the NVIDIA driver has no " + name));
        return Linker.nativeLinker().downcallHandle(f, d);
    }

    /** Launches {@code function} on the default stream with {@code params} (the address of its array of argument pointers). */
    static void launch(String kernel, long function, int gx, int gy, int gz, int block, long params) {
        // Written out rather than through call(): a launch is the hot path, and its lambda would capture seven values.
        int r;
        try {
            r = (int) LAUNCH.invokeExact(function, gx, gy, gz, block, 1, 1, 0, 0L, params, 0L);
        } catch (Throwable t) {
            throw new CudaException("cuLaunchKernel(" + kernel + ") could not be called: " + t);
        }
        Cuda.check(r, "cuLaunchKernel(" + kernel + ")");
    }

    /** {@code bytes} of page-locked host memory, for as long as the process lives. */
    static MemorySegment allocateHost(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            call("cuMemAllocHost(" + bytes + " bytes)", () -> (int) ALLOC_HOST.invokeExact(out.address(), bytes));
            return out.get(ValueLayout.ADDRESS, 0).reinterpret(bytes);
        }
    }

    /** The address at which kernels reach page-locked host memory {@code host} (with unified addressing, the same). */
    static long devicePointer(MemorySegment host) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.JAVA_LONG);
            call("cuMemHostGetDevicePointer", () -> (int) DEVICE_POINTER.invokeExact(out.address(), host.address(), 0));
            return out.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Queues a copy of {@code bytes} from host address {@code host} to {@code device} on the default stream. */
    static void copyToDeviceAsync(long device, long host, long bytes) {
        call("cuMemcpyHtoDAsync", () -> (int) COPY_TO_DEVICE_ASYNC.invokeExact(device, host, bytes, 0L));
    }

    /** Makes a driver call and checks the CUresult it returns. */
    private static void call(String what, NativeCall call) { Cuda.check(NativeCall.status(what, call), what); }
}
