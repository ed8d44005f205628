package org.nnc.train;

import org.nnc.nn.Functional;
import org.nnc.ops.Ops;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/**
 * The losses a train block can name, with how each wants its targets and how accuracy is counted:
 * class indices for crossEntropy and nll (accuracy by argmax); one float per sample for the others
 * (accuracy for the binary losses by thresholding; none for regression).
 */
public enum Loss {
    CROSS_ENTROPY("crossEntropy"), NLL("nll"), MSE("mse"), L1("l1"), BCE("bce"), BCE_WITH_LOGITS("bceWithLogits");

    private final String languageName;

    Loss(String languageName) { this.languageName = languageName; }

    public String languageName() { return languageName; }

    public static Loss named(String name) {
        for (Loss l : values()) if (l.languageName.equals(name)) return l;
        throw new IllegalArgumentException("unknown loss " + name);
    }

    public boolean classification() { return this == CROSS_ENTROPY || this == NLL; }

    /** Whether accuracy means something for this loss. */
    public boolean hasAccuracy() { return this != MSE && this != L1; }

    /** Targets as this loss expects them: class indices [B], or floats shaped like the output. */
    public Tensor target(Tensor y, Tensor out) {
        if (classification()) return y.dtype().isFloating() ? y.to(DType.INT64) : y;
        Tensor f = y.dtype() == out.dtype() ? y : y.to(out.dtype());
        return f.dim() == out.dim() - 1 ? Ops.unsqueeze(f, -1) : f;
    }

    public Tensor apply(Tensor out, Tensor y) {
        Tensor t = target(y, out);
        return switch (this) {
            case CROSS_ENTROPY -> Functional.crossEntropy(out, t);
            case NLL -> Functional.nll(out, t);
            case MSE -> Functional.mse(out, t);
            case L1 -> Functional.l1(out, t);
            case BCE -> Functional.bce(out, t);
            case BCE_WITH_LOGITS -> Functional.bceWithLogits(out, t);
        };
    }

    /**
     * Correct predictions in a batch, an int64 scalar on the batch's device, not yet read (null for
     * regression): on a GPU the count is then read together with the loss, with one wait for the GPU.
     */
    public Tensor hits(Tensor out, Tensor y) {
        if (!hasAccuracy()) return null;
        Tensor t = target(y, out);
        Tensor hit = switch (this) {
            case CROSS_ENTROPY, NLL -> Ops.eq(Ops.argmax(out, 1, false), t);
            case BCE -> Ops.eq(Ops.to(Ops.gt(out, Tensor.scalar(out.dtype(), 0.5)), t.dtype()), t);
            case BCE_WITH_LOGITS -> Ops.eq(Ops.to(Ops.gt(out, Tensor.scalar(out.dtype(), 0)), t.dtype()), t);
            case MSE, L1 -> throw new AssertionError(this);   // no accuracy: returned above
        };
        return Ops.sum(Ops.to(hit, DType.INT64));
    }
}
