package org.nnc.nn;

import org.nnc.autograd.Autograd;
import org.nnc.backend.Backend;
import org.nnc.backend.cpu.CpuBackend;
import org.nnc.backend.cpu.Gemm;
import org.nnc.backend.cpu.Kernels;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.Storage;
import org.nnc.tensor.Tensor;

/**
 * A float32 LSTM layer's whole recurrence as one operation, from a zero initial state (on the CPU here, on
 * a device in {@link #onDevice}): what {@link Recurrent} does step by step (a product with weight_hh, the
 * fused cell, a slice for h and c), with one graph node instead of five per step and the weight's gradient
 * as one product over all steps.
 *
 * <p>Step by step, the backward made a [4H, H] weight gradient per step and summed them (W4: 32 products
 * of depth 32 and 8 MiB of temporaries a step), and every step's forward allocated its gates, its
 * product, its cell output and their views. Here the steps write into arrays made once per call, the
 * backward keeps the gates' gradients of every step, and dW_hh = Σₜ dGₜᵀ·hₜ₋₁ is a single product of
 * depth B·T. The forward's arithmetic is the step-by-step layer's exactly (the product with its bias
 * epilogue, then plus the input projection, then the cell's row function), so outputs are bit for bit the
 * same; the weight gradient sums in another order.
 */
final class LstmSequence {
    private LstmSequence() {}

    /** Hidden states [B, T, H] from the input projection [B, T, 4H] (W_ih·x + b_ih), weight_hh [4H, H] and bias_hh [4H]. */
    static Tensor forward(Tensor projected, Tensor wHh, Tensor bHh) {
        int b = projected.size(0), t = projected.size(1), h4 = projected.size(2), hid = h4 / 4;
        Tensor pc = projected.contiguous(), wc = wHh.contiguous(), bc = bHh.contiguous();
        float[] p = CpuBackend.f32(pc), w = CpuBackend.f32(wc), bias = CpuBackend.f32(bc);
        int po = pc.offset(), wo = wc.offset();
        // Row (r, s) of every [B, T, ·] array is batch row r at step s.
        float[] out = Storage.floats(b * t * hid);       // h after step s
        float[] hPrev = Storage.floats(b * t * hid);     // h before step s: zeros, then out one step behind
        float[] cell = Storage.floats(b * t * hid);      // c after step s
        float[] act = Storage.floats(b * t * h4), tanhC = Storage.floats(b * t * hid);
        float[] zeros = Storage.floats(hid);
        float[] gates = Storage.floats(b * h4);
        Gemm.Epilogue addBias = new Gemm.Epilogue(bias, bc.offset(), false, false);
        Gemm.PackedB wT = Gemm.pack(hid, h4, w, wo, 1, hid);   // W_hhᵀ, packed once for every step
        for (int s = 0; s < t; s++) {
            // gates = (h · W_hhᵀ + b_hh) + projection, the order the step-by-step layer adds in.
            Gemm.sgemm(b, hPrev, s * hid, t * hid, 1, wT, gates, 0, h4, addBias);
            for (int r = 0; r < b; r++) {
                int row = r * t + s;
                Kernels.axpy(1f, p, po + row * h4, gates, r * h4, h4);
                float[] cp = s == 0 ? zeros : cell;
                int cpi = s == 0 ? 0 : (row - 1) * hid;
                LstmCell.rowForward(hid, gates, r * h4, cp, cpi, act, row * h4, tanhC, row * hid, out, row * hid, cell, row * hid);
                if (s + 1 < t) System.arraycopy(out, row * hid, hPrev, (row + 1) * hid, hid);
            }
        }
        Tensor y = Tensor.of(out, b, t, hid);
        return Autograd.record("lstm", y, grad -> {
            Tensor gc = grad.contiguous();
            float[] dy = CpuBackend.f32(gc);
            int dyo = gc.offset();
            float[] dg = Storage.floats(b * t * h4);     // the gates' gradients: also the projection's gradient
            float[] dh = Storage.floats(b * hid), dc = Storage.floats(b * hid);
            Gemm.PackedB wPacked = Gemm.pack(h4, hid, w, wo, hid, 1);
            for (int s = t - 1; s >= 0; s--) {
                for (int r = 0; r < b; r++) {
                    int row = r * t + s;
                    Kernels.axpy(1f, dy, dyo + row * hid, dh, r * hid, hid);
                    float[] cp = s == 0 ? zeros : cell;
                    int cpi = s == 0 ? 0 : (row - 1) * hid;
                    LstmCell.rowBackward(hid, dh, r * hid, dc, r * hid, act, row * h4, tanhC, row * hid, cp, cpi, dg, row * h4, dc, r * hid);
                }
                // The previous step's h gradient: this step's gate gradients through W_hh.
                if (s > 0) Gemm.sgemm(b, dg, s * h4, t * h4, 1, wPacked, dh, 0, hid, null);
            }
            Tensor[] dWdB = Recurrent.hiddenWeightGrads(wHh, bHh, dg, hPrev, b * t, h4, hid);
            return new Tensor[] {Tensor.of(dg, b, t, h4), dWdB[0], dWdB[1]};
        }, projected, wHh, bHh);
    }

    /**
     * The same recurrence on a device whose backend has the step kernels ({@link Backend#lstmStep}), or null.
     * Step by step, a device step took about seventeen launches (the product, the sum with the projection,
     * the cell, slices, their backwards and the gradient sums between steps, 552 launches for W4's 32 steps)
     * and as many graph nodes; here a step is a product into one [B, 4H] buffer and one cell launch that adds
     * the projection and writes h and c one step on (into hPrev and cPrev, where the next product and cell
     * read them, zeros at step 0), and a step of the backward is one cell launch and one product. weight_hh's
     * gradient is then one product over all steps, as on the CPU.
     */
    static Tensor onDevice(Tensor projected, Tensor wHh, Tensor bHh) {
        int b = projected.size(0), t = projected.size(1), h4 = projected.size(2), hid = h4 / 4;
        Device d = projected.device();
        Backend be = projected.backend();
        Tensor p = projected.detach().contiguous(), w = wHh.detach().contiguous(), bias = bHh.detach().contiguous();
        Tensor out = Tensor.uninitialized(DType.FLOAT32, d, b, t, hid);
        Tensor hPrev = Tensor.empty(DType.FLOAT32, d, b, t, hid), cPrev = Tensor.empty(DType.FLOAT32, d, b, t, hid);
        Tensor act = Tensor.uninitialized(DType.FLOAT32, d, b, t, h4), tanhC = Tensor.uninitialized(DType.FLOAT32, d, b, t, hid);
        Tensor gates = Tensor.uninitialized(DType.FLOAT32, d, 1, b, h4);
        Tensor wT = Recurrent.asMatrix(w, true);
        for (int s = 0; s < t; s++) {
            be.linear(Recurrent.step(hPrev, s), wT, bias, false, false, gates);
            if (!be.lstmStep(s, gates, p, out, hPrev, cPrev, act, tanhC)) return null;   // only ever at step 0
        }
        return Autograd.record("lstm", out, grad -> {
            Tensor dy = grad.contiguous();
            Tensor dg = Tensor.uninitialized(DType.FLOAT32, d, b, t, h4);
            Tensor dh = Tensor.empty(DType.FLOAT32, d, 1, b, hid), dc = Tensor.empty(DType.FLOAT32, d, b, hid);
            Tensor w3 = Recurrent.asMatrix(w, false);
            for (int s = t - 1; s >= 0; s--) {
                be.lstmStepBackward(s, dy, dh, dc, act, tanhC, cPrev, dg);
                if (s > 0) be.matmul(Recurrent.step(dg, s), w3, dh);   // the previous step's h gradient, through W_hh
            }
            Tensor[] dWdB = Recurrent.hiddenWeightGrads(wHh, bHh, dg, hPrev);
            return new Tensor[] {dg, dWdB[0], dWdB[1]};
        }, projected, wHh, bHh);
    }
}
