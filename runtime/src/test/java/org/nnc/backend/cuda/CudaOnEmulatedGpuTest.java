package org.nnc.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The CUDA tests on an emulated GPU, so that they run on every build and not only where a GPU is lent.
 * g++ builds {@code src/test/cuda/emulated_driver.cpp} as a {@code libcuda.so.1}: the driver calls nnc
 * makes, over host memory, with the kernels of {@code nnc_kernels.cu} compiled for the CPU. A second JVM
 * with that library on {@code LD_LIBRARY_PATH} loads it through JCuda as it would the NVIDIA driver and
 * runs {@link CudaBackendTest} and {@link CudaModulesTest}; every one of them must run and pass.
 *
 * <p>This checks everything between the tests and the kernels (argument packing, grids, strides, the
 * allocator, copies, error flags) and the kernels' logic, more strictly than a GPU in places (fresh
 * memory is NaN, blocks end at a guard page, threads run in both orders); not CUDA's own rounding, nor
 * speed, nor the real driver.
 * cuBLAS stays off: it needs the real driver.
 */
class CudaOnEmulatedGpuTest {
    private static final List<Class<?>> SUITE = List.of(CudaBackendTest.class, CudaModulesTest.class);

    private static Path dir;

    @BeforeAll
    static void buildTheEmulatedDriver() throws IOException, InterruptedException {
        ExternalCommand.assumeHostGpuBuilds();
        dir = Files.createTempDirectory("emulated-gpu");
        ExternalCommand.run(List.of("/usr/bin/g++", "-std=c++20", "-O2", "-shared", "-fPIC", "-fvisibility=hidden", "-w",
                "-o", dir.resolve("libcuda.so.1").toString(), "src/test/cuda/emulated_driver.cpp"), Map.of(), 120);
    }

    @AfterAll
    static void removeIt() throws IOException {
        if (dir == null) return;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /**
     * Once with blocks and threads first to last and once last to first: a GPU promises no order, and a race
     * between a kernel's threads shows in one order or the other (host_gpu.h). Blocks that the allocator
     * hands out again are filled with NaN bytes ({@code nnc.cuda.poison}), as fresh ones are, so a kernel
     * that leaves part of its output unwritten cannot pass on what an earlier kernel left there.
     */
    @ParameterizedTest(name = "threads {0}")
    @ValueSource(strings = {"first to last", "last to first"})
    void cudaTestsPassOnTheEmulatedGpu(String order) throws IOException, InterruptedException {
        boolean reverse = order.equals("last to first");
        List<String> java = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xss8m",
                // A kernel that crashes takes the JVM with it: its report goes to the temporary folder, not the module.
                "-Djava.io.tmpdir=" + dir, "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"), "-Dnnc.cublas=false",
                "-Dnnc.cuda.poison=true", "-cp", System.getProperty("java.class.path"), CudaOnEmulatedGpuTest.class.getName()));
        String old = System.getenv("LD_LIBRARY_PATH");   // the emulated driver first on the library path
        Map<String, String> env = Map.of("LD_LIBRARY_PATH", dir + (old == null || old.isEmpty() ? "" : ":" + old),
                "NNC_EMULATED_GPU_ORDER", reverse ? "reverse" : "forward");
        String out = ExternalCommand.run(java, env, 300);
        assertTrue(out.contains("device: nnc host emulator (not a GPU)" + (reverse ? ", threads last to first" : "") + " (cuda:0"), out);
        Matcher m = Pattern.compile("tests found (\\d+), succeeded (\\d+)").matcher(out);
        assertTrue(m.find(), out);
        assertTrue(Integer.parseInt(m.group(1)) > 200, "the CUDA tests were found: " + out);
        assertEquals(m.group(1), m.group(2), "every CUDA test passes on the emulated GPU:\n" + out);
    }

    /** The second JVM: runs the CUDA test classes through JUnit's launcher and prints what happened. */
    public static void main(String[] args) {
        String why = Cuda.unavailableReason();
        if (why != null) {
            System.out.println("the emulated driver was not used: " + why);
            System.exit(2);
        }
        System.out.println("device: " + Cuda.describe(0));
        LauncherDiscoveryRequest request = LauncherDiscoveryRequestBuilder.request()
                .selectors(SUITE.stream().map(c -> selectClass(c)).toList()).build();
        SummaryGeneratingListener listener = new SummaryGeneratingListener();
        LauncherFactory.create().execute(request, listener);
        TestExecutionSummary s = listener.getSummary();
        PrintWriter w = new PrintWriter(System.out, true);
        s.printFailuresTo(w, 12);
        w.printf("tests found %d, succeeded %d, failed %d, skipped %d, aborted %d%n", s.getTestsFoundCount(),
                s.getTestsSucceededCount(), s.getTestsFailedCount(), s.getTestsSkippedCount(), s.getTestsAbortedCount());
        System.exit(0);
    }
}
