package org.nnc.samples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nnc.codegen.Compiler;
import org.nnc.codegen.GeneratedClassLoader;
import org.nnc.frontend.Frontend;
import org.nnc.frontend.source.SourceFile;

/**
 * Every sample compiles and trains on its bundled data to the accuracy (or loss) it is expected to reach,
 * read from the line the run prints last, as a user would.
 */
class SamplesTrainTest {
    @TempDir
    static Path out;

    /** A sample, the figure its final line reports, and the bound it must meet. */
    record Expectation(String sample, String figure, double bound, boolean atLeast) {
        @Override public String toString() { return sample + " " + figure + (atLeast ? " >= " : " <= ") + bound; }
    }

    static Stream<Expectation> samples() {
        return Stream.of(
                new Expectation("iris_mlp", "val_accuracy", 95, true),
                new Expectation("digits_cnn", "val_accuracy", 95, true),
                new Expectation("cancer_binary", "val_accuracy", 94, true),
                new Expectation("diabetes_regression", "val_loss", 0.45, false),
                new Expectation("sequence_lstm", "val_accuracy", 85, true),
                new Expectation("iris_main", "training accuracy", 0.95, true),
                new Expectation("fashion_mlp", "val_accuracy", 82, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void sampleTrainsToItsStatedFigure(Expectation e) throws Exception {
        if (e.sample().startsWith("fashion")) {
            org.junit.jupiter.api.Assumptions.assumeTrue(Files.exists(Path.of("/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz")),
                    "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)");
        }
        Frontend.Result r = Frontend.check(SourceFile.read(Path.of(e.sample() + ".nnet").toAbsolutePath()));
        assertTrue(r.ok());
        Compiler.Output program = Compiler.compile(r);
        GeneratedClassLoader loader = new GeneratedClassLoader(program.classes(), getClass().getClassLoader());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setProperty("nnc.output.dir", out.toString());
        try {
            System.setOut(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            if (program.mainClass() != null) {
                loader.loadClass(program.mainClass()).getMethod("main", String[].class).invoke(null, (Object) new String[0]);
            } else {
                loader.loadClass(program.trainClasses().get(0)).getMethod("train", String[].class).invoke(null, (Object) new String[0]);
            }
        } finally {
            System.setOut(saved);
            System.clearProperty("nnc.output.dir");
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        String last = text.strip().lines().reduce((a, b) -> b).orElse("");
        Matcher m = Pattern.compile(Pattern.quote(e.figure()) + " ([0-9.]+)").matcher(last);
        assertTrue(m.find(), "no " + e.figure() + " in the last line: " + last);
        double v = Double.parseDouble(m.group(1));
        assertTrue(e.atLeast() ? v >= e.bound() : v <= e.bound(), e + ", got " + v + "\n" + text);
        if (e.sample().equals("digits_cnn")) assertTrue(Files.size(out.resolve("digits_cnn.safetensors")) > 10_000);
    }
}
