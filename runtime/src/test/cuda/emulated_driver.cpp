// An emulated GPU: the part of the CUDA driver API that nnc calls (through JCuda and Java's foreign-function
// API), over host memory, with nnc_kernels.cu compiled for the CPU in place of the fatbin's machine code.
// Built as libcuda.so.1 and put on LD_LIBRARY_PATH, it lets the Java backend's CUDA tests run on a machine
// without a GPU, so that what lies between the tests and the kernels — argument packing, grids, strides and
// offsets, the allocator, copies, error flags — is exercised on every build, not only when a GPU is lent. It
// is a test harness and says so: the device calls itself "nnc host emulator (not a GPU)". It proves nothing
// about CUDA's own arithmetic or about speed.
//
// Stricter than a GPU where that finds bugs sooner: fresh device memory is filled with 0xff bytes (NaN in
// floating point), so an output a kernel does not write in full shows; each block ends at a page that may
// not be touched, so reading or writing past it crashes at once instead of corrupting a neighbour; kernel
// arguments of pointer type must point into live device memory (or page-locked host memory, which kernels
// may reach too); a kernel whose threads do not all reach a __syncthreads fails its launch. Launches and
// synchronous copies complete before the call returns; an asynchronous copy to the device runs only when the
// next operation on the stream does (or a synchronization), reading its source then, so a host that reuses
// the source too early gets caught.
//
// With NNC_EMULATED_GPU_STATS set, it prints at exit how many times each kernel was launched and how many
// copies, memsets and allocations were made: the launch count is what a small model's step time on a real
// GPU mostly follows, so it can be weighed here. NNC_EMULATED_GPU_TRACE prints each launch, copy and
// allocation. NNC_EMULATED_GPU_SKIP_KERNELS checks each launch and returns without running it: the time a
// step then takes is the host's share of a step on a GPU (the results are garbage).
// NNC_EMULATED_GPU_ORDER=reverse runs blocks, and a block's threads between barriers, last to first (the
// device's name then says so), for races that the first-to-last order hides (host_gpu.h, reverse).
//
// Built by CudaOnEmulatedGpuTest:  g++ -std=c++20 -O2 -shared -fPIC -fvisibility=hidden -o libcuda.so.1 emulated_driver.cpp
#include "host_gpu.h"

#include "../../main/cuda/nnc_kernels.cu"

#include <map>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <sys/mman.h>
#include <unistd.h>

namespace {

// The driver's result codes that this emulation returns (cuda.h's values).
enum : int {
    SUCCESS = 0,
    INVALID_VALUE = 1,
    OUT_OF_MEMORY = 2,
    NOT_INITIALIZED = 3,
    INVALID_DEVICE = 101,
    INVALID_IMAGE = 200,
    INVALID_CONTEXT = 201,
    INVALID_HANDLE = 400,
    NOT_FOUND = 500,
    LAUNCH_FAILED = 719,
};

using Ptr = unsigned long long;   // CUdeviceptr

std::mutex lock;
bool initialized = false;
int context_token;   // the primary context's handle points here
std::string image;   // the loaded fatbin, searched for kernel names

/** A block of device memory: its mapping (with a guard page after the block) and the block within it. */
struct Block {
    char* mapping;
    std::size_t mapped;
    std::size_t size;
};
std::map<Ptr, Block> blocks;   // by start address
std::size_t used = 0;
std::map<Ptr, std::size_t> pinned;   // page-locked host memory (cuMemAllocHost), which kernels may use too

std::size_t total_memory() {
    const char* mib = std::getenv("NNC_EMULATED_GPU_MIB");
    return (mib ? std::strtoull(mib, nullptr, 10) : 8192) << 20;
}

/** The block holding [p, p + n), or null. */
const Block* holding(Ptr p, std::size_t n) {
    auto it = blocks.upper_bound(p);
    if (it == blocks.begin()) return nullptr;
    --it;
    return p + n <= it->first + it->second.size ? &it->second : nullptr;
}

/** Whether [p, p + n) lies in page-locked host memory. */
bool in_pinned(Ptr p, std::size_t n) {
    auto it = pinned.upper_bound(p);
    if (it == pinned.begin()) return false;
    --it;
    return p + n <= it->first + it->second;
}

int fail(int code, const std::string& why) {
    std::fprintf(stderr, "emulated GPU: %s\n", why.c_str());
    std::fflush(stderr);
    return code;
}

/** Asynchronous copies to the device not yet run: the stream runs them before its next operation. */
struct Pending {
    Ptr dst;
    const void* src;
    std::size_t n;
};
std::vector<Pending> pending;

void run_pending() {
    for (const Pending& p : pending) std::memcpy((void*) p.dst, p.src, p.n);
    pending.clear();
}

/** Calls counted for NNC_EMULATED_GPU_STATS, printed when the library is unloaded (at the JVM's exit). */
struct Stats {
    std::map<std::string, long> calls;
    ~Stats() {
        if (!std::getenv("NNC_EMULATED_GPU_STATS")) return;
        long launches = 0;
        for (auto& [what, n] : calls) launches += what.rfind("launch ", 0) == 0 ? n : 0;
        std::fprintf(stderr, "emulated GPU: %ld launches\n", launches);
        for (auto& [what, n] : calls) std::fprintf(stderr, "emulated GPU: %10ld %s\n", n, what.c_str());
    }
} stats;
const bool trace = std::getenv("NNC_EMULATED_GPU_TRACE") != nullptr;   // each launch, copy and allocation, as it happens
const bool skip_kernels = std::getenv("NNC_EMULATED_GPU_SKIP_KERNELS") != nullptr;   // launches checked, not run
const bool reverse_order = [] {
    const char* order = std::getenv("NNC_EMULATED_GPU_ORDER");
    return host_gpu::reverse = order != nullptr && std::string(order) == "reverse";
}();

/** A kernel of nnc_kernels.cu: how to call it with cuLaunchKernel's argument array, and whether it synchronizes. */
struct Kernel {
    const char* name;
    bool syncs;
    std::string (*check)(void** params);   // empty, or why the arguments cannot be right
    void (*call)(void** params);
};

template <typename T> using Arg = std::remove_cv_t<T>;

template <typename... A, std::size_t... I>
void call_with(void (*k)(A...), void** p, std::index_sequence<I...>) {
    k(*static_cast<Arg<A>*>(p[I])...);
}

template <typename... A, std::size_t... I>
std::string check_with(void** p, std::index_sequence<I...>) {
    std::string why;
    auto one = [&](auto tag, std::size_t i) {
        using T = typename decltype(tag)::type;
        if constexpr (std::is_pointer_v<T>) {
            Ptr v = (Ptr) *static_cast<T*>(p[i]);
            if (v != 0 && !holding(v, 1) && !in_pinned(v, 1) && why.empty()) {
                why = "argument " + std::to_string(i) + " points outside device memory";
            }
        }
    };
    (one(std::type_identity<Arg<A>>{}, I), ...);
    return why;
}

template <auto K> struct Launcher;
template <typename... A, void (*K)(A...)> struct Launcher<K> {
    static void call(void** p) { call_with(K, p, std::index_sequence_for<A...>{}); }
    static std::string check(void** p) { return check_with<A...>(p, std::index_sequence_for<A...>{}); }
};

#define KERNEL(name, syncs) Kernel{#name, syncs, Launcher<&name>::check, Launcher<&name>::call}
const Kernel KERNELS[] = {
    KERNEL(unary, false),         KERNEL(binary, false),          KERNEL(where_, false),
    KERNEL(fill, false),          KERNEL(reduce, true),           KERNEL(gemm_f32, true),
    KERNEL(gemm_f64, true),       KERNEL(gemm_tf32, true),       KERNEL(gemm_split_sum, false),
    KERNEL(gather, false),        KERNEL(scatter_add, false),
    KERNEL(im2col, false),        KERNEL(col2im, false),          KERNEL(max_pool, false),
    KERNEL(max_pool_backward, false), KERNEL(avg_pool, false),    KERNEL(avg_pool_backward, false),
    KERNEL(cross_entropy_rows, false), KERNEL(cross_entropy_backward, false), KERNEL(cross_entropy_mean, true),
    KERNEL(softmax_rows, true),   KERNEL(softmax_rows_backward, true),
    KERNEL(layer_norm_rows, true), KERNEL(layer_norm_rows_backward, true),
    KERNEL(batch_norm_train, true), KERNEL(batch_norm_backward, true), KERNEL(batch_norm_eval, false),
    KERNEL(sgd_step_multi, false), KERNEL(adam_step_multi, false),
    KERNEL(lstm_step, false),     KERNEL(lstm_step_backward, false),
    KERNEL(gru_step, false),      KERNEL(gru_step_backward, false),
};

}  // namespace

#define API extern "C" __attribute__((visibility("default"))) int

API cuInit(unsigned) {
    std::lock_guard<std::mutex> g(lock);
    initialized = true;
    return SUCCESS;
}

API cuDriverGetVersion(int* v) {
    *v = 13000;
    return SUCCESS;
}

API cuDeviceGetCount(int* n) {
    if (!initialized) return NOT_INITIALIZED;
    *n = 1;
    return SUCCESS;
}

API cuDeviceGet(int* dev, int ordinal) {
    if (!initialized) return NOT_INITIALIZED;
    if (ordinal != 0) return INVALID_DEVICE;
    *dev = 0;
    return SUCCESS;
}

// As many multiprocessors as a small GPU, so that products with few output tiles split over their depth here too.
API cuDeviceGetAttribute(int* v, int attribute, int dev) {
    if (dev != 0) return INVALID_DEVICE;
    if (attribute != 16) return fail(INVALID_VALUE, "device attribute " + std::to_string(attribute) + " is not emulated");
    *v = 16;   // CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT
    return SUCCESS;
}

API cuDeviceGetName(char* name, int len, int dev) {
    if (dev != 0) return INVALID_DEVICE;
    std::snprintf(name, (std::size_t) len, "nnc host emulator (not a GPU)%s", reverse_order ? ", threads last to first" : "");
    return SUCCESS;
}

API cuDeviceTotalMem_v2(std::size_t* bytes, int dev) {
    if (dev != 0) return INVALID_DEVICE;
    *bytes = total_memory();
    return SUCCESS;
}

API cuDevicePrimaryCtxRetain(void** ctx, int dev) {
    if (!initialized) return NOT_INITIALIZED;
    if (dev != 0) return INVALID_DEVICE;
    *ctx = &context_token;
    return SUCCESS;
}

API cuCtxSetCurrent(void* ctx) { return ctx == nullptr || ctx == &context_token ? SUCCESS : INVALID_CONTEXT; }

API cuCtxSynchronize() {
    std::lock_guard<std::mutex> g(lock);
    run_pending();
    return SUCCESS;
}

API cuModuleLoadData(void** module, const void* data) {
    std::lock_guard<std::mutex> g(lock);
    const unsigned char* p = static_cast<const unsigned char*>(data);
    // A fatbin starts with its magic, 0xba55ed50, then a version and header size; its size is at byte 8.
    if (p == nullptr || p[0] != 0x50 || p[1] != 0xed || p[2] != 0x55 || p[3] != 0xba) return fail(INVALID_IMAGE, "the module is not a fatbin");
    unsigned short header;
    unsigned long long body;
    std::memcpy(&header, p + 6, sizeof header);
    std::memcpy(&body, p + 8, sizeof body);
    image.assign(reinterpret_cast<const char*>(p), header + body);
    *module = &image;
    return SUCCESS;
}

API cuModuleLoadDataEx(void** module, const void* data, unsigned, void*, void**) { return cuModuleLoadData(module, data); }

API cuModuleGetFunction(void** f, void* module, const char* name) {
    std::lock_guard<std::mutex> g(lock);
    if (module != &image) return INVALID_HANDLE;
    for (const Kernel& k : KERNELS) {
        if (std::strcmp(k.name, name) != 0) continue;
        // The fatbin's cubins name their kernels in plain text: one missing from it would fail on a GPU too.
        if (image.find(std::string(name) + '\0') == std::string::npos) return fail(NOT_FOUND, std::string("the fatbin has no kernel ") + name);
        *f = const_cast<Kernel*>(&k);
        return SUCCESS;
    }
    return fail(NOT_FOUND, std::string("no kernel named ") + name);
}

API cuLaunchKernel(void* f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz, unsigned shared,
                   void* stream, void** params, void** extra) {
    std::lock_guard<std::mutex> g(lock);
    const Kernel* k = static_cast<const Kernel*>(f);
    if (k < std::begin(KERNELS) || k >= std::end(KERNELS)) return INVALID_HANDLE;
    std::string where = std::string("launch of ") + k->name + ": ";
    // The limits of every GPU since compute capability 3.0.
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || gy > 65535 || gz > 65535 || gx > 2147483647u
        || bx > 1024 || by > 1024 || bz > 64 || (unsigned long long) bx * by * bz > 1024) {
        return fail(INVALID_VALUE, where + "grid " + std::to_string(gx) + "x" + std::to_string(gy) + "x" + std::to_string(gz)
                                   + ", block " + std::to_string(bx) + "x" + std::to_string(by) + "x" + std::to_string(bz));
    }
    if (shared != 0 || stream != nullptr || extra != nullptr || params == nullptr) {
        return fail(INVALID_VALUE, where + "dynamic shared memory, streams and 'extra' are not used by nnc");
    }
    std::string why = k->check(params);
    if (!why.empty()) return fail(LAUNCH_FAILED, where + why);
    stats.calls[std::string("launch ") + k->name]++;
    if (trace) std::fprintf(stderr, "emulated GPU: launch %s grid %ux%ux%u block %u\n", k->name, gx, gy, gz, bx * by * bz);
    run_pending();
    if (skip_kernels) return SUCCESS;
    host_gpu::fault = nullptr;
    host_gpu::launch(dim3{gx, gy, gz}, dim3{bx, by, bz}, k->syncs, [&] { k->call(params); });
    if (host_gpu::fault) return fail(LAUNCH_FAILED, where + host_gpu::fault);
    return SUCCESS;
}

API cuMemAlloc_v2(Ptr* p, std::size_t bytes) {
    std::lock_guard<std::mutex> g(lock);
    stats.calls["cuMemAlloc_v2"]++;
    if (trace) std::fprintf(stderr, "emulated GPU: cuMemAlloc, %zu bytes\n", bytes);
    if (bytes == 0) return INVALID_VALUE;
    if (used + bytes > total_memory()) return OUT_OF_MEMORY;
    std::size_t page = (std::size_t) sysconf(_SC_PAGESIZE);
    std::size_t rounded = (bytes + 255) / 256 * 256, pages = (rounded + page - 1) / page * page;
    void* m = mmap(nullptr, pages + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) return OUT_OF_MEMORY;
    char* mapping = static_cast<char*>(m);
    mprotect(mapping + pages, page, PROT_NONE);
    char* start = mapping + pages - rounded;   // 256-aligned, as cuMemAlloc's blocks are, and ending at the guard
    std::memset(start, 0xff, rounded);
    blocks[(Ptr) start] = Block{mapping, pages + page, bytes};
    used += bytes;
    *p = (Ptr) start;
    return SUCCESS;
}

API cuMemFree_v2(Ptr p) {
    std::lock_guard<std::mutex> g(lock);
    run_pending();
    stats.calls["cuMemFree_v2"]++;
    auto it = blocks.find(p);
    if (it == blocks.end()) return fail(INVALID_VALUE, "cuMemFree of an address that is not a block's start");
    munmap(it->second.mapping, it->second.mapped);
    used -= it->second.size;
    blocks.erase(it);
    return SUCCESS;
}

API cuMemGetInfo_v2(std::size_t* free, std::size_t* all) {
    std::lock_guard<std::mutex> g(lock);
    *all = total_memory();
    *free = *all - used;
    return SUCCESS;
}

namespace {
/**
 * The start of a copy or memset over [p, p + n) of device memory: counts and traces it, runs the copies
 * queued before it unless it is one itself (queued), and checks the range; SUCCESS or the error to return.
 */
int memory_op(const char* call, const char* what, Ptr p, std::size_t n, bool queued) {
    if (!queued) run_pending();
    stats.calls[call]++;
    if (trace) std::fprintf(stderr, "emulated GPU: %s, %zu bytes\n", what, n);
    if (holding(p, n)) return SUCCESS;
    return fail(INVALID_VALUE, std::string(call) + " of " + std::to_string(n) + " bytes overruns device memory");
}
}  // namespace

API cuMemcpyHtoD_v2(Ptr dst, const void* src, std::size_t n) {
    std::lock_guard<std::mutex> g(lock);
    if (int r = memory_op("cuMemcpyHtoD_v2", "copy to the device", dst, n, false)) return r;
    std::memcpy((void*) dst, src, n);
    return SUCCESS;
}

API cuMemcpyDtoH_v2(void* dst, Ptr src, std::size_t n) {
    std::lock_guard<std::mutex> g(lock);
    if (int r = memory_op("cuMemcpyDtoH_v2", "copy to the host", src, n, false)) return r;
    std::memcpy(dst, (const void*) src, n);
    return SUCCESS;
}

API cuMemcpyHtoDAsync_v2(Ptr dst, const void* src, std::size_t n, void* stream) {
    std::lock_guard<std::mutex> g(lock);
    if (stream != nullptr) return fail(INVALID_VALUE, "cuMemcpyHtoDAsync on a stream other than the default one");
    if (int r = memory_op("cuMemcpyHtoDAsync_v2", "queued copy to the device", dst, n, true)) return r;
    pending.push_back(Pending{dst, src, n});
    return SUCCESS;
}

API cuMemAllocHost_v2(void** p, std::size_t bytes) {
    std::lock_guard<std::mutex> g(lock);
    *p = std::malloc(bytes);
    if (*p == nullptr) return OUT_OF_MEMORY;
    std::memset(*p, 0xff, bytes);   // as device memory: nothing may count on its contents
    pinned[(Ptr) *p] = bytes;
    return SUCCESS;
}

API cuMemFreeHost(void* p) {
    std::lock_guard<std::mutex> g(lock);
    if (pinned.erase((Ptr) p) == 0) return fail(INVALID_VALUE, "cuMemFreeHost of memory cuMemAllocHost did not make");
    std::free(p);
    return SUCCESS;
}

API cuMemHostGetDevicePointer_v2(Ptr* device, void* host, unsigned flags) {
    std::lock_guard<std::mutex> g(lock);
    if (flags != 0 || !in_pinned((Ptr) host, 1)) return fail(INVALID_VALUE, "cuMemHostGetDevicePointer of memory cuMemAllocHost did not make");
    *device = (Ptr) host;   // unified addressing: the same address
    return SUCCESS;
}

API cuMemcpyDtoHAsync_v2(void* dst, Ptr src, std::size_t n, void*) { return cuMemcpyDtoH_v2(dst, src, n); }

API cuMemsetD8Async(Ptr dst, unsigned char value, std::size_t n, void*) {
    std::lock_guard<std::mutex> g(lock);
    if (int r = memory_op("cuMemsetD8Async", "memset", dst, n, false)) return r;
    std::memset((void*) dst, value, n);
    return SUCCESS;
}

API cuGetErrorName(int code, const char** s) {
    *s = code == SUCCESS ? "CUDA_SUCCESS" : "CUDA_ERROR (emulated GPU)";
    return SUCCESS;
}

API cuGetErrorString(int code, const char** s) { return cuGetErrorName(code, s); }
