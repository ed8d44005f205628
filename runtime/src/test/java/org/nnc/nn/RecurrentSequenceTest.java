package org.nnc.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** The float32 LSTM and GRU layers as one operation give the step-by-step layers' outputs and gradients. */
class RecurrentSequenceTest {
    /**
     * Hidden sizes below, at and past a vector's width (vector body and scalar tail), one step and several,
     * and batches on both sides of the product's thread threshold and of its few-rows paths.
     */
    @ParameterizedTest(name = "{0} batch={1} steps={2} hidden={3}")
    @CsvSource({"lstm, 3, 1, 5", "lstm, 2, 4, 16", "lstm, 4, 7, 40", "lstm, 32, 5, 128",
                "gru, 3, 1, 5", "gru, 2, 4, 16", "gru, 6, 7, 40", "gru, 32, 5, 128"})
    void matchesTheStepByStepLayer(String kind, int batch, int steps, int hidden) {
        Generator g = new Generator(7);
        Recurrent layer = kind.equals("lstm") ? new LSTM(3, hidden) : new GRU(3, hidden);
        int gates = kind.equals("lstm") ? 4 : 3;
        Tensor wHh = layer.param("weight_hh", 0), bHh = layer.param("bias_hh", 0);
        Tensor projected = Tensor.randn(g, DType.FLOAT32, batch, steps, gates * hidden).detach();
        Tensor r = Tensor.randn(g, DType.FLOAT32, batch, steps, hidden).detach();

        Tensor p1 = projected.clone().detach().requiresGrad(true);
        Tensor fused = layer.recurrence(p1, wHh, bHh);
        assertNotNull(fused, "float32 on the CPU takes the one-operation layer");
        fused.mul(r).sum().backward();
        Tensor dp1 = p1.grad(), dw1 = wHh.grad(), db1 = bHh.grad();
        wHh.zeroGrad();
        bHh.zeroGrad();

        Tensor p2 = projected.clone().detach().requiresGrad(true);
        Tensor plain = layer.stepByStep(p2, wHh, bHh);
        plain.mul(r).sum().backward();

        // Same arithmetic in the same order: the outputs agree bit for bit.
        assertArrayEquals(plain.toFloatArray(), fused.toFloatArray(), "hidden states");
        Fixtures.assertClose("projection gradient", p2.grad(), dp1, 1e-5, 1e-6);
        Fixtures.assertClose("weight_hh gradient", wHh.grad(), dw1, 1e-5, 1e-5);
        Fixtures.assertClose("bias_hh gradient", bHh.grad(), db1, 1e-5, 1e-5);
    }
}
