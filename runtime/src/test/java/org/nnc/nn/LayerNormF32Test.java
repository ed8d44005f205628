package org.nnc.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** The fused float32 layer norm against the composed form run in float64: values and the gradients of x, weight and bias. */
class LayerNormF32Test {
    private static void same(Tensor x, int normalized, boolean affine, double rtol) {
        Generator g = new Generator(5);
        int[] ws = java.util.Arrays.copyOfRange(x.shape(), x.dim() - normalized, x.dim());
        Tensor w = Tensor.rand(g, DType.FLOAT32, ws).add(0.5), b = Tensor.randn(g, DType.FLOAT32, ws);
        Tensor[] f32 = {x.clone().detach().requiresGrad(true), w.clone().requiresGrad(true), b.clone().requiresGrad(true)};
        Tensor[] f64 = {x.to(DType.FLOAT64).detach().requiresGrad(true), w.to(DType.FLOAT64).requiresGrad(true),
                b.to(DType.FLOAT64).requiresGrad(true)};
        Tensor fused = Functional.layerNorm(f32[0], normalized, affine ? f32[1] : null, affine ? f32[2] : null, 1e-5);
        Tensor composed = Functional.layerNorm(f64[0], normalized, affine ? f64[1] : null, affine ? f64[2] : null, 1e-5);
        String what = "layerNorm " + java.util.Arrays.toString(x.shape()) + " over " + normalized + (affine ? ", affine" : "");
        close(composed.toDoubleArray(), fused.toDoubleArray(), rtol, what);
        Tensor r = Tensor.rand(g, DType.FLOAT32, x.shape()).add(-0.5);
        fused.mul(r).sum().backward();
        composed.mul(r.to(DType.FLOAT64)).sum().backward();
        for (int i = 0; i < (affine ? 3 : 1); i++) close(f64[i].grad().toDoubleArray(), f32[i].grad().toDoubleArray(), rtol, what + " gradient " + i);
    }

    private static void close(double[] want, double[] got, double rtol, String what) {
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], rtol * (1 + Math.abs(want[i])), what + " at " + i);
    }

    @Test
    void matchesTheComposedFormInDouble() {
        Generator g = new Generator(1);
        // Rows shorter than, equal to and longer than a vector, with tails; over one and two dimensions.
        same(Tensor.randn(g, DType.FLOAT32, 7, 5).mul(3), 1, true, 1e-5);
        same(Tensor.randn(g, DType.FLOAT32, 4, 16), 1, false, 1e-5);
        same(Tensor.randn(g, DType.FLOAT32, 3, 4, 37), 1, true, 1e-5);
        same(Tensor.randn(g, DType.FLOAT32, 2, 3, 5, 7), 2, true, 1e-5);
        same(Tensor.randn(g, DType.FLOAT32, 6), 1, true, 1e-5);   // one row
    }

    @Test
    void aLargeOffsetDoesNotCancel() {
        // Rows around 1000 with spread 1: float32 holds them to 6e-5, so the result is good to about that, not worse.
        same(Tensor.randn(new Generator(3), DType.FLOAT32, 5, 300).add(1000), 1, true, 2e-4);
    }

    @Test
    void aConstantRowNormalizesToZero() {
        float[] y = Functional.layerNorm(Tensor.full(DType.FLOAT32, 3f, 2, 8), 1, null, null, 1e-5).toFloatArray();
        for (float v : y) assertEquals(0f, v);
    }
}
