package org.nnc.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.nnc.frontend.diag.TextRenderer;
import org.nnc.frontend.source.SourceFile;
import org.nnc.nn.Module;
import org.nnc.tensor.Tensor;

/**
 * The whole pipeline under fuzzing: mutated programs that still check must compile to classes the JVM
 * accepts; randomly generated well-typed models must check clean, compile, verify, and map an input of
 * the declared shape to an output of the declared shape.
 */
class PipelineFuzzTest {
    private static final String[] TOKENS = {"(", ")", ",", "+", "-", "*", "@", ".", "\n", "1", "2", "0.5", "x", "h", "relu(", "[:, 0]",
        "flatten(", ".transpose(0, 1)", "sum(", "val y = x\n", "if (true) ", "return ", "noGrad { ", "}", "listOf(", "dim = 1"};

    private static List<String> seeds() throws IOException {
        List<String> out = new ArrayList<>();
        for (Path dir : List.of(Path.of("../samples"), Path.of("../frontend/src/test/resources/golden/ok"))) {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.filter(f -> f.toString().endsWith(".nnet")).sorted().toList()) out.add(Files.readString(p, StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static String mutate(String src, SplittableRandom r) {
        StringBuilder sb = new StringBuilder(src);
        for (int e = 0, edits = 1 + r.nextInt(3); e < edits; e++) {
            int at = r.nextInt(sb.length());
            switch (r.nextInt(3)) {
                case 0 -> sb.deleteCharAt(at);
                case 1 -> sb.insert(at, TOKENS[r.nextInt(TOKENS.length)]);
                default -> {
                    int len = Math.min(sb.length() - at, 1 + r.nextInt(12));
                    sb.delete(at, at + len);
                }
            }
        }
        return sb.toString();
    }

    @Test
    void mutantsThatCheckCompileToVerifiedClasses() throws Exception {
        List<String> seeds = seeds();
        SplittableRandom r = new SplittableRandom(77);
        int compiled = 0;
        for (int i = 0; i < 2500; i++) {
            String text = mutate(seeds.get(r.nextInt(seeds.size())), r);
            SourceFile src = new SourceFile("mutant.nnet", Path.of("../samples/mutant.nnet").toAbsolutePath(), text);
            Frontend.Result res = Frontend.check(src);
            if (!res.ok()) continue;
            try {
                Compiler.Output out = Compiler.compile(res);
                GeneratedClassLoader loader = new GeneratedClassLoader(out.classes(), getClass().getClassLoader());
                for (String name : out.classes().keySet()) Class.forName(name.replace('/', '.'), true, loader);
                compiled++;
            } catch (Throwable t) {
                fail("mutant " + i + " checks but does not compile to valid classes: " + t + "\n--- mutant:\n" + text, t);
            }
        }
        assertTrue(compiled > 100, "only " + compiled + " mutants survived the checker");
    }

    @Test
    void randomWellTypedModelsCompileAndRunWithTheDeclaredShapes() throws Exception {
        SplittableRandom r = new SplittableRandom(2026);
        for (int i = 0; i < 40; i++) {
            int c = 1 + r.nextInt(3), h = 6 + r.nextInt(14), w = 6 + r.nextInt(14), classes = 2 + r.nextInt(5);
            StringBuilder vals = new StringBuilder(), body = new StringBuilder();
            String cur = "x";
            int layers = r.nextInt(4), ch = c, hh = h, ww = w;
            for (int l = 0; l < layers; l++) {
                int out = 2 + r.nextInt(6), k = 1 + 2 * r.nextInt(2), s = 1 + r.nextInt(2), p = r.nextInt(2);
                if (Math.floorDiv(hh + 2 * p - k, s) + 1 < 1 || Math.floorDiv(ww + 2 * p - k, s) + 1 < 1) break;
                vals.append("    val conv").append(l).append(" = Conv2d(").append(ch).append(", ").append(out).append(", kernel = ")
                        .append(k).append(", stride = ").append(s).append(", padding = ").append(p).append(")\n");
                body.append("        val c").append(l).append(" = ").append(r.nextBoolean() ? "relu" : "silu").append("(conv").append(l)
                        .append("(").append(cur).append("))\n");
                cur = "c" + l;
                ch = out;
                hh = (hh + 2 * p - k) / s + 1;
                ww = (ww + 2 * p - k) / s + 1;
                if (r.nextInt(3) == 0 && hh >= 2 && ww >= 2) {
                    body.append("        val p").append(l).append(" = maxPool2d(").append(cur).append(", 2)\n");
                    cur = "p" + l;
                    hh = (hh - 2) / 2 + 1;
                    ww = (ww - 2) / 2 + 1;
                }
            }
            int hidden = 3 + r.nextInt(20);
            vals.append("    val fc1 = Linear(").append(ch).append(" * ").append(hh).append(" * ").append(ww).append(", ").append(hidden).append(")\n");
            vals.append("    val fc2 = Linear(").append(hidden).append(", classes)\n");
            body.append("        val f = fc1(flatten(").append(cur).append("))\n");
            body.append("        return fc2(").append(r.nextBoolean() ? "tanh" : "gelu").append("(f) + sigmoid(f) * 0.5)\n");
            String text = "model Gen(classes: Int = " + classes + ") {\n" + vals + "\n    fun forward(x: Tensor[B, " + c + ", " + h + ", " + w
                    + "]): Tensor[B, classes] {\n" + body + "    }\n}\n";
            Frontend.Result res = Frontend.check(SourceFile.of("gen" + i + ".nnet", text));
            assertTrue(res.ok(), "generated program " + i + " does not check:\n" + text + TextRenderer.render(res.diagnostics()));
            Compiler.Output out = Compiler.compile(res);
            GeneratedClassLoader loader = new GeneratedClassLoader(out.classes(), getClass().getClassLoader());
            Module m = (Module) loader.loadClass(out.packageName() + ".Gen").getConstructor().newInstance();
            Tensor y = m.forward(Tensor.randn(3, c, h, w));
            assertArrayEquals(new int[] {3, classes}, y.shape(), text);
            assertEquals(3 * classes, y.numel());
        }
    }
}
