package org.nnc.frontend.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nnc.frontend.Frontend;
import org.nnc.frontend.diag.TextRenderer;
import org.nnc.frontend.source.SourceFile;

/**
 * Diagnostics as golden files: each {@code errors/x.nnet} must produce exactly {@code errors/x.expected},
 * and each {@code ok/x.nnet} no diagnostic at all. Run with {@code -Dgolden.update=true} to rewrite the
 * expected files after a deliberate change, then review the diff.
 */
class GoldenTest {
    private static final Path ROOT = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    static Stream<Path> errors() throws IOException { return list("errors"); }

    static Stream<Path> ok() throws IOException { return list("ok"); }

    private static Stream<Path> list(String dir) throws IOException {
        try (Stream<Path> s = Files.list(ROOT.resolve(dir))) {
            return s.filter(p -> p.toString().endsWith(".nnet")).sorted().toList().stream();
        }
    }

    private static String check(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        SourceFile src = new SourceFile(file.getFileName().toString(), file.toAbsolutePath(), text);
        return TextRenderer.render(Frontend.check(src).diagnostics());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("errors")
    void failingProgramGivesExactlyTheExpectedDiagnostics(Path file) throws IOException {
        String actual = check(file);
        Path expected = Path.of(file.toString().replace(".nnet", ".expected"));
        if (UPDATE) Files.writeString(expected, actual, StandardCharsets.UTF_8);
        assertTrue(Files.exists(expected), "missing " + expected + "; run with -Dgolden.update=true");
        assertTrue(actual.contains("error["), "expected at least one error, got:\n" + actual);
        assertEquals(Files.readString(expected, StandardCharsets.UTF_8), actual);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ok")
    void correctProgramHasNoDiagnostic(Path file) throws IOException {
        assertEquals("", check(file));
    }

    @Test
    void thereAreEnoughGoldenFiles() throws IOException {
        List<Path> e = errors().toList(), o = ok().toList();
        assertTrue(e.size() >= 40, "only " + e.size() + " failing programs");
        assertTrue(o.size() >= 15, "only " + o.size() + " correct programs");
    }
}
