package org.nnc.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.nnc.backend.BinaryFn;
import org.nnc.backend.ReduceFn;
import org.nnc.backend.UnaryFn;

/** The kernel source and its committed fatbin stay in step with each other and with the Java enums. */
class CudaSourceTest {
    private static final Path CU = Path.of("src/main/cuda/nnc_kernels.cu");
    private static final Path FATBIN = Path.of("src/main/resources/org/nnc/backend/cuda/nnc_kernels.fatbin");

    private static String source() throws IOException { return Files.readString(CU); }

    /** The op codes are the Java ordinals, so the .cu enums must list the same names in the same order. */
    @Test
    void opCodesMatchTheJavaEnums() throws IOException {
        assertArrayEquals(names(UnaryFn.values()), cuEnum("UnaryFn"));
        assertArrayEquals(names(BinaryFn.values()), cuEnum("BinaryFn"));
        assertArrayEquals(names(ReduceFn.values()), cuEnum("ReduceFn"));
    }

    private static String[] names(Enum<?>[] values) { return Arrays.stream(values).map(Enum::name).toArray(String[]::new); }

    private static String[] cuEnum(String namespace) throws IOException {
        Matcher m = Pattern.compile("namespace " + namespace + " \\{\\s*enum \\{([^}]*)\\}").matcher(source());
        assertTrue(m.find(), "no namespace " + namespace + " in " + CU);
        return Arrays.stream(m.group(1).split(",")).map(String::strip).toArray(String[]::new);
    }

    /** Fails on every machine when the .cu changed without build.sh being run. */
    @Test
    void theFatbinWasBuiltFromTheseSources() throws IOException, NoSuchAlgorithmException {
        String recorded = Files.readString(FATBIN.resolveSibling("nnc_kernels.sha256")).strip();
        String actual = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(CU)));
        assertEquals(recorded, actual, "nnc_kernels.cu changed since the fatbin was built: run runtime/src/main/cuda/build.sh");
    }

    private static final Path NVCC = Path.of("/usr/local/cuda-13.0/bin/nvcc");

    /** Where nvcc 13.0 is installed, a rebuild gives the committed bytes (nvcc's output is deterministic). */
    @Test
    void aRebuildGivesTheCommittedFatbin() throws IOException, InterruptedException {
        Path nvcc = NVCC;
        assumeTrue(Files.isExecutable(nvcc), "nvcc 13.0 is not installed here");
        Path out = Files.createTempFile("nnc_kernels", ".fatbin");
        try {
            ExternalCommand.run(List.of(nvcc.toString(), "-fatbin", "-O3", "-std=c++17",
                    "-gencode", "arch=compute_80,code=sm_80", "-gencode", "arch=compute_90,code=sm_90",
                    "-gencode", "arch=compute_90,code=compute_90", "-o", out.toString(), CU.toString()), Map.of(), 300);
            assertArrayEquals(Files.readAllBytes(FATBIN), Files.readAllBytes(out), "the committed fatbin is stale: run build.sh");
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /**
     * Where nvcc 13.0 is installed: no function spills registers to local memory in the sm_90 code (H100,
     * H200), where every spilled value would go through the cache and back; ptxas says so per function.
     */
    @Test
    void noFunctionSpillsRegisters() throws IOException, InterruptedException {
        assumeTrue(Files.isExecutable(NVCC), "nvcc 13.0 is not installed here");
        Path out = Files.createTempFile("nnc_kernels", ".cubin");
        try {
            String log = ExternalCommand.run(List.of(NVCC.toString(), "-cubin", "-O3", "-std=c++17", "-arch=sm_90", "-Xptxas", "-v",
                    "-o", out.toString(), CU.toString()), Map.of(), 300);
            Matcher m = Pattern.compile("Function properties for (\\w+)\\s+\\d+ bytes stack frame, (\\d+) bytes spill stores, (\\d+) bytes spill loads")
                    .matcher(log);
            int functions = 0;
            List<String> spilling = new java.util.ArrayList<>();
            while (m.find()) {
                functions++;
                if (!m.group(2).equals("0") || !m.group(3).equals("0")) spilling.add(m.group(1) + " (" + m.group(2) + " B stored, " + m.group(3) + " B loaded)");
            }
            assertTrue(functions >= 20, "ptxas reported on every kernel:\n" + log);
            assertEquals(List.of(), spilling, "functions that spill registers");
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
