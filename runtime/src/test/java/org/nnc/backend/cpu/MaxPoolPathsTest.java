package org.nnc.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nnc.nn.Functional;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/**
 * float32 2 × 2 pooling takes its own vector loop; other windows, and float64, take the general one.
 * All must pick the same element: the first maximum among ties (−0 and +0 tie), and the last NaN, as
 * PyTorch does. Sizes below, at and above a vector of windows.
 */
class MaxPoolPathsTest {
    @ParameterizedTest
    @ValueSource(ints = {6, 12, 28})
    void tiledFloatLoopsChooseAsTheGeneralLoop(int size) {
        float[] v = new float[2 * 3 * size * size];
        for (int i = 0; i < v.length; i++) v[i] = (i * 7 % 5) - 2; // many ties
        v[0] = Float.NaN;
        v[8] = Float.NaN;
        v[9] = Float.NaN;
        v[2 * size + 5] = -0f; // a tie of -0 and +0: the first wins
        v[2 * size + 4] = 0f;
        v[3 * size + 4] = -0f;
        v[3 * size + 5] = -0f;
        for (int i = 0; i < v.length; i++) if (i % 9 == 4) v[i] = -5; // windows with a clear winner too
        v[v.length - 3] = Float.NaN; // a NaN inside a vector of windows, and in the last one
        v[v.length / 2 + 1] = Float.NaN;
        for (int k : new int[] {2, 3}) {
            Tensor f = Tensor.of(v.clone(), 2, 3, size, size).requiresGrad(true);
            Tensor d = Tensor.of(v.clone(), 2, 3, size, size).to(DType.FLOAT64).detach().requiresGrad(true);
            Tensor yf = Functional.maxPool2d(f, k), yd = Functional.maxPool2d(d, k);
            double[] want = yd.toDoubleArray(), got = yf.to(DType.FLOAT64).toDoubleArray();
            for (int i = 0; i < want.length; i++) {
                assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(got[i]), "value " + i + ", kernel " + k);
            }
            yf.sum().backward();
            yd.sum().backward();
            assertArrayEquals(d.grad().toDoubleArray(), f.grad().to(DType.FLOAT64).toDoubleArray(), "chosen elements, kernel " + k);
        }
    }
}
