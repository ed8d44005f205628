/*
 * A stand-in for libcublas with the entry points nnc binds, computing on host memory exactly as cuBLAS
 * defines them (column-major, op N or T, strided batches). CublasBindingTest compiles it with the C
 * compiler and calls it through the same FFM binding as the real library, which checks the symbol
 * names, the argument order and types, and the layout mapping, on machines without a GPU.
 */
#include <stdint.h>

static int last_math_mode = -1;
static int handles = 0;

int cublasCreate_v2(void **handle) { *handle = (void *) (intptr_t) (0x1000 + ++handles); return 0; }
int cublasSetMathMode(void *handle, int mode) { (void) handle; last_math_mode = mode; return 0; }
int fake_last_math_mode(void) { return last_math_mode; }

#define GEMM(NAME, T)                                                                                   \
int NAME(void *handle, int transa, int transb, int m, int n, int k, const T *alpha, const T *A, int lda, \
         long long strideA, const T *B, int ldb, long long strideB, const T *beta, T *C, int ldc,        \
         long long strideC, int batch) {                                                                 \
    if (handle == 0 || lda < (transa ? k : m) || ldb < (transb ? n : k) || ldc < m) return 7;           \
    for (int b = 0; b < batch; b++) {                                                                    \
        const T *a = A + b * strideA, *bb = B + b * strideB;                                             \
        T *c = C + b * strideC;                                                                          \
        for (int j = 0; j < n; j++)                                                                      \
            for (int i = 0; i < m; i++) {                                                                \
                double s = 0;                                                                            \
                for (int p = 0; p < k; p++) {                                                            \
                    double x = transa ? a[p + (long) i * lda] : a[i + (long) p * lda];                   \
                    double y = transb ? bb[j + (long) p * ldb] : bb[p + (long) j * ldb];                 \
                    s += x * y;                                                                          \
                }                                                                                        \
                c[i + (long) j * ldc] = (T) (*alpha * s + (*beta == 0 ? 0 : *beta * c[i + (long) j * ldc])); \
            }                                                                                            \
    }                                                                                                    \
    return 0;                                                                                            \
}

GEMM(cublasSgemmStridedBatched, float)
GEMM(cublasDgemmStridedBatched, double)
