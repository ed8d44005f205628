package org.nnc.autograd;

import java.util.function.Function;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Shape;
import org.nnc.tensor.Tensor;

/**
 * Compares autograd's gradients with central finite differences in float64. The output is projected on
 * a fixed random tensor r, so one backward pass of L = sum(f(x) · r) checks the whole Jacobian against
 * 2·n forward passes, n being the number of input elements.
 */
public final class GradCheck {
    private GradCheck() {}

    /** The largest error seen, reported per input when a check fails. */
    public record Result(double maxAbsError, int evaluations) {}

    /**
     * Checks f at the given float64 contiguous leaves (they are marked requiresGrad here).
     *
     * @throws AssertionError naming the input, element, analytic and numeric values on the first mismatch
     */
    public static Result check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        return check(f, 1e-6, 1e-5, 1e-4, inputs);
    }

    public static Result check(Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        for (Tensor x : inputs) {
            if (x.dtype() != DType.FLOAT64 || !x.isContiguous()) {
                throw new IllegalArgumentException("gradcheck inputs must be contiguous float64 tensors");
            }
            x.zeroGrad();
            x.requiresGrad(true);
        }
        Tensor out = f.apply(inputs);
        Tensor r = Tensor.rand(new Generator(12345), DType.FLOAT64, out.shape()).add(0.5);
        Tensor loss = out.mul(r).sum();
        loss.backward();
        double worst = 0;
        int evals = 0;
        for (int i = 0; i < inputs.length; i++) {
            Tensor x = inputs[i];
            double[] analytic = x.grad() == null ? new double[x.numel()] : x.grad().toDoubleArray();
            for (int j = 0; j < x.numel(); j++) {
                int at = x.offset() + j;
                double saved = x.storage().get(at);
                x.storage().set(at, saved + eps);
                double plus = project(f, inputs, r);
                x.storage().set(at, saved - eps);
                double minus = project(f, inputs, r);
                x.storage().set(at, saved);
                evals += 2;
                double numeric = (plus - minus) / (2 * eps);
                double err = Math.abs(analytic[j] - numeric);
                worst = Math.max(worst, err);
                if (err > atol + rtol * Math.abs(numeric)) {
                    throw new AssertionError("gradient mismatch for input " + i + " (shape " + Shape.str(x.shape())
                            + ") at flat element " + j + ": autograd " + analytic[j] + ", finite difference " + numeric);
                }
            }
        }
        return new Result(worst, evals);
    }

    private static double project(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor r) {
        return GradMode.noGrad(() -> f.apply(inputs).mul(r).sum().item());
    }
}
