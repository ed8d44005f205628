package org.nnc.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.nnc.backend.Backend.Window;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/**
 * im2col and col2im's float32 paths (at stride 1, whole runs copied or added) against the general element
 * loop, which float64 tensors take: padding wider than the kernel, dilation, strides, 1 × 1 kernels, and
 * windows that miss a row entirely.
 */
class WindowPathsTest {
    @Test
    void unitStrideRunsMatchTheElementLoop() {
        // kernel, padding, dilation, stride
        int[][] configs = {{3, 1, 1, 1}, {3, 0, 2, 1}, {5, 2, 1, 1}, {1, 0, 1, 1}, {3, 3, 1, 1}, {2, 4, 3, 1}, {3, 1, 1, 2}, {2, 0, 2, 3}};
        for (int[] cfg : configs) {
            int k = cfg[0], p = cfg[1], d = cfg[2];
            Window w = new Window(k, cfg[3], p, d, 7, 9);
            Tensor x = Tensor.rand(new Generator(k * 31 + p), DType.FLOAT32, 2, 3, 7, 9);
            int l = w.outHeight() * w.outWidth();
            Tensor fast = Tensor.empty(DType.FLOAT32, 2, 3 * k * k, l), slow = Tensor.empty(DType.FLOAT64, 2, 3 * k * k, l);
            CpuBackend.INSTANCE.im2col(x, w, fast);
            CpuBackend.INSTANCE.im2col(x.to(DType.FLOAT64), w, slow);
            assertArrayEquals(slow.toFloatArray(), fast.toFloatArray(), "im2col k=" + k + " p=" + p + " d=" + d);

            Tensor cols = Tensor.rand(new Generator(k + p + d), DType.FLOAT32, 2, 3 * k * k, l);
            Tensor dxFast = Tensor.empty(DType.FLOAT32, 2, 3, 7, 9), dxSlow = Tensor.empty(DType.FLOAT64, 2, 3, 7, 9);
            CpuBackend.INSTANCE.col2im(cols, w, dxFast);
            CpuBackend.INSTANCE.col2im(cols.to(DType.FLOAT64), w, dxSlow);
            float[] f = dxFast.toFloatArray();
            double[] s = dxSlow.toDoubleArray();
            for (int i = 0; i < f.length; i++) assertEquals(s[i], f[i], 1e-5, "col2im k=" + k + " p=" + p + " d=" + d + " at " + i);
        }
    }
}
