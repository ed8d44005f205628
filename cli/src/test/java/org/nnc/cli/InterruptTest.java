package org.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ctrl-C (SIGINT) stops `nnc run` after the current batch, saves the checkpoint, exits 130; --resume finishes. */
class InterruptTest {
    @TempDir
    Path dir;

    private Process start(String... args) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector", "-Dnnc.output.dir=" + dir,
                "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    @Test
    void ctrlCSavesAndExits130ThenResumeCompletes() throws Exception {
        Process p = start("run", "../samples/digits_cnn.nnet", "--epochs", "500", "--checkpoint", "ckpt");
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.startsWith("epoch 2/500")) break;
        }
        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
        while ((line = out.readLine()) != null) seen.append(line).append('\n');
        assertEquals(130, p.waitFor(), seen.toString());
        assertTrue(seen.toString().contains("stopping after this batch"), seen.toString());
        assertTrue(seen.toString().matches("(?s).*stopped at epoch \\d+, batch \\d+; saved .*checkpoint.safetensors, continue with --resume.*"),
                seen.toString());
        assertTrue(Files.exists(dir.resolve("ckpt/checkpoint.safetensors")));
        Process q = start("run", "../samples/digits_cnn.nnet", "--epochs", "6", "--checkpoint", "ckpt", "--resume");
        String rest = new String(q.getInputStream().readAllBytes());
        assertEquals(0, q.waitFor(), rest);
        assertTrue(rest.startsWith("resuming from ") || rest.contains("\nresuming from "), rest);
        assertTrue(rest.contains("done: 6 epochs"), rest);
    }
}
