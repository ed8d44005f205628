package org.nnc.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nnc.tensor.DType;
import org.nnc.tensor.Shape;
import org.nnc.tensor.Storage;
import org.nnc.tensor.Tensor;

/**
 * The safetensors format (8-byte little-endian header length, a JSON header naming each tensor's dtype,
 * shape and byte range, then the raw little-endian data), as Hugging Face and PyTorch write it. Reading
 * validates everything before allocating tensor memory, and never executes anything from the file.
 * Writing goes to a temporary file in the same folder, is forced to disk, then renamed into place, so a
 * crash leaves either the old file or the new one, never half of one.
 */
public final class SafeTensors {
    /** Headers above this are refused before reading them (real ones are kilobytes). */
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /** A file's tensors in header order, and its {@code __metadata__} strings. */
    public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

    private static String code(DType t) {
        return switch (t) {
            case FLOAT32 -> "F32";
            case FLOAT64 -> "F64";
            case INT32 -> "I32";
            case INT64 -> "I64";
            case BOOL -> "BOOL";
        };
    }

    private static DType dtype(String code, String name, Path file) throws IOException {
        return switch (code) {
            case "F32" -> DType.FLOAT32;
            case "F64" -> DType.FLOAT64;
            case "I32" -> DType.INT32;
            case "I64" -> DType.INT64;
            case "BOOL" -> DType.BOOL;
            default -> throw new IOException(file + ": tensor \"" + name + "\" has dtype " + code
                    + ", which nnc does not read (F32, F64, I32, I64 and BOOL are supported)");
        };
    }

    public static void write(Map<String, Tensor> tensors, Map<String, String> metadata, Path file) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        // Sorted, so that the same tensors and metadata always make the same bytes (Map.of's order varies per run).
        if (metadata != null && !metadata.isEmpty()) header.put("__metadata__", new java.util.TreeMap<>(metadata));
        long offset = 0;
        List<Tensor> order = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey().equals("__metadata__")) throw new IllegalArgumentException("\"__metadata__\" cannot name a tensor");
            Tensor t = e.getValue().contiguous();
            long bytes = (long) t.numel() * t.dtype().bytes();
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("dtype", code(t.dtype()));
            List<Object> shape = new ArrayList<>();
            for (int d : t.shape()) shape.add((long) d);
            info.put("shape", shape);
            info.put("data_offsets", List.of(offset, offset + bytes));
            header.put(e.getKey(), info);
            order.add(t);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        Path tmp = AtomicFiles.temporary(file);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(json);
            while (head.position() < head.capacity()) head.put((byte) ' ');
            head.flip();
            while (head.hasRemaining()) ch.write(head);
            for (Tensor t : order) writeData(ch, t);
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        AtomicFiles.commit(tmp, file);
    }

    public static void write(Map<String, Tensor> tensors, Path file) throws IOException { write(tensors, Map.of(), file); }

    private static void writeData(FileChannel ch, Tensor device) throws IOException {
        Tensor t = device.detach().to(org.nnc.tensor.Device.CPU).contiguous();
        int n = t.numel(), size = t.dtype().bytes();
        ByteBuffer buf = ByteBuffer.allocate(Math.min(1 << 20, Math.max(size, n * size))).order(ByteOrder.LITTLE_ENDIAN);
        Storage s = t.storage();
        for (int i = 0; i < n; i++) {
            if (buf.remaining() < size) {
                buf.flip();
                while (buf.hasRemaining()) ch.write(buf);
                buf.clear();
            }
            int at = t.offset() + i;
            switch (s) {
                case Storage.F32 f -> buf.putFloat(f.data[at]);
                case Storage.F64 d -> buf.putDouble(d.data[at]);
                case Storage.I32 v -> buf.putInt(v.data[at]);
                case Storage.I64 v -> buf.putLong(v.data[at]);
                case Storage.Bool b -> buf.put(b.data[at]);
                case org.nnc.tensor.DeviceStorage d -> throw new IllegalStateException("unreachable: copied to the host above");
            }
        }
        buf.flip();
        while (buf.hasRemaining()) ch.write(buf);
    }

    /** Reads and validates a whole file; every problem is an IOException naming the file and what is wrong. */
    public static Contents read(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new IOException(file + ": too short to be a safetensors file (" + size + " bytes)");
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen < 2 || headerLen > MAX_HEADER || headerLen > size - 8) {
                throw new IOException(file + ": the header claims " + Long.toUnsignedString(headerLen) + " bytes, but the file has "
                        + (size - 8) + " after the length field" + (headerLen > MAX_HEADER ? " (and headers are limited to 100 MiB)" : "")
                        + "; the file is truncated or not safetensors");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            readFully(ch, hb, 8);
            Object parsed;
            try {
                parsed = Json.parse(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                throw new IOException(file + ": the header is not valid JSON: " + e.getMessage());
            }
            if (!(parsed instanceof Map<?, ?> header)) throw new IOException(file + ": the header is not a JSON object");
            long dataStart = 8 + headerLen, dataLen = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            record Entry(String name, DType dtype, int[] shape, long start, long end) {}
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : header.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals("__metadata__")) {
                    if (!(e.getValue() instanceof Map<?, ?> m)) throw new IOException(file + ": __metadata__ is not an object");
                    for (Map.Entry<?, ?> me : m.entrySet()) {
                        if (!(me.getValue() instanceof String v)) throw new IOException(file + ": metadata \"" + me.getKey() + "\" is not a string");
                        metadata.put((String) me.getKey(), v);
                    }
                    continue;
                }
                if (!(e.getValue() instanceof Map<?, ?> info)) throw new IOException(file + ": entry \"" + name + "\" is not an object");
                if (!(info.get("dtype") instanceof String code)) throw new IOException(file + ": tensor \"" + name + "\" has no dtype");
                DType dt = dtype(code, name, file);
                int[] shape = longs(info.get("shape"), file, name, "shape");
                long[] offsets = new long[2];
                if (info.get("data_offsets") instanceof List<?> l && l.size() == 2 && l.get(0) instanceof Long a && l.get(1) instanceof Long b) {
                    offsets[0] = a;
                    offsets[1] = b;
                } else {
                    throw new IOException(file + ": tensor \"" + name + "\" needs data_offsets [start, end]");
                }
                long count = 1;
                for (int d : shape) {
                    count *= d;
                    if (count > Integer.MAX_VALUE) throw new IOException(file + ": tensor \"" + name + "\" has too many elements");
                }
                long bytes = count * dt.bytes();
                if (offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLen) {
                    throw new IOException(file + ": tensor \"" + name + "\" claims bytes " + offsets[0] + " to " + offsets[1]
                            + " of a data section of " + dataLen + " bytes; the file is truncated or corrupt");
                }
                if (offsets[1] - offsets[0] != bytes) {
                    throw new IOException(file + ": tensor \"" + name + "\" is " + code + Shape.str(shape) + ", " + bytes
                            + " bytes, but its data_offsets span " + (offsets[1] - offsets[0]));
                }
                entries.add(new Entry(name, dt, shape, offsets[0], offsets[1]));
            }
            List<Entry> byStart = new ArrayList<>(entries);
            byStart.sort(java.util.Comparator.comparingLong(Entry::start));
            for (int k = 1; k < byStart.size(); k++) {
                Entry a = byStart.get(k - 1), b = byStart.get(k);
                if (b.start() < a.end()) {
                    throw new IOException(file + ": tensors \"" + a.name() + "\" and \"" + b.name() + "\" overlap (bytes "
                            + a.start() + "–" + a.end() + " and " + b.start() + "–" + b.end() + ")");
                }
            }
            Map<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                ByteBuffer data = ByteBuffer.allocate((int) (e.end() - e.start())).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, data, dataStart + e.start());
                data.flip();
                tensors.put(e.name(), decode(e.dtype(), e.shape(), data));
            }
            return new Contents(tensors, metadata);
        }
    }

    private static int[] longs(Object o, Path file, String name, String what) throws IOException {
        if (!(o instanceof List<?> l)) throw new IOException(file + ": tensor \"" + name + "\" has no " + what);
        int[] out = new int[l.size()];
        for (int k = 0; k < out.length; k++) {
            if (!(l.get(k) instanceof Long v) || v < 0 || v > Integer.MAX_VALUE) {
                throw new IOException(file + ": tensor \"" + name + "\" has an invalid " + what + " " + l);
            }
            out[k] = (int) (long) v;
        }
        return out;
    }

    private static Tensor decode(DType dt, int[] shape, ByteBuffer b) {
        int n = Shape.numel(shape);
        return switch (dt) {
            case FLOAT32 -> {
                float[] a = new float[n];
                b.asFloatBuffer().get(a);
                yield Tensor.of(a, shape);
            }
            case FLOAT64 -> {
                double[] a = new double[n];
                b.asDoubleBuffer().get(a);
                yield Tensor.of(a, shape);
            }
            case INT32 -> {
                int[] a = new int[n];
                b.asIntBuffer().get(a);
                yield Tensor.of(a, shape);
            }
            case INT64 -> {
                long[] a = new long[n];
                b.asLongBuffer().get(a);
                yield Tensor.of(a, shape);
            }
            case BOOL -> {
                boolean[] a = new boolean[n];
                for (int k = 0; k < n; k++) a[k] = b.get() != 0;
                yield Tensor.of(a, shape);
            }
        };
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) throw new IOException("unexpected end of file at byte " + pos);
            pos += r;
        }
    }
}
