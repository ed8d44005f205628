package org.nnc.backend.cuda;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.JCudaDriver;
import org.nnc.backend.Backend;
import org.nnc.backend.BinaryFn;
import org.nnc.backend.MergedDims;
import org.nnc.backend.ReduceFn;
import org.nnc.backend.UnaryFn;
import org.nnc.tensor.DType;
import org.nnc.tensor.Device;
import org.nnc.tensor.Shape;
import org.nnc.tensor.StepScope;
import org.nnc.tensor.Storage;
import org.nnc.tensor.Tensor;

/**
 * The kernels of one GPU, each a launch of a kernel in {@code runtime/src/main/cuda/nnc_kernels.cu} (the
 * same semantics as the CPU kernel of the same name, which the CUDA tests compare against). Strided
 * operands travel as a {@link #geom} record; dtypes as their ordinal.
 */
final class CudaBackend implements Backend {
    private static final int BLOCK = 256;
    /** Layout of the kernels' Geom struct: ndim, n, shape[8], stride[4][8], offset[4]. */
    private static final int MAXD = 8, MAXOPS = 4, GEOM_INTS = 2 + MAXD + MAXOPS * MAXD + MAXOPS;
    private static final boolean SPLIT_DEPTH = Boolean.parseBoolean(System.getProperty("nnc.cuda.splitDepth", "true"));

    private final Device device;
    private final int multiprocessors;
    final Cuda.Context ctx;
    final CudaMemory memory;
    final PinnedUploads uploads;
    /**
     * Index checks not yet read. A kernel that looks indices up (gather, scatter, cross-entropy's targets)
     * raises its own int in {@code checkFlags} on a bad one; reading it at once would make the host wait for
     * the GPU in the middle of a step, so the flags are read after the next copy to the host (the loss, at
     * the latest), which waits anyway, and the first raised throws there, naming the op's dimension and size.
     * They sit in page-locked host memory that the GPU writes through its mapping, so reading them takes no
     * copy of their own (a copy to the host costs microseconds even for four bytes).
     */
    private static final int CHECK_SLOTS = 256;
    private MemorySegment checkFlags;
    private long checkFlagsOnDevice;
    private final int[] checkDim = new int[CHECK_SLOTS], checkSize = new int[CHECK_SLOTS];
    private int checks;

    CudaBackend(int index) {
        this.device = Device.cuda(index);
        this.ctx = new Cuda.Context(index);
        long[] total = new long[1];
        Cuda.check(JCudaDriver.cuDeviceTotalMem(total, Cuda.device(index)), "cuDeviceTotalMem");
        this.memory = new CudaMemory(ctx, total[0]);
        int[] sms = new int[1];
        Cuda.check(JCudaDriver.cuDeviceGetAttribute(sms, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT,
                Cuda.device(index)), "cuDeviceGetAttribute");
        this.multiprocessors = sms[0];
        this.uploads = new PinnedUploads(ctx);
    }

    @Override public Device device() { return device; }

    /** Tensors' memory: owned by the open {@link StepScope}, if any, and reused by the next step. */
    @Override public Storage allocate(DType dtype, int n) { return StepScope.own(new CudaStorage(this, dtype, n, true)); }

    @Override public Storage allocateUninitialized(DType dtype, int n) { return StepScope.own(new CudaStorage(this, dtype, n, false)); }

    /** The bytes the allocator has handed out and holds in its cache (for tests and the GPU check). */
    long[] memoryUse() { return new long[] {memory.inUse(), memory.cached()}; }

    // ---------------------------------------------------------------- element-wise

    @Override
    public void unary(UnaryFn f, double p, double q, Tensor x, Tensor out) {
        int[] g = geom(out.shape(), out, x);
        if (g[1] == 0) return;
        ctx.launch("unary", grid(g[1]), BLOCK, g, f.ordinal(), p, q, ptr(x), type(x), ptr(out), type(out));
    }

    @Override
    public void binary(BinaryFn f, Tensor a, Tensor b, Tensor out) {
        int[] g = geom(out.shape(), out, a, b);
        if (g[1] == 0) return;
        ctx.launch("binary", grid(g[1]), BLOCK, g, f.ordinal(), ptr(a), type(a), ptr(b), type(b), ptr(out), type(out));
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        Tensor mask = cond;
        if (cond.dtype() != DType.BOOL) {
            mask = Tensor.uninitialized(DType.BOOL, device, cond.shape());
            unary(UnaryFn.IDENTITY, 0, 0, cond, mask);
        }
        int[] g = geom(out.shape(), out, mask, a, b);
        if (g[1] == 0) return;
        ctx.launch("where_", grid(g[1]), BLOCK, g, ptr(mask), ptr(a), type(a), ptr(b), type(b), ptr(out), type(out));
    }

    @Override
    public void fill(Tensor out, double value) {
        int[] g = geom(out.shape(), out);
        if (g[1] == 0) return;
        ctx.launch("fill", grid(g[1]), BLOCK, g, value, ptr(out), type(out));
    }

    // ---------------------------------------------------------------- reductions and products

    @Override
    public void reduce(ReduceFn f, Tensor x, int dim, Tensor out) {
        int len = x.shape()[dim], step = x.strides()[dim];
        if (len == 0 && f != ReduceFn.SUM) {
            throw new IllegalArgumentException("cannot take " + f.name().toLowerCase() + " over an empty dimension");
        }
        if (f == ReduceFn.SUM && columnSum(x, dim, out)) return;
        int[] xs = remove(x.strides(), dim);
        int[] g = geom(out.shape(), new int[][] {out.strides(), xs}, new int[] {out.offset(), x.offset()});
        if (g[1] == 0) return;
        ctx.launch("reduce", new int[] {g[1]}, lineBlock(len), g, f.ordinal(), len, step, ptr(x), type(x), ptr(out), type(out));
    }

    /**
     * A sum over a dimension with many contiguous elements after it (W3's per-image weight gradients, summed
     * over the batch: 18,432 of them), one thread per output adding its column in order, so that a warp's
     * reads are neighbours (gemm_split_sum, which adds a split product's slices the same way); a block per
     * output, as {@code reduce} runs, would read the column strided. False where the tensors do not suit it.
     */
    private boolean columnSum(Tensor x, int dim, Tensor out) {
        int len = x.shape()[dim], inner = 1;
        for (int d = dim + 1; d < x.dim(); d++) inner *= x.shape()[d];
        int total = out.numel();
        if (len == 0 || inner < 32 || total < 2048 || !x.isContiguous() || !out.isContiguous() || x.dtype() != out.dtype()
                || (x.dtype() != DType.FLOAT32 && x.dtype() != DType.FLOAT64)) {
            return false;
        }
        ctx.launch("gemm_split_sum", grid(total), BLOCK, total, len, 1, inner, at(x, x.offset()), at(out, out.offset()), type(out), 0L, 0, 0);
        return true;
    }

    /** Threads for a block that reduces a line of len elements: a power of two, 32 to 256. */
    private static int lineBlock(int len) {
        int block = 32;
        while (block < len && block < BLOCK) block <<= 1;
        return block;
    }

    @Override
    public void matmul(Tensor a, Tensor b, Tensor out) { gemm(a, b, null, false, false, out); }

    /** The GEMM with the bias and ReLU in its epilogue, one launch instead of three. */
    @Override
    public void linear(Tensor a, Tensor b, Tensor bias, boolean biasPerRow, boolean relu, Tensor out) {
        if (bias != null && (bias.dtype() != out.dtype() || !bias.isContiguous())) {
            Backend.super.linear(a, b, bias, biasPerRow, relu, out);
            return;
        }
        gemm(a, b, bias, biasPerRow, relu, out);
    }

    private void gemm(Tensor a, Tensor b, Tensor bias, boolean biasPerRow, boolean relu, Tensor out) {
        DType t = out.dtype();
        if (a.dtype() != t || b.dtype() != t || (t != DType.FLOAT32 && t != DType.FLOAT64)) {
            throw new UnsupportedOperationException("matmul on " + device + " takes float32 or float64 operands of one dtype, not "
                    + a.dtype() + " and " + b.dtype());
        }
        int[] os = out.shape(), as = a.strides(), bs = b.strides();
        int batch = os[0], m = os[1], n = os[2], k = a.shape()[2];
        if (batch == 0 || m == 0 || n == 0) return;
        if (k == 0) {
            // An empty sum is zero; a layer's epilogue then goes through the composed form (whose matmul lands here).
            if (bias == null && !relu) fill(out, 0);
            else Backend.super.linear(a, b, bias, biasPerRow, relu, out);
            return;
        }
        if (bias == null && !relu && cublasGemm(t, batch, m, n, k, a, as, b, bs, out)) return;
        String kernel = t == DType.FLOAT64 ? "gemm_f64" : Cuda.tf32() ? "gemm_tf32" : "gemm_f32";
        long biasPtr = bias == null ? 0 : at(bias, bias.offset());
        int[] tiles = {(n + 63) / 64, (m + 63) / 64};
        int slices = depthSlices(tiles[0] * tiles[1] * batch, k);
        if (slices > 1) {
            // Each block sums a slice of the depth into a workspace; gemm_split_sum adds the slices and applies the epilogue.
            int kChunk = ((k + 15) / 16 + slices - 1) / slices * 16;
            slices = (k + kChunk - 1) / kChunk;
            Tensor ws = Tensor.uninitialized(t, device, batch * slices, m, n);
            ctx.launch(kernel, new int[] {tiles[0], tiles[1], batch * slices}, BLOCK, m, n, k, kChunk, at(a, a.offset()), as[0],
                    as[1], as[2], at(b, b.offset()), bs[0], bs[1], bs[2], at(ws, 0), 0L, 0, 0);
            ctx.launch("gemm_split_sum", grid(batch * m * n), BLOCK, batch * m * n, slices, m, n, at(ws, 0), at(out, out.offset()),
                    type(out), biasPtr, biasPerRow ? 1 : 0, relu ? 1 : 0);
            return;
        }
        int bytes = t.bytes();
        for (int b0 = 0; b0 < batch; b0 += 65535) {
            int count = Math.min(65535, batch - b0);
            long pa = at(a, a.offset() + b0 * as[0]), pb = at(b, b.offset() + b0 * bs[0]);
            long pc = at(out, out.offset()) + (long) b0 * m * n * bytes;
            ctx.launch(kernel, new int[] {tiles[0], tiles[1], count}, BLOCK,
                    m, n, k, k, pa, as[0], as[1], as[2], pb, bs[0], bs[1], bs[2], pc, biasPtr, biasPerRow ? 1 : 0, relu ? 1 : 0);
        }
    }

    /**
     * Into how many slices to split a product's depth: one unless its {@code tiles} (64 × 64 outputs, over the
     * batch) leave multiprocessors idle and the depth is long. A layer's product for a small batch is such a
     * case (W3's 3136 → 128 layer is two tiles 3136 deep, one block each on a GPU of 132 multiprocessors,
     * W2's 784 → 512 layer sixteen); sliced, it fills about two blocks per multiprocessor. A block's time
     * follows its depth, and the split costs a launch and a pass over the workspace, so only depths of 256 and
     * more are split, each slice at least 64 deep, into at most 64 slices. {@code -Dnnc.cuda.splitDepth=false}
     * switches splitting off (the GPU check measures both).
     */
    private int depthSlices(int tiles, int k) {
        int depthTiles = (k + 15) / 16;
        if (!SPLIT_DEPTH || tiles >= multiprocessors || depthTiles < 16) return 1;
        return Math.min(Math.min((2 * multiprocessors + tiles - 1) / tiles, depthTiles / 4), 64);
    }

    /** Whether long, narrow products are split over their depth ({@link #depthSlices}); for the GPU check's comparison. */
    static boolean splitsDepth() { return SPLIT_DEPTH; }

    /** This device's cuBLAS handle, made on its first product through cuBLAS (-1 until then). */
    private long cublasHandle = -1;

    /**
     * A plain product through cuBLAS where {@link Cuda#cublas()} found it and the strides suit it (see
     * {@link Cublas.Plan}); false where our kernel must run instead. A layer's product with its bias and
     * ReLU stays on our kernel, whose epilogue saves two launches.
     */
    private boolean cublasGemm(DType t, int batch, int m, int n, int k, Tensor a, int[] as, Tensor b, int[] bs, Tensor out) {
        Cublas blas = Cuda.cublas();
        if (blas == null || !out.isContiguous()) return false;
        Cublas.Plan plan = Cublas.Plan.rowMajor(m, n, k, as, bs);
        if (plan == null) return false;
        ctx.makeCurrent();
        if (cublasHandle < 0) {
            cublasHandle = blas.createHandle();
            blas.setMathMode(cublasHandle, Cuda.tf32() ? Cublas.TF32_TENSOR_OP_MATH : Cublas.DEFAULT_MATH);
        }
        blas.gemm(t, cublasHandle, plan, batch, at(a, a.offset()), at(b, b.offset()), at(out, out.offset()));
        return true;
    }

    // ---------------------------------------------------------------- indexing

    @Override
    public void gather(Tensor x, int dim, Tensor index, Tensor out) {
        int[] xs = x.strides();
        int dimStride = xs[dim], dimSize = x.shape()[dim];
        xs[dim] = 0;
        int[] g = geom(out.shape(), new int[][] {out.strides(), index.strides(), xs}, new int[] {out.offset(), index.offset(), x.offset()});
        if (g[1] == 0) return;
        ctx.launch("gather", grid(g[1]), BLOCK, g, ptr(index), type(index), dimSize, dimStride, ptr(x), type(x), ptr(out), type(out),
                checkSlot(dim, dimSize));
    }

    @Override
    public void scatterAdd(Tensor out, int dim, Tensor index, Tensor src) {
        int[] os = out.strides();
        int dimStride = os[dim], dimSize = out.shape()[dim];
        os[dim] = 0;
        int[] g = geom(index.shape(), new int[][] {os, index.strides(), src.strides()}, new int[] {out.offset(), index.offset(), src.offset()});
        if (g[1] == 0) return;
        ctx.launch("scatter_add", grid(g[1]), BLOCK, g, ptr(index), type(index), dimSize, dimStride, ptr(src), type(src), ptr(out),
                type(out), checkSlot(dim, dimSize));
    }

    /** A zeroed flag for one more index check, to be read by {@link #readChecks}; its device address. */
    private synchronized long checkSlot(int dim, int size) {
        if (checkFlags == null) {
            ctx.makeCurrent();
            checkFlags = Driver.allocateHost(4L * CHECK_SLOTS).fill((byte) 0);
            checkFlagsOnDevice = Driver.devicePointer(checkFlags);
        }
        if (checks == CHECK_SLOTS) {   // all taken since the last read: wait for their kernels and read them now
            ctx.makeCurrent();
            Cuda.check(JCudaDriver.cuCtxSynchronize(), "cuCtxSynchronize");
            readChecks();
        }
        checkDim[checks] = dim;
        checkSize[checks] = size;
        return checkFlagsOnDevice + 4L * checks++;
    }

    /**
     * Reads the flags of the index checks made since the last read, which the caller has waited for the GPU
     * to run, zeroes them for the next, and throws for the first raised, as the CPU throws at the op itself.
     */
    synchronized void readChecks() {
        if (checks == 0) return;
        int n = checks;
        checks = 0;
        int bad = -1;
        for (int i = 0; i < n; i++) {
            if (bad < 0 && checkFlags.getAtIndex(ValueLayout.JAVA_INT, i) != 0) bad = i;
            checkFlags.setAtIndex(ValueLayout.JAVA_INT, i, 0);
        }
        if (bad >= 0) {
            throw new IndexOutOfBoundsException("an index is out of bounds for dimension " + checkDim[bad] + " with size " + checkSize[bad]
                    + " (found on " + device + " by a kernel that ran before this read: GPU kernels run ahead of the host)");
        }
    }

    // ---------------------------------------------------------------- cross-entropy

    @Override
    public void crossEntropyRows(Tensor logits, Tensor target, long ignore, Tensor perRow, Tensor lse, Tensor valid) {
        int b = logits.shape()[0], c = logits.shape()[1];
        if (b == 0) return;
        ctx.launch("cross_entropy_rows", grid(b), BLOCK, b, c, at(logits, logits.offset()), at(target, target.offset()), type(target),
                ignore, at(perRow, perRow.offset()), at(lse, lse.offset()), at(valid, valid.offset()), checkSlot(1, c));
    }

    @Override
    public void crossEntropyMean(Tensor perRow, Tensor valid, Tensor mean, Tensor count) {
        int b = perRow.numel();
        ctx.launch("cross_entropy_mean", new int[] {1}, lineBlock(b), b, at(perRow, perRow.offset()), at(valid, valid.offset()),
                at(mean, mean.offset()), at(count, count.offset()));
    }

    @Override
    public void crossEntropyBackward(Tensor logits, Tensor target, long ignore, Tensor lse, Tensor scale, Tensor divisor, Tensor dx) {
        int n = dx.numel();
        if (n == 0) return;
        int b = logits.shape()[0], c = logits.shape()[1];
        ctx.launch("cross_entropy_backward", grid(n), BLOCK, b, c, at(logits, logits.offset()), at(target, target.offset()), type(target),
                ignore, at(lse, lse.offset()), at(scale, scale.offset()), scale.strides()[0], divisor == null ? 0L : at(divisor, divisor.offset()),
                at(dx, dx.offset()));
    }

    @Override
    public void softmaxRows(Tensor x, boolean log, Tensor y) {
        rowLaunch("softmax_rows", x, at(x, x.offset()), at(y, y.offset()), log ? 1 : 0);
    }

    @Override
    public void softmaxRowsBackward(Tensor y, Tensor g, boolean log, Tensor dx) {
        rowLaunch("softmax_rows_backward", y, at(y, y.offset()), at(g, g.offset()), at(dx, dx.offset()), log ? 1 : 0);
    }

    @Override
    public void layerNormRows(Tensor x, double eps, Tensor y, Tensor mean, Tensor rstd) {
        rowLaunch("layer_norm_rows", x, eps, at(x, x.offset()), at(y, y.offset()), at(mean, mean.offset()), at(rstd, rstd.offset()));
    }

    @Override
    public void layerNormRowsBackward(Tensor x, Tensor mean, Tensor rstd, Tensor dy, Tensor dx) {
        rowLaunch("layer_norm_rows_backward", x, at(x, x.offset()), at(mean, mean.offset()), at(rstd, rstd.offset()), at(dy, dy.offset()),
                at(dx, dx.offset()));
    }

    /** A kernel with a block per row of {@code rows}' last dimension, given that row's length and then {@code args}; none for no rows. */
    private void rowLaunch(String kernel, Tensor rows, Object... args) {
        int n = rows.shape()[rows.dim() - 1], count = n == 0 ? 0 : rows.numel() / n;
        if (count == 0) return;
        Object[] all = new Object[1 + args.length];
        all[0] = n;
        System.arraycopy(args, 0, all, 1, args.length);
        ctx.launch(kernel, new int[] {count}, lineBlock(n), all);
    }

    @Override
    public void batchNormTrain(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double momentum, double eps,
                               Tensor y, Tensor mean, Tensor rstd) {
        int batch = x.size(0), channels = x.size(1), spatial = x.numel() / (batch * channels);
        ctx.launch("batch_norm_train", new int[] {channels}, lineBlock(batch * spatial), batch, channels, spatial, momentum, eps,
                at(x, x.offset()), at(weight, weight.offset()), at(bias, bias.offset()), at(runningMean, runningMean.offset()),
                at(runningVar, runningVar.offset()), at(y, y.offset()), at(mean, mean.offset()), at(rstd, rstd.offset()));
    }

    @Override
    public void batchNormEval(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar, double eps, Tensor y) {
        int n = x.numel(), channels = x.size(1), spatial = n / (x.size(0) * channels);
        ctx.launch("batch_norm_eval", grid(n), BLOCK, n, channels, spatial, eps, at(x, x.offset()), at(weight, weight.offset()),
                at(bias, bias.offset()), at(runningMean, runningMean.offset()), at(runningVar, runningVar.offset()), at(y, y.offset()));
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor weight, Tensor mean, Tensor rstd, Tensor dy, Tensor dx, Tensor dWeight, Tensor dBias) {
        int batch = x.size(0), channels = x.size(1), spatial = x.numel() / (batch * channels);
        ctx.launch("batch_norm_backward", new int[] {channels}, lineBlock(batch * spatial), batch, channels, spatial, at(x, x.offset()),
                at(weight, weight.offset()), at(mean, mean.offset()), at(rstd, rstd.offset()), at(dy, dy.offset()), at(dx, dx.offset()),
                at(dWeight, dWeight.offset()), at(dBias, dBias.offset()));
    }

    // ---------------------------------------------------------------- optimizer steps

    @Override
    public boolean sgdStep(Tensor p, Tensor d, Tensor buf, double lr, double momentum, double dampening, boolean nesterov) {
        return sgdSteps(List.of(p), List.of(d), List.of(buf), lr, momentum, dampening, nesterov);
    }

    /** Parameters per {@code *_step_multi} launch: the kernels' {@code PARAMS}. */
    private static final int PARAMS = 32;

    @Override
    public boolean sgdSteps(List<Tensor> ps, List<Tensor> ds, List<Tensor> bufs, double lr, double momentum, double dampening,
                            boolean nesterov) {
        return multiStep("sgd_step_multi", List.of(ps, ds, bufs), (float) lr, (float) momentum, (float) dampening, nesterov ? 1 : 0);
    }

    @Override
    public boolean adamSteps(List<Tensor> ps, List<Tensor> ds, List<Tensor> ms, List<Tensor> vs, double lr, double beta1, double beta2,
                             double eps, double c1, double c2) {
        return multiStep("adam_step_multi", List.of(ps, ds, ms, vs), (float) lr, (float) beta1, (float) beta2, (float) eps, (float) c1,
                (float) c2);
    }

    /**
     * An optimizer step of many parameters through a {@code *_step_multi} kernel, PARAMS at a time: the
     * kernel's list (n, start[PARAMS + 1], then one array of PARAMS addresses per tensor list, all 64-bit)
     * followed by the options. False, launching nothing, unless every tensor is fusable and on this GPU.
     */
    private boolean multiStep(String kernel, List<List<Tensor>> tensors, Object... options) {
        List<Tensor> ps = tensors.get(0);
        for (int i = 0; i < ps.size(); i++) {
            Tensor[] others = new Tensor[tensors.size() - 1];
            for (int j = 1; j < tensors.size(); j++) others[j - 1] = tensors.get(j).get(i);
            if (!Backend.fusableStep(ps.get(i), others) || ps.get(i).backend() != this) return false;
        }
        for (int from = 0; from < ps.size(); from += PARAMS) {
            int n = Math.min(PARAMS, ps.size() - from);
            long[] list = new long[1 + (PARAMS + 1) + tensors.size() * PARAMS];
            list[0] = n;
            long total = 0;
            for (int k = 0; k < n; k++) {
                list[1 + k] = total;
                total += ps.get(from + k).numel();
                for (int j = 0; j < tensors.size(); j++) {
                    Tensor t = tensors.get(j).get(from + k);
                    list[2 + (j + 1) * PARAMS + k] = at(t, t.offset());
                }
            }
            list[1 + n] = total;
            if (total == 0) continue;
            Object[] args = new Object[1 + options.length];
            args[0] = list;
            System.arraycopy(options, 0, args, 1, options.length);
            ctx.launch(kernel, new int[] {(int) ((total + BLOCK - 1) / BLOCK)}, BLOCK, args);
        }
        return true;
    }

    @Override
    public boolean adamStep(Tensor p, Tensor d, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                            double c1, double c2) {
        return adamSteps(List.of(p), List.of(d), List.of(m), List.of(v), lr, beta1, beta2, eps, c1, c2);
    }

    // ---------------------------------------------------------------- recurrent layers, a step at a time

    @Override
    public boolean lstmStep(int s, Tensor hGates, Tensor projected, Tensor out, Tensor hPrev, Tensor cPrev, Tensor act, Tensor tanhC) {
        int[] shape = out.shape();
        int b = shape[0], t = shape[1], hid = shape[2];
        if (b * hid > 0) {
            int[] ps = projected.strides();
            ctx.launch("lstm_step", grid(b * hid), BLOCK, b, t, s, hid, at(hGates, hGates.offset()),
                    at(projected, projected.offset() + s * ps[1]), ps[0], at(out, out.offset()), at(hPrev, hPrev.offset()),
                    at(cPrev, cPrev.offset()), at(act, act.offset()), at(tanhC, tanhC.offset()));
        }
        return true;
    }

    @Override
    public void lstmStepBackward(int s, Tensor dy, Tensor dh, Tensor dc, Tensor act, Tensor tanhC, Tensor cPrev, Tensor dGates) {
        int[] shape = dy.shape(), ds = dy.strides();
        int b = shape[0], t = shape[1], hid = shape[2];
        if (b * hid == 0) return;
        ctx.launch("lstm_step_backward", grid(b * hid), BLOCK, b, t, s, hid, at(dy, dy.offset() + s * ds[1]), ds[0],
                at(dh, dh.offset()), at(dc, dc.offset()), at(act, act.offset()), at(tanhC, tanhC.offset()), at(cPrev, cPrev.offset()),
                at(dGates, dGates.offset()));
    }

    @Override
    public boolean gruStep(int s, Tensor hh, Tensor projected, Tensor out, Tensor hPrev, Tensor act, Tensor hn) {
        int[] shape = out.shape();
        int b = shape[0], t = shape[1], hid = shape[2];
        if (b * hid > 0) {
            int[] ps = projected.strides();
            ctx.launch("gru_step", grid(b * hid), BLOCK, b, t, s, hid, at(hh, hh.offset()), at(projected, projected.offset() + s * ps[1]),
                    ps[0], at(out, out.offset()), at(hPrev, hPrev.offset()), at(act, act.offset()), at(hn, hn.offset()));
        }
        return true;
    }

    @Override
    public void gruStepBackward(int s, Tensor dy, Tensor dh, Tensor direct, Tensor act, Tensor hn, Tensor hPrev, Tensor dProjected,
                                Tensor dHidden) {
        int[] shape = dy.shape(), ds = dy.strides();
        int b = shape[0], t = shape[1], hid = shape[2];
        if (b * hid == 0) return;
        ctx.launch("gru_step_backward", grid(b * hid), BLOCK, b, t, s, hid, at(dy, dy.offset() + s * ds[1]), ds[0], at(dh, dh.offset()),
                at(direct, direct.offset()), at(act, act.offset()), at(hn, hn.offset()), at(hPrev, hPrev.offset()),
                at(dProjected, dProjected.offset()), at(dHidden, dHidden.offset()));
    }

    // ---------------------------------------------------------------- windows

    /** The kernels' Window struct: kernel, stride, padding, dilation, height, width, outHeight, outWidth. */
    private static int[] window(Window w) {
        return new int[] {w.kernel(), w.stride(), w.padding(), w.dilation(), w.height(), w.width(), w.outHeight(), w.outWidth()};
    }

    private static int planes(Tensor x) { return x.shape()[0] * x.shape()[1]; }

    @Override
    public void im2col(Tensor x, Window w, Tensor out) {
        int n = out.numel();
        if (n == 0) return;
        ctx.launch("im2col", grid(n), BLOCK, window(w), planes(x), at(x, x.offset()), type(x), at(out, out.offset()));
    }

    @Override
    public void col2im(Tensor cols, Window w, Tensor dx) {
        int n = dx.numel();   // one thread per input element: the kernels gather, and write all of dx
        if (n == 0) return;
        ctx.launch("col2im", grid(n), BLOCK, window(w), planes(dx), at(cols, cols.offset()), type(cols), at(dx, dx.offset()));
    }

    @Override
    public void maxPool2d(Tensor x, Window w, Tensor out, Tensor argmax) {
        int n = out.numel();
        if (n == 0) return;
        ctx.launch("max_pool", grid(n), BLOCK, window(w), planes(x), at(x, x.offset()), type(x), at(out, out.offset()),
                at(argmax, argmax.offset()));
    }

    @Override
    public void maxPool2dBackward(Tensor grad, Tensor argmax, Window w, Tensor dx) {
        int n = dx.numel();
        if (n == 0) return;
        ctx.launch("max_pool_backward", grid(n), BLOCK, window(w), planes(dx), at(grad, grad.offset()), type(grad),
                at(argmax, argmax.offset()), at(dx, dx.offset()));
    }

    @Override
    public void avgPool2d(Tensor x, Window w, Tensor out) {
        int n = out.numel();
        if (n == 0) return;
        ctx.launch("avg_pool", grid(n), BLOCK, window(w), planes(x), at(x, x.offset()), type(x), at(out, out.offset()));
    }

    @Override
    public void avgPool2dBackward(Tensor grad, Window w, Tensor dx) {
        int n = dx.numel();
        if (n == 0) return;
        ctx.launch("avg_pool_backward", grid(n), BLOCK, window(w), planes(dx), at(grad, grad.offset()), type(grad), at(dx, dx.offset()));
    }

    // ---------------------------------------------------------------- helpers

    private static int[] grid(int n) { return new int[] {(n + BLOCK - 1) / BLOCK}; }

    private static int type(Tensor t) { return t.dtype().ordinal(); }

    private CudaStorage storage(Tensor t) {
        if (!(t.storage() instanceof CudaStorage s) || !s.device().equals(device)) {
            throw new IllegalArgumentException("a tensor on " + t.device() + " reached the kernels of " + device);
        }
        return s;
    }

    /** The storage's base address: the offset travels in the Geom. */
    private long ptr(Tensor t) { return storage(t).address(0); }

    /** The device address of element {@code element} of {@code t}'s storage. */
    private long at(Tensor t, int element) { return storage(t).address(element); }

    private static int[] remove(int[] a, int i) {
        int[] r = new int[a.length - 1];
        for (int s = 0, d = 0; s < a.length; s++) if (s != i) r[d++] = a[s];
        return r;
    }

    /** A Geom for tensors viewed over {@code shape} (each already broadcast to it). */
    static int[] geom(int[] shape, Tensor... ops) {
        int[][] strides = new int[ops.length][];
        int[] offsets = new int[ops.length];
        for (int i = 0; i < ops.length; i++) {
            if (!Arrays.equals(ops[i].shape(), shape)) {
                throw new IllegalArgumentException("operand of shape " + Shape.str(ops[i].shape()) + " where " + Shape.str(shape) + " was expected");
            }
            strides[i] = ops[i].strides();
            offsets[i] = ops[i].offset();
        }
        return geom(shape, strides, offsets);
    }

    /**
     * The Geom struct as ints, over the merged dimensions ({@link MergedDims}), which keeps index arithmetic
     * in the kernels short and lets tensors of rank above 8 through when they merge.
     */
    static int[] geom(int[] shape, int[][] strides, int[] offsets) {
        int ops = strides.length;
        MergedDims merged = MergedDims.of(shape, strides);
        int nd = merged.rank();
        int[] dims = merged.shape();
        int[][] st = merged.strides();
        long n = 1;
        for (int d : shape) n *= d;
        if (nd > MAXD) throw new UnsupportedOperationException("tensors of more than " + MAXD + " dimensions that do not merge into fewer");
        int[] g = new int[GEOM_INTS];
        g[0] = nd;
        g[1] = (int) n;
        for (int d = 0; d < nd; d++) {
            g[2 + d] = dims[d];
            for (int k = 0; k < ops; k++) g[2 + MAXD + k * MAXD + d] = st[k][d];
        }
        for (int k = 0; k < ops; k++) g[2 + MAXD + MAXOPS * MAXD + k] = offsets[k];
        return g;
    }
}
