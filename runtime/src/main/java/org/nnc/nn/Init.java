package org.nnc.nn;

import org.nnc.autograd.GradMode;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/** PyTorch's default initialisations, drawn from the global generator so that a seed reproduces them. */
public final class Init {
    private Init() {}

    /** Uniform in [−bound, bound). */
    public static Tensor uniform(double bound, int... shape) {
        return GradMode.noGrad(() -> Tensor.rand(Generator.global(), DType.FLOAT32, shape).mul(2 * bound).add(-bound));
    }

    /**
     * Linear and Conv2d weights: kaiming_uniform_(a = √5), whose bound works out to 1 / √fan_in; their
     * biases use the same bound.
     */
    public static Tensor fanIn(int fanIn, int... shape) { return uniform(1 / Math.sqrt(fanIn), shape); }

    public static Tensor normal(int... shape) {
        return Tensor.randn(Generator.global(), DType.FLOAT32, shape);
    }
}
