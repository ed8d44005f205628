package org.nnc.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnc.tensor.Tensor;

/** SIGKILL in the middle of saving leaves a file that loads whole: the previous save or the new one. */
class AtomicSaveTest {
    @TempDir
    Path dir;

    @Test
    void killingTheWriterAtRandomMomentsNeverLeavesAHalfWrittenFile() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        Path file = dir.resolve("ckpt.safetensors");
        SplittableRandom r = new SplittableRandom(1);
        for (int round = 0; round < 5; round++) {
            Process p = new ProcessBuilder(List.of(java, "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                    SaveLoop.class.getName(), file.toString())).redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
            String line;
            while ((line = out.readLine()) != null && !line.equals("saved 1")) { }
            Thread.sleep(r.nextInt(60));
            p.destroyForcibly().waitFor();
            var c = SafeTensors.read(file);
            Tensor w = c.tensors().get("w");
            double step = c.tensors().get("step").item();
            assertEquals(1 << 21, w.numel());
            assertEquals(step * w.numel(), w.sum().item(), 0, "every value is from the same save");
        }
        try (var files = Files.list(dir)) {
            long stray = files.filter(f -> f.getFileName().toString().endsWith(".tmp")).count();
            assertTrue(stray <= 5, "at most one unfinished temporary file per kill: " + stray);
        }
    }
}
