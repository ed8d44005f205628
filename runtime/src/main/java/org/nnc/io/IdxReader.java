package org.nnc.io;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.nnc.data.DataException;
import org.nnc.data.TensorDataset;
import org.nnc.tensor.Tensor;

/**
 * MNIST-style IDX files, plain or gzipped: images (unsigned bytes, [N, H, W]) become float32 [N, 1, H, W]
 * times {@code scale} (1/255 by default, as torchvision's ToTensor), labels int64 class indices [N].
 * A header that lies about sizes, or a file that ends early, is an error naming the byte offset.
 */
public final class IdxReader {
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE;

    private IdxReader() {}

    public static TensorDataset read(Path images, Path labels, double scale) {
        Header ih = header(images), lh = header(labels);
        if (ih.dims.length != 3) throw new DataException(images + ": expected 3-D image data [N, H, W], the header says " + ih.dims.length + "-D");
        if (lh.dims.length != 1) throw new DataException(labels + ": expected 1-D labels, the header says " + lh.dims.length + "-D");
        if (ih.dims[0] != lh.dims[0]) {
            throw new DataException(images + " holds " + ih.dims[0] + " images but " + labels + " holds " + lh.dims[0] + " labels");
        }
        int n = ih.dims[0], h = ih.dims[1], w = ih.dims[2];
        byte[] pixels = body(images, ih, (long) n * h * w);
        byte[] classes = body(labels, lh, n);
        float[] x = new float[pixels.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) ((pixels[i] & 0xff) * scale);
        long[] y = new long[n];
        for (int i = 0; i < n; i++) y[i] = classes[i] & 0xff;
        return new TensorDataset(Tensor.of(x, n, 1, h, w), Tensor.of(y, n));
    }

    private record Header(int[] dims, int length) {}

    private static InputStream open(Path p) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(p), 1 << 16);
        if (p.toString().endsWith(".gz")) in = new GZIPInputStream(in, 1 << 16);
        return in;
    }

    private static Header header(Path p) {
        try (DataInputStream in = new DataInputStream(open(p))) {
            int zero = in.readUnsignedShort(), type = in.readUnsignedByte(), rank = in.readUnsignedByte();
            if (zero != 0) throw new DataException(p + ": not an IDX file (bytes 0-1 must be zero, found 0x" + Integer.toHexString(zero) + ")");
            if (type != 0x08) {
                throw new DataException(p + ": IDX element type 0x" + Integer.toHexString(type) + " at byte 2 is not supported (unsigned bytes, 0x08, are)");
            }
            if (rank < 1 || rank > 4) throw new DataException(p + ": IDX rank " + rank + " at byte 3 is not between 1 and 4");
            int[] dims = new int[rank];
            long count = 1;
            for (int i = 0; i < rank; i++) {
                long d = in.readInt() & 0xffffffffL;
                count *= Math.max(d, 1);
                if (d == 0 || count > MAX_ELEMENTS) {
                    throw new DataException(p + ": the IDX header's dimension " + i + " (byte " + (4 + 4 * i) + ") is " + d
                            + ", which makes " + (d == 0 ? "an empty" : "too large a") + " data set");
                }
                dims[i] = (int) d;
            }
            return new Header(dims, 4 + 4 * rank);
        } catch (NoSuchFileException e) {
            throw new DataException("cannot read data file " + p + ": it does not exist" + packageHint(p));
        } catch (EOFException e) {
            throw new DataException(p + ": the file ends inside the IDX header");
        } catch (IOException e) {
            throw new DataException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** Debian installs data sets under /usr/share/datasets/NAME from the package dataset-NAME. */
    private static String packageHint(Path p) {
        Path abs = p.toAbsolutePath().normalize();
        Path root = Path.of("/usr/share/datasets");
        if (!abs.startsWith(root) || abs.getNameCount() <= root.getNameCount()) return "";
        String name = abs.getName(root.getNameCount()).toString();
        return "; it comes with Debian's dataset-" + name + " package: apt-get install dataset-" + name;
    }

    private static byte[] body(Path p, Header h, long count) {
        try (InputStream in = open(p)) {
            in.skipNBytes(h.length());
            byte[] data = in.readNBytes((int) count);
            if (data.length < count) {
                throw new DataException(p + ": the header promises " + count + " bytes of data after byte " + h.length()
                        + ", but the file ends at byte " + (h.length() + data.length) + " (truncated)");
            }
            return data;
        } catch (IOException e) {
            throw new DataException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }
}
