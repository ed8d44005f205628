package org.nnc.backend.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUresult;
import jcuda.driver.JCudaDriver;
import org.nnc.backend.Backend;

/**
 * The CUDA driver as nnc uses it: one probe of whether a GPU is usable (JCuda's class fails to load without
 * libcuda.so.1, and later uses then fail differently, so the first answer is kept), the primary context of
 * each device, made current on whichever thread calls in, and the kernels of the committed fatbin.
 * Only JCuda's driver API is used: its native library needs nothing but the driver (../shared/GPU.md).
 */
public final class Cuda {
    private Cuda() {}

    private static final Object LOCK = new Object();
    private static String unavailable;
    private static int deviceCount = -1;
    private static final Map<Integer, CudaBackend> BACKENDS = new HashMap<>();

    private static volatile Cublas cublas;
    private static volatile String cublasNote;

    /**
     * cuBLAS where the machine has it and {@code -Dnnc.cublas} is not {@code false}, else null (products
     * then run our kernel); looked for once. {@code -Dnnc.cublas=PATH} names the library.
     */
    static Cublas cublas() {
        if (cublasNote != null) return cublas;   // looked for already: no lock on every product
        synchronized (LOCK) {
            if (cublasNote == null) {
                String asked = System.getProperty("nnc.cublas");
                if ("false".equals(asked)) {
                    cublasNote = "our GEMM kernel (cuBLAS switched off by -Dnnc.cublas=false)";
                } else {
                    java.nio.file.Path lib = Cublas.locate(asked, System.getenv("LD_LIBRARY_PATH"));
                    if (lib == null) {
                        cublasNote = "our GEMM kernel (no libcublas.so.13 or .so.12 found)";
                    } else {
                        try {
                            cublas = new Cublas(lib);
                            cublasNote = "cuBLAS from " + lib + (tf32() ? ", TF32 tensor cores on" : "");
                        } catch (IllegalArgumentException | UnsupportedOperationException | IllegalCallerException e) {
                            cublasNote = "our GEMM kernel (" + lib + " did not load: " + e.getMessage() + ")";
                        }
                    }
                }
            }
            return cublas;
        }
    }

    /** Which GEMM plain products on the GPU run, in one line (for the GPU check and diagnostics). */
    public static String gemmRoute() {
        Cublas blas = cublas();
        synchronized (LOCK) {
            return cublasNote + (blas == null && tf32() ? ", TF32 tensor cores on" : "")
                    + (CudaBackend.splitsDepth() ? "" : ", our kernel's depth splitting off (-Dnnc.cuda.splitDepth=false)");
        }
    }

    /**
     * Whether float32 products may use TF32 tensor cores (cuBLAS's TF32 math mode, our {@code gemm_tf32}
     * kernel): only where asked, {@code --tf32} or {@code -Dnnc.cuda.tf32=true}.
     */
    static boolean tf32() { return Boolean.getBoolean("nnc.cuda.tf32"); }

    /** Null when a GPU can be used, else one line saying why not. */
    public static String unavailableReason() {
        synchronized (LOCK) {
            if (deviceCount < 0) probe();
            return unavailable;
        }
    }

    private static void probe() {
        deviceCount = 0;
        if (Boolean.getBoolean("nnc.cuda.disable")) {
            unavailable = "CUDA is switched off by -Dnnc.cuda.disable";
            return;
        }
        try {
            JCudaDriver.setExceptionsEnabled(false);
            int r = JCudaDriver.cuInit(0);
            if (r == CUresult.CUDA_ERROR_NO_DEVICE) {
                unavailable = "the NVIDIA driver is installed but reports no GPU";
                return;
            }
            if (r != CUresult.CUDA_SUCCESS) {
                unavailable = "the NVIDIA driver did not start (" + CUresult.stringFor(r) + ")";
                return;
            }
            int[] n = new int[1];
            check(JCudaDriver.cuDeviceGetCount(n), "cuDeviceGetCount");
            deviceCount = n[0];
            unavailable = n[0] == 0 ? "the NVIDIA driver reports no GPU" : null;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            unavailable = "no NVIDIA driver (libcuda.so.1) on this machine";
        } catch (CudaException e) {
            unavailable = e.getMessage();
        }
    }

    /** The backend of GPU {@code index}, created on first use; an error that says why when there is none. */
    public static Backend backend(int index) {
        synchronized (LOCK) {
            String why = unavailableReason();
            if (why != null) throw new CudaException("cuda:" + index + " is not available: " + why);
            if (index < 0 || index >= deviceCount) {
                throw new CudaException("cuda:" + index + " does not exist: this machine has " + deviceCount + " GPU"
                        + (deviceCount == 1 ? "" : "s") + " (cuda:0" + (deviceCount > 1 ? " to cuda:" + (deviceCount - 1) : "") + ")");
            }
            return BACKENDS.computeIfAbsent(index, CudaBackend::new);
        }
    }

    /** "NVIDIA H100 80GB HBM3 (cuda:0, 79.1 GiB)" */
    public static String describe(int index) {
        CUdevice dev = device(index);
        byte[] name = new byte[256];
        check(JCudaDriver.cuDeviceGetName(name, name.length, dev), "cuDeviceGetName");
        long[] total = new long[1];
        check(JCudaDriver.cuDeviceTotalMem(total, dev), "cuDeviceTotalMem");
        int len = 0;
        while (len < name.length && name[len] != 0) len++;
        return String.format(java.util.Locale.ROOT, "%s (cuda:%d, %.1f GiB)", new String(name, 0, len), index, total[0] / (double) (1L << 30));
    }

    static CUdevice device(int index) {
        CUdevice dev = new CUdevice();
        check(JCudaDriver.cuDeviceGet(dev, index), "cuDeviceGet");
        return dev;
    }

    /** Throws a CudaException naming the call when the driver did not return success. */
    static void check(int result, String call) {
        if (result != CUresult.CUDA_SUCCESS) throw new CudaException(call + " failed: " + CUresult.stringFor(result));
    }

    /** One device's primary context and the kernels loaded into it. */
    static final class Context {
        final CUcontext context = new CUcontext();
        private final CUmodule module = new CUmodule();
        private final Map<String, Kernel> functions = new HashMap<>();
        private final ThreadLocal<Boolean> current = ThreadLocal.withInitial(() -> false);

        Context(int index) {
            check(JCudaDriver.cuDevicePrimaryCtxRetain(context, device(index)), "cuDevicePrimaryCtxRetain");
            makeCurrent();
            check(JCudaDriver.cuModuleLoadData(module, fatbin()), "cuModuleLoadData (the kernels' fatbin)");
        }

        /** Contexts are current per thread: every entry point calls this first. */
        void makeCurrent() {
            if (!current.get()) {
                check(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
                current.set(true);
            }
        }

        /** A kernel's handle, made readable: launches pass it to the driver through the foreign-function API. */
        private static final class Kernel extends CUfunction {
            long address() { return getNativePointer(); }
        }

        synchronized long function(String name) {
            return functions.computeIfAbsent(name, n -> {
                Kernel f = new Kernel();
                check(JCudaDriver.cuModuleGetFunction(f, module, n), "cuModuleGetFunction(" + n + ")");
                return f;
            }).address();
        }

        /** Most arguments a kernel takes, and the bytes their values may fill (a Geom is 184, a ParamList 1,040). */
        private static final int MAX_ARGS = 24, VALUE_BYTES = 2048;

        /** Where a launch's arguments are written: MAX_ARGS pointers, then the values they point at. */
        private final MemorySegment args = Arena.ofAuto().allocate(8L * MAX_ARGS + VALUE_BYTES, 16);

        /**
         * Launches a kernel on a 1-D grid (or a 3-D one when {@code grid} has three entries) on the default
         * stream. Arguments are Integer (int), Long (long long, or a device address), Float, Double, int[] (a
         * struct of ints) or long[] (a struct of 64-bit fields). They are written into one native buffer for
         * {@link Driver#launch}.
         */
        synchronized void launch(String kernel, int[] grid, int block, Object... values) {
            makeCurrent();
            if (values.length > MAX_ARGS) throw new IllegalArgumentException(kernel + ": more than " + MAX_ARGS + " arguments");
            long base = args.address(), at = 8L * MAX_ARGS;
            for (int k = 0; k < values.length; k++) {
                long size = switch (values[k]) {
                    case int[] struct -> (4L * struct.length + 7) & ~7L;
                    case long[] struct -> 8L * struct.length;
                    default -> 8;
                };
                if (at + size > 8L * MAX_ARGS + VALUE_BYTES) {
                    throw new IllegalArgumentException(kernel + ": arguments over " + VALUE_BYTES + " bytes");
                }
                args.set(ValueLayout.JAVA_LONG, 8L * k, base + at);
                switch (values[k]) {
                    case Integer v -> args.set(ValueLayout.JAVA_INT, at, v);
                    case Long v -> args.set(ValueLayout.JAVA_LONG, at, v);
                    case Float v -> args.set(ValueLayout.JAVA_FLOAT, at, v);
                    case Double v -> args.set(ValueLayout.JAVA_DOUBLE, at, v);
                    case int[] struct -> MemorySegment.copy(struct, 0, args, ValueLayout.JAVA_INT, at, struct.length);
                    case long[] struct -> MemorySegment.copy(struct, 0, args, ValueLayout.JAVA_LONG, at, struct.length);
                    default -> throw new IllegalArgumentException("kernel argument of type " + values[k].getClass());
                }
                at += size;
            }
            int gx = grid[0], gy = grid.length > 1 ? grid[1] : 1, gz = grid.length > 2 ? grid[2] : 1;
            Driver.launch(kernel, function(kernel), gx, gy, gz, block, base);
        }
    }

    /** The committed fatbin (runtime/src/main/cuda/build.sh makes it). */
    static byte[] fatbin() {
        try (InputStream in = Cuda.class.getResourceAsStream("nnc_kernels.fatbin")) {
            if (in == null) throw new CudaException("the CUDA kernels (nnc_kernels.fatbin) are missing from the runtime jar");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new CudaException("cannot read the CUDA kernels: " + e.getMessage());
        }
    }
}
