package org.nnc.frontend.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A .nnet file's text, the name it is reported under (as the user wrote the path), and its lines. */
public final class SourceFile {
    private final String name;
    private final Path path;
    private final String text;
    private final List<String> lines;

    public SourceFile(String name, Path path, String text) {
        this.name = name;
        this.path = path;
        this.text = text;
        this.lines = split(text);
    }

    public static SourceFile read(Path path) throws IOException {
        return new SourceFile(path.toString(), path, Files.readString(path, StandardCharsets.UTF_8));
    }

    public static SourceFile of(String name, String text) {
        return new SourceFile(name, null, text);
    }

    public String name() { return name; }

    /** The file on disk, or null for text that did not come from a file. */
    public Path path() { return path; }

    public String text() { return text; }

    public List<String> lines() { return lines; }

    /** Line {@code n} (1-based) without its line break, or "" past the end. */
    public String line(int n) {
        return n >= 1 && n <= lines.size() ? lines.get(n - 1) : "";
    }

    /** The text a span covers (lines joined with a space when it spans several), or "" without a span. */
    public String text(Span span) {
        if (span.line() <= 0) return "";
        String first = line(span.line());
        if (span.line() == span.endLine()) {
            return first.substring(Math.min(first.length(), span.col() - 1), Math.min(first.length(), Math.max(span.col() - 1, span.endCol() - 1)));
        }
        StringBuilder sb = new StringBuilder(first.substring(Math.min(first.length(), span.col() - 1)).strip());
        for (int n = span.line() + 1; n < span.endLine(); n++) sb.append(' ').append(line(n).strip());
        String last = line(span.endLine());
        sb.append(' ').append(last.substring(0, Math.min(last.length(), span.endCol() - 1)).strip());
        return sb.toString();
    }

    private static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                out.add(stripCr(text.substring(start, i)));
                start = i + 1;
            }
        }
        out.add(stripCr(text.substring(start)));
        return List.copyOf(out);
    }

    private static String stripCr(String s) { return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s; }
}
