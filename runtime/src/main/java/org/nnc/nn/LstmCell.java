package org.nnc.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nnc.autograd.Autograd;
import org.nnc.backend.cpu.CpuBackend;
import org.nnc.backend.cpu.VecMath;
import org.nnc.tensor.DType;
import org.nnc.tensor.Storage;
import org.nnc.tensor.Tensor;

/**
 * One LSTM step for float32 as a single fused operation: from the gate pre-activations [B, 4H] (i, f, g, o)
 * and the previous cell state [B, H] it makes [B, 2H] = [h | c] in one pass, and its backward makes the
 * gradients of both inputs in one pass, instead of the dozen element-wise operations (and graph nodes) the
 * plain formulas take. The plain formulas stay for other dtypes, and a test checks the two agree. The row
 * functions are also the body of {@link LstmSequence}, the whole layer as one operation.
 */
final class LstmCell {
    private LstmCell() {}

    /** Float32 on the CPU (a device's float32 layer runs its whole sequence, {@link LstmSequence#onDevice}). */
    static boolean applies(Tensor gates) { return gates.dtype() == DType.FLOAT32 && gates.device().equals(org.nnc.tensor.Device.CPU); }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** [h | c] for gates [B, 4H] and cPrev [B, H]. */
    static Tensor forward(Tensor gates, Tensor cPrev) {
        int b = gates.size(0), h4 = gates.size(1), hid = h4 / 4;
        Tensor gc = gates.contiguous(), cc = cPrev.contiguous();
        float[] g = CpuBackend.f32(gc), cp = CpuBackend.f32(cc);
        int go = gc.offset(), co = cc.offset();
        float[] out = Storage.floats(b * 2 * hid);
        // Saved for the backward: the four activated gates and tanh(c).
        float[] act = Storage.floats(b * h4), tanhC = Storage.floats(b * hid);
        for (int r = 0; r < b; r++) {
            int or = r * 2 * hid;
            rowForward(hid, g, go + r * h4, cp, co + r * hid, act, r * h4, tanhC, r * hid, out, or, out, or + hid);
        }
        Tensor y = Tensor.of(out, b, 2 * hid);
        return Autograd.record("lstmCell", y, grad -> {
            Tensor dc = grad.contiguous();
            float[] d = CpuBackend.f32(dc);
            int d0 = dc.offset();
            float[] dg = Storage.floats(b * h4), dcp = Storage.floats(b * hid);
            for (int r = 0; r < b; r++) {
                int or = d0 + r * 2 * hid;
                rowBackward(hid, d, or, d, or + hid, act, r * h4, tanhC, r * hid, cp, co + r * hid, dg, r * h4, dcp, r * hid);
            }
            return new Tensor[] {Tensor.of(dg, b, h4), Tensor.of(dcp, b, hid)};
        }, gates, cPrev);
    }

    /**
     * One batch row of the step: the activated gates into {@code act}, c = f·cPrev + i·g, tanh(c) into
     * {@code tanhC} and h = o·tanh(c). Each activation is its own loop over the row (see VecMath on why).
     */
    static void rowForward(int hid, float[] g, int gi, float[] cp, int cpi, float[] act, int ai, float[] tanhC, int ti,
                           float[] h, int hi, float[] c, int ci) {
        VecMath.sigmoid(g, gi, act, ai, 2 * hid);
        VecMath.tanh(g, gi + 2 * hid, act, ai + 2 * hid, hid);
        VecMath.sigmoid(g, gi + 3 * hid, act, ai + 3 * hid, hid);
        int j = 0;
        for (int upper = S.loopBound(hid); j < upper; j += S.length()) {
            FloatVector i = FloatVector.fromArray(S, act, ai + j), f = FloatVector.fromArray(S, act, ai + hid + j);
            FloatVector gg = FloatVector.fromArray(S, act, ai + 2 * hid + j);
            f.mul(FloatVector.fromArray(S, cp, cpi + j)).add(i.mul(gg)).intoArray(c, ci + j);
        }
        for (; j < hid; j++) c[ci + j] = act[ai + hid + j] * cp[cpi + j] + act[ai + j] * act[ai + 2 * hid + j];
        VecMath.tanh(c, ci, tanhC, ti, hid);
        j = 0;
        for (int upper = S.loopBound(hid); j < upper; j += S.length()) {
            FloatVector.fromArray(S, act, ai + 3 * hid + j).mul(FloatVector.fromArray(S, tanhC, ti + j)).intoArray(h, hi + j);
        }
        for (; j < hid; j++) h[hi + j] = act[ai + 3 * hid + j] * tanhC[ti + j];
    }

    /**
     * One batch row of the step's backward: from the gradients of h and c, the gate pre-activations'
     * gradients into {@code dg} and cPrev's, dc·f, into {@code dcp} (which may be {@code dc} itself: each
     * element is read before it is written).
     */
    static void rowBackward(int hid, float[] dh, int dhi, float[] dc, int dci, float[] act, int ai, float[] tanhC, int ti,
                            float[] cp, int cpi, float[] dg, int gi, float[] dcp, int dcpi) {
        for (int j = 0; j < hid; j++) {
            float i = act[ai + j], f = act[ai + hid + j], gg = act[ai + 2 * hid + j], o = act[ai + 3 * hid + j];
            float tc = tanhC[ti + j], h = dh[dhi + j];
            float d = dc[dci + j] + h * o * (1 - tc * tc);
            dg[gi + j] = d * gg * i * (1 - i);
            dg[gi + hid + j] = d * cp[cpi + j] * f * (1 - f);
            dg[gi + 2 * hid + j] = d * i * (1 - gg * gg);
            dg[gi + 3 * hid + j] = h * tc * o * (1 - o);
            dcp[dcpi + j] = d * f;
        }
    }
}
