package org.nnc.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** The fused float32 cross-entropy against the composed nll(log_softmax(x)): values, gradients and errors. */
class CrossEntropyF32Test {
    private static void close(float[] want, float[] got, float rtol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            if (Float.isNaN(want[i])) assertEquals(want[i], got[i], what + " at " + i);
            else assertEquals(want[i], got[i], rtol * (1 + Math.abs(want[i])), what + " at " + i);
        }
    }

    private static void same(Tensor logits, Tensor target, long ignore, Functional.Reduction r) { same(logits, target, ignore, r, 2e-6f); }

    /**
     * rtol: the composed form rounds log-probabilities to float, so where logits are near ±1000 (ulp 6e-5)
     * its softmax is off by that much; the fused form keeps them in double.
     */
    private static void same(Tensor logits, Tensor target, long ignore, Functional.Reduction r, float rtol) {
        Tensor a = logits.clone().detach().requiresGrad(true), b = logits.clone().detach().requiresGrad(true);
        Tensor fused = Functional.crossEntropy(a, target, 0, ignore, r);
        Tensor composed = Functional.nll(Functional.logSoftmax(b, 1), target, ignore, r);
        close(composed.toFloatArray(), fused.toFloatArray(), rtol, r + " value");
        Tensor g = Tensor.rand(new Generator(4), DType.FLOAT32, fused.shape()).add(0.5);
        fused.mul(g).sum().backward();
        composed.mul(g).sum().backward();
        close(b.grad().toFloatArray(), a.grad().toFloatArray(), rtol, r + " gradient");
    }

    @Test
    void matchesTheComposedFormForEveryReduction() {
        Tensor x = Tensor.randn(new Generator(1), DType.FLOAT32, 7, 5).mul(3);
        Tensor t = Tensor.of(new long[] {0, 4, -1, 2, -100, 3, 1}, 7);
        for (Functional.Reduction r : Functional.Reduction.values()) same(x, t, -100, r);
    }

    @Test
    void extremeLogitsStayFinite() {
        Tensor x = Tensor.of(new float[] {1000, -1000, 0, -1000, 1000, 999, 5, 5, 5}, 3, 3);
        same(x, Tensor.of(new long[] {1, 0, 2}, 3), -100, Functional.Reduction.MEAN, 1e-4f);
        float[] g = gradientOfMean(x, Tensor.of(new long[] {1, 0, 2}, 3));
        assertEquals(1 / (1 + Math.exp(-1)) / 3, g[4], 1e-7, "softmax(1000 among [-1000, 1000, 999]) / 3, target elsewhere");
        assertEquals(2000 + Math.log1p(Math.exp(-1)), Functional.crossEntropy(x, Tensor.of(new long[] {1, 0, 2}, 3), 0, -100,
                Functional.Reduction.NONE).get(1), 1e-3, "-log softmax(-1000 among [-1000, 1000, 999])");
    }

    private static float[] gradientOfMean(Tensor x, Tensor t) {
        Tensor a = x.clone().detach().requiresGrad(true);
        Functional.crossEntropy(a, t).backward();
        return a.grad().toFloatArray();
    }

    @Test
    void aNaNLogitMakesItsRowNaNAsInTheComposedForm() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, 2, 0, 1, 2}, 2, 3);
        same(x, Tensor.of(new long[] {0, 2}, 2), -100, Functional.Reduction.NONE);
    }

    @Test
    void everyTargetIgnoredGivesNaNForTheMean() {
        Tensor x = Tensor.randn(new Generator(2), DType.FLOAT32, 2, 3);
        assertEquals(Double.NaN, Functional.crossEntropy(x, Tensor.of(new long[] {-100, -100}, 2)).item());
    }

    @Test
    void aTargetOutOfRangeIsAnError() {
        Tensor x = Tensor.randn(new Generator(3), DType.FLOAT32, 2, 3);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Functional.crossEntropy(x, Tensor.of(new long[] {1, 3}, 2)));
        assertEquals("index 3 is out of bounds for dimension 1 with size 3", e.getMessage());
    }
}
