package org.nnc.frontend.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A .nnet file's text and the name it is reported under (as the user wrote the path). */
public record SourceFile(String name, Path path, String text) {

    public static SourceFile read(Path path) throws IOException {
        return new SourceFile(path.toString(), path, Files.readString(path, StandardCharsets.UTF_8));
    }

    public static SourceFile of(String name, String text) {
        return new SourceFile(name, null, text);
    }

    /** Line {@code n} (1-based) without its line break, or "" past the end. */
    public String line(int n) {
        List<String> lines = lines();
        return n >= 1 && n <= lines.size() ? lines.get(n - 1) : "";
    }

    public List<String> lines() {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(stripCr(text.substring(start, i)));
                start = i + 1;
            }
        }
        out.add(stripCr(text.substring(start)));
        return out;
    }

    private static String stripCr(String s) { return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s; }
}
