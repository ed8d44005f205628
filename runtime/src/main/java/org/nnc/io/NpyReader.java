package org.nnc.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.nnc.data.DataException;
import org.nnc.data.TensorDataset;
import org.nnc.tensor.DType;
import org.nnc.tensor.Tensor;

/**
 * NumPy {@code .npy} files (format 1.0–3.0, C order, little-endian or single-byte types): features become
 * float32, integer labels int64 class indices, float labels float32 values. The header is parsed, never
 * evaluated.
 */
public final class NpyReader {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<>|=])([fiub])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyReader() {}

    public static TensorDataset read(Path features, Path labels) {
        Tensor x = read(features);
        Tensor y = read(labels);
        if (x.dim() == 0 || y.dim() == 0 || x.size(0) != y.size(0)) {
            throw new DataException(features + " holds " + (x.dim() == 0 ? 0 : x.size(0)) + " samples but " + labels + " holds "
                    + (y.dim() == 0 ? 0 : y.size(0)));
        }
        Tensor xf = x.to(DType.FLOAT32);
        Tensor yt = y.dtype().isFloating() ? y.to(DType.FLOAT32) : y.to(DType.INT64);
        return new TensorDataset(xf, yt);
    }

    /** One array, as float64 for floats and int64 for integers and booleans. */
    public static Tensor read(Path p) {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(pre, 0) < 10) throw new DataException(p + ": too short to be a .npy file");
            pre.flip();
            if ((pre.get() & 0xff) != 0x93 || pre.get() != 'N' || pre.get() != 'U' || pre.get() != 'M' || pre.get() != 'P' || pre.get() != 'Y') {
                throw new DataException(p + ": not a .npy file (bad magic in bytes 0-5)");
            }
            int major = pre.get() & 0xff;
            pre.get();
            long headerLen, start;
            if (major == 1) {
                headerLen = pre.getShort() & 0xffff;
                start = 10;
            } else if (major == 2 || major == 3) {
                ByteBuffer l = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(l, 8);
                headerLen = l.flip().getInt() & 0xffffffffL;
                start = 12;
            } else {
                throw new DataException(p + ": .npy format version " + major + " is not supported");
            }
            if (start + headerLen > size || headerLen > (1 << 20)) {
                throw new DataException(p + ": the header claims " + headerLen + " bytes but the file has " + (size - start) + " after byte " + start);
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.read(hb, start);
            String header = new String(hb.array(), StandardCharsets.ISO_8859_1);
            Matcher d = DESCR.matcher(header), f = FORTRAN.matcher(header), s = SHAPE.matcher(header);
            if (!d.find() || !f.find() || !s.find()) throw new DataException(p + ": the .npy header is malformed: " + header.strip());
            if (f.group(1).equals("True")) throw new DataException(p + ": Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
            char order = d.group(1).charAt(0), kind = d.group(2).charAt(0);
            int bytes = Integer.parseInt(d.group(3));
            if (order == '>' && bytes > 1) throw new DataException(p + ": big-endian arrays are not supported");
            List<Integer> dims = new ArrayList<>();
            long count = 1;
            for (String part : s.group(1).split(",")) {
                if (part.isBlank()) continue;
                long v = Long.parseLong(part.strip());
                count *= v;
                if (v < 0 || count > Integer.MAX_VALUE) throw new DataException(p + ": shape (" + s.group(1) + ") is too large");
                dims.add((int) v);
            }
            int[] shape = dims.stream().mapToInt(Integer::intValue).toArray();
            long dataStart = start + headerLen;
            if (dataStart + count * bytes > size) {
                throw new DataException(p + ": the header promises " + count * bytes + " bytes of data after byte " + dataStart
                        + ", but the file has " + (size - dataStart) + " (truncated)");
            }
            ByteBuffer data = ByteBuffer.allocate((int) (count * bytes)).order(ByteOrder.LITTLE_ENDIAN);
            while (data.hasRemaining()) {
                if (ch.read(data, dataStart + data.position()) < 0) break;
            }
            data.flip();
            int n = (int) count;
            switch (kind) {
                case 'f' -> {
                    double[] out = new double[n];
                    for (int i = 0; i < n; i++) {
                        out[i] = switch (bytes) {
                            case 4 -> data.getFloat();
                            case 8 -> data.getDouble();
                            default -> throw new DataException(p + ": float" + (8 * bytes) + " arrays are not supported");
                        };
                    }
                    return Tensor.of(out, shape);
                }
                default -> {
                    long[] out = new long[n];
                    for (int i = 0; i < n; i++) {
                        out[i] = switch (bytes) {
                            case 1 -> kind == 'i' ? data.get() : data.get() & 0xff;
                            case 2 -> kind == 'i' ? data.getShort() : data.getShort() & 0xffff;
                            case 4 -> kind == 'i' ? data.getInt() : data.getInt() & 0xffffffffL;
                            case 8 -> data.getLong();
                            default -> throw new DataException(p + ": " + bytes + "-byte integers are not supported");
                        };
                    }
                    return Tensor.of(out, shape);
                }
            }
        } catch (NoSuchFileException e) {
            throw new DataException("cannot read data file " + p + ": it does not exist");
        } catch (IOException e) {
            throw new DataException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }
}
