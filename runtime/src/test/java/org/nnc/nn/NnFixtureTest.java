package org.nnc.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nnc.tensor.Tensor;

/**
 * Every layer, activation and loss against PyTorch: the same weights and input give the same output,
 * input gradient, parameter gradients and updated buffers (tolerance 1e-5 relative; 1e-4 for LSTM/GRU).
 */
class NnFixtureTest {
    record LayerCase(String name, Supplier<Module> make, double rtol) {
        @Override public String toString() { return name; }
    }

    static Stream<LayerCase> layers() {
        return Stream.of(
                new LayerCase("linear", () -> new Linear(5, 3), 1e-5),
                new LayerCase("linear_nobias_3d", () -> new Linear(5, 3, false), 1e-5),
                new LayerCase("conv2d", () -> new Conv2d(2, 3, 3, 1, 1, 1, true), 1e-5),
                new LayerCase("conv2d_strided", () -> new Conv2d(3, 4, 3, 2, 2, 2, true), 1e-5),
                new LayerCase("maxpool2d", () -> new MaxPool2d(2), 1e-5),
                new LayerCase("maxpool2d_3_2_1", () -> new MaxPool2d(3, 2, 1), 1e-5),
                new LayerCase("avgpool2d", () -> new AvgPool2d(2), 1e-5),
                new LayerCase("avgpool2d_3_2_1", () -> new AvgPool2d(3, 2, 1), 1e-5),
                new LayerCase("lstm", () -> new LSTM(4, 5, 2), 1e-4),
                new LayerCase("gru", () -> new GRU(4, 5, 2), 1e-4),
                new LayerCase("embedding", () -> new Embedding(10, 4), 1e-5),
                new LayerCase("batchnorm1d_train", () -> new BatchNorm1d(4), 1e-5),
                new LayerCase("batchnorm1d_eval", () -> new BatchNorm1d(4).eval(), 1e-5),
                new LayerCase("batchnorm2d_train", () -> new BatchNorm2d(3), 1e-5),
                new LayerCase("layernorm", () -> new LayerNorm(6), 1e-5),
                new LayerCase("prelu", () -> new PReLU(3), 1e-5),
                new LayerCase("prelu_single", PReLU::new, 1e-5),
                new LayerCase("flatten", Flatten::new, 1e-5),
                new LayerCase("sequential", () -> new Sequential(new Linear(4, 6), Activation.relu(), new Linear(6, 2)), 1e-5));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("layers")
    void layerMatchesPyTorch(LayerCase c) {
        Map<String, Tensor> f = Fixtures.load(c.name());
        Module m = c.make().get();
        Map<String, Tensor> state = new LinkedHashMap<>();
        f.forEach((k, v) -> { if (k.startsWith("param.")) state.put(k.substring(6), v); });
        m.loadStateDict(state);
        assertEquals(state.keySet(), m.stateDict().keySet(), "state_dict keys and order as PyTorch's");
        Tensor x = f.get("input").clone().detach();
        if (x.dtype().isFloating()) x.requiresGrad(true);
        Tensor out = m.forward(x);
        Fixtures.assertClose(c.name() + " output", f.get("output"), out, c.rtol(), 1e-6);
        out.mul(f.get("r")).sum().backward();
        if (f.containsKey("grad.input")) Fixtures.assertClose(c.name() + " input gradient", f.get("grad.input"), x.grad(), c.rtol(), 1e-6);
        for (Map.Entry<String, Tensor> p : m.namedParameters().entrySet()) {
            Fixtures.assertClose(c.name() + " gradient of " + p.getKey(), f.get("grad.param." + p.getKey()), p.getValue().grad(), c.rtol(), 1e-6);
        }
        for (Map.Entry<String, Tensor> b : m.stateDict().entrySet()) {
            Tensor after = f.get("after." + b.getKey());
            if (after != null) Fixtures.assertClose(c.name() + " buffer " + b.getKey(), after, b.getValue(), 1e-5, 1e-6);
        }
    }

    record FnCase(String name, Function<Tensor, Tensor> f) {
        @Override public String toString() { return name; }
    }

    static Stream<FnCase> functions() {
        return Stream.of(
                new FnCase("relu", Functional::relu), new FnCase("sigmoid", Functional::sigmoid),
                new FnCase("tanh", Functional::tanh), new FnCase("gelu", Functional::gelu),
                new FnCase("silu", Functional::silu), new FnCase("elu", x -> Functional.elu(x, 0.7)),
                new FnCase("leaky_relu", x -> Functional.leakyRelu(x, 0.2)),
                new FnCase("softmax", x -> Functional.softmax(x, 1)), new FnCase("log_softmax", x -> Functional.logSoftmax(x, 0)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("functions")
    void activationMatchesPyTorch(FnCase c) {
        Map<String, Tensor> f = Fixtures.load(c.name());
        Tensor x = f.get("input0").clone().detach().requiresGrad(true);
        Tensor out = c.f().apply(x);
        Fixtures.assertClose(c.name(), f.get("output"), out, 1e-5, 1e-6);
        out.mul(f.get("r")).sum().backward();
        Fixtures.assertClose(c.name() + " gradient", f.get("grad0"), x.grad(), 1e-5, 1e-6);
    }

    record LossCase(String name, java.util.function.BiFunction<Tensor, Tensor, Tensor> f) {
        @Override public String toString() { return name; }
    }

    static Stream<LossCase> losses() {
        Functional.Reduction mean = Functional.Reduction.MEAN;
        return Stream.of(
                new LossCase("cross_entropy_mean", Functional::crossEntropy),
                new LossCase("cross_entropy_sum", (z, t) -> Functional.crossEntropy(z, t, 0, -100, Functional.Reduction.SUM)),
                new LossCase("cross_entropy_none", (z, t) -> Functional.crossEntropy(z, t, 0, -100, Functional.Reduction.NONE)),
                new LossCase("cross_entropy_smooth", (z, t) -> Functional.crossEntropy(z, t, 0.1, -100, mean)),
                new LossCase("cross_entropy_ignore", (z, t) -> Functional.crossEntropy(z, t, 0, 3, mean)),
                new LossCase("nll", (z, t) -> Functional.nll(Functional.logSoftmax(z, 1), t)),
                new LossCase("mse_mean", Functional::mse),
                new LossCase("mse_sum", (a, b) -> Functional.mse(a, b, Functional.Reduction.SUM)),
                new LossCase("mse_none", (a, b) -> Functional.mse(a, b, Functional.Reduction.NONE)),
                new LossCase("l1", Functional::l1),
                new LossCase("bce", (z, t) -> Functional.bce(Functional.sigmoid(z), t)),
                new LossCase("bce_with_logits", Functional::bceWithLogits));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("losses")
    void lossMatchesPyTorch(LossCase c) {
        Map<String, Tensor> f = Fixtures.load(c.name());
        Tensor x = f.get("input").clone().detach().requiresGrad(true);
        Tensor out = c.f().apply(x, f.get("target"));
        Fixtures.assertClose(c.name(), f.get("output"), out, 1e-5, 1e-6);
        out.mul(f.get("r")).sum().backward();
        Fixtures.assertClose(c.name() + " gradient", f.get("grad.input"), x.grad(), 1e-5, 1e-6);
    }

    @Test
    void namesFollowPyTorch() {
        Module net = new Sequential(new Conv2d(1, 4, 3), new BatchNorm2d(4), Activation.relu(), new Flatten(), new LSTM(4, 2, 2));
        assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
                "4.weight_ih_l0", "4.weight_hh_l0", "4.bias_ih_l0", "4.bias_hh_l0",
                "4.weight_ih_l1", "4.weight_hh_l1", "4.bias_ih_l1", "4.bias_hh_l1"), List.copyOf(net.stateDict().keySet()));
        assertEquals("""
                Sequential(
                  (0): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1))
                  (1): BatchNorm2d(4, eps=1.0E-5, momentum=0.1, affine=True, track_running_stats=True)
                  (2): ReLU()
                  (3): Flatten(start_dim=1, end_dim=-1)
                  (4): LSTM(4, 2, num_layers=2, batch_first=True)
                )""", net.toString());
    }

    @Test
    void strictLoadingListsEveryProblem() {
        Module m = new Linear(3, 2);
        Map<String, Tensor> bad = Map.of("weight", Tensor.zeros(2, 4), "extra", Tensor.zeros(1));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> m.loadStateDict(bad));
        assertEquals("""
                the state does not fit Linear:
                  missing keys: bias
                  unexpected keys: extra
                  wrong shape for weight: the model has [2, 3], the file [2, 4]""", e.getMessage());
        Map<String, Tensor> partial = Map.of("weight", Tensor.ones(2, 3));
        m.loadStateDict(partial, false);
        assertEquals(6.0, m.namedParameters().get("weight").sum().item());
    }
}
