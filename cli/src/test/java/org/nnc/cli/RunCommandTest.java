package org.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nnc run, compile and describe as a user calls them (in process; training output is captured from System.out). */
class RunCommandTest {
    @TempDir
    Path dir;
    private PrintStream saved;
    private ByteArrayOutputStream printed;

    @BeforeEach
    void capture() {
        saved = System.out;
        printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        System.setProperty("nnc.output.dir", dir.toString());
    }

    @AfterEach
    void restore() {
        System.setOut(saved);
        System.clearProperty("nnc.output.dir");
    }

    private record Run(int status, String out, String err) {}

    private Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(status, out + printed.toString(StandardCharsets.UTF_8), err.toString());
    }

    @Test
    void runTrainsASampleWithFlagsOverridingTheBlock() {
        Run r = run("run", "../samples/iris_mlp.nnet", "--epochs", "3", "--seed", "1", "--device", "cpu");
        assertEquals(0, r.status(), r.err());
        assertEquals(3, r.out().lines().filter(l -> l.startsWith("epoch ")).count(), r.out());
        assertTrue(r.out().contains("done: 3 epochs"), r.out());
    }

    @Test
    void runReportsCheckErrorsWithExitOne() throws IOException {
        Path bad = dir.resolve("bad.nnet");
        Files.writeString(bad, "model M {\n    val fc = Linear(3, 2)\n    fun forward(x: Tensor[B, 4]) = fc(x)\n}\n");
        Run r = run("run", bad.toString());
        assertEquals(1, r.status());
        assertTrue(r.out().contains("error[shape]: Linear expects last dimension 3, found 4"), r.out());
    }

    @Test
    void aMissingDataFileIsOneLineWithExitOne() throws IOException {
        Path p = dir.resolve("nodata.nnet");
        Files.writeString(p, """
                model M {
                    val fc = Linear(4, 3)
                    fun forward(x: Tensor[B, 4]): Tensor[B, 3] = fc(x)
                }
                train(M()) {
                    data = csv("nowhere.csv", target = "y")
                    loss = crossEntropy
                }
                """);
        Run r = run("run", p.toString());
        assertEquals(1, r.status());
        assertTrue(r.err().startsWith("error: cannot read data file ") && r.err().strip().endsWith("nowhere.csv: it does not exist"), r.err());
        assertEquals(1, r.err().strip().lines().count(), "no stack trace");
    }

    @Test
    void cudaWithoutAGpuIsOneLineThatSaysWhyAndAutoFallsBack() {
        String why = org.nnc.backend.cuda.Cuda.unavailableReason();
        org.junit.jupiter.api.Assumptions.assumeTrue(why != null, "this machine has a GPU");
        Run r = run("run", "../samples/iris_mlp.nnet", "--epochs", "1", "--device", "cuda");
        assertEquals(1, r.status());
        assertEquals("error: device = cuda was asked for, but cuda:0 is not available: " + why
                + "; use device = auto to fall back to the CPU", r.err().strip());
        r = run("run", "../samples/iris_mlp.nnet", "--epochs", "1", "--device", "auto");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("device auto: training on the CPU (" + why + ")\n"), r.out());
    }

    @Test
    void outPutsTheSavedFilesInAFolderItCreates() {
        Path folder = dir.resolve("results/digits");
        Run r = run("run", "../samples/digits_cnn.nnet", "--epochs", "1", "--out", folder.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.exists(folder.resolve("digits_cnn.safetensors")), r.out());
        assertTrue(r.out().contains("wrote " + folder.resolve("digits_cnn.safetensors")), r.out());
        assertEquals(dir.toString(), System.getProperty("nnc.output.dir"), "the folder given before is restored");
    }

    /** TF32 is the user's choice: the flag sets what the GPU's cuBLAS handle reads, and a CPU run is the same run. */
    @Test
    void tf32IsAskedForByAFlag() {
        try {
            Run r = run("run", "../samples/iris_mlp.nnet", "--epochs", "1", "--device", "cpu", "--tf32");
            assertEquals(0, r.status(), r.err());
            assertEquals("true", System.getProperty("nnc.cuda.tf32"));
        } finally {
            System.clearProperty("nnc.cuda.tf32");
        }
    }

    @Test
    void aBadDeviceIsAUsageError() {
        Run r = run("run", "../samples/iris_mlp.nnet", "--device", "tpu");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--device must be cpu, cuda, cuda:N or auto"), r.err());
    }

    @Test
    void compileWritesClassesOrAJarThatRunRuns() throws IOException {
        Path classes = dir.resolve("classes");
        Run r = run("compile", "../samples/iris_mlp.nnet", "-o", classes.toString());
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.exists(classes.resolve("iris_mlp/IrisMlp.class")));
        assertTrue(Files.exists(classes.resolve("iris_mlp/Train0.class")));
        Path jar = dir.resolve("iris.jar");
        r = run("compile", "../samples/iris_mlp.nnet", "-o", jar.toString(), "--standalone");
        assertEquals(0, r.status(), r.err());
        try (JarFile f = new JarFile(jar.toFile())) {
            assertEquals("iris_mlp.Train0", f.getManifest().getMainAttributes().getValue("Main-Class"));
            assertTrue(f.getEntry("org/nnc/tensor/Tensor.class") != null, "the runtime is inside a standalone jar");
        }
        r = run("run", jar.toString(), "--epochs", "2");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("done: 2 epochs"), r.out());
    }

    @Test
    void describeSummarisesAColumnsAndTheClasses() {
        Run r = run("describe", "../samples/data/iris.csv");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("iris.csv: 150 rows, 5 columns"), r.out());
        assertTrue(r.out().contains("sepal_length         150       0      5.843     0.8281      4.300      5.100      5.800      6.400      7.900"), r.out());
        assertTrue(r.out().contains("target species: 3 classes"), r.out());
        assertTrue(r.out().contains("  setosa                    50   33.3%"), r.out());
    }
}
