package org.nnc.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/** ReLU as PyTorch has it on every path: NaN stays NaN, −0 becomes +0, the gradient at NaN is 0. */
class ReluTest {
    private static float[] row(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = i % 4 == 0 ? Float.NaN : i % 4 == 1 ? -1 : i % 4 == 2 ? -0f : 2;
        return v;
    }

    private static void check(float[] in, float[] out, String what) {
        for (int i = 0; i < in.length; i++) {
            if (Float.isNaN(in[i])) assertTrue(Float.isNaN(out[i]), what + ": NaN at " + i);
            else assertEquals(Float.floatToIntBits(in[i] > 0 ? in[i] : 0f), Float.floatToIntBits(out[i]), what + " at " + i);
        }
    }

    @Test
    void nanStaysNaNInVectorLoopsScalarTailsAndDouble() {
        for (int n : new int[] {3, 37, 1000}) {
            float[] v = row(n);
            check(v, Functional.relu(Tensor.of(v, n)).toFloatArray(), "float32, " + n + " elements");
            float[] back = Functional.relu(Tensor.of(v, n).to(DType.FLOAT64)).toFloatArray();
            check(v, back, "float64, " + n + " elements");
        }
    }

    @Test
    void theGemmEpilogueAgrees() {
        Tensor x = Tensor.of(new float[] {Float.NaN, 1, -1, 2}, 2, 2), w = Tensor.of(new float[] {1, 0, 0, 1}, 2, 2);
        float[] y = Functional.linearRelu(x, w, null).toFloatArray();
        assertTrue(Float.isNaN(y[0]), "NaN through the epilogue");
        assertEquals(0f, y[2]);
    }

    @Test
    void theGradientAtNaNIsZero() {
        Tensor x = Tensor.of(new float[] {Float.NaN, 3, -3}, 3).requiresGrad(true);
        Functional.relu(x).sum().backward();
        assertEquals(java.util.Arrays.toString(new float[] {0, 1, 0}), java.util.Arrays.toString(x.grad().toFloatArray()));
    }
}
