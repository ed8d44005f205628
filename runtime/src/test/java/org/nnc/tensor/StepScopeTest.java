package org.nnc.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nnc.nn.Activation;
import org.nnc.nn.BatchNorm2d;
import org.nnc.nn.Conv2d;
import org.nnc.nn.Dropout;
import org.nnc.nn.Flatten;
import org.nnc.nn.Functional;
import org.nnc.nn.GRU;
import org.nnc.nn.LSTM;
import org.nnc.nn.Linear;
import org.nnc.nn.MaxPool2d;
import org.nnc.nn.Module;
import org.nnc.nn.Sequential;
import org.nnc.ops.Ops;
import org.nnc.optim.Adagrad;
import org.nnc.optim.Adam;
import org.nnc.optim.Optimizer;
import org.nnc.optim.RMSprop;
import org.nnc.optim.SGD;

/**
 * Steps inside a {@link StepScope} train exactly as steps outside one, stop making arrays once they
 * repeat, and a tensor kept past its step fails loudly instead of reading a later step's data.
 */
class StepScopeTest {
    private record Setup(Supplier<Module> model, Function<Module, Optimizer> optimizer, int[] input) {}

    private static Setup setup(String name) {
        return switch (name) {
            case "mlp" -> new Setup(() -> new Sequential(new Linear(20, 32), Activation.relu(), new Dropout(0.2), new Linear(32, 5)),
                    m -> new SGD(m.parameters(), 0.05, 0.9, 0, false, 0), new int[] {8, 20});
            case "cnn" -> new Setup(() -> new Sequential(new Conv2d(1, 4, 3, 1, 1, 1, true), new BatchNorm2d(4), Activation.relu(),
                    new MaxPool2d(2), new Flatten(), new Linear(4 * 4 * 4, 5)),
                    m -> new Adam(m.parameters(), 0.01), new int[] {6, 1, 8, 8});
            case "lstm" -> new Setup(() -> new Sequential(new LSTM(6, 8), new Flatten(), new Linear(5 * 8, 5)),
                    m -> new RMSprop(m.parameters(), 0.01), new int[] {4, 5, 6});
            case "gru" -> new Setup(() -> new Sequential(new GRU(6, 8), new Flatten(), new Linear(5 * 8, 5)),
                    m -> new Adagrad(m.parameters(), 0.05), new int[] {4, 5, 6});
            default -> throw new IllegalArgumentException(name);
        };
    }

    /** Trains five steps; returns the losses, then every parameter's and buffer's values. */
    private static List<float[]> train(Setup s, StepScope scope, long[] madeAfter) {
        Generator.global().manualSeed(0);
        Module m = s.model().get();
        Optimizer opt = s.optimizer().apply(m);
        Generator g = new Generator(1);
        Tensor x = Tensor.randn(g, DType.FLOAT32, s.input());
        long[] labels = new long[s.input()[0]];
        for (int i = 0; i < labels.length; i++) labels[i] = i % 5;
        Tensor y = Tensor.of(labels, labels.length);
        float[] losses = new float[5];
        for (int step = 0; step < 5; step++) {
            try (StepScope open = scope == null ? null : scope.begin()) {
                opt.zeroGrad();
                Tensor loss = Functional.crossEntropy(m.forward(x), y);
                loss.backward();
                opt.step();
                losses[step] = (float) loss.item();
            }
            if (scope != null) madeAfter[step] = scope.arraysMade();
        }
        List<float[]> out = new ArrayList<>();
        out.add(losses);
        for (Tensor t : m.stateDict().values()) if (t.dtype() == DType.FLOAT32) out.add(t.toFloatArray());
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "cnn", "lstm", "gru"})
    void trainsAsWithoutAScopeAndStopsMakingArrays(String name) {
        Setup s = setup(name);
        List<float[]> plain = train(s, null, null);
        long[] made = new long[5];
        List<float[]> scoped = train(s, new StepScope(), made);
        for (int i = 0; i < plain.size(); i++) assertArrayEquals(plain.get(i), scoped.get(i), name + ": array " + i + " (0 = losses)");
        assertTrue(made[0] > 0, "the first step makes its arrays");
        assertEquals(made[0], made[4], name + ": arrays made after steps 1..5: " + java.util.Arrays.toString(made));
    }

    @Test
    void aTensorKeptPastItsStepFailsWhenUsed() {
        StepScope scope = new StepScope();
        Tensor kept;
        Tensor survivor;
        try (StepScope s = scope.begin()) {
            kept = Ops.add(Tensor.ones(4), Tensor.ones(4));
            survivor = StepScope.outside(() -> Ops.add(Tensor.ones(4), Tensor.ones(4)));
            assertEquals(2.0, kept.get(0));
        }
        IllegalStateException e = assertThrows(IllegalStateException.class, kept::toFloatArray);
        assertTrue(e.getMessage().contains("training step that has ended"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Ops.mul(kept, kept));
        assertThrows(IllegalStateException.class, () -> kept.get(1));
        assertArrayEquals(new float[] {2, 2, 2, 2}, survivor.toFloatArray());
        // The next step gets the array back, zero-filled.
        try (StepScope s = scope.begin()) {
            assertArrayEquals(new float[4], Tensor.zeros(4).toFloatArray());
        }
        assertEquals(3, scope.arraysMade(), "the first step's two inputs and its sum; the second step made none");
    }

    /** The recurrent layers fill arrays they take bare and wrap them as results: those die with the step too. */
    @Test
    void aRecurrentLayersOutputKeptPastItsStepFailsWhenUsed() {
        Module lstm = new LSTM(3, 4);
        Tensor x = Tensor.rand(2, 5, 3);
        StepScope scope = new StepScope();
        Tensor kept;
        try (StepScope s = scope.begin()) {
            kept = lstm.forward(x);
            assertEquals(40, kept.toFloatArray().length);
        }
        assertThrows(IllegalStateException.class, kept::toFloatArray);
        float[] outside = lstm.forward(x).toFloatArray();   // and outside a step the layer still works
        assertEquals(40, outside.length);
    }

    @Test
    void oneStepAtATimePerThread() {
        StepScope a = new StepScope(), b = new StepScope();
        try (StepScope s = a.begin()) {
            assertThrows(IllegalStateException.class, b::begin);
        }
    }
}
