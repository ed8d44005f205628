package org.nnc.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nnc.frontend.Frontend;
import org.nnc.frontend.diag.TextRenderer;
import org.nnc.frontend.source.SourceFile;

/** Every bundled sample passes `nnc check`, with its data files typed from their headers. */
class SamplesCheckTest {
    static List<Path> samples() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("."))) {
            return s.filter(p -> p.toString().endsWith(".nnet")).sorted().toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void sampleChecksClean(Path sample) throws IOException {
        SourceFile src = SourceFile.read(sample.toAbsolutePath());
        Frontend.Result r = Frontend.check(src);
        assertEquals("", TextRenderer.render(r.diagnostics()));
        assertTrue(r.checker().modelNames().size() >= 1);
    }
}
