package org.nnc.tensor;

/**
 * The one seeded source of randomness (SplitMix64). Every random initialisation, shuffle and dropout mask
 * draws from a generator, so setting the seed reproduces a run.
 */
public final class Generator {
    private static final Generator GLOBAL = new Generator(0);

    private long state;
    private double spareNormal;
    private boolean hasSpare;

    public Generator(long seed) { manualSeed(seed); }

    /** The process-wide default generator, used when no generator is passed. */
    public static Generator global() { return GLOBAL; }

    public synchronized void manualSeed(long seed) {
        state = seed;
        hasSpare = false;
    }

    public synchronized long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /** Uniform integer in [0, bound). */
    public int nextInt(int bound) {
        if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
        return (int) Math.floorMod(nextLong() >>> 1, (long) bound);
    }

    /** Standard normal by the Marsaglia polar method. */
    public synchronized double nextGaussian() {
        if (hasSpare) {
            hasSpare = false;
            return spareNormal;
        }
        double u, v, s;
        do {
            u = 2 * nextDouble() - 1;
            v = 2 * nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        double m = Math.sqrt(-2 * Math.log(s) / s);
        spareNormal = v * m;
        hasSpare = true;
        return u * m;
    }

    /** The full state, so a checkpoint can restore the exact random stream. */
    public synchronized long[] getState() {
        return new long[] {state, hasSpare ? 1 : 0, Double.doubleToRawLongBits(spareNormal)};
    }

    public synchronized void setState(long[] s) {
        state = s[0];
        hasSpare = s[1] != 0;
        spareNormal = Double.longBitsToDouble(s[2]);
    }
}
