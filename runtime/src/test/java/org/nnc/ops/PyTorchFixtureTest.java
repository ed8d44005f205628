package org.nnc.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nnc.tensor.Tensor;

/**
 * Composite expressions computed by PyTorch (tools/make_op_fixtures.py wrote fixtures/ops.txt) and again
 * here: forward values and input gradients must agree within 1e-5 relative in float32.
 */
class PyTorchFixtureTest {
    private static final double RTOL = 1e-5, ATOL = 1e-6;

    record Fixture(String name, List<Tensor> inputs, Tensor output, Tensor r, List<Tensor> grads) {
        @Override public String toString() { return name; }
    }

    private static Tensor softmax(Tensor x, int dim) {
        Tensor e = x.sub(x.max(dim, true)).exp();
        return e.div(e.sum(dim, true));
    }

    private static Tensor longs(int[] shape, long... v) { return Tensor.of(v, shape); }

    /** The nnc twin of each expression in tools/make_op_fixtures.py. */
    static final Map<String, Function<Tensor[], Tensor>> EXPRESSIONS = Map.ofEntries(
            Map.entry("softmax_by_hand", x -> softmax(x[0], -1)),
            Map.entry("mlp_layer_relu", x -> x[0].matmul(x[1]).add(x[2]).clamp(0, Double.POSITIVE_INFINITY)),
            Map.entry("attention", x -> softmax(x[0].matmul(x[1].transpose(-1, -2)).div(Math.sqrt(8)), -1).matmul(x[2])),
            Map.entry("layer_norm_by_hand", x -> {
                Tensor c = x[0].sub(x[0].mean(-1, true));
                return c.div(c.pow(2).mean(-1, true).add(1e-5).sqrt()).mul(x[1]).add(x[2]);
            }),
            Map.entry("mse", x -> x[0].sub(x[1]).pow(2).mean()),
            Map.entry("leaky_relu_where", x -> Ops.where(x[0].gt(Tensor.scalar(0)), x[0], x[0].mul(0.1))),
            Map.entry("nll_by_gather", x -> softmax(x[0], 1).log()
                    .gather(1, longs(new int[] {6, 1}, 0, 3, 1, 1, 2, 0)).mean().neg()),
            Map.entry("broadcast_pow_div", x -> x[0].pow(2).add(x[1]).div(x[2].abs().add(1))),
            Map.entry("permute_reshape_slice", x -> x[0].permute(2, 0, 1).reshape(4, -1)
                    .slice(0, Ops.NONE, Ops.NONE, 2).mul(x[1])),
            Map.entry("concat_stack_index_select", x -> Ops.stack(List.of(
                            Ops.concat(List.of(x[0], x[1]), 0), Ops.concat(List.of(x[1], x[0]), 0)), 1)
                    .indexSelect(0, longs(new int[] {4}, 3, 0, 0, 2)).sum(1, false)),
            Map.entry("max_min_maximum", x -> x[0].max(1, false).unsqueeze(1).mul(x[0].maximum(x[1]))
                    .sub(x[0].min(0, false))),
            Map.entry("sigmoid_by_hand", x -> Ops.rdiv(1, x[0].neg().exp().add(1))),
            Map.entry("vector_matrix_vector", x -> x[0].matmul(x[1]).matmul(x[2])),
            Map.entry("log_sum_exp_masked_fill", x -> x[0].maskedFill(
                    Tensor.of(new boolean[] {true, false, false, true, false, false}, 6), -3).exp().sum(-1, false).log()),
            Map.entry("batched_broadcast_matmul", x -> x[0].matmul(x[1]).abs().sum(0, false).sum(0, false)));

    static List<Fixture> fixtures() throws IOException {
        List<Fixture> out = new ArrayList<>();
        try (var in = PyTorchFixtureTest.class.getResourceAsStream("/fixtures/ops.txt")) {
            assertNotNull(in, "fixtures/ops.txt is missing: run tools/make_op_fixtures.py");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String name = null;
            List<Tensor> inputs = new ArrayList<>(), grads = new ArrayList<>();
            Tensor output = null, proj = null;
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) continue;
                String[] parts = line.split(" ", 2);
                switch (parts[0]) {
                    case "case" -> {
                        name = parts[1];
                        inputs = new ArrayList<>();
                        grads = new ArrayList<>();
                    }
                    case "input" -> inputs.add(parse(parts[1]));
                    case "output" -> output = parse(parts[1]);
                    case "r" -> proj = parse(parts[1]);
                    case "grad" -> grads.add(parse(parts[1]));
                    case "end" -> out.add(new Fixture(name, inputs, output, proj, grads));
                    default -> throw new IOException("unexpected fixture line: " + line);
                }
            }
        }
        return out;
    }

    /** "2,3 v1 v2 …" (an empty shape before the space for a scalar). */
    private static Tensor parse(String s) {
        int sp = s.indexOf(' ');
        String shapeText = sp < 0 ? s : s.substring(0, sp);
        int[] shape = shapeText.isEmpty() ? new int[0] : Arrays.stream(shapeText.split(",")).mapToInt(Integer::parseInt).toArray();
        String[] vals = sp < 0 ? new String[0] : s.substring(sp + 1).trim().split(" ");
        float[] data = new float[vals.length];
        for (int i = 0; i < vals.length; i++) data[i] = Float.parseFloat(vals[i]);
        return Tensor.of(data, shape);
    }

    static Stream<Fixture> fixtureStream() throws IOException { return fixtures().stream(); }

    @Test
    void atLeastTwelveExpressionsAreCovered() throws IOException {
        List<Fixture> all = fixtures();
        assertTrue(all.size() >= 12, "only " + all.size() + " fixtures");
        for (Fixture f : all) assertTrue(EXPRESSIONS.containsKey(f.name()), "no nnc twin for " + f.name());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtureStream")
    void forwardAndGradientsMatchPyTorch(Fixture f) {
        Tensor[] xs = f.inputs().stream().map(t -> t.clone().detach().requiresGrad(true)).toArray(Tensor[]::new);
        Tensor out = EXPRESSIONS.get(f.name()).apply(xs);
        assertClose(f.name() + " output", f.output(), out);
        out.mul(f.r()).sum().backward();
        for (int i = 0; i < xs.length; i++) assertClose(f.name() + " grad of input " + i, f.grads().get(i), xs[i].grad());
    }

    private static void assertClose(String what, Tensor expected, Tensor actual) {
        assertNotNull(actual, what + " is missing");
        assertEquals(Arrays.toString(expected.shape()), Arrays.toString(actual.shape()), what + " shape");
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) {
            double tol = ATOL + RTOL * Math.abs(e[i]);
            assertTrue(Math.abs(e[i] - a[i]) <= tol, what + " element " + i + ": PyTorch " + e[i] + ", nnc " + a[i]);
        }
    }
}
