package org.nnc.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nnc.autograd.GradCheck;
import org.nnc.backend.Erf;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** The nn functions against finite differences in float64, and their stability at extreme logits. */
public class FunctionalGradCheckTest {
    public record Case(String label, Function<Tensor[], Tensor> f, Tensor[] inputs) {
        @Override public String toString() { return label; }
    }

    private static final Generator G = new Generator(11);

    private static Tensor u(int... s) { return Tensor.rand(G, DType.FLOAT64, s).mul(2).add(-1).detach(); }

    private static Tensor longs(long... v) { return Tensor.of(v, v.length); }

    public static Stream<Case> cases() {
        List<Case> l = new ArrayList<>();
        l.add(new Case("relu", x -> Functional.relu(x[0]), new Tensor[] {u(3, 4)}));
        l.add(new Case("sigmoid", x -> Functional.sigmoid(x[0]), new Tensor[] {u(3, 4)}));
        l.add(new Case("tanh", x -> Functional.tanh(x[0]), new Tensor[] {u(3, 4)}));
        l.add(new Case("gelu", x -> Functional.gelu(x[0].mul(3)), new Tensor[] {u(3, 4)}));
        l.add(new Case("silu", x -> Functional.silu(x[0].mul(3)), new Tensor[] {u(3, 4)}));
        l.add(new Case("elu", x -> Functional.elu(x[0], 0.7), new Tensor[] {u(3, 4)}));
        l.add(new Case("leakyRelu", x -> Functional.leakyRelu(x[0], 0.2), new Tensor[] {u(3, 4)}));
        l.add(new Case("softmax dim 1", x -> Functional.softmax(x[0], 1), new Tensor[] {u(3, 5)}));
        l.add(new Case("softmax dim 0", x -> Functional.softmax(x[0], 0), new Tensor[] {u(3, 5)}));
        l.add(new Case("logSoftmax", x -> Functional.logSoftmax(x[0], -1), new Tensor[] {u(2, 3, 4)}));
        l.add(new Case("linear", x -> Functional.linear(x[0], x[1], x[2]), new Tensor[] {u(4, 3), u(5, 3), u(5)}));
        l.add(new Case("linearRelu", x -> Functional.linearRelu(x[0], x[1], x[2]), new Tensor[] {u(4, 3), u(5, 3), u(5)}));
        // Matrix inputs go in as strided views: a transposed one, and a column slice (a recurrent layer's h).
        l.add(new Case("linear of a transposed input", x -> Functional.linear(x[0].t(), x[1], x[2]), new Tensor[] {u(3, 4), u(5, 3), u(5)}));
        l.add(new Case("linearRelu of a column slice", x -> Functional.linearRelu(org.nnc.ops.Ops.slice(x[0], 1, 2, 5, 1), x[1], x[2]),
                new Tensor[] {u(4, 6), u(5, 3), u(5)}));
        l.add(new Case("conv2dRelu", x -> Functional.conv2dRelu(x[0], x[1], x[2], 1, 1, 1), new Tensor[] {u(2, 2, 5, 5), u(3, 2, 3, 3), u(3)}));
        l.add(new Case("conv2d stride 1 pad 1", x -> Functional.conv2d(x[0], x[1], x[2], 1, 1, 1), new Tensor[] {u(2, 2, 5, 5), u(3, 2, 3, 3), u(3)}));
        l.add(new Case("conv2d stride 2 dilation 2", x -> Functional.conv2d(x[0], x[1], null, 2, 2, 2), new Tensor[] {u(1, 2, 7, 6), u(2, 2, 3, 3)}));
        l.add(new Case("maxPool2d", x -> Functional.maxPool2d(x[0], 2), new Tensor[] {u(2, 2, 4, 6)}));
        l.add(new Case("maxPool2d stride 1 pad 1", x -> Functional.maxPool2d(x[0], 3, 1, 1), new Tensor[] {u(1, 2, 4, 4)}));
        l.add(new Case("avgPool2d", x -> Functional.avgPool2d(x[0], 2), new Tensor[] {u(2, 2, 4, 6)}));
        l.add(new Case("avgPool2d pad 1", x -> Functional.avgPool2d(x[0], 3, 2, 1), new Tensor[] {u(1, 1, 5, 5)}));
        l.add(new Case("embedding", x -> Functional.embedding(Tensor.of(new long[] {2, 0, 2, 1}, 2, 2), x[0]), new Tensor[] {u(3, 4)}));
        l.add(new Case("layerNorm", x -> Functional.layerNorm(x[0], 1, x[1], x[2], 1e-5), new Tensor[] {u(3, 6), u(6), u(6)}));
        l.add(new Case("mse", x -> Functional.mse(x[0], x[1]), new Tensor[] {u(3, 2), u(3, 2)}));
        l.add(new Case("l1", x -> Functional.l1(x[0], x[1]), new Tensor[] {u(3, 2), u(3, 2)}));
        l.add(new Case("bce", x -> Functional.bce(Functional.sigmoid(x[0]), x[1].add(1).mul(0.5)), new Tensor[] {u(4), u(4)}));
        l.add(new Case("bceWithLogits", x -> Functional.bceWithLogits(x[0].mul(3), x[1].add(1).mul(0.5)), new Tensor[] {u(4), u(4)}));
        l.add(new Case("crossEntropy", x -> Functional.crossEntropy(x[0], longs(1, 0, 3)), new Tensor[] {u(3, 4)}));
        l.add(new Case("crossEntropy smoothing + ignore", x -> Functional.crossEntropy(x[0], longs(1, -100, 3), 0.1, -100,
                Functional.Reduction.MEAN), new Tensor[] {u(3, 4)}));
        l.add(new Case("nll sum", x -> Functional.nll(Functional.logSoftmax(x[0], 1), longs(2, 2), -100, Functional.Reduction.SUM),
                new Tensor[] {u(2, 3)}));
        return l.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientMatchesFiniteDifferences(Case c) {
        assertTrue(GradCheck.check(c.f(), c.inputs()).evaluations() > 0);
    }

    @Test
    void erfIsAccurate() {
        // Reference values of erf to 16 digits.
        assertEquals(0.5204998778130465, Erf.erf(0.5), 1e-15);
        assertEquals(0.8427007929497149, Erf.erf(1.0), 1e-15);
        assertEquals(0.9953222650189527, Erf.erf(2.0), 1e-15);
        assertEquals(-0.9999779095030014, Erf.erf(-3.0), 1e-15);
        assertEquals(0.9999999845827421, Erf.erf(4.0), 1e-15);
        assertEquals(1.0, Erf.erf(7.0));
    }

    @Test
    void softmaxAndLossesDoNotOverflowAtThousand() {
        Tensor logits = Tensor.of(new float[] {1000, -1000, 0, -1000, 1000, 999}, 2, 3).requiresGrad(true);
        Tensor target = Tensor.of(new long[] {0, 2}, 2);
        Tensor loss = Functional.crossEntropy(logits, target);
        assertEquals((0 + 1 + Math.log(1 + Math.exp(-1))) / 2, loss.item(), 1e-4, "float32 holds 1000.31 to about 6e-5");
        loss.backward();
        for (float g : logits.grad().toFloatArray()) assertTrue(Float.isFinite(g));
        float[] sm = Functional.softmax(logits.detach(), 1).toFloatArray();
        assertArrayEquals(new float[] {1, 0, 0}, java.util.Arrays.copyOf(sm, 3), 1e-6f);
        float[] ls = Functional.logSoftmax(logits.detach(), 1).toFloatArray();
        assertEquals(-2000, ls[1], 1e-3);
        Tensor z = Tensor.vector(1000, -1000).requiresGrad(true);
        Tensor b = Functional.bceWithLogits(z, Tensor.vector(0, 1));
        assertEquals(1000, b.item(), 1e-3);
        b.backward();
        assertArrayEquals(new float[] {0.5f, -0.5f}, z.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void dropoutIsSeededAndIdentityInEval() {
        Tensor x = Tensor.ones(1000);
        Tensor a = Functional.dropout(x, 0.3, true, new Generator(5));
        Tensor b = Functional.dropout(x, 0.3, true, new Generator(5));
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        double kept = 0;
        for (float v : a.toFloatArray()) {
            assertTrue(v == 0 || Math.abs(v - 1 / 0.7) < 1e-5);
            if (v != 0) kept++;
        }
        assertEquals(700, kept, 60);
        assertEquals(x, Functional.dropout(x, 0.3, false, new Generator(5)));
    }
}
