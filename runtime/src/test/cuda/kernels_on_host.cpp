// nnc_kernels.cu compiled for the CPU and checked against plain loops, so that index arithmetic, the
// reduction's tie and NaN rules and the GEMM tiling are tested on machines without a GPU (CUDA's own
// rounding and atomics are not: the CUDA tests on a GPU cover those). host_gpu.h says how a grid runs.
//
// Built and run by CudaKernelsOnHostTest:  g++ -std=c++20 -O1 kernels_on_host.cpp
#include "host_gpu.h"

#include <algorithm>

#include "../../main/cuda/nnc_kernels.cu"

using host_gpu::launch;

static int failures = 0;
static void expect(bool ok, const char* what, double got, double want) {
    if (!ok) {
        std::printf("FAIL %s: got %.17g, want %.17g\n", what, got, want);
        failures++;
    }
}
static bool same(double a, double b) { return (a != a && b != b) || a == b || std::fabs(a - b) <= 1e-12 * std::fabs(b); }

static Geom geom(int ndim, const int* shape, int nops, const int strides[][MAXD], const int* offsets) {
    Geom g{};
    g.ndim = ndim;
    g.n = 1;
    for (int d = 0; d < ndim; d++) {
        g.shape[d] = shape[d];
        g.n *= shape[d];
        for (int k = 0; k < nops; k++) g.stride[k][d] = strides[k][d];
    }
    for (int k = 0; k < nops; k++) g.offset[k] = offsets[k];
    return g;
}

static unsigned blocks(int n) { return (unsigned) ((n + 255) / 256); }

int main() {
    // The Java side writes Geom as ints: ndim, n, shape[8], stride[4][8], offset[4] (CudaBackend.geom).
    static_assert(offsetof(Geom, n) == 4 && offsetof(Geom, shape) == 8 && offsetof(Geom, stride) == 40 &&
                  offsetof(Geom, offset) == 168 && sizeof(Geom) == 184, "Geom layout");
    static_assert(sizeof(Window) == 32, "Window layout");

    {  // unary over a transposed operand with an offset: out[i][j] = exp(x[j][i])
        std::vector<double> x(1 + 12);
        for (int i = 0; i < 13; i++) x[i] = 0.1 * i - 0.5;
        std::vector<float> out(12);
        int shape[] = {3, 4}, st[][MAXD] = {{4, 1}, {1, 3}}, off[] = {0, 1};
        Geom g = geom(2, shape, 2, st, off);
        launch({blocks(12)}, {256}, false, [&] { unary(g, UnaryFn::EXP, 0, 0, x.data(), 1, out.data(), 0); });
        for (int i = 0; i < 3; i++)
            for (int j = 0; j < 4; j++) expect(same(out[i * 4 + j], (float) std::exp(x[1 + j * 3 + i])), "unary exp transposed", out[i * 4 + j], std::exp(x[1 + j * 3 + i]));
    }
    {  // ReLU keeps NaN (as PyTorch) and maps -0 to +0
        std::vector<double> x = {-1, NAN, -0.0, 2}, y(4);
        int shape[] = {4}, st[][MAXD] = {{1}, {1}}, off[] = {0, 0};
        Geom g = geom(1, shape, 2, st, off);
        launch({1}, {256}, false, [&] { unary(g, UnaryFn::RELU, 0, 0, x.data(), 1, y.data(), 1); });
        expect(y[0] == 0 && y[1] != y[1] && y[2] == 0 && !std::signbit(y[2]) && y[3] == 2, "relu", y[1], NAN);
    }
    {  // int64 copies exactly, and float to int32 follows Java's casts
        std::vector<long long> x = {(1LL << 60) + 1, -7}, y(2);
        int shape[] = {2}, st[][MAXD] = {{1}, {1}}, off[] = {0, 0};
        Geom g = geom(1, shape, 2, st, off);
        launch({1}, {256}, false, [&] { unary(g, UnaryFn::IDENTITY, 0, 0, x.data(), 3, y.data(), 3); });
        expect(y[0] == x[0] && y[1] == -7, "int64 identity", (double) y[0], (double) x[0]);
        std::vector<float> f = {NAN, 3e10f, -2.7f};
        std::vector<int> i(3);
        int shape3[] = {3};
        Geom g3 = geom(1, shape3, 2, st, off);
        launch({1}, {256}, false, [&] { unary(g3, UnaryFn::IDENTITY, 0, 0, f.data(), 0, i.data(), 2); });
        expect(i[0] == 0 && i[1] == 2147483647 && i[2] == -2, "float to int32", i[1], 2147483647);
    }
    {  // binary with broadcasting (b has stride 0 on dim 0), comparisons into bool, Java max on NaN and ±0
        std::vector<double> a = {1, 5, NAN, -0.0, 2, 0.0}, b = {2, 5, 1};
        std::vector<double> out(6);
        std::vector<unsigned char> lt(6);
        int shape[] = {2, 3}, st[][MAXD] = {{3, 1}, {3, 1}, {0, 1}}, off[] = {0, 0, 0};
        Geom g = geom(2, shape, 3, st, off);
        launch({1}, {256}, false, [&] { binary(g, BinaryFn::MAX, a.data(), 1, b.data(), 1, out.data(), 1); });
        double want[] = {2, 5, NAN, 2, 5, 1};
        for (int i = 0; i < 6; i++) expect(same(out[i], want[i]), "binary max broadcast", out[i], want[i]);
        launch({1}, {256}, false, [&] { binary(g, BinaryFn::LT, a.data(), 1, b.data(), 1, lt.data(), 4); });
        unsigned char wantLt[] = {1, 0, 0, 1, 1, 1};
        for (int i = 0; i < 6; i++) expect(lt[i] == wantLt[i], "binary lt", lt[i], wantLt[i]);
        std::vector<double> z1 = {-0.0}, z2 = {0.0}, z(1);
        int one[] = {1}, s1[][MAXD] = {{1}, {1}, {1}};
        Geom g1 = geom(1, one, 3, s1, off);
        launch({1}, {256}, false, [&] { binary(g1, BinaryFn::MAX, z1.data(), 1, z2.data(), 1, z.data(), 1); });
        expect(!std::signbit(z[0]), "max(-0, +0) is +0", z[0], 0.0);
    }
    {  // where_ with a broadcast condition, and fill over a strided view
        std::vector<unsigned char> cond = {1, 0, 1};
        std::vector<double> a = {1, 2, 3, 4, 5, 6}, b = {-1};
        std::vector<float> out(6);
        int shape[] = {2, 3}, st[][MAXD] = {{3, 1}, {0, 1}, {3, 1}, {0, 0}}, off[] = {0, 0, 0, 0};
        Geom g = geom(2, shape, 4, st, off);
        launch({1}, {256}, false, [&] { where_(g, cond.data(), a.data(), 1, b.data(), 1, out.data(), 0); });
        float want[] = {1, -1, 3, 4, -1, 6};
        for (int i = 0; i < 6; i++) expect(out[i] == want[i], "where_", out[i], want[i]);
        std::vector<long long> f(8, 9);
        int fshape[] = {4}, fst[][MAXD] = {{2}}, foff[] = {1};
        Geom gf = geom(1, fshape, 1, fst, foff);
        launch({1}, {256}, false, [&] { fill(gf, -3, f.data(), 3); });
        long long wantF[] = {9, -3, 9, -3, 9, -3, 9, -3};
        for (int i = 0; i < 8; i++) expect(f[i] == wantF[i], "fill every other element", (double) f[i], (double) wantF[i]);
    }
    {  // reduce: sums and first-extreme / first-NaN rules with threads sharing the work
        const int len = 1000;
        std::vector<float> x(2 * len);
        for (int i = 0; i < 2 * len; i++) x[i] = (float) ((i * 37) % 101);
        x[len + 500] = NAN;
        x[len + 900] = NAN;
        std::vector<long long> arg(2);
        std::vector<double> sum(2);
        int shape[] = {2}, st[][MAXD] = {{1}, {len}}, off[] = {0, 0};
        Geom g = geom(1, shape, 2, st, off);
        launch({2}, {256}, true, [&] { reduce(g, ReduceFn::ARGMAX, len, 1, x.data(), 0, arg.data(), 3); });
        long long want0 = 0;
        for (int i = 1; i < len; i++)
            if (x[i] > x[want0]) want0 = i;
        expect(arg[0] == want0, "argmax is the first maximum", (double) arg[0], (double) want0);
        expect(arg[1] == 500, "argmax is the first NaN", (double) arg[1], 500);
        launch({2}, {256}, true, [&] { reduce(g, ReduceFn::SUM, len, 1, x.data(), 0, sum.data(), 1); });
        double want = 0;
        for (int i = 0; i < len; i++) want += x[i];
        expect(same(sum[0], want), "sum", sum[0], want);
        std::vector<float> ties = {3, 1, 1, 3, 0, 1, 0, 0};  // [2, 4] reduced over dim 0 (step 4): per column
        std::vector<long long> amin(4);
        int shape4[] = {4}, st4[][MAXD] = {{1}, {1}};
        Geom g4 = geom(1, shape4, 2, st4, off);
        launch({4}, {32}, true, [&] { reduce(g4, ReduceFn::ARGMIN, 2, 4, ties.data(), 0, amin.data(), 3); });
        long long wantMin[] = {1, 0, 1, 1};
        for (int i = 0; i < 4; i++) expect(amin[i] == wantMin[i], "argmin over a strided dim, ties first", (double) amin[i], (double) wantMin[i]);
    }
    {  // batched GEMM: A [2, 70, 45] shared by both batches (stride 0), stored transposed; B [2, 45, 130]
        const int m = 70, n = 130, k = 45;
        std::vector<float> at(k * m), b(2 * k * n), c(2 * m * n);
        for (int i = 0; i < k * m; i++) at[i] = (float) ((i * 7) % 13 - 6) / 4;
        for (int i = 0; i < 2 * k * n; i++) b[i] = (float) ((i * 5) % 11 - 5) / 8;
        launch({(n + 63) / 64, (m + 63) / 64, 2}, {256}, true,
               [&] { gemm_f32(m, n, k, k, at.data(), 0, 1, m, b.data(), k * n, n, 1, c.data(), nullptr, 0, 0); });
        for (int bt = 0; bt < 2; bt++)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    double want = 0;
                    for (int p = 0; p < k; p++) want += (double) at[p * m + i] * b[bt * k * n + p * n + j];
                    double got = c[bt * m * n + i * n + j];
                    if (std::fabs(got - want) > 1e-4 * (1 + std::fabs(want))) {
                        expect(false, "gemm", got, want);
                        bt = 2, i = m, j = n;
                    }
                }
        // Split over the depth, slices of 16, 16 and 13 into a workspace [2][3][m][n], then added in order with
        // a bias per column and ReLU: the unsplit product's sums, in another grouping.
        const int slices = 3;
        std::vector<float> ws(2 * slices * m * n), split(2 * m * n), bias(n);
        for (int j = 0; j < n; j++) bias[j] = (float) (j % 9 - 4) / 4;
        launch({(n + 63) / 64, (m + 63) / 64, 2 * slices}, {256}, true,
               [&] { gemm_f32(m, n, k, 16, at.data(), 0, 1, m, b.data(), k * n, n, 1, ws.data(), nullptr, 0, 0); });
        launch({blocks(2 * m * n)}, {256}, false,
               [&] { gemm_split_sum(2 * m * n, slices, m, n, ws.data(), split.data(), 0, bias.data(), 0, 1); });
        for (int i = 0; i < 2 * m * n; i++) {
            double want = std::max(0.0, (double) c[i] + bias[i % n]);
            if (std::fabs(split[i] - want) > 1e-4 * (1 + std::fabs(want))) {
                expect(false, "gemm split over the depth, bias per column, ReLU", split[i], want);
                break;
            }
        }
    }
    {  // the layer epilogue: bias per row then ReLU, and bias per column
        const int m = 5, n = 70, k = 3;
        std::vector<float> a(m * k), b(k * n), c(m * n), rowBias(m), colBias(n);
        for (int i = 0; i < m * k; i++) a[i] = (float) (i % 7 - 3);
        for (int i = 0; i < k * n; i++) b[i] = (float) (i % 5 - 2) / 2;
        for (int i = 0; i < m; i++) rowBias[i] = (float) i - 2;
        for (int j = 0; j < n; j++) colBias[j] = (float) (j % 3) - 1;
        for (int perRow = 0; perRow < 2; perRow++) {
            launch({(n + 63) / 64, 1, 1}, {256}, true, [&] {
                gemm_f32(m, n, k, k, a.data(), 0, k, 1, b.data(), 0, n, 1, c.data(), perRow ? rowBias.data() : colBias.data(), perRow,
                         perRow);
            });
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) {
                    float want = 0;
                    for (int p = 0; p < k; p++) want = std::fma(a[i * k + p], b[p * n + j], want);
                    want += perRow ? rowBias[i] : colBias[j];
                    if (perRow) want = want > 0 ? want : 0;
                    expect(c[i * n + j] == want, perRow ? "gemm bias per row + relu" : "gemm bias per column", c[i * n + j], want);
                }
        }
    }
    {  // im2col then col2im with stride 2, padding 1, dilation 2; max and average pooling with padding
        const int B = 2, C = 3, H = 7, W = 6, K = 3;
        Window w{K, 2, 1, 2, H, W, 0, 0};
        w.outHeight = (H + 2 * w.padding - w.dilation * (K - 1) - 1) / w.stride + 1;
        w.outWidth = (W + 2 * w.padding - w.dilation * (K - 1) - 1) / w.stride + 1;
        int L = w.outHeight * w.outWidth, n = B * C * K * K * L;
        std::vector<double> x(B * C * H * W), cols(n), back(B * C * H * W), wantBack(B * C * H * W);
        for (size_t i = 0; i < x.size(); i++) x[i] = (double) i;
        launch({blocks(n)}, {256}, false, [&] { im2col(w, B * C, x.data(), 1, cols.data()); });
        std::fill(back.begin(), back.end(), NAN);   // the window backwards write every element: no zeroing
        launch({blocks(B * C * H * W)}, {256}, false, [&] { col2im(w, B * C, cols.data(), 1, back.data()); });
        for (int p = 0; p < B * C; p++)
            for (int i = 0; i < K; i++)
                for (int j = 0; j < K; j++)
                    for (int oh = 0; oh < w.outHeight; oh++)
                        for (int ow = 0; ow < w.outWidth; ow++) {
                            int iy = oh * 2 - 1 + i * 2, ix = ow * 2 - 1 + j * 2;
                            bool in = iy >= 0 && iy < H && ix >= 0 && ix < W;
                            double want = in ? x[p * H * W + iy * W + ix] : 0;
                            double got = cols[((p * K + i) * K + j) * L + oh * w.outWidth + ow];
                            expect(got == want, "im2col", got, want);
                            if (in) wantBack[p * H * W + iy * W + ix] += want;
                        }
        for (size_t i = 0; i < x.size(); i++) expect(back[i] == wantBack[i], "col2im", back[i], wantBack[i]);

        Window pw{3, 1, 1, 1, H, W, H, W};
        std::vector<float> xf(B * C * H * W), mx(B * C * H * W), av(B * C * H * W);
        for (size_t i = 0; i < xf.size(); i++) xf[i] = (float) ((i * 29) % 17);
        xf[5] = NAN;
        std::vector<int> arg(B * C * H * W);
        int outs = B * C * H * W;
        launch({blocks(outs)}, {256}, false, [&] { max_pool(pw, B * C, xf.data(), 0, mx.data(), arg.data()); });
        launch({blocks(outs)}, {256}, false, [&] { avg_pool(pw, B * C, xf.data(), 0, av.data()); });
        for (int p = 0; p < B * C; p++)
            for (int y = 0; y < H; y++)
                for (int z = 0; z < W; z++) {
                    double best = -INFINITY, sum = 0;
                    int at = -1;
                    for (int i = -1; i <= 1; i++)
                        for (int j = -1; j <= 1; j++) {
                            int iy = y + i, ix = z + j;
                            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                            double v = xf[p * H * W + iy * W + ix];
                            sum += v;
                            if (v > best || at < 0 || v != v) best = v, at = iy * W + ix;
                        }
                    int o = p * H * W + y * W + z;
                    expect(same(mx[o], best) && arg[o] == at, "max pool", arg[o], at);
                    if (sum == sum) expect(std::fabs(av[o] - sum / 9) < 1e-5, "avg pool", av[o], sum / 9);
                }
        // The backwards: each output's gradient goes to its maximum, or a ninth to each window element.
        std::vector<float> g(outs), dmax(B * C * H * W), davg(B * C * H * W), wantMax(B * C * H * W), wantAvg(B * C * H * W);
        for (int o = 0; o < outs; o++) g[o] = (float) (o % 7) - 3;
        std::fill(dmax.begin(), dmax.end(), NAN);
        std::fill(davg.begin(), davg.end(), NAN);
        launch({blocks(B * C * H * W)}, {256}, false, [&] { max_pool_backward(pw, B * C, g.data(), 0, arg.data(), dmax.data()); });
        launch({blocks(B * C * H * W)}, {256}, false, [&] { avg_pool_backward(pw, B * C, g.data(), 0, davg.data()); });
        for (int o = 0; o < outs; o++) {
            int p = o / (H * W), y = o % (H * W) / W, z = o % W;
            wantMax[p * H * W + arg[o]] += g[o];
            for (int i = -1; i <= 1; i++)
                for (int j = -1; j <= 1; j++) {
                    int iy = y + i, ix = z + j;
                    if (iy >= 0 && iy < H && ix >= 0 && ix < W) wantAvg[p * H * W + iy * W + ix] += g[o] / 9.0f;
                }
        }
        for (int i = 0; i < B * C * H * W; i++) {
            expect(dmax[i] == wantMax[i], "max pool backward", dmax[i], wantMax[i]);
            expect(std::fabs(davg[i] - wantAvg[i]) < 1e-5, "avg pool backward", davg[i], wantAvg[i]);
        }
    }
    {  // gather along dim 1 with a negative index, scatter_add accumulating repeats, and the bad-index flag
        std::vector<double> x = {10, 11, 12, 20, 21, 22}, out(4);
        std::vector<long long> idx = {2, -3, 1, 1};
        int err = 0;
        int shape[] = {2, 2}, st[][MAXD] = {{2, 1}, {2, 1}, {3, 0}}, off[] = {0, 0, 0};
        Geom g = geom(2, shape, 3, st, off);
        launch({1}, {256}, false, [&] { gather(g, idx.data(), 3, 3, 1, x.data(), 1, out.data(), 1, &err); });
        double want[] = {12, 10, 21, 21};
        for (int i = 0; i < 4; i++) expect(out[i] == want[i], "gather", out[i], want[i]);
        expect(err == 0, "no bad index", err, 0);
        std::vector<double> acc(6);
        int sst[][MAXD] = {{3, 0}, {2, 1}, {2, 1}};
        Geom gs = geom(2, shape, 3, sst, off);
        std::vector<double> src = {1, 2, 3, 4};
        launch({1}, {256}, false, [&] { scatter_add(gs, idx.data(), 3, 3, 1, src.data(), 1, acc.data(), 1, &err); });
        double wantAcc[] = {2, 0, 1, 0, 7, 0};
        for (int i = 0; i < 6; i++) expect(acc[i] == wantAcc[i], "scatter_add", acc[i], wantAcc[i]);
        idx[3] = 3;
        launch({1}, {256}, false, [&] { gather(g, idx.data(), 3, 3, 1, x.data(), 1, out.data(), 1, &err); });
        expect(err != 0, "a bad index raises the flag", err, 1);
    }
    {  // cross-entropy rows and gradient: an ignored row, a negative target, a NaN row, a bad target
        const int b = 4, c = 3;
        std::vector<float> x = {1, 2, 3, -1, 0, 1, 0, NAN, 1, 5, 5, 5};
        std::vector<long long> t = {2, -100, -1, 0};
        std::vector<float> per(b), valid(b), scale = {0.5f, 1, 2, 1}, dx(b * c);
        std::vector<double> lse(b);
        int err = 0;
        launch({1}, {256}, false, [&] { cross_entropy_rows(b, c, x.data(), t.data(), 3, -100, per.data(), lse.data(), valid.data(), &err); });
        double l0 = std::log(std::exp(1 - 3.0) + std::exp(2 - 3.0) + 1) + 3;
        expect(std::fabs(per[0] - (float) (l0 - 3)) < 1e-6 && valid[0] == 1, "cross-entropy row", per[0], l0 - 3);
        expect(per[1] == 0 && valid[1] == 0, "ignored row", per[1], 0);
        expect(per[2] != per[2], "a NaN row gives NaN", per[2], NAN);
        expect(std::fabs(per[3] - std::log(3.0)) < 1e-6, "equal logits: log c", per[3], std::log(3.0));
        expect(err == 0, "no bad target", err, 0);
        float two = 2;   // the divisor: a mean's count
        launch({1}, {256}, false, [&] { cross_entropy_backward(b, c, x.data(), t.data(), 3, -100, lse.data(), scale.data(), 1, &two, dx.data()); });
        for (int j = 0; j < c; j++) {
            double p = std::exp(x[j] - lse[0]);
            expect(std::fabs(dx[j] - 0.25 * (j == 2 ? p - 1 : p)) < 1e-6, "cross-entropy gradient", dx[j], 0.25 * (j == 2 ? p - 1 : p));
            expect(dx[3 + j] == 0, "ignored row has no gradient", dx[3 + j], 0);
            expect(std::fabs(dx[9 + j] - (j == 0 ? 1 / 3.0 - 1 : 1 / 3.0) / 2) < 1e-6, "uniform row", dx[9 + j], 1 / 6.0);
        }
        std::vector<float> rows = {1, 0, 2, 3}, counts = {1, 0, 1, 1}, none(4);
        float mean = 0, count = 0;
        launch({1}, {32}, true, [&] { cross_entropy_mean(b, rows.data(), counts.data(), &mean, &count); });
        expect(mean == 2 && count == 3, "the mean over the rows that count", mean, 2);
        launch({1}, {32}, true, [&] { cross_entropy_mean(b, none.data(), none.data(), &mean, &count); });   // ignored rows' losses are 0
        expect(mean != mean && count == 0, "no row counts: 0 / 0", mean, NAN);
        t[3] = 3;
        launch({1}, {256}, false, [&] { cross_entropy_rows(b, c, x.data(), t.data(), 3, -100, per.data(), lse.data(), valid.data(), &err); });
        expect(err != 0, "a bad target raises the flag", err, 1);
    }
    {  // fused optimizer steps against the formulas, three steps each, the five elements as two parameters (2 + 3)
        const int n = 5;
        std::vector<float> p = {1, -2, 3, 0.5f, -0.25f}, d = {0.1f, -0.2f, 0.3f, 0, 1}, buf(n), m(n), v(n), q = p;
        std::vector<double> wp(p.begin(), p.end()), wb(n), wq(p.begin(), p.end()), wm(n), wv(n);
        auto at = [](std::vector<float>& x, int i) { return (long long) (x.data() + i); };
        ParamList sl{};
        sl.n = 2;
        sl.start[1] = 2;
        sl.start[2] = n;
        AdamList al{};
        al.n = 2;
        al.start[1] = 2;
        al.start[2] = n;
        for (int k = 0, from = 0; k < 2; from = sl.start[++k]) {
            sl.p[k] = at(p, from), sl.d[k] = at(d, from), sl.buf[k] = at(buf, from);
            al.p[k] = at(q, from), al.d[k] = at(d, from), al.m[k] = at(m, from), al.v[k] = at(v, from);
        }
        for (int step = 1; step <= 3; step++) {
            launch({1}, {256}, false, [&] { sgd_step_multi(sl, 0.1f, 0.9f, 0, 1); });
            double c1 = 1 - std::pow(0.9, step), c2 = 1 - std::pow(0.999, step);
            launch({1}, {256}, false, [&] { adam_step_multi(al, 0.01f, 0.9f, 0.999f, 1e-8f, (float) c1, (float) c2); });
            for (int i = 0; i < n; i++) {
                wb[i] = 0.9 * wb[i] + d[i];
                wp[i] -= 0.1 * (d[i] + 0.9 * wb[i]);
                wm[i] = 0.9 * wm[i] + 0.1 * d[i];
                wv[i] = 0.999 * wv[i] + 0.001 * d[i] * d[i];
                wq[i] -= 0.01 / c1 * wm[i] / (std::sqrt(wv[i]) / std::sqrt(c2) + 1e-8);
            }
        }
        for (int i = 0; i < n; i++) {
            expect(std::fabs(p[i] - wp[i]) < 1e-5, "sgd step (nesterov)", p[i], wp[i]);
            expect(std::fabs(q[i] - wq[i]) < 1e-5, "adam step", q[i], wq[i]);
        }
    }
    if (host_gpu::fault) {
        std::printf("FAIL %s\n", host_gpu::fault);
        failures++;
    }
    if (failures == 0) std::printf("all kernel checks passed\n");
    return failures == 0 ? 0 : 1;
}
