package org.nnc.nn;

import java.util.ArrayList;
import java.util.List;
import org.nnc.ops.Ops;
import org.nnc.tensor.Shape;
import org.nnc.tensor.Tensor;

/**
 * Multi-layer recurrent networks over batch-first input [B, T, input], with PyTorch's parameter names
 * and layouts (weight_ih_l{k} [gates·hidden, in], weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}) and
 * initialisation U(−1/√hidden, 1/√hidden). The input projection of all steps is one GEMM; the recurrence
 * runs step by step, or as one operation where a subclass has one: float32 LSTM and GRU, on the CPU and on a
 * device whose backend has their step kernels.
 */
public abstract class Recurrent extends Module {
    public final int input, hidden, layers;
    private final int gates;

    Recurrent(int input, int hidden, int layers, int gates) {
        if (layers < 1) throw new IllegalArgumentException("a recurrent network needs at least one layer, got " + layers);
        this.input = input;
        this.hidden = hidden;
        this.layers = layers;
        this.gates = gates;
        double bound = 1 / Math.sqrt(hidden);
        for (int k = 0; k < layers; k++) {
            int in = k == 0 ? input : hidden;
            registerParameter("weight_ih_l" + k, Init.uniform(bound, gates * hidden, in));
            registerParameter("weight_hh_l" + k, Init.uniform(bound, gates * hidden, hidden));
            registerParameter("bias_ih_l" + k, Init.uniform(bound, gates * hidden));
            registerParameter("bias_hh_l" + k, Init.uniform(bound, gates * hidden));
        }
    }

    Tensor param(String name, int layer) { return namedParameters().get(name + "_l" + layer); }

    /** The hidden states of the last layer at every step, [B, T, hidden]. */
    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 3 || x.size(2) != input) {
            throw new IllegalArgumentException(getClass().getSimpleName() + "(" + input + ", " + hidden + ") expects [B, T, " + input
                    + "] (batch first), got " + Shape.str(x.shape()));
        }
        Tensor h = x;
        for (int k = 0; k < layers; k++) h = layer(h, k);
        return h;
    }

    /** The last step's hidden state of the last layer, [B, hidden]. */
    public Tensor last(Tensor x) { return Ops.select(forward(x), 1, -1); }

    private Tensor layer(Tensor x, int k) {
        Tensor projected = Functional.linear(x, param("weight_ih", k), param("bias_ih", k));   // [B, T, gates·hidden]
        Tensor wHh = param("weight_hh", k), bHh = param("bias_hh", k);
        Tensor fused = recurrence(projected, wHh, bHh);
        return fused != null ? fused : stepByStep(projected, wHh, bHh);
    }

    /** The whole recurrence as one operation where a subclass has one for these tensors, else null. */
    Tensor recurrence(Tensor projected, Tensor wHh, Tensor bHh) { return null; }

    /**
     * For the one-operation recurrences: weight_hh's and bias_hh's gradients (null where not required)
     * from every step's gradient of W_hh·h + b_hh, {@code dg} [rows, gh], and the state each step started
     * from, {@code hPrev} [rows, hid]: dW = dgᵀ · hPrev as one product over all steps, db = dg's column sums.
     */
    static Tensor[] hiddenWeightGrads(Tensor wHh, Tensor bHh, float[] dg, float[] hPrev, int rows, int gh, int hid) {
        Tensor dW = null, dB = null;
        if (wHh.requiresGrad()) {
            float[] dw = org.nnc.tensor.Storage.floats(gh * hid);
            org.nnc.backend.cpu.Gemm.sgemm(gh, hid, rows, dg, 0, 1, gh, hPrev, 0, hid, 1, dw, 0, hid, false);
            dW = Tensor.of(dw, gh, hid);
        }
        if (bHh.requiresGrad()) {
            float[] db = org.nnc.tensor.Storage.floats(gh);
            for (int row = 0; row < rows; row++) org.nnc.backend.cpu.Kernels.axpy(1f, dg, row * gh, db, 0, gh);
            dB = Tensor.of(db, gh);
        }
        return new Tensor[] {dW, dB};
    }

    /** The same on a device: from every step's gradient {@code dg} [B, T, gh] and {@code hPrev} [B, T, hid], as tensors. */
    static Tensor[] hiddenWeightGrads(Tensor wHh, Tensor bHh, Tensor dg, Tensor hPrev) {
        int rows = dg.size(0) * dg.size(1), gh = dg.size(2), hid = hPrev.size(2);
        Tensor dg2 = Ops.reshape(dg, rows, gh);
        Tensor dW = wHh.requiresGrad() ? Ops.matmul(Ops.transpose(dg2, 0, 1), Ops.reshape(hPrev, rows, hid)) : null;
        Tensor dB = bHh.requiresGrad() ? Ops.sum(dg2, 0, false) : null;
        return new Tensor[] {dW, dB};
    }

    /** Step {@code s} of a contiguous [B, T, n] buffer as the [1, B, n] matrix a product takes (rows T·n apart). */
    static Tensor step(Tensor buffer, int s) {
        int b = buffer.size(0), t = buffer.size(1), n = buffer.size(2);
        return buffer.asStrided(new int[] {1, b, n}, new int[] {0, t * n, 1}, buffer.offset() + s * n);
    }

    /** A contiguous weight [rows, cols] as the [1, ·, ·] matrix a product takes, transposed (a view) or not. */
    static Tensor asMatrix(Tensor w, boolean transposed) {
        int rows = w.size(0), cols = w.size(1);
        return transposed ? w.asStrided(new int[] {1, cols, rows}, new int[] {0, 1, cols}, w.offset())
                : w.asStrided(new int[] {1, rows, cols}, new int[] {0, cols, 1}, w.offset());
    }

    /** Whether the CPU's one-operation recurrences apply: they are float32 CPU kernels. */
    static boolean fusable(Tensor... ts) { return allFloat32On(org.nnc.tensor.Device.CPU, ts); }

    /** Whether the tensors are float32 on one device other than the CPU, where a backend may run the whole sequence. */
    static boolean onDeviceInFloat32(Tensor... ts) {
        return !ts[0].device().equals(org.nnc.tensor.Device.CPU) && allFloat32On(ts[0].device(), ts);
    }

    private static boolean allFloat32On(org.nnc.tensor.Device d, Tensor... ts) {
        for (Tensor t : ts) {
            if (t.dtype() != org.nnc.tensor.DType.FLOAT32 || !t.device().equals(d)) return false;
        }
        return true;
    }

    /** The recurrence one step at a time from a zero state: hidden states [B, T, hidden]. */
    Tensor stepByStep(Tensor projected, Tensor wHh, Tensor bHh) {
        int b = projected.size(0), t = projected.size(1);
        State s = initial(b, projected.dtype(), projected.device());
        List<Tensor> outputs = new ArrayList<>(t);
        for (int step = 0; step < t; step++) {
            Tensor xt = Ops.select(projected, 1, step);
            Tensor ht = Functional.linear(s.h, wHh, bHh);
            s = cell(xt, ht, s);
            outputs.add(s.h);
        }
        return Ops.stack(outputs, 1);
    }

    /** Hidden (and, for LSTM, cell) state. */
    record State(Tensor h, Tensor c) {}

    State initial(int batch, org.nnc.tensor.DType dtype, org.nnc.tensor.Device device) {
        return new State(Tensor.empty(dtype, device, batch, hidden), Tensor.empty(dtype, device, batch, hidden));
    }

    /** Gate {@code i} of a [B, gates·hidden] tensor. */
    Tensor gate(Tensor all, int i) { return Ops.slice(all, 1, i * hidden, (i + 1) * hidden, 1); }

    /** One step: xProj = W_ih x + b_ih and hProj = W_hh h + b_hh for this step. */
    abstract State cell(Tensor xProj, Tensor hProj, State s);

    @Override
    protected String extraRepr() { return input + ", " + hidden + (layers > 1 ? ", num_layers=" + layers : "") + ", batch_first=True"; }
}
