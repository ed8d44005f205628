package org.nnc.frontend.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.nnc.frontend.Frontend;
import org.nnc.frontend.diag.Diagnostic;
import org.nnc.frontend.diag.JsonRenderer;
import org.nnc.frontend.diag.TextRenderer;
import org.nnc.frontend.source.SourceFile;

/**
 * Thousands of random mutations of the golden programs: the front end must answer each with diagnostics
 * (or none), never an exception, and every diagnostic must point inside the file.
 */
class MutationFuzzTest {
    private static final String[] TOKENS = {"(", ")", "[", "]", "{", "}", ",", ":", "=", "+", "-", "*", "/", "@", ".", "..",
        "\n", "\"", "$", "${", "val ", "var ", "fun ", "model ", "train", "return ", "if ", "else ", "for ", "in ", "while ",
        "0", "1", "-1", "3.5", "1e-3", "x", "B", "Tensor", "Tensor[", "Linear(", "Conv2d(", "relu(", "flatten(", "*S", "true", "#",
        "List(2) { Linear(4, 4) }", "listOf(", "[:, -1]", "[::2]", "999999999999999999999999", "\t", "/*", "*/", "//"};
    private static final int MUTANTS = 3000;

    private static List<String> seeds() throws IOException {
        List<String> out = new ArrayList<>();
        for (String dir : List.of("ok", "errors")) {
            try (Stream<Path> s = Files.list(Path.of("src/test/resources/golden", dir))) {
                for (Path p : s.filter(f -> f.toString().endsWith(".nnet")).sorted().toList()) {
                    out.add(Files.readString(p, StandardCharsets.UTF_8));
                }
            }
        }
        return out;
    }

    static String mutate(String src, SplittableRandom r) {
        StringBuilder sb = new StringBuilder(src);
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = sb.length() == 0 ? 0 : r.nextInt(sb.length());
            switch (r.nextInt(5)) {
                case 0 -> { if (sb.length() > 0) sb.deleteCharAt(at); }
                case 1 -> sb.insert(at, TOKENS[r.nextInt(TOKENS.length)]);
                case 2 -> {
                    int len = Math.min(sb.length() - at, 1 + r.nextInt(20));
                    if (len > 0) sb.delete(at, at + len);
                }
                case 3 -> {
                    int len = Math.min(sb.length() - at, 1 + r.nextInt(30));
                    String piece = sb.substring(at, at + len);
                    sb.insert(r.nextInt(sb.length() + 1), piece);
                }
                default -> {
                    if (sb.length() > 0 && Character.isDigit(sb.charAt(at))) sb.setCharAt(at, (char) ('0' + r.nextInt(10)));
                    else sb.insert(at, String.valueOf(r.nextInt(100)));
                }
            }
        }
        return sb.toString();
    }

    @Test
    void mutatedProgramsGetDiagnosticsNeverExceptions() throws IOException {
        List<String> seeds = seeds();
        SplittableRandom r = new SplittableRandom(20261127);
        int withErrors = 0;
        for (int i = 0; i < MUTANTS; i++) {
            String text = mutate(seeds.get(r.nextInt(seeds.size())), r);
            SourceFile src = new SourceFile("mutant.nnet", Path.of("src/test/resources/golden/ok/mutant.nnet").toAbsolutePath(), text);
            try {
                Frontend.Result res = Frontend.check(src);
                TextRenderer.render(res.diagnostics());
                JsonRenderer.render(res.diagnostics());
                int lines = src.lines().size();
                for (Diagnostic d : res.diagnostics().all()) {
                    assertTrue(d.span().line() >= 1 && d.span().line() <= lines + 1,
                            "diagnostic outside the file: " + d + "\n--- mutant:\n" + text);
                    assertTrue(!d.message().contains("Exception") && !d.message().contains("org.nnc"),
                            "internal detail leaked: " + d.message());
                }
                if (res.diagnostics().hasErrors()) withErrors++;
            } catch (RuntimeException | StackOverflowError e) {
                fail("front end threw on mutant " + i + ": " + e + "\n--- mutant:\n" + text, e);
            }
        }
        assertTrue(withErrors > MUTANTS / 3, "mutations should mostly break programs, only " + withErrors + " did");
    }
}
