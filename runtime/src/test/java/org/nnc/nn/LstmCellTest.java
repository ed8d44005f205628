package org.nnc.nn;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** The fused float32 LSTM step gives the plain formulas' values and gradients. */
class LstmCellTest {
    /** Hidden sizes below, at and past a vector's width, so both the vector body and the scalar tail run. */
    @ParameterizedTest
    @ValueSource(ints = {5, 16, 40})
    void fusedCellMatchesThePlainFormulas(int hidden) {
        Generator g = new Generator(4);
        LSTM lstm = new LSTM(3, hidden);
        Tensor gates = Tensor.randn(g, DType.FLOAT32, 4, 4 * hidden).mul(2).detach();
        Tensor c = Tensor.randn(g, DType.FLOAT32, 4, hidden).detach();
        Tensor r = Tensor.rand(g, DType.FLOAT32, 4, 2 * hidden).detach();
        Tensor g1 = gates.clone().detach().requiresGrad(true), c1 = c.clone().detach().requiresGrad(true);
        Tensor fused = LstmCell.forward(g1, c1);
        fused.mul(r).sum().backward();
        Tensor g2 = gates.clone().detach().requiresGrad(true), c2 = c.clone().detach().requiresGrad(true);
        Recurrent.State s = lstm.plainCell(g2, new Recurrent.State(null, c2));
        Tensor plain = org.nnc.ops.Ops.concat(java.util.List.of(s.h(), s.c()), 1);
        plain.mul(r).sum().backward();
        Fixtures.assertClose("output", plain, fused, 1e-6, 1e-6);
        Fixtures.assertClose("gate gradient", g2.grad(), g1.grad(), 1e-5, 1e-6);
        Fixtures.assertClose("cell gradient", c2.grad(), c1.grad(), 1e-5, 1e-6);
    }
}
