package org.nnc.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nnc.nn.Fixtures;
import org.nnc.tensor.Tensor;

/** Each optimizer, five steps on PyTorch's gradients, ends where PyTorch's does; schedulers give its rates. */
class OptimFixtureTest {
    record Case(String name, Function<List<Tensor>, Optimizer> make) {
        @Override public String toString() { return name; }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("sgd", p -> new SGD(p, 0.1)),
                new Case("sgd_momentum", p -> new SGD(p, 0.1, 0.9, 0.1, false, 0.01)),
                new Case("sgd_nesterov", p -> new SGD(p, 0.05, 0.8, 0, true, 0)),
                new Case("sgd_groups", p -> new SGD(List.of(new Optimizer.Group(List.of(p.get(0)), Map.of()),
                        new Optimizer.Group(List.of(p.get(1)), Map.of("lr", 0.01))), 0.1, 0.5)),
                new Case("adam", p -> new Adam(p, 0.01)),
                new Case("adam_decay", p -> new Adam(p, 0.01, 0.8, 0.99, 1e-6, 0.1)),
                new Case("adamw", p -> new AdamW(p, 0.01)),
                new Case("rmsprop", p -> new RMSprop(p, 0.01)),
                new Case("rmsprop_centered_momentum", p -> new RMSprop(p, 0.01, 0.9, 1e-8, 0.01, 0.5, true)),
                new Case("adagrad", p -> new Adagrad(p, 0.1, 0.01, 0.01, 1e-10)));
    }

    private static List<Tensor> params(Map<String, Tensor> f) {
        return List.of(f.get("init.p0").clone().detach().requiresGrad(true), f.get("init.p1").clone().detach().requiresGrad(true));
    }

    private static void steps(Optimizer opt, List<Tensor> p, Map<String, Tensor> f, int from, int to) {
        for (int k = from; k < to; k++) {
            opt.zeroGrad();
            p.get(0).setGrad(f.get("grad" + k + ".p0"));
            p.get(1).setGrad(f.get("grad" + k + ".p1"));
            opt.step();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void fiveStepsMatchPyTorch(Case c) {
        Map<String, Tensor> f = Fixtures.load(c.name());
        List<Tensor> p = params(f);
        Optimizer opt = c.make().apply(p);
        steps(opt, p, f, 0, 5);
        Fixtures.assertClose(c.name() + " p0", f.get("final.p0"), p.get(0), 1e-5, 1e-6);
        Fixtures.assertClose(c.name() + " p1", f.get("final.p1"), p.get(1), 1e-5, 1e-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void stateSavedAfterTwoStepsResumesExactly(Case c) {
        Map<String, Tensor> f = Fixtures.load(c.name());
        List<Tensor> p = params(f);
        Optimizer first = c.make().apply(p);
        steps(first, p, f, 0, 2);
        Map<String, Tensor> saved = first.stateDict();
        List<Tensor> resumed = List.of(p.get(0).clone().detach().requiresGrad(true), p.get(1).clone().detach().requiresGrad(true));
        Optimizer second = c.make().apply(resumed);
        second.loadStateDict(saved);
        steps(second, resumed, f, 2, 5);
        steps(first, p, f, 2, 5);
        org.junit.jupiter.api.Assertions.assertArrayEquals(p.get(0).toFloatArray(), resumed.get(0).toFloatArray());
        org.junit.jupiter.api.Assertions.assertArrayEquals(p.get(1).toFloatArray(), resumed.get(1).toFloatArray());
    }

    @Test
    void schedulersGivePyTorchsRates() {
        Map<String, Tensor> f = Fixtures.load("schedulers");
        Optimizer opt = new SGD(List.of(Tensor.zeros(1).requiresGrad(true)), 0.5);
        Scheduler step = new StepLR(opt, 3, 0.5);
        double[] expected = f.get("step").toDoubleArray();
        for (double e : expected) {
            step.step();
            assertEquals(e, opt.lr(), 1e-12);
        }
        opt.setLr(0.5);
        Scheduler cos = new CosineAnnealingLR(opt, 10, 0.01);
        for (double e : f.get("cosine").toDoubleArray()) {
            cos.step();
            assertEquals(e, opt.lr(), 1e-12);
        }
        opt.setLr(0.5);
        ReduceLROnPlateau plateau = new ReduceLROnPlateau(opt, 0.5, 2, 1e-4, 1, 0);
        double[] metrics = f.get("plateau_metrics").toDoubleArray(), rates = f.get("plateau").toDoubleArray();
        for (int i = 0; i < metrics.length; i++) {
            plateau.step(metrics[i]);
            assertEquals(rates[i], opt.lr(), 1e-12, "after metric " + i);
        }
    }

    @Test
    void clipGradNormMatchesPyTorch() {
        Map<String, Tensor> f = Fixtures.load("clip_grad_norm");
        Tensor a = Tensor.zeros(3, 3).requiresGrad(true), b = Tensor.zeros(4).requiresGrad(true);
        a.setGrad(f.get("g0").clone());
        b.setGrad(f.get("g1").clone());
        double norm = Optimizer.clipGradNorm(List.of(a, b), 1.5);
        assertEquals(f.get("norm").item(), norm, 1e-5);
        Fixtures.assertClose("clipped 0", f.get("clipped0"), a.grad(), 1e-5, 1e-6);
        Fixtures.assertClose("clipped 1", f.get("clipped1"), b.grad(), 1e-5, 1e-6);
    }
}
