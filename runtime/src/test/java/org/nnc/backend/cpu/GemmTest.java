package org.nnc.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The packed SIMD GEMM against a plain double-precision triple loop, over edge sizes and strides, and
 * through its dot-product (few rows or columns, contiguous operands) and row-sum (few rows) paths.
 */
class GemmTest {

    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} transB={4} parallel={5}")
    @CsvSource({
        "1,1,1,false,false,false", "3,5,7,false,false,false", "4,16,8,false,false,false",
        "17,33,19,false,false,true", "128,128,300,false,false,true", "130,70,513,true,false,true",
        "64,200,64,false,true,true", "9,3100,5,true,true,true", "257,129,1,false,false,true", "5,4,0,false,false,false",
        "1,700,300,false,true,true", "3,37,33,false,true,false", "64,10,300,false,true,true", "128,31,77,false,true,true",
        "3,500,200,false,false,true", "2,33,17,true,false,false", "4,1000,9,true,false,true",
        "300,260,70,false,true,true", "520,257,33,true,false,true", "200,400,350,false,false,true", "150,600,500,true,true,true"
    })
    void matchesReference(int m, int n, int k, boolean transA, boolean transB, boolean parallel) {
        SplittableRandom r = new SplittableRandom(m * 31L + n * 7L + k);
        float[] a = uniform(r, m * k), b = uniform(r, k * n);
        // Stored transposed when asked, then read through swapped strides.
        int ars = transA ? 1 : k, acs = transA ? m : 1;
        int brs = transB ? 1 : n, bcs = transB ? k : 1;
        // Accumulating onto 0.5, then overwriting a C full of NaN: no path may read what C held.
        for (boolean accumulate : new boolean[] {true, false}) {
            float start = accumulate ? 0.5f : 0f;
            float[] c = new float[m * n];
            java.util.Arrays.fill(c, accumulate ? start : Float.NaN);
            Gemm.sgemm(m, n, k, a, 0, ars, acs, b, 0, brs, bcs, c, 0, n, accumulate, parallel);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = start;
                    for (int p = 0; p < k; p++) s += (double) a[i * ars + p * acs] * b[p * brs + j * bcs];
                    assertEquals(s, c[i * n + j], 1e-4 * Math.max(1, Math.sqrt(k)),
                            "C[" + i + "," + j + "] accumulate=" + accumulate);
                }
            }
        }
    }

    /** An odd depth is packed with a zero row; it must be zeros, not what an earlier GEMM left there. */
    @org.junit.jupiter.api.Test
    void oddDepthPaddingIgnoresStalePackedValues() {
        int m = 16, n = 64;
        float[] inf = new float[8 * n], ones = new float[m * 8], out = new float[m * n];
        java.util.Arrays.fill(inf, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(ones, 1f);
        Gemm.sgemm(m, n, 8, ones, 0, 8, 1, inf, 0, n, 1, out, 0, n, false, false);
        float[] b = new float[3 * n];
        java.util.Arrays.fill(b, 2f);
        Gemm.sgemm(m, n, 3, ones, 0, 8, 1, b, 0, n, 1, out, 0, n, false, false);
        for (float v : out) assertEquals(6f, v);
    }

    /**
     * A B packed once gives the plain sgemm's products bit for bit: depths over one cache block and odd,
     * widths off the panel width, both B layouts, a strided A, with and without the bias and ReLU epilogue,
     * on one thread and two; and a few rows, which sgemm multiplies without packing.
     */
    @ParameterizedTest(name = "m={0} n={1} k={2} transB={3} epilogue={4}")
    @CsvSource({
        "32,512,128,true,true", "32,128,512,false,false", "6,40,7,true,false", "130,70,513,false,true",
        "9,3072,300,true,true", "64,33,257,false,false"
    })
    void packedOperandMatchesPlainProductsExactly(int m, int n, int k, boolean transB, boolean epilogue) {
        SplittableRandom r = new SplittableRandom(m * 17L + n * 5L + k);
        int ars = 3 * k;   // every third row of a taller array, as an RNN reads one step of [B, T, ·]
        float[] a = uniform(r, m * ars), b = uniform(r, k * n), bias = uniform(r, n);
        int brs = transB ? 1 : n, bcs = transB ? k : 1;
        Gemm.Epilogue ep = epilogue ? new Gemm.Epilogue(bias, 0, false, true) : null;
        float[] plain = new float[m * n], packed = new float[m * n];
        java.util.Arrays.fill(packed, Float.NaN);
        Gemm.sgemm(m, n, k, a, k, ars, 1, b, 0, brs, bcs, plain, 0, n, Gemm.worthThreads(m, n, k), ep);
        Gemm.PackedB pb = Gemm.pack(k, n, b, 0, brs, bcs);
        Gemm.sgemm(m, a, k, ars, 1, pb, packed, 0, n, ep);
        for (int i = 0; i < plain.length; i++) {
            assertEquals(Float.floatToIntBits(plain[i]), Float.floatToIntBits(packed[i]), "C[" + i / n + "," + i % n + "]");
        }
        // A few rows go sgemm's dot-product ways, through the same packed operand.
        int few = Gemm.SMALL;
        float[] plainFew = new float[few * n], packedFew = new float[few * n];
        Gemm.sgemm(few, n, k, a, k, ars, 1, b, 0, brs, bcs, plainFew, 0, n, false, ep);
        Gemm.sgemm(few, a, k, ars, 1, pb, packedFew, 0, n, ep);
        assertEquals(java.util.Arrays.toString(plainFew), java.util.Arrays.toString(packedFew));
    }

    /**
     * An A packed once gives the plain serial sgemm's products bit for bit, row-major or transposed, with
     * two depth blocks and an odd depth, and through the plain path where sgemm would not pack (few rows).
     */
    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} epilogue={4}")
    @CsvSource({"64,196,288,false,true", "288,196,64,true,false", "32,784,9,false,true", "3,50,20,false,false", "130,40,513,true,true",
                "8,3100,20,false,true"})
    void packedLeftOperandMatchesPlainProductsExactly(int m, int n, int k, boolean transA, boolean epilogue) {
        SplittableRandom r = new SplittableRandom(m * 13L + n * 3L + k);
        float[] a = uniform(r, m * k), b = uniform(r, k * n), bias = uniform(r, m);
        int ars = transA ? 1 : k, acs = transA ? m : 1;
        Gemm.Epilogue ep = epilogue ? new Gemm.Epilogue(bias, 0, true, true) : null;
        float[] plain = new float[m * n], packed = new float[m * n];
        java.util.Arrays.fill(packed, Float.NaN);
        Gemm.sgemm(m, n, k, a, 0, ars, acs, b, 0, n, 1, plain, 0, n, false, ep);
        Gemm.sgemm(Gemm.packA(m, k, a, 0, ars, acs), n, b, 0, n, 1, packed, 0, n, ep);
        for (int i = 0; i < plain.length; i++) {
            assertEquals(Float.floatToIntBits(plain[i]), Float.floatToIntBits(packed[i]), "C[" + i / n + "," + i % n + "]");
        }
    }

    /**
     * Split across threads, by row blocks or by column panels, a product is the serial one bit for bit:
     * each C element is the same depth blocks added in the same order.
     */
    @ParameterizedTest(name = "m={0} n={1} k={2} transA={3} accumulate={4}")
    @CsvSource({"300,200,90,false,false", "100,300,90,false,true", "200,400,350,false,false", "150,600,500,true,true",
                "700,260,300,true,false", "64,3300,300,false,false"})
    void threadSplitsMatchTheSerialProductExactly(int m, int n, int k, boolean transA, boolean accumulate) {
        SplittableRandom r = new SplittableRandom(m * 5L + n * 11L + k);
        float[] a = uniform(r, m * k), b = uniform(r, k * n), start = uniform(r, m * n);
        int ars = transA ? 1 : k, acs = transA ? m : 1;
        float[] serial = start.clone(), split = start.clone();
        Gemm.sgemm(m, n, k, a, 0, ars, acs, b, 0, n, 1, serial, 0, n, accumulate, false);
        Gemm.sgemm(m, n, k, a, 0, ars, acs, b, 0, n, 1, split, 0, n, accumulate, true);
        for (int i = 0; i < serial.length; i++) {
            assertEquals(Float.floatToIntBits(serial[i]), Float.floatToIntBits(split[i]), "C[" + i / n + "," + i % n + "]");
        }
    }

    /** n values drawn uniformly from [-1, 1), in order. */
    private static float[] uniform(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextDouble(-1, 1);
        return v;
    }
}
