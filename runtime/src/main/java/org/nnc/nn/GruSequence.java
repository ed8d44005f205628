package org.nnc.nn;

import org.nnc.autograd.Autograd;
import org.nnc.backend.Backend;
import org.nnc.backend.cpu.CpuBackend;
import org.nnc.backend.cpu.Gemm;
import org.nnc.backend.cpu.Kernels;
import org.nnc.backend.cpu.VecMath;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.Storage;
import org.nnc.tensor.Tensor;

/**
 * A float32 GRU layer's whole recurrence as one operation, from a zero initial state (on the CPU here, on
 * a device in {@link #onDevice}): what {@link Recurrent} does step by step, for the same reasons as
 * {@link LstmSequence} (one graph node, W_hh packed once, dW_hh as one product over all steps). Gate order
 * r, z, n as PyTorch: n = tanh(x_n + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h. The forward performs
 * the step-by-step layer's float operations in its order, so outputs are bit for bit the same.
 */
final class GruSequence {
    private GruSequence() {}

    /** Hidden states [B, T, H] from the input projection [B, T, 3H] (W_ih·x + b_ih), weight_hh [3H, H] and bias_hh [3H]. */
    static Tensor forward(Tensor projected, Tensor wHh, Tensor bHh) {
        int b = projected.size(0), t = projected.size(1), h3 = projected.size(2), hid = h3 / 3;
        Tensor pc = projected.contiguous(), wc = wHh.contiguous(), bc = bHh.contiguous();
        float[] p = CpuBackend.f32(pc), w = CpuBackend.f32(wc), bias = CpuBackend.f32(bc);
        int po = pc.offset(), wo = wc.offset();
        // Row (r, s) of every [B, T, ·] array is batch row r at step s.
        float[] out = Storage.floats(b * t * hid);
        float[] hPrev = Storage.floats(b * t * hid);    // h before step s: zeros, then out one step behind
        float[] act = Storage.floats(b * t * h3);       // r, z, n after their activations
        float[] hn = Storage.floats(b * t * hid);       // W_hn h + b_hn, which r scales
        float[] hh = Storage.floats(b * h3), tmp = Storage.floats(h3);
        Gemm.Epilogue addBias = new Gemm.Epilogue(bias, bc.offset(), false, false);
        Gemm.PackedB wT = Gemm.pack(hid, h3, w, wo, 1, hid);
        for (int s = 0; s < t; s++) {
            Gemm.sgemm(b, hPrev, s * hid, t * hid, 1, wT, hh, 0, h3, addBias);
            for (int r = 0; r < b; r++) {
                int row = r * t + s, x = po + row * h3, g = r * h3, a = row * h3, h = row * hid;
                for (int j = 0; j < 2 * hid; j++) tmp[j] = p[x + j] + hh[g + j];
                VecMath.sigmoid(tmp, 0, act, a, 2 * hid);
                System.arraycopy(hh, g + 2 * hid, hn, h, hid);
                for (int j = 0; j < hid; j++) tmp[j] = p[x + 2 * hid + j] + act[a + j] * hh[g + 2 * hid + j];
                VecMath.tanh(tmp, 0, act, a + 2 * hid, hid);
                for (int j = 0; j < hid; j++) {
                    float z = act[a + hid + j];
                    out[h + j] = (-z + 1) * act[a + 2 * hid + j] + z * hPrev[h + j];
                }
                if (s + 1 < t) System.arraycopy(out, h, hPrev, h + hid, hid);
            }
        }
        Tensor y = Tensor.of(out, b, t, hid);
        return Autograd.record("gru", y, grad -> {
            Tensor gc = grad.contiguous();
            float[] dy = CpuBackend.f32(gc);
            int dyo = gc.offset();
            float[] dp = Storage.floats(b * t * h3);    // the projection's gradient
            float[] dhh = Storage.floats(b * t * h3);   // W_hh h + b_hh's: as dp, but the n part scaled by r
            float[] dh = Storage.floats(b * hid), direct = Storage.floats(b * hid);
            Gemm.PackedB wPacked = Gemm.pack(h3, hid, w, wo, hid, 1);
            for (int s = t - 1; s >= 0; s--) {
                for (int r = 0; r < b; r++) {
                    int row = r * t + s, a = row * h3, h = row * hid, d = r * hid;
                    for (int j = 0; j < hid; j++) {
                        float g = dh[d + j] + dy[dyo + h + j];
                        float rr = act[a + j], z = act[a + hid + j], n = act[a + 2 * hid + j];
                        float dn = g * (1 - z) * (1 - n * n);
                        float dz = g * (hPrev[h + j] - n) * z * (1 - z);
                        float dr = dn * hn[h + j] * rr * (1 - rr);
                        dp[a + j] = dhh[a + j] = dr;
                        dp[a + hid + j] = dhh[a + hid + j] = dz;
                        dp[a + 2 * hid + j] = dn;
                        dhh[a + 2 * hid + j] = dn * rr;
                        direct[d + j] = g * z;
                    }
                }
                if (s > 0) {
                    // The previous step's h gradient: through W_hh, plus the direct path through z ⊙ h.
                    Gemm.sgemm(b, dhh, s * h3, t * h3, 1, wPacked, dh, 0, hid, null);
                    Kernels.axpy(1f, direct, 0, dh, 0, b * hid);
                }
            }
            Tensor[] dWdB = Recurrent.hiddenWeightGrads(wHh, bHh, dhh, hPrev, b * t, h3, hid);
            return new Tensor[] {Tensor.of(dp, b, t, h3), dWdB[0], dWdB[1]};
        }, projected, wHh, bHh);
    }

    /**
     * The same recurrence on a device whose backend has the step kernels ({@link Backend#gruStep}), or null:
     * per step one product and one cell launch each way, as {@link LstmSequence#onDevice}. The product of
     * the backward goes into its own buffer, and the next cell launch adds it to the direct part (z ⊙ h).
     */
    static Tensor onDevice(Tensor projected, Tensor wHh, Tensor bHh) {
        int b = projected.size(0), t = projected.size(1), h3 = projected.size(2), hid = h3 / 3;
        Device d = projected.device();
        Backend be = projected.backend();
        Tensor p = projected.detach().contiguous(), w = wHh.detach().contiguous(), bias = bHh.detach().contiguous();
        Tensor out = Tensor.uninitialized(DType.FLOAT32, d, b, t, hid), hPrev = Tensor.empty(DType.FLOAT32, d, b, t, hid);
        Tensor act = Tensor.uninitialized(DType.FLOAT32, d, b, t, h3), hn = Tensor.uninitialized(DType.FLOAT32, d, b, t, hid);
        Tensor hh = Tensor.uninitialized(DType.FLOAT32, d, 1, b, h3);
        Tensor wT = Recurrent.asMatrix(w, true);
        for (int s = 0; s < t; s++) {
            be.linear(Recurrent.step(hPrev, s), wT, bias, false, false, hh);
            if (!be.gruStep(s, hh, p, out, hPrev, act, hn)) return null;   // only ever at step 0
        }
        return Autograd.record("gru", out, grad -> {
            Tensor dy = grad.contiguous();
            Tensor dp = Tensor.uninitialized(DType.FLOAT32, d, b, t, h3), dhh = Tensor.uninitialized(DType.FLOAT32, d, b, t, h3);
            Tensor dh = Tensor.empty(DType.FLOAT32, d, 1, b, hid), direct = Tensor.empty(DType.FLOAT32, d, b, hid);
            Tensor w3 = Recurrent.asMatrix(w, false);
            for (int s = t - 1; s >= 0; s--) {
                be.gruStepBackward(s, dy, dh, direct, act, hn, hPrev, dp, dhh);
                if (s > 0) be.matmul(Recurrent.step(dhh, s), w3, dh);   // the previous step's h gradient through W_hh
            }
            Tensor[] dWdB = Recurrent.hiddenWeightGrads(wHh, bHh, dhh, hPrev);
            return new Tensor[] {dp, dWdB[0], dWdB[1]};
        }, projected, wHh, bHh);
    }
}
