package org.nnc.backend;

import java.util.List;

import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.Storage;
import org.nnc.tensor.Tensor;

/**
 * The kernels a device provides. Every operand is a tensor view (shape, strides, offset) on this backend's
 * storage; inputs of element-wise kernels arrive already broadcast to the output's shape (stride 0 on
 * broadcast dimensions), so kernels never re-derive broadcasting. Outputs may be strided views, which is
 * how slices are written in place. All operands of one call live on this backend's device.
 */
public interface Backend {

    Device device();

    /** Fresh storage for n elements, zero-filled. */
    Storage allocate(DType dtype, int n);

    /**
     * Fresh storage whose contents are undefined, for outputs a kernel writes in full: on a GPU this saves
     * the memset launch that zeroing costs. The CPU's arrays are zeroed anyway.
     */
    default Storage allocateUninitialized(DType dtype, int n) { return allocate(dtype, n); }

    /** out = f(x, p, q), converting to out's dtype. With IDENTITY this is a strided copy. */
    void unary(UnaryFn f, double p, double q, Tensor x, Tensor out);

    /** out = f(a, b). */
    void binary(BinaryFn f, Tensor a, Tensor b, Tensor out);

    /** out = cond ? a : b. */
    void where(Tensor cond, Tensor a, Tensor b, Tensor out);

    void fill(Tensor out, double value);

    /** Reduces x along dim into out, whose shape is x's without dim. */
    void reduce(ReduceFn f, Tensor x, int dim, Tensor out);

    /** out[b] = a[b] @ bm[b] for 3-D operands [batch, M, K] and [batch, K, N]; out is contiguous [batch, M, N]. */
    void matmul(Tensor a, Tensor bm, Tensor out);

    /**
     * A layer's product: out[b] = act(a[b] @ bm[b] + bias), with bias (1-D, or null) added per row of out
     * ({@code biasPerRow}, a convolution's channels) or per column (a linear layer's outputs), and act a
     * ReLU or nothing. The default composes the other kernels; a backend may fuse them (the CPU does, in
     * the GEMM's epilogue).
     */
    default void linear(Tensor a, Tensor bm, Tensor bias, boolean biasPerRow, boolean relu, Tensor out) {
        matmul(a, bm, out);
        if (bias != null) {
            int[] s = out.shape();
            Tensor b = bias.asStrided(s, biasPerRow ? new int[] {0, bias.strides()[0], 0} : new int[] {0, 0, bias.strides()[0]}, bias.offset());
            binary(BinaryFn.ADD, out, b, out);
        }
        if (relu) unary(UnaryFn.RELU, 0, 0, out, out);
    }

    /**
     * Cross-entropy per row of contiguous float32 logits [B, C] against contiguous integer targets [B]:
     * {@code perRow} (float32 [B]) gets −log softmax(x)[t] (0 where t is {@code ignore}), {@code lse}
     * (float64 [B]) each row's log-sum-exp, shifted by the row's maximum (by 0 if the row has a NaN), and
     * {@code valid} (float32 [B]) 1 or 0. A target outside [−C, C) other than {@code ignore} is an
     * IndexOutOfBoundsException (see {@link #gather} for when a GPU throws it).
     */
    void crossEntropyRows(Tensor logits, Tensor target, long ignore, Tensor perRow, Tensor lse, Tensor valid);

    /**
     * The mean loss over the rows that count: {@code mean} = Σ perRow / Σ valid and {@code count} = Σ valid
     * (float32 scalars; 0 / 0 is NaN, as the composed mean), in one pass where a sum, a sum and a division took
     * three.
     */
    void crossEntropyMean(Tensor perRow, Tensor valid, Tensor mean, Tensor count);

    /**
     * The gradient of {@link #crossEntropyRows}: dx[i, j] = scale[i] / divisor · (softmax(x)[i, j] − [j = t_i]),
     * 0 on ignored rows; scale float32 [B] of any stride (0: one scale broadcast to every row), divisor a
     * float32 scalar (the mean's count) or null for 1.
     */
    void crossEntropyBackward(Tensor logits, Tensor target, long ignore, Tensor lse, Tensor scale, Tensor divisor, Tensor dx);

    /**
     * Softmax, or log-softmax when {@code log}, of each row (the last dimension) of contiguous float32 x into
     * y, contiguous of x's shape: the row shifted by its maximum, as the composed form; a row with a NaN, an
     * infinity or only −∞ is NaN throughout, as there.
     */
    void softmaxRows(Tensor x, boolean log, Tensor y);

    /** Its gradient from y (what softmaxRows wrote) and g, all contiguous: y·(g − Σ g·y), or g − exp(y)·Σ g for log-softmax, per row. */
    void softmaxRowsBackward(Tensor y, Tensor g, boolean log, Tensor dx);

    /**
     * Layer normalization of each row (the last dimension) of contiguous float32 x into y, contiguous of
     * x's shape: (x − mean) / sqrt(var + eps) with the biased variance, PyTorch's layer_norm before its
     * scale and shift; mean and rstd = 1 / sqrt(var + eps), float32 [rows], are kept for the backward.
     */
    void layerNormRows(Tensor x, double eps, Tensor y, Tensor mean, Tensor rstd);

    /** Its gradient from dy (with respect to y, contiguous): rstd · (dy − mean(dy) − y · mean(dy · y)) per row, y recomputed from x. */
    void layerNormRowsBackward(Tensor x, Tensor mean, Tensor rstd, Tensor dy, Tensor dx);

    /**
     * Batch normalization's training step over contiguous float32 x [N, C, …] (every tensor contiguous
     * float32, the per-channel ones [C]): per channel the batch's mean and biased variance, y = (x − mean) ·
     * rstd · weight + bias, mean and rstd kept for the backward, and the running statistics moved by
     * momentum in place (the variance unbiased, as PyTorch).
     */
    void batchNormTrain(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double momentum, double eps,
                        Tensor y, Tensor mean, Tensor rstd);

    /** Batch normalization in eval mode, no gradient: y = (x − runningMean) / sqrt(runningVar + eps) · weight + bias per channel, all as {@link #batchNormTrain}. */
    void batchNormEval(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps, Tensor y);

    /** The training step's gradients from dy: dWeight = Σ dy · ŷ and dBias = Σ dy per channel, dx = weight · rstd · (dy − mean(dy) − ŷ · mean(dy · ŷ)). */
    void batchNormBackward(Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dy, Tensor dx, Tensor dWeight, Tensor dBias);

    /** Whether fused parameter-step kernels take these: contiguous float32 tensors of one element count. */
    static boolean fusableStep(Tensor p, Tensor... others) {
        if (p.dtype() != DType.FLOAT32 || !p.isContiguous()) return false;
        for (Tensor t : others) {
            if (t.dtype() != DType.FLOAT32 || !t.isContiguous() || t.numel() != p.numel()) return false;
        }
        return true;
    }

    /**
     * A fused SGD step on one contiguous float32 parameter, its gradient and momentum buffer (all the same
     * shape): buf ← momentum·buf + (1 − dampening)·d, then p ← p − lr·(nesterov ? d + momentum·buf : buf).
     * Returns false where the backend has no fused form; the optimizer then composes the step from other
     * kernels.
     */
    default boolean sgdStep(Tensor p, Tensor d, Tensor buf, double lr, double momentum, double dampening, boolean nesterov) {
        return false;
    }

    /**
     * A fused Adam step: m ← β1·m + (1 − β1)·d, v ← β2·v + (1 − β2)·d², p ← p − (lr / c1)·m / (√v / √c2 + ε),
     * with c1, c2 the bias corrections. False where there is no fused form, as {@link #sgdStep}.
     */
    default boolean adamStep(Tensor p, Tensor d, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                             double c1, double c2) {
        return false;
    }

    /**
     * {@link #sgdStep} for several parameters at once (same lengths of lists, same options), all or none:
     * false where the backend has no such form or a parameter is not {@link #fusableStep fusable}, and the
     * optimizer then steps each parameter. A GPU does a whole model in one launch where one per parameter
     * would cost a launch each.
     */
    default boolean sgdSteps(List<Tensor> p, List<Tensor> d, List<Tensor> buf, double lr, double momentum, double dampening,
                             boolean nesterov) {
        return false;
    }

    /** {@link #adamStep} for several parameters at once, all with the same step count (so c1, c2): all or none, as {@link #sgdSteps}. */
    default boolean adamSteps(List<Tensor> p, List<Tensor> d, List<Tensor> m, List<Tensor> v, double lr, double beta1, double beta2,
                              double eps, double c1, double c2) {
        return false;
    }

    /**
     * Step {@code s} of a float32 LSTM layer's recurrence (gate order i, f, g, o) over [B, T, ·] buffers,
     * for a device that runs the layer's whole sequence as one operation ({@code LstmSequence.onDevice}):
     * the gates are {@code hGates} [B, 4H] (h·W_hhᵀ + b_hh, contiguous) plus step s of {@code projected}
     * [B, T, 4H] (its last dimension contiguous); with cPrev's step s, c = σ(f)·cPrev + σ(i)·tanh(g) and
     * h = σ(o)·tanh(c) go into {@code out}'s step s and, where s + 1 &lt; T, into {@code hPrev}'s and
     * {@code cPrev}'s step s + 1, while the activated gates and tanh(c) go into {@code act}'s and
     * {@code tanhC}'s step s for the backward. {@code out}, {@code hPrev}, {@code cPrev}, {@code act} and
     * {@code tanhC} are contiguous. False where the backend has no such kernel: the CPU runs its own whole
     * sequence, and a layer on a device without one goes step by step.
     */
    default boolean lstmStep(int s, Tensor hGates, Tensor projected, Tensor out, Tensor hPrev, Tensor cPrev, Tensor act, Tensor tanhC) {
        return false;
    }

    /**
     * Its backward at step {@code s}, on the backend that ran the forward, from the last step to the first:
     * the gate pre-activations' gradients into {@code dGates}' step s (contiguous [B, T, 4H]), from
     * {@code dh} [B, H] (h's gradient from the later steps) plus step s of {@code dy} [B, T, H] (its last
     * dimension contiguous), and from {@code dc} [B, H], which becomes cPrev's gradient in place.
     */
    default void lstmStepBackward(int s, Tensor dy, Tensor dh, Tensor dc, Tensor act, Tensor tanhC, Tensor cPrev, Tensor dGates) {
        throw new UnsupportedOperationException("no LSTM step kernel on " + device());
    }

    /**
     * Step {@code s} of a float32 GRU layer's recurrence (gate order r, z, n) over [B, T, ·] buffers, as
     * {@link #lstmStep}'s: with {@code hh} [B, 3H] (h·W_hhᵀ + b_hh, contiguous) and step s of
     * {@code projected} [B, T, 3H] (its last dimension contiguous), r = σ(x_r + h_r), z = σ(x_z + h_z),
     * n = tanh(x_n + r·h_n) and h' = (1 − z)·n + z·h, with h {@code hPrev}'s step s; h' goes into
     * {@code out}'s step s and, where s + 1 &lt; T, {@code hPrev}'s step s + 1, while (r, z, n) and h_n go
     * into {@code act}'s and {@code hn}'s step s for the backward. False where the backend has no such kernel.
     */
    default boolean gruStep(int s, Tensor hh, Tensor projected, Tensor out, Tensor hPrev, Tensor act, Tensor hn) { return false; }

    /**
     * Its backward at step {@code s}, from the last step to the first: h's gradient is {@code dh} [B, H] (sent
     * back through W_hh by the later step) plus {@code direct} [B, H] (through z·h) plus step s of {@code dy};
     * writes step s of the projection's gradient {@code dProjected} and of the hidden product's
     * {@code dHidden} (both contiguous [B, T, 3H]), and the next direct part into {@code direct}.
     */
    default void gruStepBackward(int s, Tensor dy, Tensor dh, Tensor direct, Tensor act, Tensor hn, Tensor hPrev, Tensor dProjected,
                                 Tensor dHidden) {
        throw new UnsupportedOperationException("no GRU step kernel on " + device());
    }

    /**
     * out = x[..., index[...], ...] along dim, where out and index have the same shape. An index outside
     * the dimension is an IndexOutOfBoundsException: here on the CPU; on a GPU, whose kernels run ahead of
     * the host, at the next read from that GPU (a value, a copy to the host), within the same training step.
     */
    void gather(Tensor x, int dim, Tensor index, Tensor out);

    /** out[..., index[...], ...] += src along dim (serial, so repeated indices accumulate); bad indices as {@link #gather}. */
    void scatterAdd(Tensor out, int dim, Tensor index, Tensor src);

    /**
     * Unfolds convolution windows: x is contiguous [B, C, H, W], out contiguous [B, C·k·k, Ho·Wo]; row
     * (c·k + i)·k + j holds input (c, oh·s − p + i·d, ow·s − p + j·d), or 0 in the padding.
     */
    void im2col(Tensor x, Window w, Tensor out);

    /**
     * The adjoint of {@link #im2col}: each input position of dx gets the sum of the column entries taken
     * from it. Like the other window backwards ({@link #conv2dInputGrad}, {@link #maxPool2dBackward},
     * {@link #avgPool2dBackward}), dx comes as {@code Tensor.uninitialized} makes it: zeroed on the CPU,
     * whose kernels add into it, anything on a GPU, whose kernels gather and write every element (no
     * atomics, so the same sums every run).
     */
    void col2im(Tensor cols, Window w, Tensor dx);

    /**
     * A convolution's forward: y [B, O, Ho·Wo] = w2 [O, C·k·k] · im2col(x) per image, plus bias per output
     * channel, then ReLU if asked; x contiguous [B, C, H, W], w2 and y contiguous. The default unfolds the
     * whole batch and runs {@link #linear}; a backend may go image by image instead (the CPU does).
     *
     * @return the unfolded input, for {@link #conv2dWeightGrad} to use again rather than unfold it twice,
     *         or null where the backend made none
     */
    default Tensor conv2d(Tensor x, Tensor w2, Tensor bias, Window w, boolean relu, Tensor y) {
        int b = x.shape()[0], ckk = w2.shape()[1], o = w2.shape()[0];
        Tensor cols = Tensor.uninitialized(x.dtype(), device(), b, ckk, w.outHeight() * w.outWidth());
        im2col(x, w, cols);
        Tensor wb = w2.asStrided(new int[] {b, o, ckk}, new int[] {0, w2.strides()[0], w2.strides()[1]}, w2.offset());
        linear(wb, cols, bias, true, relu, y);
        return cols;
    }

    /**
     * The weight's gradient of {@link #conv2d}: gw2 [O, C·k·k] = Σ_b g_b · im2col(x_b)ᵀ, g contiguous
     * [B, O, Ho·Wo]; {@code cols} is what {@link #conv2d} returned (null: unfold x again).
     */
    default void conv2dWeightGrad(Tensor x, Tensor cols, Tensor g, Window w, Tensor gw2) {
        int b = x.shape()[0], ckk = gw2.shape()[1], o = gw2.shape()[0], l = w.outHeight() * w.outWidth();
        if (cols == null) {
            cols = Tensor.uninitialized(x.dtype(), device(), b, ckk, l);
            im2col(x, w, cols);
        }
        Tensor per = Tensor.uninitialized(gw2.dtype(), device(), b, o, ckk);
        matmul(g, cols.asStrided(new int[] {b, l, ckk}, new int[] {ckk * l, 1, l}, cols.offset()), per);
        reduce(ReduceFn.SUM, per, 0, gw2);
    }

    /** The input's gradient of {@link #conv2d}: dx (contiguous, as {@link #col2im} takes it) = col2im(w2ᵀ · g_b) for every image. */
    default void conv2dInputGrad(Tensor w2, Tensor g, Window w, Tensor dx) {
        int b = g.shape()[0], ckk = w2.shape()[1], o = w2.shape()[0], l = g.shape()[2];
        Tensor wt = w2.asStrided(new int[] {b, ckk, o}, new int[] {0, w2.strides()[1], w2.strides()[0]}, w2.offset());
        Tensor gcols = Tensor.uninitialized(dx.dtype(), device(), b, ckk, l);
        matmul(wt, g, gcols);
        col2im(gcols, w, dx);
    }

    /**
     * Max pooling of contiguous [B, C, H, W]; {@code argmax} (contiguous int32, out's shape) receives each
     * maximum's index within its H·W plane.
     */
    void maxPool2d(Tensor x, Window w, Tensor out, Tensor argmax);

    /** Each input position of dx (as {@link #col2im} takes it) gets the gradients of the outputs whose maximum it was. */
    void maxPool2dBackward(Tensor grad, Tensor argmax, Window w, Tensor dx);

    /** Average pooling counting padded zeros (PyTorch's default count_include_pad = true). */
    void avgPool2d(Tensor x, Window w, Tensor out);

    /** Each input position of dx (as {@link #col2im} takes it) gets a k·k-th of the gradient of every window holding it. */
    void avgPool2dBackward(Tensor grad, Window w, Tensor dx);

    /** A square sliding window over an H × W plane, and the output size it gives. */
    record Window(int kernel, int stride, int padding, int dilation, int height, int width) {
        public int outHeight() { return (height + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1; }

        public int outWidth() { return (width + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1; }
    }
}
