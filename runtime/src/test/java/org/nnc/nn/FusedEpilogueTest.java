package org.nnc.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/**
 * Layers with the bias (and ReLU) in the GEMM's epilogue against the same computed by separate ops
 * (matmul, add, relu): bit for bit forward, and to rounding backward (the weight's gradient is a
 * differently laid-out product there), on every GEMM path: dot products (few rows), the column split
 * across threads, the packed kernel with several depth blocks (the epilogue must wait for the last),
 * and partial tiles.
 */
class FusedEpilogueTest {
    private static Tensor rand(long seed, int... shape) {
        return Tensor.rand(new Generator(seed), DType.FLOAT32, shape).mul(2).add(-1).detach();
    }

    private static void same(Supplier<Tensor[]> inputs, java.util.function.Function<Tensor[], Tensor> fused,
                             java.util.function.Function<Tensor[], Tensor> plain) {
        Tensor[] a = inputs.get(), b = inputs.get();
        for (Tensor t : a) t.requiresGrad(true);
        for (Tensor t : b) t.requiresGrad(true);
        Tensor ya = fused.apply(a), yb = plain.apply(b);
        assertArrayEquals(yb.toFloatArray(), ya.toFloatArray(), "forward");
        Tensor g = rand(99, ya.shape());
        ya.mul(g).sum().backward();
        yb.mul(g).sum().backward();
        for (int i = 0; i < a.length; i++) {
            float[] want = b[i].grad().toFloatArray(), got = a[i].grad().toFloatArray();
            for (int j = 0; j < want.length; j++) {
                assertEquals(want[j], got[j], 1e-5f * (1 + Math.abs(want[j])), "gradient " + i + " element " + j);
            }
        }
    }

    /** relu(x Wᵀ + b) from separate ops. */
    private static Tensor linearByOps(Tensor x, Tensor w, Tensor b, boolean relu) {
        Tensor y = x.matmul(w.t());
        if (b != null) y = y.add(b);
        return relu ? Functional.relu(y) : y;
    }

    /** relu(conv2d) from unfold, matmul and add. */
    private static Tensor conv2dByOps(Tensor x, Tensor w, Tensor b, int stride, int padding, boolean relu) {
        int out = w.size(0), k = w.size(2);
        Tensor cols = Functional.unfold(x, k, stride, padding, 1);
        int oh = (x.size(2) + 2 * padding - k) / stride + 1, ow = (x.size(3) + 2 * padding - k) / stride + 1;
        Tensor y = w.reshape(out, -1).matmul(cols).reshape(x.size(0), out, oh, ow).add(b.reshape(1, out, 1, 1));
        return relu ? Functional.relu(y) : y;
    }

    @Test
    void linearReluEqualsReluOfLinearOnEveryGemmPath() {
        int[][] shapes = {{3, 40, 20}, {9, 300, 70}, {130, 300, 100}, {64, 784, 512}, {7, 5, 1}};  // rows, in, out
        for (int[] s : shapes) {
            same(() -> new Tensor[] {rand(1, s[0], s[1]), rand(2, s[2], s[1]), rand(3, s[2])},
                    x -> Functional.linearRelu(x[0], x[1], x[2]), x -> linearByOps(x[0], x[1], x[2], true));
            same(() -> new Tensor[] {rand(1, s[0], s[1]), rand(2, s[2], s[1]), rand(3, s[2])},
                    x -> Functional.linear(x[0], x[1], x[2]), x -> linearByOps(x[0], x[1], x[2], false));
        }
        same(() -> new Tensor[] {rand(4, 2, 6, 33), rand(5, 17, 33)},
                x -> Functional.linearRelu(x[0], x[1], null), x -> linearByOps(x[0], x[1], null, true));
    }

    @Test
    void conv2dReluEqualsReluOfConv2d() {
        same(() -> new Tensor[] {rand(6, 4, 3, 12, 12), rand(7, 32, 3, 3, 3), rand(8, 32)},
                x -> Functional.conv2dRelu(x[0], x[1], x[2], 1, 1, 1), x -> conv2dByOps(x[0], x[1], x[2], 1, 1, true));
        same(() -> new Tensor[] {rand(6, 4, 3, 12, 12), rand(7, 32, 3, 3, 3), rand(8, 32)},
                x -> Functional.conv2d(x[0], x[1], x[2], 1, 1, 1), x -> conv2dByOps(x[0], x[1], x[2], 1, 1, false));
        same(() -> new Tensor[] {rand(9, 2, 40, 9, 9), rand(10, 6, 40, 3, 3), rand(11, 6)},
                x -> Functional.conv2dRelu(x[0], x[1], x[2], 2, 0, 1), x -> conv2dByOps(x[0], x[1], x[2], 2, 0, true));
    }

    @Test
    void modulesOfferTheFusedForm() {
        Generator.global().manualSeed(3);
        Linear fc = new Linear(10, 4);
        Tensor x = rand(12, 5, 10);
        assertArrayEquals(Functional.relu(fc.forward(x)).toFloatArray(), fc.forwardRelu(x).toFloatArray());
        Module plain = new Sequential(new Linear(10, 4));
        assertArrayEquals(Functional.relu(plain.forward(x)).toFloatArray(), plain.forwardRelu(x).toFloatArray(), "the default");
    }
}
