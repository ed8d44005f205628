package org.nnc.backend.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.nnc.tensor.DType;

/**
 * cuBLAS through Java's foreign-function API, where the machine has the library. Why not JCublas: its
 * native part is linked against {@code libcublas.so.12}'s version-tagged symbols, and the GPU machines
 * have CUDA 13, whose cuBLAS comes as pip's {@code libcublas.so.13} (../shared/GPU.md §5). cuBLAS is
 * optional: without it, with {@code -Dnnc.cublas=false}, or for strides it cannot take, products run our
 * own GEMM kernel, which the CUDA tests check against the CPU.
 *
 * <p>cuBLAS is column-major and our tensors row-major: C = A·B is computed as Cᵀ = Bᵀ·Aᵀ, with B as
 * cuBLAS's first operand and A as its second ({@link Plan}). cuBLAS works in the device's primary context,
 * which is the one nnc makes current, so the two share memory and the default stream.
 */
final class Cublas {
    static final int OP_N = 0, OP_T = 1;
    /** cublasMath_t: plain float32, or TF32 tensor cores for float32 products (opted into by {@code -Dnnc.cuda.tf32=true}). */
    static final int DEFAULT_MATH = 0, TF32_TENSOR_OP_MATH = 3;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    final Path library;
    private final MethodHandle create, setMathMode, sgemm, dgemm;

    /** Binds the functions nnc calls; an {@link IllegalArgumentException} names the first one the library lacks. */
    Cublas(Path library) {
        this.library = library;
        Path lt = library.resolveSibling(library.getFileName().toString().replace("libcublas.", "libcublasLt."));
        if (!lt.equals(library) && Files.exists(lt)) SymbolLookup.libraryLookup(lt, Arena.global());   // its dependency, by soname
        SymbolLookup lookup = SymbolLookup.libraryLookup(library, Arena.global());
        create = bind(lookup, "cublasCreate_v2", FunctionDescriptor.of(INT, PTR));
        setMathMode = bind(lookup, "cublasSetMathMode", FunctionDescriptor.of(INT, LONG, INT));
        // (handle, transa, transb, m, n, k, alpha*, A, lda, strideA, B, ldb, strideB, beta*, C, ldc, strideC, batch)
        FunctionDescriptor gemm = FunctionDescriptor.of(INT, LONG, INT, INT, INT, INT, INT, PTR, LONG, INT, LONG, LONG, INT, LONG,
                PTR, LONG, INT, LONG, INT);
        sgemm = bind(lookup, "cublasSgemmStridedBatched", gemm);
        dgemm = bind(lookup, "cublasDgemmStridedBatched", gemm);
    }

    private static MethodHandle bind(SymbolLookup lookup, String name, FunctionDescriptor d) {
        MemorySegment f = lookup.find(name).orElseThrow(() -> new IllegalArgumentException("it has no " + name));
        return LINKER.downcallHandle(f, d);
    }

    /** A new handle on the device whose context is current. */
    long createHandle() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment slot = arena.allocate(LONG);
            call("cublasCreate", () -> (int) create.invokeExact(slot));
            return slot.get(LONG, 0);
        }
    }

    void setMathMode(long handle, int mode) {
        call("cublasSetMathMode", () -> (int) setMathMode.invokeExact(handle, mode));
    }

    /**
     * {@code batch} row-major products C[m×n] = A[m×k]·B[k×n] as {@code plan} lays them out, the operands
     * at device addresses {@code a}, {@code b}, {@code c} (element 0 of the first matrix of each).
     */
    void gemm(DType t, long handle, Plan p, int batch, long a, long b, long c) {
        boolean single = t == DType.FLOAT32;
        MethodHandle gemm = single ? sgemm : dgemm;   // the same signature, alpha and beta by pointer
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = single ? arena.allocateFrom(ValueLayout.JAVA_FLOAT, 1f) : arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 1d);
            MemorySegment zero = single ? arena.allocateFrom(ValueLayout.JAVA_FLOAT, 0f) : arena.allocateFrom(ValueLayout.JAVA_DOUBLE, 0d);
            call("cublas" + (single ? "S" : "D") + "gemmStridedBatched", () -> (int) gemm.invokeExact(handle, p.transa, p.transb,
                    p.m, p.n, p.k, one, b, p.lda, p.strideA, a, p.ldb, p.strideB, zero, c, p.ldc, p.strideC, batch));
        }
    }

    /** Makes a cuBLAS call; a status other than 0 (success) is a {@link CudaException} naming {@code name}. */
    private static void call(String name, NativeCall call) {
        int status = NativeCall.status(name, call);
        if (status != 0) throw new CudaException(name + " failed with cuBLAS status " + status);
    }

    /**
     * How a row-major product maps onto one column-major cuBLAS call: Cᵀ (n×m, leading dimension n) =
     * op(B') · op(A'), where B' is B's storage read column-major and A' is A's. Null where a stride is
     * neither 1 nor a leading dimension cuBLAS accepts (a broadcast inside a matrix, a negative or
     * overlapping stride): those products run our kernel.
     *
     * @param m      rows of A and C
     * @param n      columns of B and C
     * @param k      the depth
     * @param lda    cuBLAS's leading dimension of its first operand (our B)
     * @param ldb    cuBLAS's leading dimension of its second operand (our A)
     */
    record Plan(int transa, int transb, int m, int n, int k, int lda, long strideA, int ldb, long strideB, int ldc, long strideC) {
        /**
         * The plan for {@code batch} products of A [m×k] with strides {@code as} (batch, row, column) by
         * B [k×n] with strides {@code bs}, into a contiguous C [batch, m, n].
         */
        static Plan rowMajor(int m, int n, int k, int[] as, int[] bs) {
            // cuBLAS's first operand, n×k: element (j, p) is B[p][j] at p·bs1 + j·bs2.
            int[] first = operand(n, k, bs[2], bs[1]);
            // Its second, k×m: element (p, i) is A[i][p] at i·as1 + p·as2.
            int[] second = operand(k, m, as[2], as[1]);
            if (first == null || second == null || as[0] < 0 || bs[0] < 0) return null;
            return new Plan(first[0], second[0], n, m, k, first[1], bs[0], second[1], as[0], n, (long) m * n);
        }

        /**
         * For an operand of {@code rows}×{@code cols} (cuBLAS's view) whose element (r, c) sits at
         * r·rowStep + c·colStep: {OP_N, ld} when it is column-major already, {OP_T, ld} when its
         * transpose is, else null. A dimension of 1 takes any stride.
         */
        private static int[] operand(int rows, int cols, int rowStep, int colStep) {
            if (rows == 1) rowStep = 1;
            if (cols == 1) colStep = Math.max(rows, 1);
            if (rowStep == 1 && colStep >= Math.max(1, rows)) return new int[] {OP_N, colStep};
            if (rows == 1 && cols == 1) return new int[] {OP_N, 1};
            int tRowStep = cols == 1 ? 1 : colStep, tColStep = rows == 1 ? Math.max(cols, 1) : rowStep;
            if (tRowStep == 1 && tColStep >= Math.max(1, cols)) return new int[] {OP_T, tColStep};
            return null;
        }
    }

    // ---------------------------------------------------------------- finding the library

    /** The library names tried, newest first. */
    static final List<String> NAMES = List.of("libcublas.so.13", "libcublas.so.12");

    /**
     * Where to look, in order: {@code -Dnnc.cublas=PATH}; the folders of {@code LD_LIBRARY_PATH}; CUDA's
     * own folders; the {@code nvidia} folders of pip's CUDA wheels (where the GPU machines' PyTorch keeps
     * cuBLAS 13); Debian's library folder.
     */
    static List<Path> candidates(String property, String ldLibraryPath) {
        List<Path> out = new ArrayList<>();
        if (property != null && !property.isBlank() && !property.equals("true")) out.add(Path.of(property));
        List<Path> dirs = new ArrayList<>();
        if (ldLibraryPath != null) for (String d : ldLibraryPath.split(":")) if (!d.isBlank()) dirs.add(Path.of(d));
        for (String pattern : FOLDERS) dirs.addAll(expand(pattern));
        for (Path d : dirs) for (String name : NAMES) out.add(d.resolve(name));
        return out;
    }

    /** Folders that hold cuBLAS on the machines we know of; {@code *} matches one path element. */
    static final List<String> FOLDERS = List.of(
            "/usr/local/cuda*/lib64", "/usr/local/cuda*/targets/x86_64-linux/lib",
            "/opt/*/.venv/lib/python3*/site-packages/nvidia/cu13/lib", "/opt/*/.venv/lib/python3*/site-packages/nvidia/cublas/lib",
            "/opt/*/lib/python3*/site-packages/nvidia/cu13/lib", "/opt/*/lib/python3*/site-packages/nvidia/cublas/lib",
            "/usr/local/lib/python3*/dist-packages/nvidia/cu13/lib", "/usr/local/lib/python3*/dist-packages/nvidia/cublas/lib",
            "/usr/lib/python3/dist-packages/nvidia/cu13/lib", "/usr/lib/python3/dist-packages/nvidia/cublas/lib",
            "/usr/lib/x86_64-linux-gnu");

    /** The existing folders a pattern of {@link #FOLDERS} names, in name order. */
    static List<Path> expand(String pattern) {
        List<Path> found = List.of(Path.of("/"));
        for (String part : pattern.substring(1).split("/")) {
            List<Path> next = new ArrayList<>();
            for (Path dir : found) {
                if (!part.contains("*")) {
                    if (Files.isDirectory(dir.resolve(part))) next.add(dir.resolve(part));
                    continue;
                }
                try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, part)) {
                    List<Path> matches = new ArrayList<>();
                    for (Path p : s) if (Files.isDirectory(p)) matches.add(p);
                    matches.sort(null);
                    next.addAll(matches);
                } catch (IOException e) {
                    // unreadable: nothing there for us
                }
            }
            found = next;
        }
        return found;
    }

    /** The first candidate that exists, or null. */
    static Path locate(String property, String ldLibraryPath) {
        for (Path p : candidates(property, ldLibraryPath)) if (Files.isRegularFile(p)) return p;
        return null;
    }
}
