package org.nnc.train;

import java.nio.file.Path;
import java.util.List;
import org.nnc.data.DataException;
import org.nnc.data.Dataset;
import org.nnc.data.TensorDataset;
import org.nnc.io.CsvReader;
import org.nnc.io.IdxReader;
import org.nnc.io.NpyReader;
import org.nnc.ops.Ops;
import org.nnc.tensor.Tensor;

/**
 * The data sources of LANGUAGE.md §7 as compiled programs call them. Relative paths are resolved against
 * {@code base}, the folder of the .nnet file (compiled in), unless the system property
 * {@code nnc.data.dir} names another.
 */
public final class Sources {
    private Sources() {}

    static Path resolve(String base, String path) {
        String dir = System.getProperty("nnc.data.dir", base);
        return dir == null ? Path.of(path) : Path.of(dir).resolve(path);
    }

    /**
     * @param features null for all columns but the target
     * @param shape    null for [features]
     * @param missing  "error", "drop", "mean" or "zero"
     * @param kind     "auto", "classes" or "values"
     */
    public static Dataset csv(String base, String path, String target, String[] features, int[] shape, double scale, boolean normalize,
                              String missing, String kind) {
        CsvReader.Missing m = switch (missing == null ? "error" : missing) {
            case "error" -> CsvReader.Missing.ERROR;
            case "drop" -> CsvReader.Missing.DROP;
            case "mean" -> CsvReader.Missing.MEAN;
            case "zero" -> CsvReader.Missing.ZERO;
            default -> throw new DataException("missing = \"" + missing + "\" is not one of \"drop\", \"mean\", \"zero\"");
        };
        CsvReader.Target k = switch (kind) {
            case "classes" -> CsvReader.Target.CLASSES;
            case "values" -> CsvReader.Target.VALUES;
            default -> CsvReader.Target.AUTO;
        };
        return CsvReader.read(resolve(base, path), new CsvReader.Options(target, features == null ? null : List.of(features), shape, scale,
                normalize, m, k)).data();
    }

    public static Dataset idx(String base, String images, String labels, int[] shape, double scale) {
        TensorDataset d = IdxReader.read(resolve(base, images), resolve(base, labels), scale);
        return shape == null ? d : reshape(d, shape);
    }

    public static Dataset npy(String base, String features, String labels, int[] shape, double scale) {
        TensorDataset d = NpyReader.read(resolve(base, features), resolve(base, labels));
        if (scale != 1) d = new TensorDataset(Ops.mul(d.features(), scale), d.targets());
        return shape == null ? d : reshape(d, shape);
    }

    private static TensorDataset reshape(TensorDataset d, int[] shape) {
        int[] full = new int[shape.length + 1];
        full[0] = d.size();
        System.arraycopy(shape, 0, full, 1, shape.length);
        Tensor x = d.features();
        long per = java.util.Arrays.stream(shape).asLongStream().reduce(1, (a, b) -> a * b);
        if (x.numel() != d.size() * per) {
            throw new DataException("shape " + java.util.Arrays.toString(shape) + " does not fit samples of " + org.nnc.tensor.Shape.str(x.shape()));
        }
        return new TensorDataset(Ops.reshape(x, full), d.targets());
    }
}
