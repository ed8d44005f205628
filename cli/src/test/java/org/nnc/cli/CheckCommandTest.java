package org.nnc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        int status = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(status, out.toString(), err.toString());
    }

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static final String GOOD = """
            model Net(hidden: Int = 32) {
                val fc1 = Linear(784, hidden)
                val fc2 = Linear(hidden, 10)
                fun forward(x: Tensor[B, 784]): Tensor[B, 10] = fc2(relu(fc1(x)))
            }
            """;

    @Test
    void aCorrectFileExitsZero() throws IOException {
        Run r = run("check", write("good.nnet", GOOD).toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().startsWith("ok: "), r.out());
    }

    @Test
    void errorsExitOneWithTheRenderedDiagnostics() throws IOException {
        Path f = write("bad.nnet", GOOD.replace("Linear(hidden, 10)", "Linear(64, 10)").replace("hidden: Int = 32", "hidden: Int = 32"));
        Run r = run("check", f.toString());
        assertEquals(1, r.status());
        assertTrue(r.out().contains("error[shape]: with the defaults (hidden = 32), Linear expects last dimension 64, found 32"), r.out());
        assertTrue(r.out().contains("^^^^"), r.out());
    }

    @Test
    void jsonPrintsOneObjectPerDiagnostic() throws IOException {
        Path f = write("bad.nnet", "fun f(x: Tensor[B, 3]) = x + y\nfun g(x: Tensor[B, 3]) = x @ x\n");
        Run r = run("check", "--json", f.toString());
        assertEquals(1, r.status());
        String[] lines = r.out().strip().split("\n");
        assertEquals(2, lines.length, r.out());
        assertTrue(lines[0].startsWith("{\"file\":\"" + f + "\",\"line\":1,\"column\":30,\"endLine\":1,\"endColumn\":31,"
                + "\"severity\":\"error\",\"code\":\"name\",\"message\":\"unknown name `y`\""), lines[0]);
        assertTrue(lines[1].contains("\"code\":\"shape\"") && lines[1].contains("\"notes\":["), lines[1]);
    }

    @Test
    void aMissingFileIsAnIoErrorWithExitTwo() {
        Run r = run("check", dir.resolve("nope.nnet").toString());
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("error: no such file: "), r.err());
    }

    @Test
    void aMissingArgumentIsAUsageError() {
        Run r = run("check");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("Missing required parameter: 'FILE'"), r.err());
        assertTrue(r.err().contains("Usage: nnc check"), r.err());
    }

    @Test
    void shapesPrintsTheLayerTable() throws IOException {
        Run r = run("check", "--shapes", write("good.nnet", GOOD).toString());
        assertEquals(0, r.status(), r.out() + r.err());
        assertEquals("""
                Net(hidden = 32): input Tensor[1, 784] -> output Tensor[1, 10]
                layer  type             input     output   params
                fc1    Linear(784, 32)  [1, 784]  [1, 32]  25,120
                fc2    Linear(32, 10)   [1, 32]   [1, 10]  330
                total parameters: 25,450
                """, r.out());
    }

    @Test
    void summaryTakesAnInputShape() throws IOException {
        Path f = write("cnn.nnet", """
                model Cnn {
                    val conv = Conv2d(3, 8, kernel = 3, stride = 2)
                    fun forward(x: Tensor[B, 3, H, W]) = flatten(conv(x))
                }
                """);
        Run r = run("summary", f.toString(), "--input", "4,3,32,32");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().startsWith("Cnn(): input Tensor[4, 3, 32, 32] -> output Tensor[4, 1800]"), r.out());
        Run missing = run("summary", f.toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().contains("give --input"), missing.err());
    }
}
