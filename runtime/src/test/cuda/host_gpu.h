// What nnc_kernels.cu needs of CUDA, made of C++ so that the kernels compile and run on the CPU:
// dim3 and the thread indices, the intrinsics the kernels call, atomics, and a launch that runs a grid.
// Shared by kernels_on_host.cpp (the kernels against plain loops) and emulated_driver.cpp (the driver API
// over host memory, so that the Java backend's CUDA tests run without a GPU).
//
// A launch runs the blocks in turn. Within a block, a kernel that never synchronizes runs its threads one
// after another; one that does runs each thread as a fiber (its own stack) on the calling thread, and
// __syncthreads switches to the next fiber until all of the block's threads have arrived. So __shared__
// arrays can be statics, threads meet at barriers as they would on a GPU, and a block costs no OS
// threads. What this cannot show is CUDA's own arithmetic (fused operations, float atomics' order) or
// anything about speed: the CUDA tests on a GPU cover those.
#pragma once

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};
inline dim3 threadIdx, blockIdx, blockDim, gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(n)
#define __align__(n) __attribute__((aligned(n)))

using std::fma;
using std::signbit;
inline double normcdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
// PTX cvt.rzi: NaN to 0, saturating, as Java's casts.
inline int __double2int_rz(double v) {
    if (v != v) return 0;
    if (v >= 2147483647.0) return 2147483647;
    if (v <= -2147483648.0) return -2147483647 - 1;
    return (int) v;
}
inline long long __double2ll_rz(double v) {
    if (v != v) return 0;
    if (v >= 9.2233720368547758e18) return std::numeric_limits<long long>::max();
    if (v <= -9.2233720368547758e18) return std::numeric_limits<long long>::min();
    return (long long) v;
}
inline double __longlong_as_double(long long v) {
    double d;
    std::memcpy(&d, &v, sizeof d);
    return d;
}
template <typename T> inline T atomicAdd(T* p, T v) { return std::atomic_ref<T>(*p).fetch_add(v); }

namespace host_gpu {

/** Why a launch could not run as CUDA would, or null. Set by the launch, cleared by the caller. */
inline const char* fault = nullptr;

// Fibers switch with a few instructions of our own rather than swapcontext, which also saves and restores
// the signal mask with a system call each time: a third of the emulated CUDA tests' time went to that, a
// switch at every __syncthreads of every thread. x86-64 System V only (what nnc's machines are).
#if !defined(__x86_64__)
#error "host_gpu.h switches fibers with x86-64 code"
#endif

/** Saves the callee-saved registers, MXCSR and the x87 control word on this stack, stores the stack pointer in *from, and resumes the fiber whose stack pointer is to. */
extern "C" void host_gpu_switch(void** from, void* to);
asm(R"(
    .text
    .globl host_gpu_switch
    .hidden host_gpu_switch
    .type host_gpu_switch, @function
host_gpu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    subq $8, %rsp
    stmxcsr (%rsp)
    fnstcw 4(%rsp)
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    ldmxcsr (%rsp)
    fldcw 4(%rsp)
    addq $8, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size host_gpu_switch, .-host_gpu_switch
)");

struct Fiber {
    void* sp;
    std::unique_ptr<char[]> stack;
    bool done;
};
inline constexpr std::size_t STACK = 128 << 10;
inline void* scheduler;
inline std::vector<Fiber> fibers;
inline unsigned running;
inline bool in_fibers = false;
inline const std::function<void()>* body;
/**
 * Run blocks, and a block's threads between barriers, last to first. A GPU promises no order, and a kernel
 * whose threads race (read what another writes between the same two barriers, or write what another
 * reads) gives one answer with one order and another with the other; running the CUDA tests in both
 * orders shows such a race whichever way round it reads.
 */
inline bool reverse = false;

/** A fiber's first instructions: entered by host_gpu_switch's ret, it runs the kernel and never returns. */
inline void fiber_main() {
    (*body)();
    fibers[running].done = true;
    host_gpu_switch(&fibers[running].sp, scheduler);
    std::abort();   // a finished fiber is never resumed
}

/** A fresh stack laid out as host_gpu_switch leaves one, so that switching to it enters fiber_main. */
inline void* fresh_stack(char* stack) {
    auto* top = reinterpret_cast<std::uintptr_t*>(reinterpret_cast<std::uintptr_t>(stack + STACK) & ~std::uintptr_t(15));
    std::uintptr_t control = 0;
    asm volatile("stmxcsr %0\n\tfnstcw 4+%0" : "+m"(control));   // the scheduler's floating-point modes
    *--top = 0;                                                   // where fiber_main's return address would be
    *--top = reinterpret_cast<std::uintptr_t>(&fiber_main);
    for (int r = 0; r < 6; r++) *--top = 0;                       // rbp, rbx, r12 to r15
    *--top = control;
    return top;
}

inline void barrier() {
    if (!in_fibers) {
        std::fprintf(stderr, "host_gpu: __syncthreads in a kernel launched as one that never synchronizes\n");
        std::abort();
    }
    host_gpu_switch(&fibers[running].sp, scheduler);
}

inline dim3 thread_of(unsigned t, dim3 block) { return dim3{t % block.x, t / block.x % block.y, t / (block.x * block.y)}; }

/** One block's threads as fibers, round after round, each round running every waiting thread to its next barrier. */
inline void run_block_in_fibers(dim3 block, const std::function<void()>& kernel) {
    unsigned n = block.x * block.y * block.z;
    if (fibers.size() < n) fibers.resize(n);
    for (unsigned t = 0; t < n; t++) {
        Fiber& f = fibers[t];
        if (!f.stack) f.stack.reset(new char[STACK]);
        f.sp = fresh_stack(f.stack.get());
        f.done = false;
    }
    body = &kernel;
    in_fibers = true;
    for (unsigned left = n; left > 0;) {
        unsigned finished = 0, waiting = 0;
        for (unsigned i = 0; i < n; i++) {
            unsigned t = reverse ? n - 1 - i : i;
            if (fibers[t].done) continue;
            running = t;
            threadIdx = thread_of(t, block);
            host_gpu_switch(&scheduler, fibers[t].sp);
            (fibers[t].done ? finished : waiting)++;
        }
        left -= finished;
        if (finished > 0 && waiting > 0 && fault == nullptr) {
            // CUDA requires every thread of a block to reach each __syncthreads; some left instead.
            fault = "some threads of a block returned while others waited at __syncthreads";
        }
    }
    in_fibers = false;
}

/** Runs kernel over grid × block; sync says the kernel calls __syncthreads (its threads then run as fibers). */
inline void launch(dim3 grid, dim3 block, bool sync, const std::function<void()>& kernel) {
    gridDim = grid;
    blockDim = block;
    unsigned threads = block.x * block.y * block.z;
    unsigned long long blocks = (unsigned long long) grid.x * grid.y * grid.z;
    for (unsigned long long i = 0; i < blocks; i++) {
        unsigned long long b = reverse ? blocks - 1 - i : i;
        blockIdx = dim3{(unsigned) (b % grid.x), (unsigned) (b / grid.x % grid.y), (unsigned) (b / grid.x / grid.y)};
        if (sync) {
            run_block_in_fibers(block, kernel);
            continue;
        }
        for (unsigned j = 0; j < threads; j++) {
            threadIdx = thread_of(reverse ? threads - 1 - j : j, block);
            kernel();
        }
    }
}

}  // namespace host_gpu

inline void __syncthreads() { host_gpu::barrier(); }

// Tensor-core fragments (nvcuda::wmma), for gemm_tf32. On a GPU a fragment is spread over a warp's 32 lanes;
// here each thread holds all of it and computes all of it, so every lane of a warp ends with the warp's
// values and a store writes them (32 times, sequentially, the same). What a GPU checks is checked: loads and
// stores need 32-byte-aligned pointers and a leading dimension that is a multiple of 4 floats, and mma_sync
// reads only the 19 bits of each TF32 input that tensor cores read (the low 13 are cut off), so a kernel that
// forgets to round its inputs gets what a GPU would give it.
namespace nvcuda::wmma {
struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
namespace precision {
struct tf32 {};
}
enum layout_t { mem_row_major, mem_col_major };

template <typename Use, int M, int N, int K, typename T, typename Layout = void> struct fragment {
    static constexpr int rows = std::is_same_v<Use, matrix_b> ? K : M;
    static constexpr int cols = std::is_same_v<Use, matrix_a> ? K : N;
    static constexpr int num_elements = rows * cols;
    float x[num_elements];
};

/** cvt.rna.tf32.f32: to nearest, ties away from zero, keeping 10 mantissa bits; NaN and infinities stay. */
inline float __float_to_tf32(float f) {
    unsigned u;
    std::memcpy(&u, &f, sizeof u);
    if ((u & 0x7f800000u) != 0x7f800000u) u = (u + 0x1000u) & 0xffffe000u;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

inline float tensor_core_input(float f) {
    unsigned u;
    std::memcpy(&u, &f, sizeof u);
    u &= 0xffffe000u;
    std::memcpy(&f, &u, sizeof f);
    return f;
}

inline void check_matrix_pointer(const float* p, unsigned ldm) {
    if ((reinterpret_cast<std::uintptr_t>(p) % 32 != 0 || ldm % 4 != 0) && host_gpu::fault == nullptr) {
        host_gpu::fault = "a wmma load or store with a pointer not 32-byte aligned or a leading dimension not a multiple of 4";
    }
}

template <typename Use, int M, int N, int K, typename T, typename Layout>
inline void fill_fragment(fragment<Use, M, N, K, T, Layout>& f, float v) {
    for (float& e : f.x) e = v;
}

template <typename Use, int M, int N, int K, typename T, typename Layout>
inline void load_matrix_sync(fragment<Use, M, N, K, T, Layout>& f, const float* p, unsigned ldm) {
    check_matrix_pointer(p, ldm);
    using F = fragment<Use, M, N, K, T, Layout>;
    for (int r = 0; r < F::rows; r++)
        for (int c = 0; c < F::cols; c++) f.x[r * F::cols + c] = std::is_same_v<Layout, col_major> ? p[c * ldm + r] : p[r * ldm + c];
}

template <int M, int N, int K>
inline void store_matrix_sync(float* p, const fragment<accumulator, M, N, K, float>& f, unsigned ldm, layout_t layout) {
    check_matrix_pointer(p, ldm);
    for (int r = 0; r < M; r++)
        for (int c = 0; c < N; c++) (layout == mem_col_major ? p[c * ldm + r] : p[r * ldm + c]) = f.x[r * N + c];
}

template <int M, int N, int K, typename LA, typename LB>
inline void mma_sync(fragment<accumulator, M, N, K, float>& d, const fragment<matrix_a, M, N, K, precision::tf32, LA>& a,
                     const fragment<matrix_b, M, N, K, precision::tf32, LB>& b, const fragment<accumulator, M, N, K, float>& c) {
    float out[M * N];
    for (int i = 0; i < M; i++)
        for (int j = 0; j < N; j++) {
            float s = c.x[i * N + j];
            for (int q = 0; q < K; q++) s = std::fma(tensor_core_input(a.x[i * K + q]), tensor_core_input(b.x[q * N + j]), s);
            out[i * N + j] = s;
        }
    std::memcpy(d.x, out, sizeof out);
}
}  // namespace nvcuda::wmma
