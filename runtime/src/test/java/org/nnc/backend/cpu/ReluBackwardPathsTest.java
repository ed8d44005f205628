package org.nnc.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nnc.ops.Ops;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/**
 * ReLU's backward (g where x &gt; 0, else 0) on float32 runs a vector loop over contiguous rows, another for a
 * broadcast operand, and the scalar rule in each row's tail; float64 runs the scalar rule. All must agree
 * on every element, NaN, -0 and +0 included (a NaN x gives 0, as on the GPU), at lengths below, at and
 * above a vector.
 */
class ReluBackwardPathsTest {
    private static final float[] X = {Float.NaN, -1f, -0f, 0f, 1e-30f, 2f, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -3f};

    @ParameterizedTest
    @ValueSource(ints = {5, 16, 37, 100})
    void vectorLoopsFollowTheScalarRule(int n) {
        float[] g = new float[n], x = new float[n];
        for (int i = 0; i < n; i++) {
            g[i] = i % 4 == 3 ? Float.NaN : i + 1;
            x[i] = X[i * 5 % X.length];
        }
        float[] rows = Ops.reluBackward(Tensor.of(g, n), Tensor.of(x, n)).toFloatArray();
        for (int i = 0; i < n; i++) {
            float want = x[i] > 0 ? g[i] : 0f;
            assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(rows[i]), "element " + i + " of " + n);
        }
        double[] wide = Ops.reluBackward(Tensor.of(g, n).to(DType.FLOAT64), Tensor.of(x, n).to(DType.FLOAT64)).toDoubleArray();
        for (int i = 0; i < n; i++) assertEquals(rows[i], (float) wide[i], "float64, element " + i);
        for (float xs : X) {
            float[] broadcast = Ops.reluBackward(Tensor.of(g, n), Tensor.scalar(DType.FLOAT32, xs)).toFloatArray();
            for (int i = 0; i < n; i++) {
                float want = xs > 0 ? g[i] : 0f;
                assertEquals(Float.floatToRawIntBits(want), Float.floatToRawIntBits(broadcast[i]), "x = " + xs + ", element " + i);
            }
        }
    }
}
