package org.nnc.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CUDA kernels' index arithmetic, reduction rules and GEMM tiling, run on the CPU: g++ compiles
 * {@code nnc_kernels.cu} with {@code src/test/cuda/kernels_on_host.cpp}, which checks each kernel against
 * plain loops. This is what machines without a GPU can check of the kernels themselves.
 */
class CudaKernelsOnHostTest {

    @Test
    void kernelsMatchPlainLoopsOnTheHost() throws IOException, InterruptedException {
        ExternalCommand.assumeHostGpuBuilds();
        Path dir = Files.createTempDirectory("kernels-on-host");
        Path exe = dir.resolve("kernels_on_host");
        try {
            String build = ExternalCommand.run(List.of("/usr/bin/g++", "-std=c++20", "-O1", "-w", "-o", exe.toString(),
                    "src/test/cuda/kernels_on_host.cpp"), Map.of(), 120);
            assertEquals("", build, "g++ output");
            assertEquals("all kernel checks passed\n", ExternalCommand.run(List.of(exe.toString()), Map.of(), 120));
        } finally {
            Files.deleteIfExists(exe);
            Files.deleteIfExists(dir);
        }
    }
}
