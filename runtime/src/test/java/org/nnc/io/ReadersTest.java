package org.nnc.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnc.data.DataException;
import org.nnc.data.TensorDataset;

class ReadersTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    private static CsvReader.Options opts(String target, CsvReader.Missing missing) {
        return new CsvReader.Options(target, null, null, 1.0, false, missing, CsvReader.Target.AUTO);
    }

    @Test
    void csvClassesAreSortedLabelsAndTheMappingIsKept() throws IOException {
        Path p = write("f.csv", "a,b,kind\n1,2,zeta\n3,4,alpha\n5,6,zeta\n");
        CsvReader.Result r = CsvReader.read(p, CsvReader.Options.of("kind"));
        assertEquals(List.of("alpha", "zeta"), r.classes());
        assertArrayEquals(new long[] {1, 0, 1}, r.data().targets().toLongArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, r.data().features().toFloatArray());
        CsvReader.Result digits = CsvReader.read(write("d.csv", "x,label\n0,10\n1,2\n2,10\n"), CsvReader.Options.of("label"));
        assertEquals(List.of("2", "10"), digits.classes(), "numeric labels sort as numbers");
    }

    @Test
    void csvFractionalTargetsAreRegressionValues() throws IOException {
        CsvReader.Result r = CsvReader.read(write("r.csv", "x,y\n1,0.5\n2,1.25\n"), CsvReader.Options.of("y"));
        assertNull(r.classes());
        assertArrayEquals(new int[] {2, 1}, r.data().targets().shape());
        assertArrayEquals(new float[] {0.5f, 1.25f}, r.data().targets().toFloatArray());
    }

    @Test
    void csvShapeScaleAndNormalize() throws IOException {
        Path p = write("s.csv", "a,b,c,d,t\n0,1,2,3,0\n4,5,6,7,1\n");
        TensorDataset d = CsvReader.read(p, new CsvReader.Options("t", null, new int[] {1, 2, 2}, 0.5, false,
                CsvReader.Missing.ERROR, CsvReader.Target.AUTO)).data();
        assertArrayEquals(new int[] {2, 1, 2, 2}, d.features().shape());
        assertEquals(3.5f, d.features().toFloatArray()[7]);
        CsvReader.Result n = CsvReader.read(p, new CsvReader.Options("t", List.of("a", "b"), null, 1, true, CsvReader.Missing.ERROR,
                CsvReader.Target.AUTO));
        assertArrayEquals(new float[] {-1, -1, 1, 1}, n.data().features().toFloatArray());
        assertArrayEquals(new double[] {2, 3}, n.mean());
    }

    @Test
    void csvProblemsNameTheLineAndColumn() throws IOException {
        Path ragged = write("ragged.csv", "a,b,t\n1,2,x\n3,x\n");
        DataException e = assertThrows(DataException.class, () -> CsvReader.read(ragged, CsvReader.Options.of("t")));
        assertEquals(ragged + ": line 3 has 2 cells, but the header has 3", e.getMessage());
        Path text = write("text.csv", "a,b,t\n1,2,x\n3,oops,y\n");
        e = assertThrows(DataException.class, () -> CsvReader.read(text, CsvReader.Options.of("t")));
        assertEquals(text + ": line 3, column \"b\": \"oops\" is not a number", e.getMessage());
        Path missing = write("missing.csv", "a,b,t\n1,,x\n3,NaN,y\n5,6,y\n");
        e = assertThrows(DataException.class, () -> CsvReader.read(missing, CsvReader.Options.of("t")));
        assertTrue(e.getMessage().startsWith(missing + ": line 2, column \"b\" is empty; choose missing"), e.getMessage());
        assertEquals(1, CsvReader.read(missing, opts("t", CsvReader.Missing.DROP)).data().size());
        assertArrayEquals(new float[] {1, 6, 3, 6, 5, 6}, CsvReader.read(missing, opts("t", CsvReader.Missing.MEAN)).data().features().toFloatArray());
        assertArrayEquals(new float[] {1, 0, 3, 0, 5, 6}, CsvReader.read(missing, opts("t", CsvReader.Missing.ZERO)).data().features().toFloatArray());
        e = assertThrows(DataException.class, () -> CsvReader.read(missing, CsvReader.Options.of("target")));
        assertTrue(e.getMessage().contains("no column \"target\" (columns: a, b, t)"), e.getMessage());
        e = assertThrows(DataException.class, () -> CsvReader.read(dir.resolve("nope.csv"), CsvReader.Options.of("t")));
        assertTrue(e.getMessage().endsWith("nope.csv: it does not exist"), e.getMessage());
    }

    private static byte[] idx(int type, int[] dims, int dataBytes) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        out.writeShort(0);
        out.writeByte(type);
        out.writeByte(dims.length);
        for (int d : dims) out.writeInt(d);
        for (int i = 0; i < dataBytes; i++) out.writeByte(i % 256);
        return b.toByteArray();
    }

    private Path file(String name, byte[] data) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream o = name.endsWith(".gz") ? new GZIPOutputStream(Files.newOutputStream(p)) : Files.newOutputStream(p)) {
            o.write(data);
        }
        return p;
    }

    @Test
    void idxPlainAndGzip() throws IOException {
        Path images = file("img.gz", idx(8, new int[] {3, 2, 2}, 12));
        Path labels = file("lab", idx(8, new int[] {3}, 3));
        TensorDataset d = IdxReader.read(images, labels, 1.0 / 255);
        assertArrayEquals(new int[] {3, 1, 2, 2}, d.features().shape());
        assertEquals(11 / 255f, d.features().toFloatArray()[11], 1e-7);
        assertArrayEquals(new long[] {0, 1, 2}, d.targets().toLongArray());
    }

    @Test
    void idxHeadersThatLieAreCaught() throws IOException {
        Path labels = file("lab", idx(8, new int[] {3}, 3));
        Path truncated = file("trunc", idx(8, new int[] {3, 2, 2}, 10));
        DataException e = assertThrows(DataException.class, () -> IdxReader.read(truncated, labels, 1));
        assertEquals(truncated + ": the header promises 12 bytes of data after byte 16, but the file ends at byte 26 (truncated)", e.getMessage());
        Path wrongType = file("float", idx(0x0D, new int[] {3, 2, 2}, 48));
        e = assertThrows(DataException.class, () -> IdxReader.read(wrongType, labels, 1));
        assertTrue(e.getMessage().contains("element type 0xd at byte 2"), e.getMessage());
        Path huge = file("huge", idx(8, new int[] {60000, 60000, 60000}, 0));
        e = assertThrows(DataException.class, () -> IdxReader.read(huge, labels, 1));
        assertTrue(e.getMessage().contains("too large"), e.getMessage());
        Path fewer = file("fewer", idx(8, new int[] {2}, 2));
        e = assertThrows(DataException.class, () -> IdxReader.read(file("img", idx(8, new int[] {3, 2, 2}, 12)), fewer, 1));
        assertTrue(e.getMessage().contains("holds 3 images but"), e.getMessage());
    }

    @Test
    void npyWrittenByNumpyLoads() {
        Path samples = Path.of("../samples/data");
        TensorDataset d = NpyReader.read(samples.resolve("sequences_x.npy"), samples.resolve("sequences_y.npy"));
        assertArrayEquals(new int[] {2000, 12, 4}, d.features().shape());
        assertArrayEquals(new int[] {2000}, d.targets().shape());
        float[] first = d.features().select(0, 0).toFloatArray();
        double[] sums = new double[4];
        for (int t = 0; t < 12; t++) for (int f = 0; f < 4; f++) sums[f] += first[t * 4 + f];
        int best = 0;
        for (int f = 1; f < 4; f++) if (sums[f] > sums[best]) best = f;
        assertEquals(best, d.targets().toLongArray()[0], "the label is the feature with the largest sum");
    }

    @Test
    void npyCorruptHeader() throws IOException {
        Path bad = file("bad.npy", "\u0093NUMPY".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThrows(DataException.class, () -> NpyReader.read(bad));
        byte[] real = Files.readAllBytes(Path.of("../samples/data/sequences_y.npy"));
        Path cut = file("cut.npy", java.util.Arrays.copyOf(real, real.length - 10));
        DataException e = assertThrows(DataException.class, () -> NpyReader.read(cut));
        assertTrue(e.getMessage().contains("(truncated)"), e.getMessage());
    }
}
