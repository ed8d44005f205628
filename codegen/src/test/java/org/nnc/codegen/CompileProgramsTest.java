package org.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nnc.frontend.Frontend;
import org.nnc.frontend.diag.TextRenderer;
import org.nnc.frontend.source.SourceFile;
import org.nnc.nn.Module;
import org.nnc.tensor.Tensor;

/** Every sample and every correct golden program compiles to classes that the JVM verifies and links. */
class CompileProgramsTest {
    static List<Path> programs() throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path dir : List.of(Path.of("../samples"), Path.of("../frontend/src/test/resources/golden/ok"))) {
            try (Stream<Path> s = Files.list(dir)) {
                out.addAll(s.filter(p -> p.toString().endsWith(".nnet")).sorted().toList());
            }
        }
        return out;
    }

    static Compiler.Output compile(Path p) throws IOException {
        Frontend.Result r = Frontend.check(SourceFile.read(p.toAbsolutePath()));
        assertTrue(r.ok(), TextRenderer.render(r.diagnostics()));
        return Compiler.compile(r);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("programs")
    void compilesToVerifiedClasses(Path p) throws Exception {
        Compiler.Output out = compile(p);
        GeneratedClassLoader loader = new GeneratedClassLoader(out.classes(), getClass().getClassLoader());
        for (String name : out.classes().keySet()) {
            Class<?> c = Class.forName(name.replace('/', '.'), true, loader);
            assertEquals(name.replace('/', '.'), c.getName());
        }
    }

    @Test
    void theCompiledDigitsModelRunsLikeAJavaClass() throws Exception {
        Compiler.Output out = compile(Path.of("../samples/digits_cnn.nnet"));
        GeneratedClassLoader loader = new GeneratedClassLoader(out.classes(), getClass().getClassLoader());
        Class<?> cls = loader.loadClass("digits_cnn.DigitsCnn");
        Module m = (Module) cls.getConstructor().newInstance();
        assertEquals(List.of("conv.weight", "conv.bias", "fc.weight", "fc.bias"), List.copyOf(m.stateDict().keySet()));
        assertArrayEquals(new int[] {16, 1, 3, 3}, m.stateDict().get("conv.weight").shape());
        Tensor y = m.forward(Tensor.randn(2, 1, 8, 8));
        assertArrayEquals(new int[] {2, 10}, y.shape());
        Module wide = (Module) cls.getConstructor(long.class, long.class).newInstance(8L, 5L);
        assertArrayEquals(new int[] {5, 128}, wide.stateDict().get("fc.weight").shape());
        assertEquals(List.of("digits_cnn.Train0"), out.trainClasses());
    }
}
