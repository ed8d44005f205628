package org.nnc.backend;

/**
 * The error function to double precision, which Java's Math lacks; GELU needs it (PyTorch's default GELU
 * is exact, x Φ(x), not the tanh approximation). Uses the everywhere-positive series
 * erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·…·(2n+1)), which has no cancellation, and erf = ±1
 * beyond |x| = 6 where erfc is below 2·10⁻¹⁷.
 */
public final class Erf {
    private Erf() {}

    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        if (a >= 6) return Math.signum(x);
        double term = a, sum = a, x2 = a * a;
        for (int n = 1; n < 200 && term > 1e-17 * sum; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
        }
        double r = 2 / Math.sqrt(Math.PI) * Math.exp(-x2) * sum;
        return x < 0 ? -r : r;
    }

    /** The standard normal cumulative distribution Φ(x) = (1 + erf(x / √2)) / 2. */
    public static double phi(double x) { return 0.5 * (1 + erf(x / Math.sqrt(2))); }
}
