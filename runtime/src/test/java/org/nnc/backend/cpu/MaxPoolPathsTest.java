package org.nnc.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.nnc.nn.Functional;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/**
 * float32 pooling with tiling windows takes its own loop; float64 takes the general one. Both must pick
 * the same element: the first maximum among ties, and the last NaN, as PyTorch does.
 */
class MaxPoolPathsTest {
    @Test
    void tiledFloatLoopChoosesAsTheGeneralLoop() {
        float[] v = new float[2 * 3 * 6 * 6];
        for (int i = 0; i < v.length; i++) v[i] = (i * 7 % 5) - 2; // many ties
        v[0] = Float.NaN;
        v[8] = Float.NaN;
        v[9] = Float.NaN;
        for (int k : new int[] {2, 3}) {
            Tensor f = Tensor.of(v.clone(), 2, 3, 6, 6).requiresGrad(true);
            Tensor d = Tensor.of(v.clone(), 2, 3, 6, 6).to(DType.FLOAT64).detach().requiresGrad(true);
            Tensor yf = Functional.maxPool2d(f, k), yd = Functional.maxPool2d(d, k);
            assertArrayEquals(yd.toDoubleArray(), yf.to(DType.FLOAT64).toDoubleArray(), "values, kernel " + k);
            yf.sum().backward();
            yd.sum().backward();
            assertArrayEquals(d.grad().toDoubleArray(), f.grad().to(DType.FLOAT64).toDoubleArray(), "chosen elements, kernel " + k);
        }
    }
}
