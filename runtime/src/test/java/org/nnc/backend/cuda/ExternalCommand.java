package org.nnc.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A compiler or a second JVM that a CUDA test runs. Its output goes to a file rather than a pipe, so the
 * time limit holds even when the command hangs without writing (reading a pipe to its end would wait as
 * long as the command does), and the suite cannot stall the build.
 */
final class ExternalCommand {
    private ExternalCommand() {}

    /** Skips the calling test, saying why, where g++ cannot build host_gpu.h's code: no g++, or not x86-64. */
    static void assumeHostGpuBuilds() {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/g++")), "g++ is not installed here");
        assumeTrue(System.getProperty("os.arch").equals("amd64"), "host_gpu.h switches its fibers with x86-64 code");
    }

    /** Runs {@code command} with {@code env} added to the environment; its output, once it exited with 0 within {@code seconds}. */
    static String run(List<String> command, Map<String, String> env, int seconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("nnc-command", ".log");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                throw new AssertionError(command.get(0) + " did not finish in " + seconds + " s:\n" + Files.readString(log));
            }
            String out = Files.readString(log);
            assertEquals(0, p.exitValue(), String.join(" ", command) + ":\n" + out);
            return out;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
