// What nnc_kernels.cu needs of CUDA, made of C++ so that the kernels compile and run on the CPU:
// dim3 and the thread indices, the intrinsics the kernels call, atomics, and a launch that runs a grid.
// Shared by kernels_on_host.cpp (the kernels against plain loops) and emulated_driver.cpp (the driver API
// over host memory, so that the Java backend's CUDA tests run without a GPU).
//
// A launch runs the blocks in turn. Within a block, a kernel that never synchronizes runs its threads one
// after another; one that does runs each thread as a fiber (ucontext) on the calling thread, and
// __syncthreads switches to the next fiber until all of the block's threads have arrived. So __shared__
// arrays can be statics, threads meet at barriers as they would on a GPU, and a block costs no OS
// threads. What this cannot show is CUDA's own arithmetic (fused operations, float atomics' order) or
// anything about speed: the CUDA tests on a GPU cover those.
#pragma once

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <vector>
#include <ucontext.h>

struct dim3 {
    unsigned x = 1, y = 1, z = 1;
};
inline dim3 threadIdx, blockIdx, blockDim, gridDim;

#define __global__
#define __device__
#define __forceinline__ inline
#define __shared__ static
#define __launch_bounds__(n)

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
inline int atomicCAS(int* p, int expected, int desired) {
    std::atomic_ref<int>(*p).compare_exchange_strong(expected, desired);
    return expected;
}

namespace host_gpu {

/** Why a launch could not run as CUDA would, or null. Set by the launch, cleared by the caller. */
inline const char* fault = nullptr;

struct Fiber {
    ucontext_t context;
    std::unique_ptr<char[]> stack;
    bool done;
};
inline constexpr std::size_t STACK = 128 << 10;
inline ucontext_t scheduler;
inline std::vector<Fiber> fibers;
inline unsigned running;
inline bool in_fibers = false;
inline const std::function<void()>* body;

inline void fiber_main() {
    (*body)();
    fibers[running].done = true;   // returning resumes the scheduler (uc_link)
}

inline void barrier() {
    if (!in_fibers) {
        std::fprintf(stderr, "host_gpu: __syncthreads in a kernel launched as one that never synchronizes\n");
        std::abort();
    }
    swapcontext(&fibers[running].context, &scheduler);
}

inline dim3 thread_of(unsigned t, dim3 block) { return dim3{t % block.x, t / block.x % block.y, t / (block.x * block.y)}; }

/** One block's threads as fibers, round after round, each round running every waiting thread to its next barrier. */
inline void run_block_in_fibers(dim3 block, const std::function<void()>& kernel) {
    unsigned n = block.x * block.y * block.z;
    if (fibers.size() < n) fibers.resize(n);
    for (unsigned t = 0; t < n; t++) {
        Fiber& f = fibers[t];
        if (!f.stack) f.stack.reset(new char[STACK]);
        getcontext(&f.context);
        f.context.uc_stack.ss_sp = f.stack.get();
        f.context.uc_stack.ss_size = STACK;
        f.context.uc_link = &scheduler;
        makecontext(&f.context, fiber_main, 0);
        f.done = false;
    }
    body = &kernel;
    in_fibers = true;
    for (unsigned left = n; left > 0;) {
        unsigned finished = 0, waiting = 0;
        for (unsigned t = 0; t < n; t++) {
            if (fibers[t].done) continue;
            running = t;
            threadIdx = thread_of(t, block);
            swapcontext(&scheduler, &fibers[t].context);
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
    for (unsigned z = 0; z < grid.z; z++)
        for (unsigned y = 0; y < grid.y; y++)
            for (unsigned x = 0; x < grid.x; x++) {
                blockIdx = dim3{x, y, z};
                if (sync) {
                    run_block_in_fibers(block, kernel);
                    continue;
                }
                for (unsigned t = 0; t < threads; t++) {
                    threadIdx = thread_of(t, block);
                    kernel();
                }
            }
}

}  // namespace host_gpu

inline void __syncthreads() { host_gpu::barrier(); }
