package org.nnc.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nnc.nn.Fixtures;
import org.nnc.nn.Linear;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsDtypesShapesValuesAndMetadata() throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("w", Tensor.of(new float[] {1.5f, -2, 3, 4}, 2, 2).t());
        t.put("d", Tensor.of(new double[] {Math.PI}, 1));
        t.put("i", Tensor.of(new long[] {Long.MAX_VALUE, -1}, 2));
        t.put("j", Tensor.of(new int[] {7}, 1, 1));
        t.put("s", Tensor.scalar(3));
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(t, Map.of("format", "pt"), f);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(List.of("w", "d", "i", "j", "s"), List.copyOf(c.tensors().keySet()));
        assertArrayEquals(new float[] {1.5f, 3, -2, 4}, c.tensors().get("w").toFloatArray());
        assertEquals(DType.FLOAT64, c.tensors().get("d").dtype());
        assertEquals(Math.PI, c.tensors().get("d").item());
        assertArrayEquals(new long[] {Long.MAX_VALUE, -1}, c.tensors().get("i").toLongArray());
        assertEquals(DType.INT32, c.tensors().get("j").dtype());
        assertArrayEquals(new int[] {}, c.tensors().get("s").shape());
        assertEquals(Map.of("format", "pt"), c.metadata());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file is left behind");
        }
    }

    @Test
    void aFileWrittenByPyTorchLoads() {
        Map<String, Tensor> k = Fixtures.load("known");
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, k.get("a").toFloatArray());
        assertArrayEquals(new int[] {2, 3}, k.get("a").shape());
        assertArrayEquals(new long[] {1, -2, 3}, k.get("b").toLongArray());
        assertEquals(0.5, k.get("c").item());
        assertEquals(7.0, k.get("d").item());
    }

    @Test
    void pyTorchWeightsLoadIntoTheSameArchitecture() {
        Map<String, Tensor> f = Fixtures.load("linear");
        Linear l = new Linear(5, 3);
        l.loadStateDict(Map.of("weight", f.get("param.weight"), "bias", f.get("param.bias")));
        assertArrayEquals(f.get("param.weight").toFloatArray(), l.weight.toFloatArray());
    }

    private Path bytes(String name, byte[] data) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, data);
        return p;
    }

    private static byte[] file(long headerLen, String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLen).put(h);
        return b.array();
    }

    private void rejects(String name, byte[] data, String expected) throws IOException {
        Path p = bytes(name, data);
        IOException e = assertThrows(IOException.class, () -> SafeTensors.read(p));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().startsWith(p.toString()), "the message names the file: " + e.getMessage());
    }

    @Test
    void corruptFilesAreClearErrors() throws IOException {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertEquals(2, SafeTensors.read(bytes("ok.safetensors", file(ok.length(), ok, 8))).tensors().get("a").numel());
        rejects("short", new byte[] {1, 2, 3}, "too short");
        rejects("truncated", java.util.Arrays.copyOf(file(ok.length(), ok, 8), 8 + ok.length() + 4), "claims bytes 0 to 8 of a data section of 4");
        rejects("lying_header", file(ok.length() + 1000, ok, 8), "the header claims");
        rejects("huge_header", file(1L << 60, ok, 8), "the header claims 1152921504606846976 bytes");
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        rejects("overlap", file(overlap.length(), overlap, 12), "overlap");
        String dtype = "{\"a\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
        rejects("dtype", file(dtype.length(), dtype, 4), "dtype BF16");
        String size = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}";
        rejects("size", file(size.length(), size, 8), "F32[3], 12 bytes, but its data_offsets span 8");
        rejects("json", file(5, "{\"a\":", 0), "not valid JSON");
        String dup = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        rejects("dup", file(dup.length(), dup, 8), "duplicate key");
    }

    @Test
    void aFailedWriteLeavesThePreviousFile() throws IOException {
        Path f = dir.resolve("keep.safetensors");
        SafeTensors.write(Map.of("a", Tensor.ones(2)), f);
        Map<String, Tensor> bad = new LinkedHashMap<>();
        bad.put("__metadata__", Tensor.ones(1));
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(bad, f));
        assertEquals(2.0, SafeTensors.read(f).tensors().get("a").sum().item());
        try (var files = Files.list(dir)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")));
        }
    }
}
