package org.nnc.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nnc.autograd.GradMode;
import org.nnc.data.DataLoader;
import org.nnc.data.TensorDataset;
import org.nnc.optim.Adam;
import org.nnc.optim.Optimizer;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** End to end: an MLP learns two interleaved spirals to at least 95% accuracy in a few seconds. */
class SpiralTrainingTest {
    static TensorDataset spirals(int perClass, long seed) {
        Generator g = new Generator(seed);
        float[] x = new float[4 * perClass];
        long[] y = new long[2 * perClass];
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < perClass; i++) {
                double r = (double) i / perClass * 5 + 0.2;
                double t = 1.75 * i / perClass * 2 * Math.PI + c * Math.PI;
                int k = c * perClass + i;
                x[2 * k] = (float) (r * Math.cos(t) + g.nextGaussian() * 0.08);
                x[2 * k + 1] = (float) (r * Math.sin(t) + g.nextGaussian() * 0.08);
                y[k] = c;
            }
        }
        return new TensorDataset(Tensor.of(x, 2 * perClass, 2), Tensor.of(y, 2 * perClass));
    }

    @Test
    void mlpLearnsTheSpiral() {
        Generator.global().manualSeed(0);
        TensorDataset data = spirals(300, 1);
        Module net = new Sequential(new Linear(2, 64), Activation.tanh(), new Linear(64, 64), Activation.tanh(), new Linear(64, 2));
        Optimizer opt = new Adam(net.parameters(), 0.01);
        DataLoader loader = new DataLoader(data, 32, true, false, 0, 7);
        for (int epoch = 0; epoch < 120; epoch++) {
            for (DataLoader.Batch b : loader) {
                opt.zeroGrad();
                Functional.crossEntropy(net.forward(b.x()), b.y()).backward();
                opt.step();
            }
        }
        net.eval();
        double accuracy = GradMode.noGrad(() -> {
            Tensor predicted = net.forward(data.features()).argmax(1, false);
            return predicted.eq(data.targets()).to(org.nnc.tensor.DType.FLOAT32).mean().item();
        });
        assertTrue(accuracy >= 0.95, "accuracy " + accuracy);
    }
}
