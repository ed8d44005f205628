package org.nnc.bench;

import java.util.Locale;
import org.nnc.frontend.Frontend;
import org.nnc.frontend.source.SourceFile;

/**
 * {@code nnc check} on a generated file of about N lines: models of several layer kinds, each used by
 * the next, and a train block. Prints the first check (JIT cold, right after JVM start, which is what a
 * user waits for) and the median of later ones.
 */
final class CheckBench {
    private CheckBench() {}

    static String program(int lines) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (sb.chars().filter(c -> c == '\n').count() < lines - 12) {
            sb.append("/** Block ").append(i).append(". */\n")
              .append("model Block").append(i).append("(width: Int = 64, hidden: Int = 128) {\n")
              .append("    val fc1 = Linear(width, hidden)\n")
              .append("    val fc2 = Linear(hidden, width)\n")
              .append("    val norm = LayerNorm(width)\n")
              .append("    val conv = Conv2d(4, 8, kernel = 3, padding = 1)\n")
              .append("    fun forward(x: Tensor[B, width]): Tensor[B, width] {\n")
              .append("        val h = relu(fc1(norm(x)))\n")
              .append("        val g = fc2(h) * 0.5 + x\n")
              .append("        val c = flatten(maxPool2d(conv(zeros(2, 4, 8, 8)), 2))\n")
              .append("        return g + mean(c)\n")
              .append("    }\n")
              .append("}\n\n");
            i++;
        }
        sb.append("model Top {\n");
        for (int k = 0; k < Math.min(i, 8); k++) sb.append("    val b").append(k).append(" = Block").append(k).append("()\n");
        sb.append("    fun forward(x: Tensor[B, 64]): Tensor[B, 64] {\n        var h = x\n");
        for (int k = 0; k < Math.min(i, 8); k++) sb.append("        h = b").append(k).append("(h)\n");
        sb.append("        return h\n    }\n}\n");
        return sb.toString();
    }

    static void run(int lines) {
        long t0 = System.nanoTime();
        SourceFile src = SourceFile.of("generated.nnet", program(lines));
        long t1 = System.nanoTime();
        Frontend.Result r = Frontend.check(src);
        double first = (System.nanoTime() - t1) / 1e9;
        if (!r.ok()) {
            String text = org.nnc.frontend.diag.TextRenderer.render(r.diagnostics());
            throw new IllegalStateException("the generated program has errors:\n" + text.substring(0, Math.min(2000, text.length())));
        }
        double[] warm = new double[5];
        for (int k = 0; k < warm.length; k++) {
            long s = System.nanoTime();
            Frontend.check(src);
            warm[k] = (System.nanoTime() - s) / 1e9;
        }
        java.util.Arrays.sort(warm);
        System.out.println(String.format(Locale.ROOT, "CHECK nnc lines=%d first_s=%.3f warm_median_s=%.3f generate_s=%.3f",
                src.lines().size(), first, warm[warm.length / 2], (t1 - t0) / 1e9));
    }
}
