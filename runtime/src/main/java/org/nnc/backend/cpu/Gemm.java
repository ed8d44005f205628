package org.nnc.backend.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.nnc.tensor.Storage;

/**
 * Single-precision GEMM, C = A·B (+ C), in the BLIS style: B is packed per (KC × NC) block into column
 * panels of {@link #NR}, A per (MC × KC) block into row panels of {@link #MR}, and a {@code MR × NR}
 * micro-kernel keeps the whole C tile in vector registers. On several threads each takes a range of
 * B's column panels (or, for a product with few columns, a share of A's row blocks against one shared
 * B panel). Operands may have any strides, so transposed views are multiplied without a copy.
 *
 * <p>The tile is two vectors wide and, with AVX2, 4 rows tall (4 × 16: 8 accumulators, two B vectors and
 * one broadcast A); taller tiles spill AVX2's 16 registers on JDK 25's C2 (DESIGN.md §4). With AVX-512's 32
 * registers it is 6 rows (6 × 32, 12 accumulators): against the 4-row tile, interleaved over five rounds,
 * 1.05–1.37× at n = 1024 and 1.00–1.19× at n = 2048. (An 8-row tile measured 7× slower, 57 vs 394
 * GFLOP/s: C2 no longer kept its vectors in registers.)
 */
public final class Gemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED.length() >= 16
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_256;
    static final int L = S.length();
    static final int MR = L >= 16 ? 6 : 4;
    static final int NR = 2 * L;
    static final int KC = 256;
    static final int MC = 128 / MR * MR;
    static final int NC = 3072;
    /** Below this many multiply-adds one thread is faster than waking the pool. */
    static final long PARALLEL_MIN_WORK = 96L * 96 * 96;
    /**
     * The same for a product with at most {@link #SMALL} rows (a batch-1 layer): it streams the whole weight
     * matrix once and is bound by memory, not arithmetic, so the second core's bandwidth pays off far sooner.
     */
    static final long PARALLEL_MIN_STREAM = 64L * 1024;

    private static final ThreadLocal<float[]> A_PACK = ThreadLocal.withInitial(() -> new float[MC * KC]);
    private static final ThreadLocal<float[]> B_PACK = ThreadLocal.withInitial(() -> new float[KC * NC]);
    /** A whole micro-tile for the edges of C, where the kernel's tile sticks out of C. */
    private static final ThreadLocal<float[]> EDGE_TILE = ThreadLocal.withInitial(() -> new float[MR * NR]);

    private Gemm() {}

    /**
     * C[m×n] (row stride ldc, column stride 1) = A[m×k] · B[k×n], or += when {@code accumulate}.
     * A element (i, p) is at {@code a[ao + i*ars + p*acs]}, B element (p, j) at {@code b[bo + p*brs + j*bcs]}.
     */
    public static void sgemm(int m, int n, int k,
                             float[] a, int ao, int ars, int acs,
                             float[] b, int bo, int brs, int bcs,
                             float[] c, int co, int ldc, boolean accumulate) {
        sgemm(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, accumulate, worthThreads(m, n, k), null);
    }

    /** As {@link #sgemm(int, int, int, float[], int, int, int, float[], int, int, int, float[], int, int, boolean)}, then {@code ep} on every element. */
    public static void sgemm(int m, int n, int k,
                             float[] a, int ao, int ars, int acs,
                             float[] b, int bo, int brs, int bcs,
                             float[] c, int co, int ldc, boolean parallel, Epilogue ep) {
        sgemm(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, false, parallel, ep);
    }

    /**
     * What a layer does to its product before anyone reads it: add a bias (one value per row of C, a
     * convolution's channels, or per column, a linear layer's outputs), then ReLU if asked. Applied to each
     * micro-tile as soon as its last depth block is done, while the tile is still in L1, instead of two
     * more passes over the whole output. The arithmetic is the unfused one's (c + bias, then max(·, 0)),
     * so results are bit for bit the same.
     */
    public record Epilogue(float[] bias, int offset, boolean perRow, boolean relu) {
        /** This epilogue for the part of C that starts at row r0, column c0. */
        Epilogue shift(int r0, int c0) {
            return r0 == 0 && c0 == 0 ? this : new Epilogue(bias, offset + (bias == null ? 0 : perRow ? r0 : c0), perRow, relu);
        }

        /** Applies to the h × w block at c[ci] (row stride ldc) whose top-left is row r0, column c0 of this part. */
        void apply(float[] c, int ci, int ldc, int h, int w, int r0, int c0) {
            FloatVector zero = FloatVector.zero(S);
            for (int i = 0; i < h; i++) {
                int row = ci + i * ldc;
                float rb = bias != null && perRow ? bias[offset + r0 + i] : 0f;
                int bj = offset + c0;
                int j = 0;
                for (int upper = w - L; j <= upper; j += L) {
                    FloatVector v = FloatVector.fromArray(S, c, row + j);
                    if (bias != null) v = perRow ? v.add(rb) : v.add(FloatVector.fromArray(S, bias, bj + j));
                    if (relu) v = v.max(zero);
                    v.intoArray(c, row + j);
                }
                for (; j < w; j++) {
                    float v = c[row + j];
                    if (bias != null) v = perRow ? v + rb : v + bias[bj + j];
                    if (relu) v = Math.max(v, 0f);
                    c[row + j] = v;
                }
            }
        }
    }

    static void sgemm(int m, int n, int k,
                      float[] a, int ao, int ars, int acs,
                      float[] b, int bo, int brs, int bcs,
                      float[] c, int co, int ldc, boolean accumulate, boolean parallel) {
        sgemm(m, n, k, a, ao, ars, acs, b, bo, brs, bcs, c, co, ldc, accumulate, parallel, null);
    }

    private static void sgemm(int m, int n, int k,
                              float[] a, int ao, int ars, int acs,
                              float[] b, int bo, int brs, int bcs,
                              float[] c, int co, int ldc, boolean accumulate, boolean parallel, Epilogue ep) {
        if (m == 0 || n == 0) return;
        if (k == 0 || dotProducts(m, n, acs, brs) || rowSums(m, bcs)) {
            // These paths add into C; the packed ones below write the first depth block over it.
            if (!accumulate) zeroRows(c, co, ldc, m, n);
        }
        if (k == 0) {
            if (ep != null) ep.apply(c, co, ldc, m, n, 0, 0);
            return;
        }
        if (dotProducts(m, n, acs, brs)) {
            // Rows of A and columns of B are contiguous: each output is one dot product, no packing needed.
            dots(m, n, k, a, ao, ars, b, bo, bcs, c, co, ldc, parallel);
            if (ep != null) ep.apply(c, co, ldc, m, n, 0, 0);
            return;
        }
        if (rowSums(m, bcs)) {
            // Few rows against a row-major B: each output row is a sum of scaled rows of B.
            axpys(m, n, k, a, ao, ars, acs, b, bo, brs, c, co, ldc, parallel);
            if (ep != null) ep.apply(c, co, ldc, m, n, 0, 0);
            return;
        }
        int panels = (n + NR - 1) / NR;
        if (parallel && Parallel.threads() > 1 && (m < n || panels >= 4 * Parallel.threads())) {
            // Each thread takes a range of column panels and runs the serial algorithm on it, packing its
            // own part of B and all of A: one hand-off to the pool per product instead of two per depth
            // block (pack B, then row blocks), with a wait for the slowest thread at each. Packing A on
            // every thread costs m·k against m·n·k / threads of arithmetic, so this is the way whenever
            // the columns split evenly; W1 at n = 2048 ran 412-442 against 366-382 GFLOP/s by row blocks.
            Parallel.forRange(panels, (long) m * n * k, (from, to) -> {
                int j0 = from * NR, j1 = Math.min(n, to * NR);
                sgemm(m, j1 - j0, k, a, ao, ars, acs, b, bo + j0 * bcs, brs, bcs, c, co + j0, ldc, accumulate, false,
                        ep == null ? null : ep.shift(0, j0));
            });
            return;
        }
        float[] bp = B_PACK.get();
        for (int jc = 0; jc < n; jc += NC) {
            int nc = Math.min(NC, n - jc);
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                int kp = packedDepth(kc);
                packB(kc, kp, nc, b, bo + pc * brs + jc * bcs, brs, bcs, bp, parallel);
                // Enough row blocks to keep every thread busy, but never thinner than one micro-panel.
                int threads = parallel ? Parallel.threads() : 1;
                int mc = Math.min(MC, roundUp(Math.max(MR, (m + 2 * threads - 1) / (2 * threads)), MR));
                int blocks = (m + mc - 1) / mc;
                final int jcF = jc, pcF = pc, mcF = mc;
                final boolean lastDepth = pc + kc >= k, overwrite = pc == 0 && !accumulate;
                java.util.function.IntConsumer block = blk -> {
                    int ic = blk * mcF;
                    int mb = Math.min(mcF, m - ic);
                    float[] ap = A_PACK.get();
                    packA(mb, kc, kp, a, ao + ic * ars + pcF * acs, ars, acs, ap);
                    macroKernel(mb, nc, kp, ap, bp, 0, c, co + ic * ldc + jcF, ldc, overwrite,
                            lastDepth && ep != null ? ep.shift(ic, jcF) : null);
                };
                if (threads > 1) {
                    Parallel.forTasks(blocks, block);
                } else {
                    for (int blk = 0; blk < blocks; blk++) block.accept(blk);
                }
            }
        }
    }

    /** Whether a product of this size is worth handing to the thread team. */
    public static boolean worthThreads(int m, int n, int k) {
        return (long) m * n * k >= (m <= SMALL ? PARALLEL_MIN_STREAM : PARALLEL_MIN_WORK);
    }

    private static int roundUp(int x, int to) { return (x + to - 1) / to * to; }

    /** The depth a block of depth kc is packed to: even, so the 4-row kernel has no odd tail (see kernel). */
    private static int packedDepth(int kc) { return kc + (kc & 1); }

    /** Whether sgemm computes each output as one dot product (contiguous rows of A and columns of B, few of either). */
    private static boolean dotProducts(int m, int n, int acs, int brs) { return acs == 1 && brs == 1 && (m <= SMALL || n <= NR); }

    /** Whether sgemm sums scaled rows of a row-major B (a few rows of A). */
    private static boolean rowSums(int m, int bcs) { return bcs == 1 && m <= SMALL; }

    private static void zeroRows(float[] c, int co, int ldc, int m, int n) {
        for (int i = 0; i < m; i++) java.util.Arrays.fill(c, co + i * ldc, co + i * ldc + n, 0f);
    }

    /**
     * Where depth block {@code block} starts in a pre-packed operand whose panels are {@code width} wide
     * (rows or columns rounded up to whole panels): every block is laid out for KC + 1 depth steps, the
     * most a block can take (an odd depth is padded to even), so one stride fits all.
     */
    private static int blockStart(int block, int width) { return block * width * (KC + 1); }

    /**
     * A left-hand matrix packed once for many products: a convolution multiplies its weight by every
     * image's columns, and packing the weight per image cost W3 about 6 % of its step. It keeps its
     * source, so a product that sgemm would not pack (few rows or columns) goes the plain way; products
     * are bit for bit sgemm's.
     */
    public static final class PackedA {
        final int m, k;
        final float[] a, panels;
        final int ao, ars, acs;

        private PackedA(int m, int k, float[] a, int ao, int ars, int acs) {
            this.m = m;
            this.k = k;
            this.a = a;
            this.ao = ao;
            this.ars = ars;
            this.acs = acs;
            this.panels = Storage.floats(blockStart((k + KC - 1) / KC, roundUp(m, MR)));
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packA(m, kc, packedDepth(kc), a, ao + pc * acs, ars, acs, panels, block(pc / KC));
            }
        }

        int block(int pc) { return blockStart(pc, roundUp(m, MR)); }
    }

    /** Packs A (m × k, element (i, p) at {@code a[ao + i*ars + p*acs]}) for {@link #sgemm(PackedA, int, float[], int, int, int, float[], int, int, Epilogue)}. */
    public static PackedA packA(int m, int k, float[] a, int ao, int ars, int acs) {
        return new PackedA(m, k, a, ao, ars, acs);
    }

    /**
     * C[m×n] (row stride ldc) = A · B[k×n], then {@code ep}, on this thread: sgemm with A packed in advance
     * and B packed here, depth block by depth block.
     */
    public static void sgemm(PackedA a, int n, float[] b, int bo, int brs, int bcs, float[] c, int co, int ldc, Epilogue ep) {
        int m = a.m, k = a.k;
        if (dotProducts(m, n, a.acs, brs) || rowSums(m, bcs) || n > NC || k == 0) {
            sgemm(m, n, k, a.a, a.ao, a.ars, a.acs, b, bo, brs, bcs, c, co, ldc, false, ep);
            return;
        }
        float[] bp = B_PACK.get();
        for (int pc = 0; pc < k; pc += KC) {
            int kc = Math.min(KC, k - pc), kp = packedDepth(kc);
            packB(kc, kp, n, b, bo + pc * brs, brs, bcs, bp, false);
            macroKernel(m, n, kp, a.panels, a.block(pc / KC), bp, 0, c, co, ldc, pc == 0, pc + kc >= k ? ep : null);
        }
    }

    /**
     * A right-hand matrix packed once for many products against it: a recurrent layer multiplies its
     * weight by one step's state at every step, and packing the weight each time cost W4 about a tenth of
     * its step. The panels are the ones {@link #sgemm} packs, block by depth block, so products against
     * it are bit for bit those of sgemm.
     */
    public static final class PackedB {
        final int k, n;
        final float[] b;
        final int bo, brs, bcs;
        /** Null where n is wider than one column block: products then go the plain way. */
        final float[] panels;

        private PackedB(int k, int n, float[] b, int bo, int brs, int bcs) {
            this.k = k;
            this.n = n;
            this.b = b;
            this.bo = bo;
            this.brs = brs;
            this.bcs = bcs;
            this.panels = n > NC || n == 0 || k == 0 ? null : Storage.floats(blockStart((k + KC - 1) / KC, roundUp(n, NR)));
            if (panels == null) return;
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc);
                packB(kc, packedDepth(kc), n, b, bo + pc * brs, brs, bcs, panels, block(pc / KC), false);
            }
        }

        int block(int pc) { return blockStart(pc, roundUp(n, NR)); }
    }

    /** Packs B (k × n, element (p, j) at {@code b[bo + p*brs + j*bcs]}) for {@link #sgemm(int, float[], int, int, int, PackedB, float[], int, int, Epilogue)}. */
    public static PackedB pack(int k, int n, float[] b, int bo, int brs, int bcs) {
        return new PackedB(k, n, b, bo, brs, bcs);
    }

    /**
     * C[m×n] (row stride ldc) = A[m×k] · B, then {@code ep}: {@link #sgemm(int, int, int, float[], int, int, int,
     * float[], int, int, int, float[], int, int, boolean, Epilogue)} with B packed in advance. Products that
     * sgemm would not pack (a few rows, or a few columns of a column-major B: the dot-product ways) go
     * the plain way, so results are always sgemm's.
     */
    public static void sgemm(int m, float[] a, int ao, int ars, int acs, PackedB b, float[] c, int co, int ldc, Epilogue ep) {
        int n = b.n, k = b.k;
        if (b.panels == null || dotProducts(m, n, acs, b.brs) || rowSums(m, b.bcs)) {
            sgemm(m, n, k, a, ao, ars, acs, b.b, b.bo, b.brs, b.bcs, c, co, ldc, worthThreads(m, n, k), ep);
            return;
        }
        int panels = (n + NR - 1) / NR;
        Parallel.RangeBody columns = (from, to) -> {
            int j0 = from * NR, nc = Math.min(n, to * NR) - j0;
            float[] ap = A_PACK.get();
            for (int pc = 0; pc < k; pc += KC) {
                int kc = Math.min(KC, k - pc), kp = packedDepth(kc);
                boolean lastDepth = pc + kc >= k;
                int bpo = b.block(pc / KC) + from * kp * NR;
                for (int ic = 0; ic < m; ic += MC) {
                    int mb = Math.min(MC, m - ic);
                    packA(mb, kc, kp, a, ao + ic * ars + pc * acs, ars, acs, ap);
                    macroKernel(mb, nc, kp, ap, b.panels, bpo, c, co + ic * ldc + j0, ldc, pc == 0,
                            lastDepth && ep != null ? ep.shift(ic, j0) : null);
                }
            }
        };
        if (worthThreads(m, n, k)) Parallel.forRange(panels, (long) m * n * k, columns);
        else columns.run(0, panels);
    }

    /** Below this many rows (or columns) the dot-product and row-sum paths beat packing. */
    static final int SMALL = 4;

    /**
     * Packs a (kc × nc) block of B into NR-wide column panels of depth kp ≥ kc, zero-padding the last
     * panel's columns and the rows past kc; panels are packed in parallel. A column-major B (brs = 1, the
     * transposed weight of a Linear layer) is read down its contiguous columns rather than across them,
     * and a row-major one along its rows.
     */
    static void packB(int kc, int kp, int nc, float[] b, int bo, int brs, int bcs, float[] bp, boolean parallel) {
        packB(kc, kp, nc, b, bo, brs, bcs, bp, 0, parallel);
    }

    /** As {@link #packB(int, int, int, float[], int, int, int, float[], boolean)}, into bp from {@code bpo}. */
    private static void packB(int kc, int kp, int nc, float[] b, int bo, int brs, int bcs, float[] bp, int bpo, boolean parallel) {
        int panels = (nc + NR - 1) / NR;
        Parallel.RangeBody body = (from, to) -> {
            if (kp > kc) {
                for (int jp = from; jp < to; jp++) {
                    int base = bpo + jp * kp * NR;
                    java.util.Arrays.fill(bp, base + kc * NR, base + kp * NR, 0f);
                }
            }
            if (bcs == 1) {
                // Row by row: each row of the block is read once from front to back, which the hardware
                // prefetcher follows, and its NR-wide pieces go to their panels. Panel by panel, every
                // depth step reads one piece of a row a whole row apart from the last (8 KiB at n = 2048):
                // 3× slower, 5 % of a 2048 product.
                for (int p = 0; p < kc; p++) {
                    int src = bo + p * brs + from * NR, dst = bpo + from * kp * NR + p * NR;
                    for (int jp = from; jp < to; jp++, src += NR, dst += kp * NR) {
                        int w = Math.min(NR, nc - jp * NR);
                        System.arraycopy(b, src, bp, dst, w);
                        if (w < NR) java.util.Arrays.fill(bp, dst + w, dst + NR, 0f);
                    }
                }
                return;
            }
            for (int jp = from; jp < to; jp++) {
                int j0 = jp * NR;
                int w = Math.min(NR, nc - j0);
                int base = bpo + jp * kp * NR;
                if (brs == 1) {
                    // Four columns at a time, so each depth step writes four neighbouring floats rather than
                    // one per cache line (the convolution's weight gradient packs its columns this way).
                    int j = 0;
                    for (; j + 4 <= w; j += 4) {
                        int s0 = bo + (j0 + j) * bcs, s1 = s0 + bcs, s2 = s1 + bcs, s3 = s2 + bcs;
                        for (int p = 0, d = base + j; p < kc; p++, d += NR) {
                            bp[d] = b[s0 + p];
                            bp[d + 1] = b[s1 + p];
                            bp[d + 2] = b[s2 + p];
                            bp[d + 3] = b[s3 + p];
                        }
                    }
                    for (; j < w; j++) {
                        int src = bo + (j0 + j) * bcs;
                        for (int p = 0, d = base + j; p < kc; p++, d += NR) bp[d] = b[src + p];
                    }
                } else {
                    for (int p = 0, dst = base; p < kc; p++, dst += NR) {
                        int src = bo + p * brs + j0 * bcs;
                        for (int j = 0; j < w; j++) bp[dst + j] = b[src + j * bcs];
                    }
                }
                if (w < NR) {
                    for (int p = 0, d = base; p < kc; p++, d += NR) java.util.Arrays.fill(bp, d + w, d + NR, 0f);
                }
            }
        };
        if (parallel) {
            Parallel.forRange(panels, (long) kc * nc, body);
        } else {
            body.run(0, panels);
        }
    }

    /** C[i, j] (+)= dot(A row i, B column j), both contiguous; lanes are summed in a fixed order. */
    private static void dots(int m, int n, int k, float[] a, int ao, int ars, float[] b, int bo, int bcs,
                             float[] c, int co, int ldc, boolean parallel) {
        Parallel.RangeBody body = (from, to) -> {
            float[] lanes = new float[L];
            for (int t = from; t < to; t++) {
                int i = t / n, j = t % n;
                int ar = ao + i * ars, bc = bo + j * bcs;
                FloatVector s0 = FloatVector.zero(S), s1 = s0;
                int p = 0;
                for (int upper = k - 2 * L; p <= upper; p += 2 * L) {
                    s0 = FloatVector.fromArray(S, a, ar + p).fma(FloatVector.fromArray(S, b, bc + p), s0);
                    s1 = FloatVector.fromArray(S, a, ar + p + L).fma(FloatVector.fromArray(S, b, bc + p + L), s1);
                }
                s0.add(s1).intoArray(lanes, 0);
                float sum = 0;
                for (float v : lanes) sum += v;
                for (; p < k; p++) sum += a[ar + p] * b[bc + p];
                c[co + i * ldc + j] += sum;
            }
        };
        int outputs = m * n;
        if (parallel) Parallel.forRange(outputs, (long) outputs * k, body);
        else body.run(0, outputs);
    }

    /** C[i, :] (+)= Σ_p A[i, p] · B[p, :] for a few rows of A against a row-major B, split by column ranges. */
    private static void axpys(int m, int n, int k, float[] a, int ao, int ars, int acs, float[] b, int bo, int brs,
                              float[] c, int co, int ldc, boolean parallel) {
        int chunks = (n + 4 * L - 1) / (4 * L);
        Parallel.RangeBody body = (from, to) -> {
            int j0 = from * 4 * L, j1 = Math.min(n, to * 4 * L);
            for (int i = 0; i < m; i++) {
                int crow = co + i * ldc;
                for (int p = 0; p < k; p++) {
                    float av = a[ao + i * ars + p * acs];
                    if (av == 0f) continue;
                    FloatVector va = FloatVector.broadcast(S, av);
                    int brow = bo + p * brs;
                    int j = j0;
                    for (int upper = j1 - L; j <= upper; j += L) {
                        va.fma(FloatVector.fromArray(S, b, brow + j), FloatVector.fromArray(S, c, crow + j)).intoArray(c, crow + j);
                    }
                    for (; j < j1; j++) c[crow + j] = Math.fma(av, b[brow + j], c[crow + j]);
                }
            }
        };
        if (parallel) Parallel.forRange(chunks, (long) m * n * k, body);
        else body.run(0, chunks);
    }

    /** Packs an (mb × kc) block of A into MR-tall row panels of depth kp ≥ kc, zero-padding the rest. */
    static void packA(int mb, int kc, int kp, float[] a, int ao, int ars, int acs, float[] ap) {
        packA(mb, kc, kp, a, ao, ars, acs, ap, 0);
    }

    /** As above, into ap from {@code apo}. */
    private static void packA(int mb, int kc, int kp, float[] a, int ao, int ars, int acs, float[] ap, int apo) {
        int panels = (mb + MR - 1) / MR;
        for (int ip = 0; ip < panels; ip++) {
            int i0 = ip * MR;
            int h = Math.min(MR, mb - i0);
            int dst = apo + ip * kp * MR;
            if (kp > kc) java.util.Arrays.fill(ap, dst + kc * MR, dst + kp * MR, 0f);
            if (h == MR && acs == 1) {
                int r0 = ao + i0 * ars;
                for (int i = 0; i < MR; i++) {
                    int src = r0 + i * ars;
                    for (int p = 0, d = dst + i; p < kc; p++, d += MR) ap[d] = a[src + p];
                }
                continue;
            }
            for (int p = 0; p < kc; p++, dst += MR) {
                int src = ao + i0 * ars + p * acs;
                for (int i = 0; i < h; i++) ap[dst + i] = a[src + i * ars];
                for (int i = h; i < MR; i++) ap[dst + i] = 0f;
            }
        }
    }

    /**
     * C block += A block · B block (B's panels from {@code bpo}), micro-tile by micro-tile, or C block = the
     * product when {@code overwrite} (the first depth block of a product that does not accumulate: C's
     * old contents are never read, so nobody zeroes C first, a pass over all of C on one thread before the
     * product starts); {@code ep}, when given, finishes each tile.
     */
    private static void macroKernel(int mb, int nc, int kc, float[] ap, float[] bp, int bpo, float[] c, int co, int ldc,
                                    boolean overwrite, Epilogue ep) {
        macroKernel(mb, nc, kc, ap, 0, bp, bpo, c, co, ldc, overwrite, ep);
    }

    /** As above, with A's panels from {@code apo}. */
    private static void macroKernel(int mb, int nc, int kc, float[] ap, int apo, float[] bp, int bpo, float[] c, int co, int ldc,
                                    boolean overwrite, Epilogue ep) {
        float[] tile = null;
        for (int j0 = 0; j0 < nc; j0 += NR) {
            int w = Math.min(NR, nc - j0);
            int bi = bpo + (j0 / NR) * kc * NR;
            for (int i0 = 0; i0 < mb; i0 += MR) {
                int h = Math.min(MR, mb - i0);
                int ai = apo + (i0 / MR) * kc * MR;
                if (h == MR && w == NR) {
                    if (MR == 6) kernel6(kc, ap, ai, bp, bi, c, co + i0 * ldc + j0, ldc, overwrite);
                    else kernel(kc, ap, ai, bp, bi, c, co + i0 * ldc + j0, ldc, overwrite);
                } else {
                    if (tile == null) tile = EDGE_TILE.get();
                    if (MR == 6) kernel6(kc, ap, ai, bp, bi, tile, 0, NR, true);
                    else kernel(kc, ap, ai, bp, bi, tile, 0, NR, true);
                    for (int i = 0; i < h; i++) {
                        int row = co + (i0 + i) * ldc + j0;
                        if (overwrite) System.arraycopy(tile, i * NR, c, row, w);
                        else for (int j = 0; j < w; j++) c[row + j] += tile[i * NR + j];
                    }
                }
                if (ep != null) ep.apply(c, co + i0 * ldc + j0, ldc, h, w, i0, j0);
            }
        }
    }

    /**
     * The 4-row micro-kernel: C tile += A panel · B panel over kc steps, two steps per iteration; kc is
     * even (the packing pads an odd depth with a zero row). An odd-step tail here was never taken until a
     * GEMM with odd k came (a 1-channel 3 × 3 convolution has k = 9): C2 then recompiled the kernel with
     * the tail and every later GEMM ran at a quarter of the speed (37 instead of 140 GFLOP/s). The
     * unrolling also keeps the method above C2's inlining size (FreqInlineSize), so it is compiled on its
     * own: inlined into macroKernel it exhausted the inlining budget and its vector calls fell back to
     * boxed objects, at a third of the speed.
     */
    private static void kernel(int kc, float[] ap, int ai, float[] bp, int bi,
                               float[] c, int ci, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00,
                c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        for (int p = 0; p < kc; p += 2, ai += 2 * MR, bi += 2 * NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            b0 = FloatVector.fromArray(S, bp, bi + NR);
            b1 = FloatVector.fromArray(S, bp, bi + NR + L);
            a = FloatVector.broadcast(S, ap[ai + MR]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + MR + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + MR + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + MR + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
        }
        store(c00, c01, c, ci, overwrite);
        store(c10, c11, c, ci + ldc, overwrite);
        store(c20, c21, c, ci + 2 * ldc, overwrite);
        store(c30, c31, c, ci + 3 * ldc, overwrite);
    }

    /** The 6-row micro-kernel for AVX-512, where 12 accumulators, two B vectors and a broadcast fit the 32 registers. */
    private static void kernel6(int kc, float[] ap, int ai, float[] bp, int bi,
                                float[] c, int ci, int ldc, boolean overwrite) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
                c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
        for (int p = 0; p < kc; p++, ai += MR, bi += NR) {
            FloatVector b0 = FloatVector.fromArray(S, bp, bi);
            FloatVector b1 = FloatVector.fromArray(S, bp, bi + L);
            FloatVector a = FloatVector.broadcast(S, ap[ai]);
            c00 = a.fma(b0, c00);
            c01 = a.fma(b1, c01);
            a = FloatVector.broadcast(S, ap[ai + 1]);
            c10 = a.fma(b0, c10);
            c11 = a.fma(b1, c11);
            a = FloatVector.broadcast(S, ap[ai + 2]);
            c20 = a.fma(b0, c20);
            c21 = a.fma(b1, c21);
            a = FloatVector.broadcast(S, ap[ai + 3]);
            c30 = a.fma(b0, c30);
            c31 = a.fma(b1, c31);
            a = FloatVector.broadcast(S, ap[ai + 4]);
            c40 = a.fma(b0, c40);
            c41 = a.fma(b1, c41);
            a = FloatVector.broadcast(S, ap[ai + 5]);
            c50 = a.fma(b0, c50);
            c51 = a.fma(b1, c51);
        }
        store(c00, c01, c, ci, overwrite);
        store(c10, c11, c, ci + ldc, overwrite);
        store(c20, c21, c, ci + 2 * ldc, overwrite);
        store(c30, c31, c, ci + 3 * ldc, overwrite);
        store(c40, c41, c, ci + 4 * ldc, overwrite);
        store(c50, c51, c, ci + 5 * ldc, overwrite);
    }

    /**
     * C row += the two accumulators, or C row = them when {@code overwrite}. The same values either way
     * where C held zeros: an accumulator starts at +0, so it is never -0 and adding it to +0 changes nothing.
     */
    private static void store(FloatVector lo, FloatVector hi, float[] c, int at, boolean overwrite) {
        if (!overwrite) {
            lo = lo.add(FloatVector.fromArray(S, c, at));
            hi = hi.add(FloatVector.fromArray(S, c, at + L));
        }
        lo.intoArray(c, at);
        hi.intoArray(c, at + L);
    }
}
