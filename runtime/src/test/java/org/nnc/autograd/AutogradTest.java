package org.nnc.autograd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nnc.tensor.Tensor;

class AutogradTest {

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = Tensor.vector(1, 2, 3).requiresGrad(true);
        x.mul(x).sum().backward();
        assertArrayEquals(new float[] {2, 4, 6}, x.grad().toFloatArray());
        x.mul(3).sum().backward();
        assertArrayEquals(new float[] {5, 7, 9}, x.grad().toFloatArray());
        x.zeroGrad();
        assertNull(x.grad());
    }

    @Test
    void aTensorUsedTwiceGetsBothContributions() {
        Tensor x = Tensor.vector(2).requiresGrad(true);
        Tensor y = x.mul(x).add(x.exp());
        y.sum().backward();
        assertArrayEquals(new float[] {(float) (4 + Math.exp(2))}, x.grad().toFloatArray(), 1e-5f);
    }

    @Test
    void requiresGradPropagatesAndDetachCuts() {
        Tensor w = Tensor.ones(2).requiresGrad(true);
        Tensor c = Tensor.ones(2);
        assertTrue(w.add(c).requiresGrad());
        assertFalse(c.add(c).requiresGrad());
        Tensor d = w.mul(2).detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
    }

    @Test
    void noGradRecordsNothing() {
        Tensor w = Tensor.ones(2).requiresGrad(true);
        Tensor y = GradMode.noGrad(() -> w.mul(2));
        assertFalse(y.requiresGrad());
        try (GradMode.Scope s = GradMode.disable()) {
            assertFalse(w.exp().requiresGrad());
        }
        assertTrue(GradMode.isEnabled());
    }

    @Test
    void backwardTwiceOnAFreedGraphIsAClearError() {
        Tensor x = Tensor.vector(1, 2).requiresGrad(true);
        Tensor loss = x.exp().sum();
        loss.backward();
        IllegalStateException e = assertThrows(IllegalStateException.class, loss::backward);
        assertTrue(e.getMessage().contains("second time"), e.getMessage());
        Tensor kept = x.exp().sum();
        kept.backward(null, true);
        kept.backward();
    }

    @Test
    void nonScalarBackwardNeedsAGradient() {
        Tensor x = Tensor.vector(1, 2).requiresGrad(true);
        Tensor y = x.mul(3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("scalar"), e.getMessage());
        y.backward(Tensor.vector(1, 10));
        assertArrayEquals(new float[] {3, 30}, x.grad().toFloatArray());
        assertThrows(IllegalStateException.class, () -> Tensor.ones(1).backward());
    }

    @Test
    void gradientsFlowThroughViewsAndBroadcasts() {
        Tensor b = Tensor.vector(1, 2, 3).requiresGrad(true);
        Tensor x = Tensor.ones(4, 3);
        x.add(b).sum().backward();
        assertArrayEquals(new float[] {4, 4, 4}, b.grad().toFloatArray());
        Tensor m = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        m.t().slice(0, 1, org.nnc.ops.Ops.NONE, 1).select(1, 0).sum().backward();
        assertArrayEquals(new float[] {0, 1, 1, 0, 0, 0}, m.grad().toFloatArray());
    }

    @Test
    void deepChainsDoNotOverflowTheStack() {
        Tensor x = Tensor.vector(1).requiresGrad(true);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) y = y.add(1e-4);
        y.sum().backward();
        assertArrayEquals(new float[] {1}, x.grad().toFloatArray());
    }
}
