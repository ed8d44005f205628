// The CUDA kernels of nnc's GPU backend (org.nnc.backend.cuda.CudaBackend), compiled by build.sh into one
// fatbin that the backend loads with cuModuleLoadData. Every kernel mirrors a CPU kernel of the same
// name in org.nnc.backend.cpu, which is the reference the CUDA tests compare against.
//
// Element types travel as codes (0 float32, 1 float64, 2 int32, 3 int64, 4 bool as one byte) and
// element-wise arithmetic runs in double, as the CPU backend's generic path does, so one kernel serves
// every dtype combination. Operands are strided views: a Geom carries the iteration shape (dimensions
// already merged where the layout allows) and each operand's strides and offset, in elements.
//
// The op enums below list the Java enums' constants in the same order: CudaSourceTest checks that.

#ifdef __CUDACC__
#include <mma.h>   // tensor-core fragments (gemm_tf32); the host build has its own (host_gpu.h)
#endif

#define MAXD 8
#define MAXOPS 4

struct Geom {
    int ndim;
    int n;
    int shape[MAXD];
    int stride[MAXOPS][MAXD];
    int offset[MAXOPS];
};

namespace UnaryFn {
enum { IDENTITY, NEG, EXP, LOG, SQRT, ABS, SIGN, TANH, SIGMOID, RELU, ADD_SCALAR, MUL_SCALAR, RDIV_SCALAR, POW_SCALAR,
       CLAMP, IN_RANGE, NOT, GELU, GELU_GRAD, SILU, SILU_GRAD, ELU, ELU_GRAD, LEAKY_RELU, LEAKY_RELU_GRAD, POSITIVE,
       SOFTPLUS };
}
namespace BinaryFn {
enum { ADD, SUB, MUL, DIV, POW, MAX, MIN, EQ, NE, LT, LE, GT, GE, AND, OR, RELU_BACKWARD };
}
namespace ReduceFn {
enum { SUM, MAX, MIN, ARGMAX, ARGMIN };
}

__device__ __forceinline__ void offsets(const Geom& g, int linear, int nops, int* off) {
    for (int k = 0; k < nops; k++) off[k] = g.offset[k];
    for (int d = g.ndim - 1; d >= 0; d--) {
        int size = g.shape[d];
        int i = linear % size;
        linear /= size;
        for (int k = 0; k < nops; k++) off[k] += i * g.stride[k][d];
    }
}

__device__ __forceinline__ double ld(const void* p, int t, int i) {
    switch (t) {
        case 0: return ((const float*) p)[i];
        case 1: return ((const double*) p)[i];
        case 2: return ((const int*) p)[i];
        case 3: return (double) ((const long long*) p)[i];
        default: return ((const unsigned char*) p)[i];
    }
}

// Conversions follow Java's casts: NaN to 0, out-of-range values saturate (PTX cvt.rzi does both).
__device__ __forceinline__ void st(void* p, int t, int i, double v) {
    switch (t) {
        case 0: ((float*) p)[i] = (float) v; break;
        case 1: ((double*) p)[i] = v; break;
        case 2: ((int*) p)[i] = __double2int_rz(v); break;
        case 3: ((long long*) p)[i] = __double2ll_rz(v); break;
        default: ((unsigned char*) p)[i] = v != 0 ? 1 : 0; break;
    }
}

// Java's Math.max / Math.min: NaN wins, and +0 is larger than -0 (fmax / fmin drop NaN instead).
__device__ __forceinline__ double jmax(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a >= b ? a : b;
}

__device__ __forceinline__ double jmin(double a, double b) {
    if (a != a) return a;
    if (b != b) return b;
    if (a == 0 && b == 0) return signbit(a) ? a : b;
    return a <= b ? a : b;
}

__device__ __forceinline__ double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
}

__device__ __forceinline__ double jsignum(double x) {
    return x > 0 ? 1.0 : x < 0 ? -1.0 : x;  // keeps NaN and the sign of zero, as Math.signum
}

__device__ double unary_op(int op, double x, double p, double q) {
    using namespace UnaryFn;
    switch (op) {
        case IDENTITY: return x;
        case NEG: return -x;
        case EXP: return exp(x);
        case LOG: return log(x);
        case SQRT: return sqrt(x);
        case ABS: return fabs(x);
        case SIGN: return jsignum(x);
        case TANH: return tanh(x);
        case SIGMOID: return sigmoid(x);
        case RELU: return x > 0 || x != x ? x : 0;  // NaN stays NaN, as UnaryFn.RELU and PyTorch
        case ADD_SCALAR: return x + p;
        case MUL_SCALAR: return x * p;
        case RDIV_SCALAR: return p / x;
        case POW_SCALAR: return pow(x, p);
        case CLAMP: return jmin(jmax(x, p), q);
        case IN_RANGE: return x >= p && x <= q ? 1 : 0;
        case NOT: return x == 0 ? 1 : 0;
        case GELU: return x * normcdf(x);
        case GELU_GRAD: return normcdf(x) + x * exp(-0.5 * x * x) / sqrt(2 * 3.141592653589793);
        case SILU: return x * sigmoid(x);
        case SILU_GRAD: { double s = sigmoid(x); return s * (1 + x * (1 - s)); }
        case ELU: return x > 0 ? x : p * expm1(x);
        case ELU_GRAD: return x > 0 ? 1 : p * exp(x);
        case LEAKY_RELU: return x > 0 ? x : p * x;
        case LEAKY_RELU_GRAD: return x > 0 ? 1 : p;
        case POSITIVE: return x > 0 ? 1 : 0;
        case SOFTPLUS: return fmax(x, 0.0) + log1p(exp(-fabs(x)));
        default: return __longlong_as_double(0x7ff8000000000000LL);
    }
}

__device__ double binary_op(int op, double a, double b) {
    using namespace BinaryFn;
    switch (op) {
        case ADD: return a + b;
        case SUB: return a - b;
        case MUL: return a * b;
        case DIV: return a / b;
        case POW: return pow(a, b);
        case MAX: return jmax(a, b);
        case MIN: return jmin(a, b);
        case EQ: return a == b;
        case NE: return a != b;
        case LT: return a < b;
        case LE: return a <= b;
        case GT: return a > b;
        case GE: return a >= b;
        case AND: return a != 0 && b != 0;
        case OR: return a != 0 || b != 0;
        case RELU_BACKWARD: return b > 0 ? a : 0;
        default: return __longlong_as_double(0x7ff8000000000000LL);
    }
}

// out = f(x, p, q). Operand 0 is out, 1 is x. A same-type IDENTITY copies bits, so int64 stays exact.
extern "C" __global__ void unary(Geom g, int op, double p, double q, const void* x, int xt, void* out, int ot) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.n) return;
    int off[2];
    offsets(g, i, 2, off);
    if (op == UnaryFn::IDENTITY && xt == ot && (xt == 3 || xt == 1)) {
        ((long long*) out)[off[0]] = ((const long long*) x)[off[1]];
        return;
    }
    st(out, ot, off[0], unary_op(op, ld(x, xt, off[1]), p, q));
}

// out = f(a, b): operands out, a, b.
extern "C" __global__ void binary(Geom g, int op, const void* a, int at, const void* b, int bt, void* out, int ot) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.n) return;
    int off[3];
    offsets(g, i, 3, off);
    st(out, ot, off[0], binary_op(op, ld(a, at, off[1]), ld(b, bt, off[2])));
}

// out = cond ? a : b: operands out, cond, a, b.
extern "C" __global__ void where_(Geom g, const unsigned char* cond, const void* a, int at, const void* b, int bt, void* out, int ot) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.n) return;
    int off[4];
    offsets(g, i, 4, off);
    st(out, ot, off[0], cond[off[1]] ? ld(a, at, off[2]) : ld(b, bt, off[3]));
}

extern "C" __global__ void fill(Geom g, double value, void* out, int ot) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.n) return;
    int off[1];
    offsets(g, i, 1, off);
    st(out, ot, off[0], value);
}

// One block per output element: operands out (0) and x (1) over out's shape; the reduced dimension has
// len elements, step apart in x. Threads take strided shares, then a tree in shared memory combines them.
// Max and min keep the first extreme element, and the first NaN wins, as the CPU loop does; the combine
// below is that rule in an order-free form (NaN first, then the better value, then the smaller index).
extern "C" __global__ void reduce(Geom g, int op, int len, int step, const void* x, int xt, void* out, int ot) {
    __shared__ double sv[256];
    __shared__ int si[256];
    int o = blockIdx.x;
    if (o >= g.n) return;
    int off[2];
    offsets(g, o, 2, off);
    using namespace ReduceFn;
    bool isMax = op == MAX || op == ARGMAX;
    double v = 0;
    int vi = -1;
    for (int i = threadIdx.x; i < len; i += blockDim.x) {
        double e = ld(x, xt, off[1] + i * step);
        if (op == SUM) {
            v += e;
        } else if (vi < 0 || (v == v && (e != e || (isMax ? e > v : e < v)))) {
            v = e;
            vi = i;
        }
    }
    sv[threadIdx.x] = v;
    si[threadIdx.x] = vi;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if ((int) threadIdx.x < s) {
            double a = sv[threadIdx.x], b = sv[threadIdx.x + s];
            int ia = si[threadIdx.x], ib = si[threadIdx.x + s];
            if (op == SUM) {
                sv[threadIdx.x] = a + b;
            } else if (ib >= 0) {
                bool takeB;
                if (ia < 0) takeB = true;
                else if (a != a || b != b) takeB = (a == a) || (b != b && ib < ia);
                else if (a == b) takeB = ib < ia;
                else takeB = isMax ? b > a : b < a;
                if (takeB) { sv[threadIdx.x] = b; si[threadIdx.x] = ib; }
            }
        }
        __syncthreads();
    }
    if (threadIdx.x == 0) {
        double r = (op == ARGMAX || op == ARGMIN) ? (double) si[0] : sv[0];
        st(out, ot, off[0], r);
    }
}

// Batched C[b] = act(A[b] · B[b] + bias): A [batch, m, k] and B [batch, k, n] with any strides, C contiguous.
// 64 × 64 output tiles, 16-deep slices of A and B staged in shared memory, 4 × 4 outputs per thread. The
// epilogue is a layer's (Backend.linear): bias (or null) per row of C (biasPerRow) or per column, then
// ReLU when relu is set, NaN staying NaN like the RELU kernel.
//
// A product with few tiles and a long depth (a layer's output for a small batch) would leave most of the GPU
// idle, so the host may split the depth into slices of kChunk (kChunk < k): blockIdx.z is then
// batch × slices + slice, each block sums its slice of the depth into its own m × n block of C (a workspace,
// [batch][slices][m][n]), with no epilogue, and gemm_split_sum adds the slices. kChunk >= k is one slice.
struct DepthSlice {
    int batch, k0, k1;   // the batch element, and the depth [k0, k1) this block sums
};

__device__ __forceinline__ DepthSlice depth_slice(int k, int kChunk) {
    int slices = (k + kChunk - 1) / kChunk;
    int k0 = (int) (blockIdx.z % slices) * kChunk;
    return DepthSlice{(int) blockIdx.z / slices, k0, k - k0 > kChunk ? k0 + kChunk : k};
}

template <typename T>
__device__ void gemm_tile(int m, int n, int k, int kChunk, const T* A, int sab, int sam, int sak, const T* B, int sbb,
                          int sbk, int sbn, T* C, const T* bias, int biasPerRow, int relu) {
    const int TM = 64, TN = 64, TK = 16;
    __shared__ T as[TK][TM + 1];
    __shared__ T bs[TK][TN + 1];
    DepthSlice d = depth_slice(k, kChunk);
    A += (long long) d.batch * sab;
    B += (long long) d.batch * sbb;
    C += (long long) blockIdx.z * m * n;
    int row0 = blockIdx.y * TM, col0 = blockIdx.x * TN;
    int tx = threadIdx.x % 16, ty = threadIdx.x / 16;
    T acc[4][4] = {};
    for (int k0 = d.k0; k0 < d.k1; k0 += TK) {
        for (int e = threadIdx.x; e < TM * TK; e += 256) {
            int r = e / TK, c = e % TK;
            int gr = row0 + r, gc = k0 + c;
            as[c][r] = (gr < m && gc < d.k1) ? A[(long long) gr * sam + (long long) gc * sak] : T(0);
        }
        for (int e = threadIdx.x; e < TK * TN; e += 256) {
            int r = e / TN, c = e % TN;
            int gr = k0 + r, gc = col0 + c;
            bs[r][c] = (gr < d.k1 && gc < n) ? B[(long long) gr * sbk + (long long) gc * sbn] : T(0);
        }
        __syncthreads();
#pragma unroll
        for (int kk = 0; kk < TK; kk++) {
            T a[4], b[4];
#pragma unroll
            for (int i = 0; i < 4; i++) a[i] = as[kk][ty + 16 * i];
#pragma unroll
            for (int j = 0; j < 4; j++) b[j] = bs[kk][tx + 16 * j];
#pragma unroll
            for (int i = 0; i < 4; i++)
#pragma unroll
                for (int j = 0; j < 4; j++) acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
        __syncthreads();
    }
    for (int i = 0; i < 4; i++) {
        int r = row0 + ty + 16 * i;
        if (r >= m) continue;
        for (int j = 0; j < 4; j++) {
            int c = col0 + tx + 16 * j;
            if (c >= n) continue;
            T v = acc[i][j];
            if (bias) v += bias[biasPerRow ? r : c];
            if (relu) v = v > T(0) || v != v ? v : T(0);
            C[(long long) r * n + c] = v;
        }
    }
}

extern "C" __global__ void __launch_bounds__(256) gemm_f32(int m, int n, int k, int kChunk, const float* A, int sab, int sam,
                                                          int sak, const float* B, int sbb, int sbk, int sbn, float* C,
                                                          const float* bias, int biasPerRow, int relu) {
    gemm_tile<float>(m, n, k, kChunk, A, sab, sam, sak, B, sbb, sbk, sbn, C, bias, biasPerRow, relu);
}

extern "C" __global__ void __launch_bounds__(256) gemm_f64(int m, int n, int k, int kChunk, const double* A, int sab, int sam,
                                                          int sak, const double* B, int sbb, int sbk, int sbn, double* C,
                                                          const double* bias, int biasPerRow, int relu) {
    gemm_tile<double>(m, n, k, kChunk, A, sab, sam, sak, B, sbb, sbk, sbn, C, bias, biasPerRow, relu);
}

// Float32 products on tensor cores in TF32, only where the user asked (--tf32): gemm_f32's operands, tiles and
// epilogue, with each 64 × 64 tile made of sixteen 16 × 16 × 8 matrix products, two per warp. Inputs are rounded
// to TF32 (10 mantissa bits, to nearest) as they enter shared memory, since tensor cores would otherwise cut
// the low bits off; sums stay float32. The sums pass through shared memory for the epilogue and the edges. The
// depth may be split as in gemm_tile.
extern "C" __global__ void __launch_bounds__(256) gemm_tf32(int m, int n, int k, int kChunk, const float* A, int sab, int sam,
                                                           int sak, const float* B, int sbb, int sbk, int sbn, float* C,
                                                           const float* bias, int biasPerRow, int relu) {
    using namespace nvcuda;
    // Leading dimensions padded by 4 floats against bank conflicts; every fragment then starts 32-byte aligned.
    const int TM = 64, TN = 64, TK = 16, LA = TK + 4, LB = TN + 4, LC = TN + 4;
    __shared__ __align__(32) float as[TM * LA];
    __shared__ __align__(32) float bs[TK * LB];
    __shared__ __align__(32) float cs[TM * LC];
    DepthSlice d = depth_slice(k, kChunk);
    A += (long long) d.batch * sab;
    B += (long long) d.batch * sbb;
    C += (long long) blockIdx.z * m * n;
    int row0 = blockIdx.y * TM, col0 = blockIdx.x * TN;
    int warp = threadIdx.x / 32, wr = warp / 2 * 16, wc = warp % 2 * 32;   // a warp's 16 × 32 of the tile
    wmma::fragment<wmma::accumulator, 16, 16, 8, float> acc[2];
    wmma::fill_fragment(acc[0], 0.0f);
    wmma::fill_fragment(acc[1], 0.0f);
    for (int k0 = d.k0; k0 < d.k1; k0 += TK) {
        for (int e = threadIdx.x; e < TM * TK; e += 256) {
            int r = e / TK, c = e % TK;
            int gr = row0 + r, gc = k0 + c;
            as[r * LA + c] = wmma::__float_to_tf32((gr < m && gc < d.k1) ? A[(long long) gr * sam + (long long) gc * sak] : 0.0f);
        }
        for (int e = threadIdx.x; e < TK * TN; e += 256) {
            int r = e / TN, c = e % TN;
            int gr = k0 + r, gc = col0 + c;
            bs[r * LB + c] = wmma::__float_to_tf32((gr < d.k1 && gc < n) ? B[(long long) gr * sbk + (long long) gc * sbn] : 0.0f);
        }
        __syncthreads();
        for (int kk = 0; kk < TK; kk += 8) {
            wmma::fragment<wmma::matrix_a, 16, 16, 8, wmma::precision::tf32, wmma::row_major> a;
            wmma::load_matrix_sync(a, as + wr * LA + kk, LA);
            for (int j = 0; j < 2; j++) {
                wmma::fragment<wmma::matrix_b, 16, 16, 8, wmma::precision::tf32, wmma::row_major> b;
                wmma::load_matrix_sync(b, bs + kk * LB + wc + 16 * j, LB);
                wmma::mma_sync(acc[j], a, b, acc[j]);
            }
        }
        __syncthreads();
    }
    for (int j = 0; j < 2; j++) wmma::store_matrix_sync(cs + wr * LC + wc + 16 * j, acc[j], LC, wmma::mem_row_major);
    __syncthreads();
    for (int e = threadIdx.x; e < TM * TN; e += 256) {
        int r = e / TN, c = e % TN;
        int gr = row0 + r, gc = col0 + c;
        if (gr >= m || gc >= n) continue;
        float v = cs[r * LC + c];
        if (bias) v += bias[biasPerRow ? gr : gc];
        if (relu) v = v > 0.0f || v != v ? v : 0.0f;
        C[(long long) gr * n + gc] = v;
    }
}

// The slices of a product split over its depth (the gemm kernels with kChunk < k), added in slice order, so that
// the sum does not depend on the blocks' timing, then the layer's epilogue as in gemm_tile. ws is
// [batch][slices][m][n] and C [batch][m][n] (total elements), both of type t, as is the bias.
extern "C" __global__ void gemm_split_sum(int total, int slices, int m, int n, const void* ws, void* C, int t, const void* bias,
                                         int biasPerRow, int relu) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= total) return;
    int mn = m * n, b = i / mn, e = i % mn;
    double v = 0;
    for (int s = 0; s < slices; s++) v += ld(ws, t, (b * slices + s) * mn + e);
    if (t == 0) v = (float) v;   // float32 sums stay float32 until the bias, as in gemm_tile
    if (bias) v += ld(bias, t, biasPerRow ? e / n : e % n);
    if (relu) v = v > 0 || v != v ? v : 0;
    st(C, t, i, v);
}

// Element i of an int32 (type 2) or int64 (type 3) index tensor.
__device__ __forceinline__ long long ld_index(const void* p, int t, int i) {
    return t == 3 ? ((const long long*) p)[i] : ((const int*) p)[i];
}

// An index wrapped if negative, or -1 with *error raised (to 1) when it lies outside [-size, size); the host
// reads the flag once it has waited for the GPU and throws, as the CPU does. The flag lives in page-locked
// host memory mapped for the GPU, so the host reads it without a copy; a plain store, since every writer
// writes 1 and atomics on host memory depend on the bus.
__device__ __forceinline__ int checked(long long idx, int size, int* error) {
    if (idx < -size || idx >= size) {
        *error = 1;
        return -1;
    }
    return (int) (idx < 0 ? idx + size : idx);
}

// out = x[..., index, ...] along a dimension: operands out, index, x (x's stride on dim is 0 in g).
extern "C" __global__ void gather(Geom g, const void* index, int it, int dimSize, int dimStride, const void* x, int xt,
                                  void* out, int ot, int* error) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.n) return;
    int off[3];
    offsets(g, i, 3, off);
    long long raw = ld_index(index, it, off[1]);
    int idx = checked(raw, dimSize, error);
    st(out, ot, off[0], idx < 0 ? 0 : ld(x, xt, off[2] + idx * dimStride));
}

__device__ __forceinline__ void atomic_add(void* p, int t, int i, double v) {
    switch (t) {
        case 0: atomicAdd((float*) p + i, (float) v); break;
        case 1: atomicAdd((double*) p + i, v); break;
        case 2: atomicAdd((int*) p + i, __double2int_rz(v)); break;
        case 3: atomicAdd((unsigned long long*) p + i, (unsigned long long) __double2ll_rz(v)); break;
        default: if (v != 0) ((unsigned char*) p)[i] = 1; break;
    }
}

// out[..., index, ...] += src along a dimension: operands out (stride 0 on dim), index, src over index's shape.
extern "C" __global__ void scatter_add(Geom g, const void* index, int it, int dimSize, int dimStride, const void* src,
                                       int srct, void* out, int ot, int* error) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= g.n) return;
    int off[3];
    offsets(g, i, 3, off);
    long long raw = ld_index(index, it, off[1]);
    int idx = checked(raw, dimSize, error);
    if (idx >= 0) atomic_add(out, ot, off[0] + idx * dimStride, ld(src, srct, off[2]));
}

struct Window {
    int kernel, stride, padding, dilation, height, width, outHeight, outWidth;
};

// x contiguous [B, C, H, W] → cols contiguous [B, C·k·k, Ho·Wo]; one thread per column entry.
extern "C" __global__ void im2col(Window w, int planes, const void* x, int t, void* cols) {
    long long n = (long long) planes * w.kernel * w.kernel * w.outHeight * w.outWidth;
    long long e = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= n) return;
    int hw = w.outHeight * w.outWidth;
    int pos = (int) (e % hw);
    long long row = e / hw;  // plane · k² + i · k + j
    int j = (int) (row % w.kernel), i = (int) (row / w.kernel % w.kernel);
    long long plane = row / (w.kernel * w.kernel);
    int oh = pos / w.outWidth, ow = pos % w.outWidth;
    int iy = oh * w.stride - w.padding + i * w.dilation, ix = ow * w.stride - w.padding + j * w.dilation;
    double v = (iy >= 0 && iy < w.height && ix >= 0 && ix < w.width)
            ? ld(x, t, (int) (plane * w.height * w.width + iy * w.width + ix)) : 0.0;
    st(cols, t, (int) e, v);
}

// Along one axis, the output position whose window takes input position p at kernel offset i, or -1.
__device__ __forceinline__ int window_at(int p, int i, int stride, int padding, int dilation, int out) {
    int num = p + padding - i * dilation;
    if (num < 0 || num % stride != 0) return -1;
    int o = num / stride;
    return o < out ? o : -1;
}

// The window backwards below run one thread per input element and gather what the windows over it gave,
// in the order of the kernel offsets, where a scatter from each output would need zeroed memory and atomic
// adds, whose order, and so whose float sum, changes from run to run. They write every element of dx.
// windows_over calls f(i, j, oh, ow) for each kernel offset (i, j) whose window (oh, ow) holds input (iy, ix).
template <typename F>
__device__ __forceinline__ void windows_over(const Window& w, int iy, int ix, int dilation, F f) {
    for (int i = 0; i < w.kernel; i++) {
        int oh = window_at(iy, i, w.stride, w.padding, dilation, w.outHeight);
        if (oh < 0) continue;
        for (int j = 0; j < w.kernel; j++) {
            int ow = window_at(ix, j, w.stride, w.padding, dilation, w.outWidth);
            if (ow >= 0) f(i, j, oh, ow);
        }
    }
}

// The adjoint of im2col: each input element is the sum of the column entries taken from it.
extern "C" __global__ void col2im(Window w, int planes, const void* cols, int t, void* dx) {
    long long e = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= (long long) planes * w.height * w.width) return;
    int ix = (int) (e % w.width), iy = (int) (e / w.width % w.height);
    long long plane = e / ((long long) w.height * w.width);
    int hw = w.outHeight * w.outWidth;
    double s = 0;
    windows_over(w, iy, ix, w.dilation, [&](int i, int j, int oh, int ow) {
        s += ld(cols, t, (int) (((plane * w.kernel + i) * w.kernel + j) * hw + oh * w.outWidth + ow));
    });
    st(dx, t, (int) e, s);
}

// One thread per output: the first maximum of the window, or its last NaN, and that element's index in its plane.
extern "C" __global__ void max_pool(Window w, int planes, const void* x, int t, void* out, int* argmax) {
    int o = blockIdx.x * blockDim.x + threadIdx.x;
    int per = w.outHeight * w.outWidth;
    if (o >= planes * per) return;
    int plane = o / per, y = o % per / w.outWidth, z = o % w.outWidth;
    int src = plane * w.height * w.width;
    double best = -INFINITY;
    int bestAt = -1;
    for (int i = 0; i < w.kernel; i++) {
        int iy = y * w.stride - w.padding + i * w.dilation;
        if (iy < 0 || iy >= w.height) continue;
        for (int j = 0; j < w.kernel; j++) {
            int ix = z * w.stride - w.padding + j * w.dilation;
            if (ix < 0 || ix >= w.width) continue;
            double v = ld(x, t, src + iy * w.width + ix);
            if (v > best || bestAt < 0 || v != v) {
                best = v;
                bestAt = iy * w.width + ix;
            }
        }
    }
    st(out, t, o, best);
    argmax[o] = bestAt;
}

// Each input element: the gradients of the outputs whose maximum it was.
extern "C" __global__ void max_pool_backward(Window w, int planes, const void* grad, int t, const int* argmax, void* dx) {
    int e = blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= planes * w.height * w.width) return;
    int ix = e % w.width, iy = e / w.width % w.height, plane = e / (w.height * w.width), at = iy * w.width + ix;
    int per = w.outHeight * w.outWidth;
    double s = 0;
    windows_over(w, iy, ix, w.dilation, [&](int, int, int oh, int ow) {
        int o = plane * per + oh * w.outWidth + ow;
        if (argmax[o] == at) s += ld(grad, t, o);
    });
    st(dx, t, e, s);
}

// Average over the k × k window, padded zeros counted (count_include_pad, PyTorch's default).
extern "C" __global__ void avg_pool(Window w, int planes, const void* x, int t, void* out) {
    int o = blockIdx.x * blockDim.x + threadIdx.x;
    int per = w.outHeight * w.outWidth;
    if (o >= planes * per) return;
    int plane = o / per, y = o % per / w.outWidth, z = o % w.outWidth;
    int src = plane * w.height * w.width;
    double s = 0;
    for (int i = 0; i < w.kernel; i++) {
        int iy = y * w.stride - w.padding + i;
        if (iy < 0 || iy >= w.height) continue;
        for (int j = 0; j < w.kernel; j++) {
            int ix = z * w.stride - w.padding + j;
            if (ix >= 0 && ix < w.width) s += ld(x, t, src + iy * w.width + ix);
        }
    }
    st(out, t, o, s / (w.kernel * w.kernel));
}

// Each input element: a k·k-th of the gradient of every output whose window holds it.
extern "C" __global__ void avg_pool_backward(Window w, int planes, const void* grad, int t, void* dx) {
    int e = blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= planes * w.height * w.width) return;
    int ix = e % w.width, iy = e / w.width % w.height, plane = e / (w.height * w.width);
    int per = w.outHeight * w.outWidth;
    double s = 0;
    windows_over(w, iy, ix, 1, [&](int, int, int oh, int ow) { s += ld(grad, t, plane * per + oh * w.outWidth + ow) / (w.kernel * w.kernel); });
    st(dx, t, e, s);
}

// A sum (or, with max, the maximum, NaN first) over a block's threads by a tree in shared memory, in double.
// The block must be a power of two in size, and every one of its threads must call it.
__device__ double block_reduce(double v, bool max, double* buf) {
    buf[threadIdx.x] = v;
    __syncthreads();
    for (int s = blockDim.x / 2; s > 0; s >>= 1) {
        if ((int) threadIdx.x < s) {
            double a = buf[threadIdx.x], b = buf[threadIdx.x + s];
            buf[threadIdx.x] = !max ? a + b : a != a ? a : b != b || b > a ? b : a;
        }
        __syncthreads();
    }
    double r = buf[0];
    __syncthreads();   // before buf is written again
    return r;
}

// Cross-entropy rows (Backend.crossEntropyRows): one thread per row of float32 logits [b, c]; targets are
// int32 or int64 (tt), a target equal to ignore contributes nothing. Same shift rule as the CPU: the row's
// maximum, or 0 if the row holds a NaN. A bad target raises *error, which the host turns into an exception.
extern "C" __global__ void cross_entropy_rows(int b, int c, const float* x, const void* t, int tt, long long ignore,
                                              float* per, double* lse, float* valid, int* error) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= b) return;
    long long raw = ld_index(t, tt, i);
    int ti = raw == ignore ? -1 : checked(raw, c, error);
    if (ti < 0) {  // ignored, or a bad target (flagged above): the row counts for nothing
        per[i] = 0;
        lse[i] = 0;
        valid[i] = 0;
        return;
    }
    const float* row = x + (long long) i * c;
    double m = -INFINITY;
    bool nan = false;
    for (int j = 0; j < c; j++) {
        float v = row[j];
        if (v != v) nan = true;
        else if (v > m) m = v;
    }
    if (nan) m = 0;
    double s = 0;
    for (int j = 0; j < c; j++) s += exp(row[j] - m);
    double l = log(s) + m;
    lse[i] = l;
    per[i] = (float) (l - row[ti]);
    valid[i] = 1;
}

// The mean over the rows that count (Backend.crossEntropyMean): one block, Σ per and Σ valid as tree reductions in
// double, then their ratio and the count.
extern "C" __global__ void cross_entropy_mean(int b, const float* per, const float* valid, float* mean, float* count) {
    __shared__ double buf[256];
    double s = 0, n = 0;
    for (int i = threadIdx.x; i < b; i += blockDim.x) {
        s += per[i];
        n += valid[i];
    }
    s = block_reduce(s, false, buf);
    n = block_reduce(n, false, buf);
    if (threadIdx.x == 0) {
        mean[0] = (float) (s / n);
        count[0] = (float) n;
    }
}

// Its gradient (Backend.crossEntropyBackward): one thread per element, scale[i] / divisor · (softmax − one-hot), 0 on
// ignored rows; divisor null for 1.
extern "C" __global__ void cross_entropy_backward(int b, int c, const float* x, const void* t, int tt, long long ignore,
                                                  const double* lse, const float* scale, int scaleStride, const float* divisor,
                                                  float* dx) {
    long long e = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= (long long) b * c) return;
    int i = (int) (e / c), j = (int) (e % c);
    long long raw = ld_index(t, tt, i);
    if (raw == ignore || raw < -c || raw >= c) {
        dx[e] = 0;
        return;
    }
    int ti = (int) (raw < 0 ? raw + c : raw);
    double p = exp(x[e] - lse[i]);
    double s = scale[(long long) i * scaleStride];
    if (divisor) s /= divisor[0];
    dx[e] = (float) (s * (j == ti ? p - 1 : p));
}

// Softmax and log-softmax of float32 rows (Backend.softmaxRows): one block per row of n values, its threads
// taking strided shares, two tree reductions in shared memory (the maximum, then Σ exp(x − max)) in double,
// then each thread writes its share. A row with a NaN, an infinity or only −∞ is NaN throughout, as on the CPU.
extern "C" __global__ void softmax_rows(int n, const float* x, float* y, int logOut) {
    __shared__ double buf[256];
    const float* row = x + (long long) blockIdx.x * n;
    float* out = y + (long long) blockIdx.x * n;
    double m = -INFINITY;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        double v = row[j];
        if (m == m && (v != v || v > m)) m = v;
    }
    m = block_reduce(m, true, buf);
    if (m != m || m == INFINITY || m == -INFINITY) {   // the same for the whole block: x − m is NaN somewhere
        for (int j = threadIdx.x; j < n; j += blockDim.x) out[j] = __longlong_as_double(0x7ff8000000000000LL);
        return;
    }
    double s = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) s += exp(row[j] - m);
    s = block_reduce(s, false, buf);
    double ls = log(s);
    for (int j = threadIdx.x; j < n; j += blockDim.x) out[j] = (float) (logOut ? row[j] - m - ls : exp(row[j] - m) / s);
}

// Its gradient (Backend.softmaxRowsBackward), one block per row: y·(g − Σ g·y), or g − exp(y)·Σ g for log-softmax.
extern "C" __global__ void softmax_rows_backward(int n, const float* y, const float* g, float* dx, int logOut) {
    __shared__ double buf[256];
    long long base = (long long) blockIdx.x * n;
    double s = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) s += logOut ? (double) g[base + j] : (double) g[base + j] * y[base + j];
    s = block_reduce(s, false, buf);
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        double gj = g[base + j], yj = y[base + j];
        dx[base + j] = (float) (logOut ? gj - exp(yj) * s : yj * (gj - s));
    }
}

// Layer normalization of float32 rows (Backend.layerNormRows): one block per row of n values; the mean, then
// Σ (x − mean)², each a tree reduction in double, then y = (x − mean) · rstd with the biased variance.
extern "C" __global__ void layer_norm_rows(int n, double eps, const float* x, float* y, float* mean, float* rstd) {
    __shared__ double buf[256];
    long long base = (long long) blockIdx.x * n;
    double s = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) s += x[base + j];
    float m = (float) (block_reduce(s, false, buf) / n);
    double q = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        double d = x[base + j] - m;
        q += d * d;
    }
    float inv = (float) (1 / sqrt(block_reduce(q, false, buf) / n + eps));
    for (int j = threadIdx.x; j < n; j += blockDim.x) y[base + j] = (x[base + j] - m) * inv;
    if (threadIdx.x == 0) {
        mean[blockIdx.x] = m;
        rstd[blockIdx.x] = inv;
    }
}

// Its gradient (Backend.layerNormRowsBackward), one block per row: rstd · (dy − mean(dy) − ŷ · mean(dy · ŷ)).
extern "C" __global__ void layer_norm_rows_backward(int n, const float* x, const float* mean, const float* rstd, const float* dy,
                                                    float* dx) {
    __shared__ double buf[256];
    long long base = (long long) blockIdx.x * n;
    float m = mean[blockIdx.x], inv = rstd[blockIdx.x];
    double sg = 0, sgy = 0;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        double g = dy[base + j];
        sg += g;
        sgy += g * ((x[base + j] - m) * inv);
    }
    double a = block_reduce(sg, false, buf) / n, b = block_reduce(sgy, false, buf) / n;
    for (int j = threadIdx.x; j < n; j += blockDim.x) {
        double yh = (x[base + j] - m) * inv;
        dx[base + j] = (float) (inv * (dy[base + j] - a - yh * b));
    }
}

// Batch normalization's training step (Backend.batchNormTrain): one block per channel c of contiguous x
// [batch, channels, spatial]; the channel's mean and biased variance over batch · spatial values (tree
// reductions in double), y = (x − mean) · rstd · w + b, and thread 0 moves the running statistics by momentum
// (the variance unbiased, as PyTorch) and keeps mean and rstd for the backward.
__device__ __forceinline__ long long channel_at(int i, int c, int channels, int spatial) {
    return ((long long) (i / spatial) * channels + c) * spatial + i % spatial;
}

extern "C" __global__ void batch_norm_train(int batch, int channels, int spatial, double momentum, double eps, const float* x,
                                            const float* w, const float* b, float* runMean, float* runVar, float* y, float* mean,
                                            float* rstd) {
    __shared__ double buf[256];
    int c = blockIdx.x, count = batch * spatial;
    double s = 0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) s += x[channel_at(i, c, channels, spatial)];
    float m = (float) (block_reduce(s, false, buf) / count);
    double q = 0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) {
        double d = x[channel_at(i, c, channels, spatial)] - m;
        q += d * d;
    }
    double var = block_reduce(q, false, buf) / count;
    float inv = (float) (1 / sqrt(var + eps)), scale = inv * w[c], shift = b[c];
    for (int i = threadIdx.x; i < count; i += blockDim.x) {
        long long at = channel_at(i, c, channels, spatial);
        y[at] = (x[at] - m) * scale + shift;
    }
    if (threadIdx.x == 0) {
        mean[c] = m;
        rstd[c] = inv;
        runMean[c] = (float) ((1 - momentum) * runMean[c] + momentum * m);
        runVar[c] = (float) ((1 - momentum) * runVar[c] + momentum * var * count / (count > 1 ? count - 1 : 1));
    }
}

// Batch normalization in eval mode (Backend.batchNormEval), one thread per element of contiguous x [*, channels,
// spatial]: y = (x − runMean) · w / sqrt(runVar + eps) + b.
extern "C" __global__ void batch_norm_eval(int n, int channels, int spatial, double eps, const float* x, const float* w, const float* b,
                                           const float* runMean, const float* runVar, float* y) {
    int i = blockIdx.x * blockDim.x + threadIdx.x;
    if (i >= n) return;
    int c = i / spatial % channels;
    float scale = (float) (w[c] / sqrt(runVar[c] + eps));
    y[i] = (x[i] - runMean[c]) * scale + b[c];
}

// The training step's gradients (Backend.batchNormBackward), one block per channel: dw = Σ dy · ŷ, db = Σ dy, and
// dx = w · rstd · (dy − mean(dy) − ŷ · mean(dy · ŷ)).
extern "C" __global__ void batch_norm_backward(int batch, int channels, int spatial, const float* x, const float* w, const float* mean,
                                               const float* rstd, const float* dy, float* dx, float* dw, float* db) {
    __shared__ double buf[256];
    int c = blockIdx.x, count = batch * spatial;
    float m = mean[c], inv = rstd[c];
    double sg = 0, sgy = 0;
    for (int i = threadIdx.x; i < count; i += blockDim.x) {
        long long at = channel_at(i, c, channels, spatial);
        sg += dy[at];
        sgy += (double) dy[at] * ((x[at] - m) * inv);
    }
    sg = block_reduce(sg, false, buf);
    sgy = block_reduce(sgy, false, buf);
    double a = sg / count, bb = sgy / count, k = (double) w[c] * inv;
    for (int i = threadIdx.x; i < count; i += blockDim.x) {
        long long at = channel_at(i, c, channels, spatial);
        dx[at] = (float) (k * (dy[at] - a - ((x[at] - m) * inv) * bb));
    }
    if (threadIdx.x == 0) {
        dw[c] = (float) sgy;
        db[c] = (float) sg;
    }
}

// Step s of an LSTM layer's recurrence (Backend.lstmStep), one thread per (row, unit): the four gates'
// activations, c and h in one pass, as org.nnc.nn.LstmCell's row loop does on the CPU. The [B, T, *] buffers
// hold row r's step s at row r*t + s. The gates are this step's product h*W_hh^T + b_hh ([B, 4H]) plus its
// input projection (rows xld apart); act and tanhC are kept for the backward, and h and c also go one step
// on, into hPrev and cPrev, where the next step's product and cell read them.
__device__ __forceinline__ float sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }

extern "C" __global__ void lstm_step(int b, int t, int s, int hid, const float* gates, const float* xp, int xld, float* out,
                                     float* hPrev, float* cPrev, float* act, float* tanhC) {
    int e = blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= b * hid) return;
    int r = e / hid, j = e % hid;
    long long row = (long long) r * t + s;
    const float* g = gates + (long long) r * 4 * hid;
    const float* x = xp + (long long) r * xld;
    float* a = act + row * 4 * hid;
    float i = sigmoidf(g[j] + x[j]), f = sigmoidf(g[hid + j] + x[hid + j]);
    float gg = tanhf(g[2 * hid + j] + x[2 * hid + j]), o = sigmoidf(g[3 * hid + j] + x[3 * hid + j]);
    float c = f * cPrev[row * hid + j] + i * gg, tc = tanhf(c), h = o * tc;
    a[j] = i;
    a[hid + j] = f;
    a[2 * hid + j] = gg;
    a[3 * hid + j] = o;
    tanhC[row * hid + j] = tc;
    out[row * hid + j] = h;
    if (s + 1 < t) {
        hPrev[(row + 1) * hid + j] = h;
        cPrev[(row + 1) * hid + j] = c;
    }
}

// Its backward (Backend.lstmStepBackward), from the last step to the first: the gates' gradients of step s
// into dg [B, T, 4H], from dh (what the later steps sent back through W_hh, [B, H]) plus dy's step s (rows
// dyld apart), and dc, which becomes cPrev's gradient in place.
extern "C" __global__ void lstm_step_backward(int b, int t, int s, int hid, const float* dy, int dyld, const float* dh,
                                              float* dc, const float* act, const float* tanhC, const float* cPrev, float* dg) {
    int e = blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= b * hid) return;
    int r = e / hid, j = e % hid;
    long long row = (long long) r * t + s;
    const float* a = act + row * 4 * hid;
    float* d4 = dg + row * 4 * hid;
    float i = a[j], f = a[hid + j], gg = a[2 * hid + j], o = a[3 * hid + j], tc = tanhC[row * hid + j];
    float h = dh[e] + dy[(long long) r * dyld + j];
    float d = dc[e] + h * o * (1 - tc * tc);
    d4[j] = d * gg * i * (1 - i);
    d4[hid + j] = d * cPrev[row * hid + j] * f * (1 - f);
    d4[2 * hid + j] = d * i * (1 - gg * gg);
    d4[3 * hid + j] = h * tc * o * (1 - o);
    dc[e] = d * f;
}

// Step s of a GRU layer's recurrence (Backend.gruStep), one thread per (row, unit), over [B, T, *] buffers as
// lstm_step's: r = sigmoid(x_r + h_r), z = sigmoid(x_z + h_z), n = tanh(x_n + r*h_n) and h' = (1 - z)*n + z*h,
// where hh is this step's product h*W_hh^T + b_hh ([B, 3H]) and the input projection's rows are xld apart.
// (r, z, n) and h_n are kept for the backward; h' also goes one step on, into hPrev.
extern "C" __global__ void gru_step(int b, int t, int s, int hid, const float* hh, const float* xp, int xld, float* out,
                                    float* hPrev, float* act, float* hn) {
    int e = blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= b * hid) return;
    int r = e / hid, j = e % hid;
    long long row = (long long) r * t + s;
    const float* g = hh + (long long) r * 3 * hid;
    const float* x = xp + (long long) r * xld;
    float* a = act + row * 3 * hid;
    float rr = sigmoidf(x[j] + g[j]), z = sigmoidf(x[hid + j] + g[hid + j]);
    float n = tanhf(x[2 * hid + j] + rr * g[2 * hid + j]);
    float h = (-z + 1) * n + z * hPrev[row * hid + j];
    a[j] = rr;
    a[hid + j] = z;
    a[2 * hid + j] = n;
    hn[row * hid + j] = g[2 * hid + j];
    out[row * hid + j] = h;
    if (s + 1 < t) hPrev[(row + 1) * hid + j] = h;
}

// Its backward (Backend.gruStepBackward), from the last step to the first: h's gradient at step s is what the
// later step sent back through W_hh (dh) and through z*h (direct), plus dy's step s (rows dyld apart). Writes
// step s of the projection's gradient dp and of the hidden product's dhh (dp with its n part scaled by r),
// and the direct part for step s - 1 in place.
extern "C" __global__ void gru_step_backward(int b, int t, int s, int hid, const float* dy, int dyld, const float* dh,
                                             float* direct, const float* act, const float* hn, const float* hPrev, float* dp,
                                             float* dhh) {
    int e = blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= b * hid) return;
    int r = e / hid, j = e % hid;
    long long row = (long long) r * t + s;
    const float* a = act + row * 3 * hid;
    float g = dh[e] + direct[e] + dy[(long long) r * dyld + j];
    float rr = a[j], z = a[hid + j], n = a[2 * hid + j];
    float dn = g * (1 - z) * (1 - n * n);
    float dz = g * (hPrev[row * hid + j] - n) * z * (1 - z);
    float dr = dn * hn[row * hid + j] * rr * (1 - rr);
    float* p = dp + row * 3 * hid;
    float* q = dhh + row * 3 * hid;
    p[j] = q[j] = dr;
    p[hid + j] = q[hid + j] = dz;
    p[2 * hid + j] = dn;
    q[2 * hid + j] = dn * rr;
    direct[e] = g * z;
}

// Fused optimizer steps (Backend.sgdStep(s) / adamStep(s)), for up to PARAMS contiguous float32 parameters in
// one launch, their addresses passed by value as kernel arguments (1,040 and 1,296 bytes; the limit is 4 KiB):
// one thread per element of all of them, parameter k holding elements start[k] to start[k + 1]. A model's
// step is then one launch, where the composed form took three to eleven element-wise launches per parameter.
#define PARAMS 32
struct ParamList {
    long long n;
    long long start[PARAMS + 1];
    long long p[PARAMS], d[PARAMS], buf[PARAMS];
};

// The parameter that element e of the list belongs to.
__device__ __forceinline__ int param_of(const long long* start, long long e) {
    int k = 0;
    while (e >= start[k + 1]) k++;
    return k;
}

extern "C" __global__ void sgd_step_multi(ParamList l, float lr, float momentum, float dampening, int nesterov) {
    long long e = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= l.start[l.n]) return;
    int k = param_of(l.start, e);
    long long i = e - l.start[k];
    float *p = (float*) l.p[k], *buf = (float*) l.buf[k];
    const float* d = (const float*) l.d[k];
    float b = buf[i] * momentum + (1 - dampening) * d[i];
    buf[i] = b;
    p[i] -= lr * (nesterov ? d[i] + momentum * b : b);
}

struct AdamList {
    long long n;
    long long start[PARAMS + 1];
    long long p[PARAMS], d[PARAMS], m[PARAMS], v[PARAMS];
};

extern "C" __global__ void adam_step_multi(AdamList l, float lr, float beta1, float beta2, float eps, float c1, float c2) {
    long long e = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (e >= l.start[l.n]) return;
    int k = param_of(l.start, e);
    long long i = e - l.start[k];
    float *p = (float*) l.p[k], *m = (float*) l.m[k], *v = (float*) l.v[k];
    float g = ((const float*) l.d[k])[i];
    float mi = m[i] * beta1 + (1 - beta1) * g;
    float vi = v[i] * beta2 + (1 - beta2) * g * g;
    m[i] = mi;
    v[i] = vi;
    p[i] -= (lr / c1) * mi / (sqrtf(vi) / sqrtf(c2) + eps);
}
