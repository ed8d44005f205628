package org.nnc.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nnc.autograd.GradMode;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** The CPU's one-pass SGD and Adam steps give bit for bit what the composed formulas (their form before fusing) give. */
class FusedStepsTest {
    /** One composed Adam step, as Adam.update wrote it with tensor operations. */
    private static void composedStep(Tensor p, Tensor m, Tensor v, long t, double lr, double b1, double b2, double eps, double wd,
                                     boolean decoupled) {
        GradMode.noGrad(() -> {
            Tensor d = p.grad();
            if (decoupled) p.mul_(1 - lr * wd);
            else d = Optimizer.decayed(p, d, wd);
            m.mul_(b1).add_(d, 1 - b1);
            v.mul_(b2).add_(d.mul(d), 1 - b2);
            double c1 = 1 - Math.pow(b1, t), c2 = 1 - Math.pow(b2, t);
            Tensor denom = v.sqrt().div(Math.sqrt(c2)).add(eps);
            p.add_(m.div(denom), -lr / c1);
            return null;
        });
    }

    /** One composed SGD step after the first, as SGD.update wrote it with tensor operations. */
    private static void composedSgd(Tensor p, Tensor buf, double lr, double momentum, double dampening, boolean nesterov) {
        GradMode.noGrad(() -> {
            Tensor d = p.grad();
            buf.mul_(momentum).add_(d, 1 - dampening);
            Tensor dir = nesterov ? d.add(buf.mul(momentum)) : buf;
            p.add_(dir, -lr);
            return null;
        });
    }

    @Test
    void onePassSgdEqualsTheComposedStepBitForBit() {
        double[][] settings = {{0.9, 0, 1}, {0.9, 0.3, 0}, {0.5, 0, 0}};  // momentum, dampening, nesterov
        for (double[] st : settings) {
            Tensor init = Tensor.randn(new Generator(3), DType.FLOAT32, 29, 7), c = Tensor.randn(new Generator(4), DType.FLOAT32, 29, 7);
            Tensor fused = init.clone().detach().requiresGrad(true), composed = init.clone().detach().requiresGrad(true);
            Optimizer sgd = new SGD(List.of(fused), 0.05, st[0], st[1], st[2] != 0, 0);
            Tensor buf = null;
            for (int step = 1; step <= 4; step++) {
                sgd.zeroGrad();
                fused.pow(2).mul(c).sum().backward();
                sgd.step();
                composed.zeroGrad();
                composed.pow(2).mul(c).sum().backward();
                if (buf == null) {
                    buf = composed.grad().clone().detach();
                    Tensor first = buf;
                    GradMode.noGrad(() -> composed.add_(st[2] != 0 ? composed.grad().add(first.mul(st[0])) : first, -0.05));
                } else {
                    composedSgd(composed, buf, 0.05, st[0], st[1], st[2] != 0);
                }
            }
            assertArrayEquals(composed.toFloatArray(), fused.toFloatArray(), java.util.Arrays.toString(st));
        }
    }

    @Test
    void onePassAdamEqualsTheComposedStepBitForBit() {
        for (boolean decoupled : new boolean[] {false, true}) {
            double lr = 0.01, b1 = 0.8, b2 = 0.99, eps = 1e-6, wd = 0.1;
            Tensor init = Tensor.randn(new Generator(1), DType.FLOAT32, 37, 11);
            Tensor c = Tensor.randn(new Generator(2), DType.FLOAT32, 37, 11);
            Tensor fused = init.clone().detach().requiresGrad(true);
            Tensor composed = init.clone().detach().requiresGrad(true);
            Tensor m = Tensor.zeros(37, 11), v = Tensor.zeros(37, 11);
            Optimizer a = decoupled ? new AdamW(List.of(fused), lr, b1, b2, eps, wd) : new Adam(List.of(fused), lr, b1, b2, eps, wd);
            for (int step = 1; step <= 4; step++) {
                a.zeroGrad();
                fused.pow(2).mul(c).sum().backward();
                a.step();
                composed.zeroGrad();
                composed.pow(2).mul(c).sum().backward();
                composedStep(composed, m, v, step, lr, b1, b2, eps, wd, decoupled);
            }
            assertArrayEquals(composed.toFloatArray(), fused.toFloatArray(), decoupled ? "AdamW" : "Adam");
        }
    }
}
