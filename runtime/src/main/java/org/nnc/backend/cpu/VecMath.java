package org.nnc.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * float32 exp, sigmoid and tanh built only from IEEE-exact operations (add, multiply, fused multiply-add,
 * divide, bit moves), in a vector form and a scalar form that perform the same operations in the same
 * order. That gives two properties the Vector API's own {@code EXP}/{@code TANH} lack: a result that is the
 * same whether the JIT has compiled the loop (SVML) or not (Math), so training is bit-reproducible; and a
 * tail handled in scalar code that agrees bit for bit with the vector body, so a value does not depend on
 * where in a row it sits.
 *
 * <p>exp follows the Cephes expf scheme: n = round(x / ln 2) by the 1.5·2²³ trick, r = x − n·ln 2 in two
 * parts (Cody–Waite), a degree-6 polynomial for e^r, and 2^n applied as two factors so that results in the
 * subnormal range and overflow to infinity come out of ordinary multiplication. Error ≤ 2 ulp against
 * {@link Math#exp} (checked by VecMathTest over a sweep of floats). tanh uses Cephes' odd polynomial below
 * |x| = 0.625, where 1 − 2/(e^{2x}+1) would cancel, and that formula above.
 *
 * <p>Kernels call the array forms ({@link #sigmoid(float[], int, float[], int, int)} and the like), one
 * function per loop. A loop body that calls several of the vector forms (the LSTM cell calls five) grows
 * past C2's inlining node budget; the calls left out of line pass boxed vectors and run the Vector API's
 * Java fallbacks, which in W4 made a quarter of all allocation and kept every step slow.
 */
public final class VecMath {
    private VecMath() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5 * 2^23: adding and subtracting rounds to an integer
    private static final int ROUND_BITS = Float.floatToRawIntBits(ROUND);
    private static final float X_MIN = -104f, X_MAX = 89f; // beyond these exp is 0 or infinity in float
    private static final float E0 = 1.9875691500e-4f, E1 = 1.3981999507e-3f, E2 = 8.3334519073e-3f,
            E3 = 4.1665795894e-2f, E4 = 1.6666665459e-1f, E5 = 5.0000001201e-1f;
    private static final float T0 = -5.70498872745e-3f, T1 = 2.06390887954e-2f, T2 = -5.37397155531e-2f,
            T3 = 1.33314422036e-1f, T4 = -3.33332819422e-1f;
    private static final float TANH_SMALL = 0.625f;

    // ---- scalar forms ----

    public static float exp(float x) {
        float xc = Math.min(Math.max(x, X_MIN), X_MAX);
        float t = Math.fma(xc, LOG2E, ROUND);
        int n = Float.floatToRawIntBits(t) - ROUND_BITS;
        float fn = t - ROUND;
        float r = Math.fma(fn, -LN2_HI, xc);
        r = Math.fma(fn, -LN2_LO, r);
        float p = Math.fma(E0, r, E1);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E5);
        float y = Math.fma(p, r * r, r) + 1f;
        int n1 = n >> 1, n2 = n - n1;
        return y * Float.intBitsToFloat((n1 + 127) << 23) * Float.intBitsToFloat((n2 + 127) << 23);
    }

    /** 1/(1+e^{-x}), computed from e^{-|x|} so that neither branch overflows. */
    public static float sigmoid(float x) {
        float e = exp(-Math.abs(x));
        float s = 1f / (1f + e);
        return x >= 0 ? s : e * s;
    }

    public static float tanh(float x) {
        float a = Math.abs(x);
        float big = 1f - 2f / (exp(2f * a) + 1f);
        float z = x * x;
        float p = Math.fma(T0, z, T1);
        p = Math.fma(p, z, T2);
        p = Math.fma(p, z, T3);
        p = Math.fma(p, z, T4);
        float small = Math.fma(p * z, x, x);
        return a < TANH_SMALL ? small : Math.copySign(big, x);
    }

    // ---- array forms: out[oo + i] = f(x[xo + i]) for i < n; out may be x ----

    public static void exp(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) exp(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
        for (; i < n; i++) out[oo + i] = exp(x[xo + i]);
    }

    public static void sigmoid(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) sigmoid(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
        for (; i < n; i++) out[oo + i] = sigmoid(x[xo + i]);
    }

    public static void tanh(float[] x, int xo, float[] out, int oo, int n) {
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += S.length()) tanh(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
        for (; i < n; i++) out[oo + i] = tanh(x[xo + i]);
    }

    // ---- vector forms: the same operations, lane by lane ----

    public static FloatVector exp(FloatVector x) {
        VectorSpecies<Float> s = x.species();
        FloatVector xc = x.max(X_MIN).min(X_MAX);
        FloatVector t = xc.fma(FloatVector.broadcast(s, LOG2E), FloatVector.broadcast(s, ROUND));
        IntVector n = ((IntVector) t.reinterpretAsInts()).sub(ROUND_BITS);
        FloatVector fn = t.sub(ROUND);
        FloatVector r = fn.fma(FloatVector.broadcast(s, -LN2_HI), xc);
        r = fn.fma(FloatVector.broadcast(s, -LN2_LO), r);
        FloatVector p = FloatVector.broadcast(s, E0).fma(r, FloatVector.broadcast(s, E1));
        p = p.fma(r, FloatVector.broadcast(s, E2));
        p = p.fma(r, FloatVector.broadcast(s, E3));
        p = p.fma(r, FloatVector.broadcast(s, E4));
        p = p.fma(r, FloatVector.broadcast(s, E5));
        FloatVector y = p.fma(r.mul(r), r).add(1f);
        IntVector n1 = n.lanewise(VectorOperators.ASHR, 1), n2 = n.sub(n1);
        FloatVector f1 = (FloatVector) n1.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector f2 = (FloatVector) n2.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return y.mul(f1).mul(f2);
    }

    public static FloatVector sigmoid(FloatVector x) {
        FloatVector e = exp(x.abs().neg());
        FloatVector s = FloatVector.broadcast(x.species(), 1f).div(e.add(1f));
        return s.blend(e.mul(s), x.compare(VectorOperators.LT, 0f));
    }

    public static FloatVector tanh(FloatVector x) {
        VectorSpecies<Float> s = x.species();
        FloatVector a = x.abs();
        FloatVector one = FloatVector.broadcast(s, 1f);
        FloatVector big = one.sub(FloatVector.broadcast(s, 2f).div(exp(a.mul(2f)).add(1f)));
        FloatVector z = x.mul(x);
        FloatVector p = FloatVector.broadcast(s, T0).fma(z, FloatVector.broadcast(s, T1));
        p = p.fma(z, FloatVector.broadcast(s, T2));
        p = p.fma(z, FloatVector.broadcast(s, T3));
        p = p.fma(z, FloatVector.broadcast(s, T4));
        FloatVector small = p.mul(z).fma(x, x);
        IntVector sign = ((IntVector) x.reinterpretAsInts()).and(Integer.MIN_VALUE);
        FloatVector signed = (FloatVector) ((IntVector) big.reinterpretAsInts()).or(sign).reinterpretAsFloats();
        VectorMask<Float> isSmall = a.compare(VectorOperators.LT, TANH_SMALL);
        return signed.blend(small, isSmall);
    }
}
