package org.nnc.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** The fused float32 softmax and log-softmax against the composed form run in float64: values and gradients. */
class SoftmaxF32Test {
    /** Fused on x (float32), composed on x in float64, each with the gradient of Σ y·r. */
    private static void same(Tensor x, boolean log) {
        Tensor a = x.clone().detach().requiresGrad(true), b = x.to(DType.FLOAT64).detach().requiresGrad(true);
        Tensor fused = log ? Functional.logSoftmax(a, -1) : Functional.softmax(a, -1);
        Tensor composed = log ? Functional.logSoftmax(b, -1) : Functional.softmax(b, -1);
        String what = (log ? "logSoftmax " : "softmax ") + java.util.Arrays.toString(x.shape());
        close(composed.toDoubleArray(), fused.toDoubleArray(), what);
        Tensor r = Tensor.rand(new Generator(4), DType.FLOAT32, x.shape()).add(-0.5);
        fused.mul(r).sum().backward();
        composed.mul(r.to(DType.FLOAT64)).sum().backward();
        close(b.grad().toDoubleArray(), a.grad().toDoubleArray(), what + " gradient");
    }

    private static void close(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (Double.isNaN(want[i]) || Double.isInfinite(want[i])) assertEquals(want[i], got[i], what + " at " + i);
            else assertEquals(want[i], got[i], 2e-6 * (1 + Math.abs(want[i])), what + " at " + i);
        }
    }

    @Test
    void matchesTheComposedFormInDouble() {
        Generator g = new Generator(1);
        // Rows shorter than, equal to and longer than a vector, with tails; 2-D to 4-D.
        for (int[] shape : new int[][] {{7, 5}, {2, 1}, {3, 4, 37}, {4, 1000}, {2, 2, 3, 16}}) {
            Tensor x = Tensor.randn(g, DType.FLOAT32, shape).mul(4);
            same(x, false);
            same(x, true);
        }
    }

    @Test
    void extremeAndMaskedRowsBehaveAsComposed() {
        float inf = Float.POSITIVE_INFINITY, nan = Float.NaN;
        Tensor x = Tensor.of(new float[] {
            1000, -1000, 999, 0,          // far apart: finite throughout
            -inf, 0, 1, -inf,             // masked (attention): 0 and −∞ where masked
            nan, 0, 1, 2,                 // a NaN: NaN throughout
            inf, 0, 1, 2,                 // +∞: NaN throughout
            -inf, -inf, -inf, -inf}, 5, 4);   // nothing left: NaN throughout
        same(x, false);
        same(x, true);
        float[] p = Functional.softmax(x, 1).toFloatArray();
        assertEquals(0f, p[4]);
        assertTrue(Float.isNaN(p[8]) && Float.isNaN(p[13]) && Float.isNaN(p[19]));
    }

    @Test
    void aStridedInputAndOtherDimensionsKeepTheirMeaning() {
        Tensor x = Tensor.randn(new Generator(2), DType.FLOAT32, 6, 9);
        same(x.t(), false);   // a transposed view: rows of the view, not of the storage
        same(x.t(), true);
        Tensor dim0 = Functional.softmax(x, 0), viaT = Functional.softmax(x.t().contiguous(), 1).t();
        close(viaT.toDoubleArray(), dim0.toDoubleArray(), "softmax over dim 0 (composed) as the fused form of the transpose");
    }
}
