package org.nnc.nn;

import org.nnc.autograd.Autograd;
import org.nnc.autograd.GradMode;
import org.nnc.backend.Backend.Window;
import org.nnc.backend.UnaryFn;
import org.nnc.ops.Ops;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Shape;
import org.nnc.tensor.Tensor;

/**
 * The neural-network functions (PyTorch's torch.nn.functional): activations, softmax, convolution,
 * pooling, dropout, embedding, normalization and losses. Layers ({@link Linear}, {@link Conv2d} …) call
 * these, and so can compiled models and Java users. Each either records its own backward or is a
 * composition of differentiable ops.
 */
public final class Functional {
    private Functional() {}

    // ============================================================ activations

    private static Tensor activation(String name, UnaryFn f, UnaryFn grad, double p, Tensor x) {
        Tensor y = Ops.map(f, p, 0, x);
        return Autograd.record(name, y, g -> new Tensor[] {Ops.mul(g, Ops.map(grad, p, 0, x))}, x);
    }

    public static Tensor relu(Tensor x) {
        Tensor y = Ops.map(UnaryFn.RELU, 0, 0, x);
        return Autograd.record("relu", y, g -> new Tensor[] {Ops.reluBackward(g, x)}, x);
    }

    public static Tensor sigmoid(Tensor x) {
        Tensor y = Ops.map(UnaryFn.SIGMOID, 0, 0, x);
        return Autograd.record("sigmoid", y, g -> new Tensor[] {Ops.mul(g, Ops.mul(y, Ops.add(Ops.neg(y), 1)))}, x);
    }

    public static Tensor tanh(Tensor x) {
        Tensor y = Ops.map(UnaryFn.TANH, 0, 0, x);
        return Autograd.record("tanh", y, g -> new Tensor[] {Ops.mul(g, Ops.add(Ops.neg(Ops.mul(y, y)), 1))}, x);
    }

    /** PyTorch's default (exact) GELU, x Φ(x). */
    public static Tensor gelu(Tensor x) { return activation("gelu", UnaryFn.GELU, UnaryFn.GELU_GRAD, 0, x); }

    public static Tensor silu(Tensor x) { return activation("silu", UnaryFn.SILU, UnaryFn.SILU_GRAD, 0, x); }

    public static Tensor elu(Tensor x, double alpha) { return activation("elu", UnaryFn.ELU, UnaryFn.ELU_GRAD, alpha, x); }

    public static Tensor elu(Tensor x) { return elu(x, 1.0); }

    public static Tensor leakyRelu(Tensor x, double slope) {
        return activation("leakyRelu", UnaryFn.LEAKY_RELU, UnaryFn.LEAKY_RELU_GRAD, slope, x);
    }

    public static Tensor leakyRelu(Tensor x) { return leakyRelu(x, 0.01); }

    /** log Σ exp along dim (kept as size 1), computed from the maximum so it never overflows. */
    private static Tensor logSumExp(Tensor x, int dim) {
        Tensor m = Ops.max(x, dim, true);
        Tensor finite = Ops.where(Ops.eq(m, m), m, Tensor.scalar(x.dtype(), 0));
        return Ops.add(Ops.log(Ops.sum(Ops.exp(Ops.sub(x, finite)), dim, true)), finite);
    }

    /** log softmax along dim; stable for logits of any size (±1000 included). */
    public static Tensor logSoftmax(Tensor x, int dim) {
        int d = Shape.wrapDim(dim, x.dim());
        if (SoftmaxF32.applies(x, d)) return SoftmaxF32.apply(x, true);
        Tensor y = GradMode.noGrad(() -> Ops.sub(x, logSumExp(x, d)));
        return Autograd.record("logSoftmax", y, g -> new Tensor[] {Ops.sub(g, Ops.mul(Ops.exp(y), Ops.sum(g, d, true)))}, x);
    }

    public static Tensor softmax(Tensor x, int dim) {
        int d = Shape.wrapDim(dim, x.dim());
        if (SoftmaxF32.applies(x, d)) return SoftmaxF32.apply(x, false);
        Tensor y = GradMode.noGrad(() -> Ops.exp(Ops.sub(x, logSumExp(x, d))));
        return Autograd.record("softmax", y, g -> new Tensor[] {Ops.mul(y, Ops.sub(g, Ops.sum(Ops.mul(g, y), d, true)))}, x);
    }

    // ============================================================ linear, convolution, pooling

    /**
     * x @ weightᵀ + bias, with PyTorch's layout weight [out, in]. Its backward computes the weight's
     * gradient directly as gᵀ @ x, already in the weight's layout, rather than as the gradient of a
     * transposed view that would then need a transposing copy.
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) { return linear(x, weight, bias, false); }

    /** relu(linear(x, weight, bias)) in one pass: the bias and the ReLU happen in the product's epilogue. */
    public static Tensor linearRelu(Tensor x, Tensor weight, Tensor bias) { return linear(x, weight, bias, true); }

    private static Tensor linear(Tensor x, Tensor weight, Tensor bias, boolean relu) {
        int in = weight.size(1), out = weight.size(0);
        if (x.dim() == 0 || x.size(-1) != in) {
            throw new IllegalArgumentException("linear: input of shape " + Shape.str(x.shape()) + " does not end in the weight's "
                    + in + " input features (weight " + Shape.str(weight.shape()) + ")");
        }
        Device dev = bias == null ? Ops.commonDevice(x, weight) : Ops.commonDevice(x, weight, bias);
        // A matrix input goes in as a strided view, whatever its strides (both backends' products take any):
        // a recurrent layer's h, a column slice of the previous step's [h | c], then needs no copy.
        Tensor xd = x.detach();
        Tensor x3 = x.dim() == 2 ? xd.asStrided(new int[] {1, x.size(0), in}, new int[] {0, xd.strides()[0], xd.strides()[1]}, xd.offset())
                : GradMode.noGrad(() -> Ops.reshape(xd, 1, -1, in));
        Tensor w = weight.detach();
        Tensor wt3 = w.asStrided(new int[] {1, in, out}, new int[] {0, w.strides()[1], w.strides()[0]}, w.offset());
        int[] shape = x.shape();
        shape[shape.length - 1] = out;
        Tensor y = Tensor.uninitialized(DType.promote(x.dtype(), weight.dtype()), dev, shape);
        Tensor y3 = y.asStrided(new int[] {1, x3.size(1), out}, new int[] {0, out, 1}, 0);
        y.backend().linear(x3, wt3, bias == null ? null : Ops.contiguous(bias.detach()), false, relu, y3);
        return Autograd.record(relu ? "linearRelu" : "linear", y, g -> {
            Tensor gz = relu ? Ops.reluBackward(g, y) : g;
            Tensor g2 = Ops.reshape(gz, -1, out);
            Tensor gx = x.requiresGrad() ? Ops.reshape(Ops.matmul(g2, weight.detach()), x.shape()) : null;
            Tensor x2 = x.dim() == 2 ? xd : Ops.reshape(Ops.contiguous(xd), -1, in);   // matmul takes a strided matrix as it is
            Tensor gw = weight.requiresGrad() ? Ops.matmul(Ops.transpose(g2, 0, 1), x2) : null;
            Tensor gb = bias != null && bias.requiresGrad() ? Ops.sum(g2, 0, false) : null;
            return new Tensor[] {gx, gw, gb};
        }, x, weight, bias);
    }

    private static void require4d(String op, Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + " expects a 4-D input [B, C, H, W], got shape " + Shape.str(x.shape()));
        }
    }

    /** Convolution windows as columns [B, C·k·k, Ho·Wo]; its backward folds gradients back (col2im). */
    public static Tensor unfold(Tensor x, int kernel, int stride, int padding, int dilation) {
        require4d("unfold", x);
        Tensor xc = Ops.contiguous(x.detach());
        Window w = new Window(kernel, stride, padding, dilation, x.size(2), x.size(3));
        if (w.outHeight() < 1 || w.outWidth() < 1) {
            throw new IllegalArgumentException("a " + kernel + "x" + kernel + " window (dilation " + dilation + ", padding " + padding
                    + ") does not fit an input of " + x.size(2) + "x" + x.size(3));
        }
        int b = x.size(0), c = x.size(1);
        Tensor cols = Tensor.uninitialized(x.dtype(), x.device(), b, c * kernel * kernel, w.outHeight() * w.outWidth());
        x.backend().im2col(xc, w, cols);
        int[] shape = x.shape();
        return Autograd.record("unfold", cols, g -> {
            Tensor dx = Tensor.uninitialized(g.dtype(), g.device(), shape);   // the window backwards write all of it (Backend.col2im)
            dx.backend().col2im(Ops.contiguous(g), w, dx);
            return new Tensor[] {dx};
        }, x);
    }

    /** 2-D convolution (PyTorch's conv2d with groups = 1) as im2col + GEMM. */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation) {
        return conv2d(x, weight, bias, stride, padding, dilation, false);
    }

    /** relu(conv2d(…)) in one pass: the bias and the ReLU happen in the GEMM's epilogue. */
    public static Tensor conv2dRelu(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation) {
        return conv2d(x, weight, bias, stride, padding, dilation, true);
    }

    /**
     * The weight as a matrix [out, C·k·k] times each image's window columns, with the bias added per output
     * channel (and the ReLU, for conv2dRelu) in the product's epilogue: {@code Backend.conv2d}, which on
     * the CPU unfolds one image at a time into a scratch buffer rather than the whole batch. The backward
     * is the product's: the weight's gradient Σ_b g_b · cols_bᵀ, the input's col2im(Wᵀ · g_b), the bias's
     * the sum of g over images and positions.
     */
    private static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, boolean relu) {
        require4d("conv2d", x);
        int out = weight.size(0), k = weight.size(2);
        if (weight.size(1) != x.size(1)) {
            throw new IllegalArgumentException("conv2d expects " + weight.size(1) + " input channels, got input of shape " + Shape.str(x.shape()));
        }
        Window w = new Window(k, stride, padding, dilation, x.size(2), x.size(3));
        if (w.outHeight() < 1 || w.outWidth() < 1) {
            throw new IllegalArgumentException("a " + k + "x" + k + " window (dilation " + dilation + ", padding " + padding
                    + ") does not fit an input of " + x.size(2) + "x" + x.size(3));
        }
        Device dev = bias == null ? Ops.commonDevice(x, weight) : Ops.commonDevice(x, weight, bias);
        Tensor xc = Ops.contiguous(x.detach());
        Tensor w2 = Ops.contiguous(weight.detach()).reshape(out, -1);
        Tensor b = bias == null ? null : Ops.contiguous(bias.detach());
        int n = x.size(0), l = w.outHeight() * w.outWidth();
        Tensor y = Tensor.uninitialized(DType.promote(x.dtype(), weight.dtype()), dev, n, out, l);
        Tensor cols = y.backend().conv2d(xc, w2, b, w, relu, y);   // kept for the weight's gradient, where a backend made it
        int[] xShape = x.shape(), wShape = weight.shape();
        Tensor z = Autograd.record(relu ? "conv2dRelu" : "conv2d", y, g -> {
            Tensor gz = Ops.contiguous(relu ? Ops.reluBackward(g, y) : g);
            Tensor gx = null, gw = null, gb = null;
            if (x.requiresGrad()) {
                gx = Tensor.uninitialized(gz.dtype(), dev, xShape);
                gx.backend().conv2dInputGrad(w2, gz, w, gx);
            }
            if (weight.requiresGrad()) {
                Tensor gw2 = Tensor.uninitialized(gz.dtype(), dev, out, w2.size(1));
                gw2.backend().conv2dWeightGrad(xc, cols, gz, w, gw2);
                gw = gw2.reshape(wShape);
            }
            if (bias != null && bias.requiresGrad()) gb = Ops.sum(Ops.sum(gz, 2, false), 0, false);
            return new Tensor[] {gx, gw, gb};
        }, x, weight, bias);
        return Ops.reshape(z, n, out, w.outHeight(), w.outWidth());
    }

    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        require4d("maxPool2d", x);
        Window w = new Window(kernel, stride, padding, 1, x.size(2), x.size(3));
        if (w.outHeight() < 1 || w.outWidth() < 1) throw new IllegalArgumentException("maxPool2d window " + kernel + " larger than input");
        Tensor y = Tensor.uninitialized(x.dtype(), x.device(), x.size(0), x.size(1), w.outHeight(), w.outWidth());
        Tensor argmax = Tensor.uninitialized(DType.INT32, x.device(), y.shape());
        x.backend().maxPool2d(Ops.contiguous(x.detach()), w, y, argmax);
        int[] shape = x.shape();
        return Autograd.record("maxPool2d", y, g -> {
            Tensor dx = Tensor.uninitialized(g.dtype(), g.device(), shape);
            dx.backend().maxPool2dBackward(Ops.contiguous(g), argmax, w, dx);
            return new Tensor[] {dx};
        }, x);
    }

    public static Tensor maxPool2d(Tensor x, int kernel) { return maxPool2d(x, kernel, kernel, 0); }

    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        require4d("avgPool2d", x);
        Window w = new Window(kernel, stride, padding, 1, x.size(2), x.size(3));
        if (w.outHeight() < 1 || w.outWidth() < 1) throw new IllegalArgumentException("avgPool2d window " + kernel + " larger than input");
        Tensor y = Tensor.uninitialized(x.dtype(), x.device(), x.size(0), x.size(1), w.outHeight(), w.outWidth());
        x.backend().avgPool2d(Ops.contiguous(x.detach()), w, y);
        int[] shape = x.shape();
        return Autograd.record("avgPool2d", y, g -> {
            Tensor dx = Tensor.uninitialized(g.dtype(), g.device(), shape);
            dx.backend().avgPool2dBackward(Ops.contiguous(g), w, dx);
            return new Tensor[] {dx};
        }, x);
    }

    public static Tensor avgPool2d(Tensor x, int kernel) { return avgPool2d(x, kernel, kernel, 0); }

    public static Tensor flatten(Tensor x, int from) { return Ops.flatten(x, from, -1); }

    public static Tensor flatten(Tensor x) { return flatten(x, 1); }

    // ============================================================ dropout, embedding, normalization

    /** Zeroes each element with probability p and scales the rest by 1 / (1 − p); identity when not training. */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator gen) {
        if (p < 0 || p > 1) throw new IllegalArgumentException("dropout probability must be in [0, 1], got " + p);
        if (!training || p == 0) return x;
        if (p == 1) return Ops.mul(x, 0.0);
        // Drawn on the host from the seeded generator, so a seed gives the same masks on every device.
        Tensor keep = Tensor.rand(gen, x.dtype(), x.shape()).to(x.device());
        Tensor mask = Ops.mul(Ops.to(Ops.ge(keep, Tensor.scalar(x.dtype(), p)), x.dtype()), 1 / (1 - p));
        return Ops.mul(x, mask);
    }

    /** Rows of weight [count, dim] for integer indices of any shape: out has shape indices.shape + [dim]. */
    public static Tensor embedding(Tensor indices, Tensor weight) {
        int[] s = indices.shape();
        Tensor flat = Ops.reshape(Ops.contiguous(indices), indices.numel());
        Tensor rows = Ops.indexSelect(weight, 0, flat);
        int[] out = java.util.Arrays.copyOf(s, s.length + 1);
        out[s.length] = weight.size(1);
        return Ops.reshape(rows, out);
    }

    /** Normalizes over the last {@code normalized} dimensions, then scales and shifts (PyTorch's layer_norm). */
    public static Tensor layerNorm(Tensor x, int normalized, Tensor weight, Tensor bias, double eps) {
        Tensor h = x;
        int[] shape = x.shape();
        int lead = x.dim() - normalized;
        int[] flatShape = java.util.Arrays.copyOf(shape, lead + 1);
        flatShape[lead] = -1;
        Tensor f = Ops.reshape(h, flatShape), y;
        if (LayerNormF32.applies(f)) {
            y = Ops.reshape(LayerNormF32.apply(f, eps), shape);
        } else {
            Tensor mean = Ops.mean(f, -1, true);
            Tensor centered = Ops.sub(f, mean);
            Tensor var = Ops.mean(Ops.mul(centered, centered), -1, true);
            y = Ops.reshape(Ops.div(centered, Ops.sqrt(Ops.add(var, eps))), shape);
        }
        if (weight != null) y = Ops.mul(y, weight);
        if (bias != null) y = Ops.add(y, bias);
        return y;
    }

    // ============================================================ losses

    /** How a loss combines the per-element values. */
    public enum Reduction { MEAN, SUM, NONE }

    private static Tensor reduce(Tensor perElement, Reduction r) {
        return switch (r) {
            case MEAN -> Ops.mean(perElement);
            case SUM -> Ops.sum(perElement);
            case NONE -> perElement;
        };
    }

    private static void sameShape(String loss, Tensor a, Tensor b) {
        if (!java.util.Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(loss + " compares tensors of the same shape, got " + Shape.str(a.shape())
                    + " and " + Shape.str(b.shape()));
        }
    }

    public static Tensor mse(Tensor input, Tensor target, Reduction r) {
        sameShape("mse", input, target);
        Tensor d = Ops.sub(input, target);
        return reduce(Ops.mul(d, d), r);
    }

    public static Tensor mse(Tensor input, Tensor target) { return mse(input, target, Reduction.MEAN); }

    public static Tensor l1(Tensor input, Tensor target, Reduction r) {
        sameShape("l1", input, target);
        return reduce(Ops.abs(Ops.sub(input, target)), r);
    }

    public static Tensor l1(Tensor input, Tensor target) { return l1(input, target, Reduction.MEAN); }

    /** Binary cross-entropy on probabilities; logs are clamped at −100 as PyTorch does. */
    public static Tensor bce(Tensor p, Tensor target, Reduction r) {
        sameShape("bce", p, target);
        Tensor logP = Ops.clamp(Ops.log(p), -100, Double.POSITIVE_INFINITY);
        Tensor log1mP = Ops.clamp(Ops.log(Ops.add(Ops.neg(p), 1)), -100, Double.POSITIVE_INFINITY);
        Tensor t = target.dtype() == p.dtype() ? target : Ops.to(target, p.dtype());
        return reduce(Ops.neg(Ops.add(Ops.mul(t, logP), Ops.mul(Ops.add(Ops.neg(t), 1), log1mP))), r);
    }

    public static Tensor bce(Tensor p, Tensor target) { return bce(p, target, Reduction.MEAN); }

    /** Binary cross-entropy on logits, max(z, 0) − z·t + log(1 + e^−|z|): no overflow at any z. */
    public static Tensor bceWithLogits(Tensor z, Tensor target, Reduction r) {
        sameShape("bceWithLogits", z, target);
        Tensor t = target.dtype() == z.dtype() ? target : Ops.to(target, z.dtype());
        Tensor sp = Ops.map(UnaryFn.SOFTPLUS, 0, 0, z.detach());
        Tensor loss = Ops.sub(sp, Ops.mul(z.detach(), t));
        Tensor sig = Ops.map(UnaryFn.SIGMOID, 0, 0, z.detach());
        Tensor perElement = Autograd.record("bceWithLogits", loss, g -> new Tensor[] {
                Ops.mul(g, Ops.sub(sig, t)), target.requiresGrad() ? Ops.neg(Ops.mul(g, z.detach())) : null}, z, target);
        return reduce(perElement, r);
    }

    public static Tensor bceWithLogits(Tensor z, Tensor target) { return bceWithLogits(z, target, Reduction.MEAN); }

    /**
     * Negative log-likelihood of class indices under log-probabilities [B, C]. Targets equal to
     * {@code ignoreIndex} count neither in the sum nor in the mean's divisor.
     */
    public static Tensor nll(Tensor logProbs, Tensor target, long ignoreIndex, Reduction r) {
        checkClassification("nll", logProbs, target);
        Tensor valid = Ops.ne(target, Tensor.scalar(target.dtype(), ignoreIndex));
        Tensor safe = Ops.where(valid, target, Tensor.scalar(target.dtype(), 0));
        Tensor picked = Ops.squeeze(Ops.gather(logProbs, 1, Ops.unsqueeze(safe, 1)), 1);
        Tensor per = Ops.where(valid, Ops.neg(picked), Tensor.scalar(logProbs.dtype(), 0));
        return switch (r) {
            case NONE -> per;
            case SUM -> Ops.sum(per);
            case MEAN -> Ops.div(Ops.sum(per), Ops.sum(Ops.to(valid, logProbs.dtype())));
        };
    }

    public static Tensor nll(Tensor logProbs, Tensor target) { return nll(logProbs, target, -100, Reduction.MEAN); }

    private static void checkClassification(String loss, Tensor logits, Tensor target) {
        if (logits.dim() != 2 || target.dim() != 1 || target.size(0) != logits.size(0)) {
            throw new IllegalArgumentException(loss + " expects logits [B, C] and class indices [B], got " + Shape.str(logits.shape())
                    + " and " + Shape.str(target.shape()));
        }
        if (target.dtype().isFloating()) {
            throw new IllegalArgumentException(loss + " expects integer class indices, got " + target.dtype());
        }
    }

    /**
     * Cross-entropy of logits [B, C] against class indices [B], as PyTorch's cross_entropy: with label
     * smoothing ε the target is (1 − ε) one-hot + ε / C, and ignored targets do not count.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, double labelSmoothing, long ignoreIndex, Reduction r) {
        checkClassification("crossEntropy", logits, target);
        if (CrossEntropyF32.applies(logits, labelSmoothing)) return CrossEntropyF32.apply(logits, target, ignoreIndex, r);
        Tensor logp = logSoftmax(logits, 1);
        if (labelSmoothing == 0) return nll(logp, target, ignoreIndex, r);
        Tensor valid = Ops.to(Ops.ne(target, Tensor.scalar(target.dtype(), ignoreIndex)), logits.dtype());
        Tensor nllPer = nll(logp, target, ignoreIndex, Reduction.NONE);
        Tensor smooth = Ops.mul(Ops.mul(Ops.mean(logp, 1, false), -1.0), valid);
        Tensor per = Ops.add(Ops.mul(nllPer, 1 - labelSmoothing), Ops.mul(smooth, labelSmoothing));
        return switch (r) {
            case NONE -> per;
            case SUM -> Ops.sum(per);
            case MEAN -> Ops.div(Ops.sum(per), Ops.sum(valid));
        };
    }

    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, 0, -100, Reduction.MEAN);
    }
}
