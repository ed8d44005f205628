package org.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class MainTest {
    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void versionNamesTheBuild() {
        Run r = run("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().matches("nnc \\d+\\.\\d+\\.\\d+(-SNAPSHOT)? \\(Java 2[5-9].*\\n"), r.out());
    }

    @Test
    void helpListsTheOptions() {
        Run r = run("--help");
        assertEquals(0, r.status());
        assertTrue(r.out().contains("Usage: nnc"), r.out());
        assertTrue(r.out().contains("--version"), r.out());
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        Run r = run("--frobnicate");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: Unknown option: '--frobnicate'"), r.err());
        assertTrue(r.err().contains("Usage: nnc"), r.err());
    }
}
