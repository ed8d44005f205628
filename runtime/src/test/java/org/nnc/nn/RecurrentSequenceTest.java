package org.nnc.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** The float32 LSTM and GRU layers as one operation give the step-by-step layers' outputs and gradients. */
class RecurrentSequenceTest {
    /**
     * Hidden sizes below, at and past a vector's width (vector body and scalar tail), one step and several,
     * and batches on both sides of the product's thread threshold.
     */
    @ParameterizedTest
    @CsvSource({"3, 1, 5", "2, 4, 16", "4, 7, 40", "32, 5, 128"})
    void matchesTheStepByStepLayer(int batch, int steps, int hidden) {
        Generator g = new Generator(7);
        LSTM lstm = new LSTM(3, hidden);
        Tensor wHh = lstm.param("weight_hh", 0), bHh = lstm.param("bias_hh", 0);
        Tensor projected = Tensor.randn(g, DType.FLOAT32, batch, steps, 4 * hidden).detach();
        Tensor r = Tensor.randn(g, DType.FLOAT32, batch, steps, hidden).detach();

        Tensor p1 = projected.clone().detach().requiresGrad(true);
        Tensor fused = LstmSequence.forward(p1, wHh, bHh);
        fused.mul(r).sum().backward();
        Tensor dp1 = p1.grad(), dw1 = wHh.grad(), db1 = bHh.grad();
        wHh.zeroGrad();
        bHh.zeroGrad();

        Tensor p2 = projected.clone().detach().requiresGrad(true);
        Tensor plain = lstm.stepByStep(p2, wHh, bHh);
        plain.mul(r).sum().backward();

        // Same arithmetic in the same order: the outputs agree bit for bit.
        assertArrayEquals(plain.toFloatArray(), fused.toFloatArray(), "hidden states");
        Fixtures.assertClose("projection gradient", p2.grad(), dp1, 1e-5, 1e-6);
        Fixtures.assertClose("weight_hh gradient", wHh.grad(), dw1, 1e-5, 1e-5);
        Fixtures.assertClose("bias_hh gradient", bHh.grad(), db1, 1e-5, 1e-5);
    }

    /** The same for the GRU layer as one operation. */
    @ParameterizedTest
    @CsvSource({"3, 1, 5", "2, 4, 16", "4, 7, 40", "32, 5, 128"})
    void gruMatchesTheStepByStepLayer(int batch, int steps, int hidden) {
        Generator g = new Generator(9);
        GRU gru = new GRU(3, hidden);
        Tensor wHh = gru.param("weight_hh", 0), bHh = gru.param("bias_hh", 0);
        Tensor projected = Tensor.randn(g, DType.FLOAT32, batch, steps, 3 * hidden).detach();
        Tensor r = Tensor.randn(g, DType.FLOAT32, batch, steps, hidden).detach();

        Tensor p1 = projected.clone().detach().requiresGrad(true);
        Tensor fused = GruSequence.forward(p1, wHh, bHh);
        fused.mul(r).sum().backward();
        Tensor dp1 = p1.grad(), dw1 = wHh.grad(), db1 = bHh.grad();
        wHh.zeroGrad();
        bHh.zeroGrad();

        Tensor p2 = projected.clone().detach().requiresGrad(true);
        Tensor plain = gru.stepByStep(p2, wHh, bHh);
        plain.mul(r).sum().backward();

        assertArrayEquals(plain.toFloatArray(), fused.toFloatArray(), "hidden states");
        Fixtures.assertClose("projection gradient", p2.grad(), dp1, 1e-5, 1e-6);
        Fixtures.assertClose("weight_hh gradient", wHh.grad(), dw1, 1e-5, 1e-5);
        Fixtures.assertClose("bias_hh gradient", bHh.grad(), db1, 1e-5, 1e-5);
    }
}
