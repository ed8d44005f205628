package org.nnc.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nnc.tensor.DType;

/**
 * cuBLAS without a GPU: the mapping of row-major strided products onto column-major cuBLAS calls,
 * checked by carrying the calls out as cuBLAS defines them; the FFM binding, against a stand-in library
 * compiled from {@code fake_cublas.c} with the same entry points; and where the library is looked for.
 */
class CublasTest {
    /** One operand layout: row-major, transposed (stored the other way round), or a view with a padded row. */
    enum Layout { ROWS, TRANSPOSED, PADDED, BROADCAST }

    private record Operand(double[] data, int[] strides) {}

    /** A [batch, rows, cols] operand with random values stored as {@code layout} says; element (b, r, c) at the strides. */
    private static Operand operand(SplittableRandom r, int batch, int rows, int cols, Layout layout) {
        int stored = switch (layout) {
            case ROWS, TRANSPOSED -> batch * rows * cols;
            case PADDED -> batch * rows * (cols + 3);
            case BROADCAST -> rows * cols;
        };
        double[] d = new double[stored];
        for (int i = 0; i < d.length; i++) d[i] = r.nextInt(-4, 5);   // small integers: every sum is exact
        int[] s = switch (layout) {
            case ROWS -> new int[] {rows * cols, cols, 1};
            case TRANSPOSED -> new int[] {rows * cols, 1, rows};
            case PADDED -> new int[] {rows * (cols + 3), cols + 3, 1};
            case BROADCAST -> new int[] {0, cols, 1};
        };
        return new Operand(d, s);
    }

    private static double at(Operand o, int b, int i, int j) { return o.data[b * o.strides[0] + i * o.strides[1] + j * o.strides[2]]; }

    /** The call a plan makes, carried out as cuBLAS defines it: column-major, op N or T, strided batches. */
    private static double[] carryOut(Cublas.Plan p, int batch, double[] a, double[] b) {
        double[] c = new double[batch * p.m() * p.n()];
        for (int t = 0; t < batch; t++) {
            for (int j = 0; j < p.n(); j++) {
                for (int i = 0; i < p.m(); i++) {
                    double s = 0;
                    for (int q = 0; q < p.k(); q++) {
                        // cuBLAS's A is our B, its B our A.
                        double x = p.transa() == Cublas.OP_T ? b[(int) (t * p.strideA()) + q + i * p.lda()] : b[(int) (t * p.strideA()) + i + q * p.lda()];
                        double y = p.transb() == Cublas.OP_T ? a[(int) (t * p.strideB()) + j + q * p.ldb()] : a[(int) (t * p.strideB()) + q + j * p.ldb()];
                        s += x * y;
                    }
                    c[(int) (t * p.strideC()) + i + j * p.ldc()] = s;
                }
            }
        }
        return c;
    }

    @ParameterizedTest(name = "batch={0} m={1} n={2} k={3} A={4} B={5}")
    @CsvSource({
        "1,5,7,3,ROWS,ROWS", "2,5,7,3,TRANSPOSED,ROWS", "2,5,7,3,ROWS,TRANSPOSED", "3,4,6,9,TRANSPOSED,TRANSPOSED",
        "2,5,7,3,PADDED,PADDED", "3,4,6,5,BROADCAST,ROWS", "3,4,6,5,ROWS,BROADCAST",
        "1,1,7,3,ROWS,ROWS", "1,5,1,3,ROWS,TRANSPOSED", "1,5,7,1,TRANSPOSED,ROWS", "2,1,1,1,ROWS,ROWS", "1,1,6,4,TRANSPOSED,TRANSPOSED"
    })
    void aPlannedCallComputesTheRowMajorProduct(int batch, int m, int n, int k, Layout la, Layout lb) {
        SplittableRandom r = new SplittableRandom(batch * 1000 + m * 100 + n * 10 + k);
        Operand a = operand(r, batch, m, k, la), b = operand(r, batch, k, n, lb);
        Cublas.Plan p = Cublas.Plan.rowMajor(m, n, k, a.strides, b.strides);
        assertNotNull(p, "no plan");
        double[] c = carryOut(p, batch, a.data, b.data);
        for (int t = 0; t < batch; t++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int q = 0; q < k; q++) s += at(a, t, i, q) * at(b, t, q, j);
                    assertEquals(s, c[t * m * n + i * n + j], "C[" + t + "," + i + "," + j + "] with " + p);
                }
            }
        }
    }

    @Test
    void stridesCublasCannotTakeHaveNoPlan() {
        assertNull(Cublas.Plan.rowMajor(4, 5, 6, new int[] {60, 12, 2}, new int[] {30, 5, 1}), "every other column of A");
        assertNull(Cublas.Plan.rowMajor(4, 5, 6, new int[] {24, 6, 1}, new int[] {30, 0, 1}), "a row of B broadcast down its depth");
        assertNull(Cublas.Plan.rowMajor(4, 5, 6, new int[] {24, 3, 1}, new int[] {30, 5, 1}), "rows of A overlapping");
    }

    // ---------------------------------------------------------------- the binding, against fake_cublas.c

    /** Compiles the stand-in library, or skips where this machine has no C compiler. */
    private static Path fakeLibrary(Path dir) throws IOException, InterruptedException {
        Path src = dir.resolve("fake_cublas.c"), lib = dir.resolve("libcublas.so.13");
        try (InputStream in = CublasTest.class.getResourceAsStream("fake_cublas.c")) {
            Files.copy(in, src);
        }
        try {
            ExternalCommand.run(List.of("cc", "-O1", "-shared", "-fPIC", "-o", lib.toString(), src.toString()), Map.of(), 60);
        } catch (IOException e) {
            Assumptions.abort("no C compiler (cc) to build the stand-in cuBLAS: " + e.getMessage());
        }
        return lib;
    }

    @Test
    void theBindingCallsTheLibraryAsCublasDefinesIt(@TempDir Path dir) throws Throwable {
        Path lib = fakeLibrary(dir);
        Cublas blas = new Cublas(lib);
        long handle = blas.createHandle();
        assertTrue(handle != 0);
        blas.setMathMode(handle, Cublas.TF32_TENSOR_OP_MATH);
        try (Arena arena = Arena.ofConfined()) {
            var lastMode = Linker.nativeLinker().downcallHandle(SymbolLookup.libraryLookup(lib, arena).find("fake_last_math_mode").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            assertEquals(Cublas.TF32_TENSOR_OP_MATH, (int) lastMode.invokeExact());

            int batch = 2, m = 5, n = 7, k = 300;
            SplittableRandom r = new SplittableRandom(7);
            for (DType t : List.of(DType.FLOAT32, DType.FLOAT64)) {
                // A stored transposed ([batch, k, m]), B row-major: both operations of the call are exercised.
                Operand a = operand(r, batch, m, k, Layout.TRANSPOSED), b = operand(r, batch, k, n, Layout.ROWS);
                Cublas.Plan p = Cublas.Plan.rowMajor(m, n, k, a.strides, b.strides);
                MemorySegment da = copy(arena, t, a.data), db = copy(arena, t, b.data), dc = copy(arena, t, new double[batch * m * n]);
                blas.gemm(t, handle, p, batch, da.address(), db.address(), dc.address());
                for (int s = 0; s < batch; s++) {
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double want = 0;
                            for (int q = 0; q < k; q++) want += at(a, s, i, q) * at(b, s, q, j);
                            int at = s * m * n + i * n + j;
                            double got = t == DType.FLOAT32 ? dc.getAtIndex(ValueLayout.JAVA_FLOAT, at) : dc.getAtIndex(ValueLayout.JAVA_DOUBLE, at);
                            assertEquals(want, got, t + " C[" + s + "," + i + "," + j + "]");
                        }
                    }
                }
            }
        }
    }

    private static MemorySegment copy(Arena arena, DType t, double[] v) {
        MemorySegment s = arena.allocate((long) v.length * t.bytes(), 8);
        for (int i = 0; i < v.length; i++) {
            if (t == DType.FLOAT32) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v[i]);
            else s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v[i]);
        }
        return s;
    }

    @Test
    void aLibraryWithoutTheEntryPointsIsRefusedByName(@TempDir Path dir) throws Exception {
        Path empty = dir.resolve("empty.c"), lib = dir.resolve("libcublas.so.12");
        Files.writeString(empty, "int nothing_here(void) { return 0; }\n");
        try {
            ExternalCommand.run(List.of("cc", "-shared", "-fPIC", "-o", lib.toString(), empty.toString()), Map.of(), 60);
        } catch (IOException e) {
            Assumptions.abort("no C compiler (cc): " + e.getMessage());
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new Cublas(lib));
        assertEquals("it has no cublasCreate_v2", e.getMessage());
    }

    // ---------------------------------------------------------------- finding the library

    @Test
    void theLibraryIsLookedForWhereTheUserSaysFirstThenOnTheLibraryPath(@TempDir Path dir) throws IOException {
        Path mine = dir.resolve("mine/libcublas.so.13"), onPath = dir.resolve("path/libcublas.so.12");
        Files.createDirectories(mine.getParent());
        Files.createDirectories(onPath.getParent());
        Files.writeString(onPath, "");
        List<Path> c = Cublas.candidates(mine.toString(), onPath.getParent() + ":");
        assertEquals(mine, c.get(0));
        assertEquals(List.of(onPath.resolveSibling("libcublas.so.13"), onPath), c.subList(1, 3));
        assertEquals(onPath, Cublas.locate(mine.toString(), onPath.getParent().toString()), "the named file does not exist");
        Files.writeString(mine, "");
        assertEquals(mine, Cublas.locate(mine.toString(), onPath.getParent().toString()));
    }

    @Test
    void folderPatternsMatchOneElementPerStar(@TempDir Path dir) throws IOException {
        for (String d : List.of("cuda-13.0/lib64", "cuda-12.4/lib64", "cuda/lib64", "other/lib64", "cuda-x/nothing")) {
            Files.createDirectories(dir.resolve(d));
        }
        assertEquals(List.of(dir.resolve("cuda/lib64"), dir.resolve("cuda-12.4/lib64"), dir.resolve("cuda-13.0/lib64")),
                Cublas.expand(dir + "/cuda*/lib64"));
    }
}
