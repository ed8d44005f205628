package org.nnc.nn;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nnc.autograd.Autograd;
import org.nnc.backend.cpu.VecMath;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/**
 * One LSTM step for float32 as a single fused operation: from the gate pre-activations [B, 4H] (i, f, g, o)
 * and the previous cell state [B, H] it makes [B, 2H] = [h | c] in one pass, and its backward makes the
 * gradients of both inputs in one pass, instead of the dozen element-wise operations (and graph nodes) the
 * plain formulas take. The plain formulas stay for other dtypes, and a test checks the two agree.
 */
final class LstmCell {
    private LstmCell() {}

    static boolean applies(Tensor gates) { return gates.dtype() == DType.FLOAT32 && gates.device().equals(org.nnc.tensor.Device.CPU); }

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /** [h | c] for gates [B, 4H] and cPrev [B, H]. */
    static Tensor forward(Tensor gates, Tensor cPrev) {
        int b = gates.size(0), h4 = gates.size(1), hid = h4 / 4;
        float[] g = gates.contiguous().toFloatArray(), cp = cPrev.contiguous().toFloatArray();
        float[] out = new float[b * 2 * hid];
        // Saved for the backward: the four activated gates and tanh(c).
        float[] act = new float[b * h4], tanhC = new float[b * hid];
        for (int r = 0; r < b; r++) {
            int gr = r * h4, cr = r * hid, or = r * 2 * hid;
            // Gates i, f, g, o: one activation per loop (see VecMath on why not all in one loop body).
            VecMath.sigmoid(g, gr, act, gr, 2 * hid);
            VecMath.tanh(g, gr + 2 * hid, act, gr + 2 * hid, hid);
            VecMath.sigmoid(g, gr + 3 * hid, act, gr + 3 * hid, hid);
            int j = 0;
            for (int upper = S.loopBound(hid); j < upper; j += S.length()) {
                FloatVector i = FloatVector.fromArray(S, act, gr + j), f = FloatVector.fromArray(S, act, gr + hid + j);
                FloatVector gg = FloatVector.fromArray(S, act, gr + 2 * hid + j);
                f.mul(FloatVector.fromArray(S, cp, cr + j)).add(i.mul(gg)).intoArray(out, or + hid + j);
            }
            for (; j < hid; j++) out[or + hid + j] = act[gr + hid + j] * cp[cr + j] + act[gr + j] * act[gr + 2 * hid + j];
            VecMath.tanh(out, or + hid, tanhC, cr, hid);
            j = 0;
            for (int upper = S.loopBound(hid); j < upper; j += S.length()) {
                FloatVector.fromArray(S, act, gr + 3 * hid + j).mul(FloatVector.fromArray(S, tanhC, cr + j)).intoArray(out, or + j);
            }
            for (; j < hid; j++) out[or + j] = act[gr + 3 * hid + j] * tanhC[cr + j];
        }
        Tensor y = Tensor.of(out, b, 2 * hid);
        return Autograd.record("lstmCell", y, grad -> {
            float[] d = grad.contiguous().toFloatArray();
            float[] dg = new float[b * h4], dcp = new float[b * hid];
            for (int r = 0; r < b; r++) {
                int gr = r * h4, cr = r * hid, or = r * 2 * hid;
                for (int j = 0; j < hid; j++) {
                    float i = act[gr + j], f = act[gr + hid + j], gg = act[gr + 2 * hid + j], o = act[gr + 3 * hid + j];
                    float tc = tanhC[cr + j], dh = d[or + j];
                    float dc = d[or + hid + j] + dh * o * (1 - tc * tc);
                    dg[gr + j] = dc * gg * i * (1 - i);
                    dg[gr + hid + j] = dc * cp[cr + j] * f * (1 - f);
                    dg[gr + 2 * hid + j] = dc * i * (1 - gg * gg);
                    dg[gr + 3 * hid + j] = dh * tc * o * (1 - o);
                    dcp[cr + j] = dc * f;
                }
            }
            return new Tensor[] {Tensor.of(dg, b, h4), Tensor.of(dcp, b, hid)};
        }, gates, cPrev);
    }
}
