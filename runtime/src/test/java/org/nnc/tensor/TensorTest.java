package org.nnc.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nnc.ops.Ops;

class TensorTest {

    private static Tensor range(int... shape) {
        return Tensor.arange(DType.FLOAT32, 0, Shape.numel(shape), 1).reshape(shape);
    }

    @Test
    void creation() {
        assertArrayEquals(new float[] {0, 0, 0, 0}, Tensor.zeros(2, 2).toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1}, Tensor.ones(3).toFloatArray());
        assertArrayEquals(new float[] {7, 7}, Tensor.full(7, 2).toFloatArray());
        assertEquals(DType.INT64, Tensor.arange(5).dtype());
        assertArrayEquals(new long[] {0, 1, 2, 3, 4}, Tensor.arange(5).toLongArray());
        assertArrayEquals(new float[] {0.5f, 1.0f, 1.5f}, Tensor.arange(0.5, 2, 0.5).toFloatArray());
        assertEquals(DType.FLOAT64, Tensor.of(new double[] {1, 2}, 2).dtype());
        assertEquals(DType.INT32, Tensor.of(new int[] {1, 2}, 2, 1).dtype());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3));
        assertEquals(0, Tensor.scalar(3).dim());
        assertEquals(3.0, Tensor.scalar(3).item());
    }

    @Test
    void seededGeneratorReproducesRandomTensors() {
        Generator.global().manualSeed(42);
        float[] a = Tensor.randn(4, 4).toFloatArray();
        float[] u = Tensor.rand(100).toFloatArray();
        Generator.global().manualSeed(42);
        assertArrayEquals(a, Tensor.randn(4, 4).toFloatArray());
        assertArrayEquals(u, Tensor.rand(100).toFloatArray());
        for (float v : u) assertTrue(v >= 0 && v < 1);
        double mean = Tensor.randn(new Generator(1), DType.FLOAT64, 100_000).mean().item();
        double var = Tensor.randn(new Generator(2), DType.FLOAT64, 100_000).pow(2).mean().item();
        assertEquals(0, mean, 0.02);
        assertEquals(1, var, 0.02);
    }

    @Test
    void reshapeIsAViewWhenContiguousAndACopyOtherwise() {
        Tensor x = range(2, 6);
        Tensor v = x.reshape(3, -1);
        assertArrayEquals(new int[] {3, 4}, v.shape());
        assertSame(x.storage(), v.storage());
        Tensor t = x.t();
        assertFalse(t.isContiguous());
        Tensor r = t.reshape(12);
        assertNotSame(x.storage(), r.storage());
        assertArrayEquals(new float[] {0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11}, r.toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> t.view(12));
        assertThrows(IllegalArgumentException.class, () -> x.reshape(5, -1));
        assertThrows(IllegalArgumentException.class, () -> x.reshape(-1, -1));
    }

    @Test
    void transposeAndPermuteShareStorage() {
        Tensor x = range(2, 3, 4);
        Tensor p = x.permute(2, 0, 1);
        assertSame(x.storage(), p.storage());
        assertArrayEquals(new int[] {4, 2, 3}, p.shape());
        assertEquals(x.get(1, 2, 3), p.get(3, 1, 2));
        Tensor t = x.transpose(-1, 0);
        assertArrayEquals(new int[] {4, 3, 2}, t.shape());
        assertEquals(x.get(1, 0, 2), t.get(2, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> x.permute(0, 0, 1));
    }

    @Test
    void slicingWithNegativeIndicesAndSteps() {
        Tensor x = range(10);
        assertArrayEquals(new float[] {2, 3, 4}, x.slice(0, 2, 5, 1).toFloatArray());
        assertArrayEquals(new float[] {7, 8}, x.slice(0, -3, -1, 1).toFloatArray());
        assertArrayEquals(new float[] {1, 4, 7}, x.slice(0, 1, Ops.NONE, 3).toFloatArray());
        assertArrayEquals(new float[] {9, 8, 7, 6, 5, 4, 3, 2, 1, 0}, x.slice(0, Ops.NONE, Ops.NONE, -1).toFloatArray());
        assertArrayEquals(new float[] {8, 6, 4}, x.slice(0, -2, 2, -2).toFloatArray());
        assertArrayEquals(new float[] {}, x.slice(0, 5, 2, 1).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, x.slice(0, -100, 100, 1).toFloatArray());
        Tensor m = range(3, 4);
        assertArrayEquals(new float[] {3, 7, 11}, m.select(1, -1).toFloatArray());
        assertArrayEquals(new float[] {4, 5, 6, 7}, m.select(0, 1).toFloatArray());
        assertSame(m.storage(), m.select(1, -1).storage());
        assertThrows(IndexOutOfBoundsException.class, () -> m.select(0, 3));
        assertThrows(IllegalArgumentException.class, () -> x.slice(0, 0, 1, 0));
    }

    @Test
    void expandSqueezeUnsqueeze() {
        Tensor x = range(3, 1);
        Tensor e = x.expand(2, 3, 4);
        assertSame(x.storage(), e.storage());
        assertArrayEquals(new int[] {0, 1, 0}, e.strides());
        assertEquals(2.0, e.get(1, 2, 3));
        assertEquals(2.0, x.expand(-1, 5).get(2, 4));
        assertThrows(IllegalArgumentException.class, () -> x.expand(3, 3).expand(2, 2));
        assertArrayEquals(new int[] {3}, x.squeeze(1).shape());
        assertArrayEquals(new int[] {3, 1}, x.squeeze(0).shape());
        assertArrayEquals(new int[] {1, 3, 1}, x.unsqueeze(0).shape());
        assertArrayEquals(new int[] {3, 1, 1}, x.unsqueeze(-1).shape());
        assertArrayEquals(new int[] {3}, range(1, 3, 1).squeeze().shape());
    }

    @Test
    void contiguousCopiesOnlyWhenNeeded() {
        Tensor x = range(3, 4);
        assertSame(x, x.contiguous());
        Tensor c = x.t().contiguous();
        assertTrue(c.isContiguous());
        assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, c.toFloatArray());
    }

    @Test
    void broadcastingArithmetic() {
        Tensor a = range(2, 3);
        Tensor b = Tensor.vector(10, 20, 30);
        assertArrayEquals(new float[] {10, 21, 32, 13, 24, 35}, a.add(b).toFloatArray());
        Tensor col = Tensor.of(new float[] {1, 2}, 2, 1);
        assertArrayEquals(new float[] {0, 1, 2, 6, 8, 10}, a.mul(col).toFloatArray());
        assertThrows(IllegalArgumentException.class, () -> a.add(Tensor.zeros(2)));
        Tensor mask = a.gt(Tensor.scalar(2));
        assertEquals(DType.BOOL, mask.dtype());
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1}, mask.toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, -1, -1, -1}, a.maskedFill(mask, -1).toFloatArray());
        assertArrayEquals(new float[] {0, 1, 2, 0, 0, 0}, Ops.where(mask, Tensor.scalar(0), a).toFloatArray());
    }

    @Test
    void reductionsAndArgmax() {
        Tensor x = Tensor.of(new float[] {3, 1, 4, 1, 5, 9, 2, 6, 5}, 3, 3);
        assertEquals(36.0, x.sum().item(), 1e-6);
        assertArrayEquals(new float[] {8, 15, 13}, x.sum(1, false).toFloatArray());
        assertArrayEquals(new int[] {3, 1}, x.sum(1, true).shape());
        assertArrayEquals(new float[] {4, 9, 6}, x.max(1, false).toFloatArray());
        assertArrayEquals(new long[] {2, 2, 1}, x.argmax(1, false).toLongArray());
        assertArrayEquals(new long[] {0, 2, 1}, x.argmax(0, false).toLongArray());
        assertEquals(5L, (long) x.argmax().item());
        assertArrayEquals(new float[] {1, 1, 2}, x.min(1, false).toFloatArray());
        assertEquals(4.0, x.mean().item(), 1e-6);
    }

    @Test
    void toStringLooksLikePyTorch() {
        assertEquals("tensor([[0., 1., 2.],\n        [3., 4., 5.]], shape=[2, 3], dtype=float32)", range(2, 3).toString());
        assertEquals("tensor([ 0.5000, -1.2500], shape=[2], dtype=float32)", Tensor.vector(0.5f, -1.25f).toString());
        assertEquals("tensor(3, shape=[], dtype=int64)", Tensor.scalar(DType.INT64, 3).toString());
        assertEquals("tensor([1.0000e-05, 1.0000e+02], shape=[2], dtype=float32)", Tensor.vector(1e-5f, 100).toString());
        String big = range(2000).mul(0.001).add(1).toString();
        assertEquals("tensor([1.0000, 1.0010, 1.0020,  ..., 2.9970, 2.9980, 2.9990], shape=[2000], dtype=float32)", big);
        assertTrue(range(2000).toString().startsWith("tensor([0.0000e+00, 1.0000e+00,"), "PyTorch switches to e-notation above a 1000x range");
        String rows = Tensor.zeros(40, 40).add(range(40)).toString();
        String row = "[ 0.,  1.,  2.,  ..., 37., 38., 39.]";
        assertEquals("tensor([" + row + ",\n        " + row + ",\n        " + row + ",\n        ...,\n        "
                + row + ",\n        " + row + ",\n        " + row + "], shape=[40, 40], dtype=float32)", rows);
        Tensor r = Tensor.zeros(2).requiresGrad(true);
        assertTrue(r.toString().endsWith("requires_grad=true)"));
        assertTrue(r.add(1).toString().endsWith("grad_fn=<add>)"));
        String cube = range(2, 2, 2).toString();
        assertEquals("tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]], shape=[2, 2, 2], dtype=float32)", cube);
    }

    @Test
    void matmulShapesFollowNumPy() {
        assertArrayEquals(new int[] {5}, Tensor.zeros(4).matmul(Tensor.zeros(4, 5)).shape());
        assertArrayEquals(new int[] {3}, Tensor.zeros(3, 4).matmul(Tensor.zeros(4)).shape());
        assertArrayEquals(new int[] {}, Tensor.zeros(4).matmul(Tensor.zeros(4)).shape());
        assertArrayEquals(new int[] {2, 7, 3, 5}, Tensor.zeros(2, 1, 3, 4).matmul(Tensor.zeros(7, 4, 5)).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.zeros(64, 3136).matmul(Tensor.zeros(1600, 128)));
        assertTrue(e.getMessage().contains("[64, 3136] and [1600, 128]"), e.getMessage());
    }

    @Test
    void concatStackGatherIndexSelect() {
        Tensor a = range(2, 2);
        Tensor b = Tensor.full(9, 1, 2);
        assertArrayEquals(new float[] {0, 1, 2, 3, 9, 9}, Ops.concat(java.util.List.of(a, b), 0).toFloatArray());
        assertArrayEquals(new int[] {2, 2, 2}, Ops.stack(java.util.List.of(a, a), 1).shape());
        assertThrows(IllegalArgumentException.class, () -> Ops.concat(java.util.List.of(a, b), 1));
        Tensor g = a.gather(1, Tensor.of(new long[] {1, 0, 0, 0}, 2, 2));
        assertArrayEquals(new float[] {1, 0, 2, 2}, g.toFloatArray());
        assertArrayEquals(new float[] {2, 3, 0, 1}, a.indexSelect(0, Tensor.of(new long[] {1, 0}, 2)).toFloatArray());
        assertThrows(IndexOutOfBoundsException.class, () -> a.indexSelect(0, Tensor.of(new long[] {2}, 1)));
    }

    @Test
    void inPlaceUpdatesOfParametersNeedNoGrad() {
        Tensor w = Tensor.ones(2).requiresGrad(true);
        assertThrows(IllegalStateException.class, () -> w.add_(Tensor.ones(2), -0.1));
        org.nnc.autograd.GradMode.noGrad(() -> w.add_(Tensor.ones(2), -0.5));
        assertArrayEquals(new float[] {0.5f, 0.5f}, w.toFloatArray());
    }
}
