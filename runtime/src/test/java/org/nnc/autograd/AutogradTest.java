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

    /**
     * The engine keeps a gradient a backward made just now as the sum (or the leaf's gradient) without a copy,
     * and copies one that is handed on: leaves fed the same gradient (add passes it to both sides) still get
     * their own storage, and every mix of handed-on and new contributions sums right.
     */
    @Test
    void leavesNeverShareAGradientAndOwnedSumsAddUp() {
        Tensor a = Tensor.vector(1, 2).requiresGrad(true), b = Tensor.vector(3, 4).requiresGrad(true);
        a.add(b).sum().backward();
        assertFalse(a.grad().storage() == b.grad().storage());
        a.grad().add_(Tensor.vector(10, 10), 1);
        assertArrayEquals(new float[] {1, 1}, b.grad().toFloatArray());

        Tensor d = Tensor.vector(1, 2).requiresGrad(true);
        d.mul(2).add(d.mul(3)).sum().backward();            // two new contributions
        assertArrayEquals(new float[] {5, 5}, d.grad().toFloatArray());
        Tensor e = Tensor.vector(1, 2).requiresGrad(true);
        e.add(e.mul(3)).add(e).sum().backward();            // handed-on and new ones, in both orders
        assertArrayEquals(new float[] {5, 5}, e.grad().toFloatArray());
        Tensor f = Tensor.vector(1, 2).requiresGrad(true);
        Tensor y = f.mul(f);
        y.add(y).sum().backward();                          // one new gradient, then the same handed on twice
        assertArrayEquals(new float[] {4, 8}, f.grad().toFloatArray());

        // A backward that returns one new storage for both of its inputs: neither leaf may keep it uncopied.
        Tensor p = Tensor.vector(1, 2).requiresGrad(true), q = Tensor.vector(3, 4).requiresGrad(true);
        Tensor out = Autograd.record("both", Tensor.vector(0, 0), g -> {
            Tensor shared = g.mul(2);
            return new Tensor[] {shared, shared.detach()};
        }, p, q);
        out.sum().backward();
        assertFalse(p.grad().storage() == q.grad().storage());
        assertArrayEquals(new float[] {2, 2}, q.grad().toFloatArray());
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

    /**
     * The gradients of many views of one tensor are added into a single sum in place; that sum must not
     * disturb a gradient handed on unchanged (a + b passes the same tensor to both) or the caller's.
     */
    @Test
    void viewGradientsAddInPlaceWithoutTouchingSharedGradients() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).requiresGrad(true);
        Tensor y = x.mul(1);
        Tensor parts = y.select(0, 0).mul(2).add(y.select(0, 1).mul(3)).add(y.slice(1, 0, 1, 1).sum().mul(5));
        Tensor a = x.mul(1), b = x.mul(1);
        Tensor shared = a.add(b).sum(1, false);
        Tensor seed = Tensor.vector(1, 1, 1);
        parts.add(shared.slice(0, 0, 1, 1).sum()).backward(seed);
        assertArrayEquals(new float[] {1, 1, 1}, seed.toFloatArray());
        // d/dx: rows weighted 2 and 3; column 0's sum, broadcast to 3 elements, 5·3 more; row 0 of a + b,
        // summed and broadcast to 3 elements, 3 through a and 3 through b.
        assertArrayEquals(new float[] {2 + 15 + 6, 2 + 6, 2 + 6, 3 + 15, 3, 3}, x.grad().toFloatArray());
        // Visited so that the sum of a + b's gradient reaches wa and wb first, then wa's select adds to it,
        // then wb's gradient is used: an in-place add into the shared tensor would show in wb's.
        Tensor w = Tensor.ones(2, 3).requiresGrad(true);
        Tensor wa = w.mul(1), wb = w.mul(2), sum = wa.add(wb);
        Tensor extra = wb.sum().mul(0).add(wa.select(0, 0).sum());
        Tensor rows = sum.select(0, 0).sum().add(sum.select(0, 1).sum());
        extra.add(rows).backward();
        assertArrayEquals(new float[] {4, 4, 4, 3, 3, 3}, w.grad().toFloatArray());
        Tensor z = Tensor.of(new float[] {1, 2, 3, 4}, 4).requiresGrad(true);
        Tensor total = z.slice(0, 0, 2, 1).sum();
        for (int i = 0; i < 4; i++) total = total.add(z.select(0, i).mul(i + 1));
        total.backward();
        assertArrayEquals(new float[] {2, 3, 3, 4}, z.grad().toFloatArray());
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
