package org.nnc.io;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.nnc.data.DataException;
import org.nnc.data.TensorDataset;
import org.nnc.tensor.Tensor;

/**
 * A CSV data set (LANGUAGE.md §7) read with Apache Commons CSV: a header row, numeric feature columns, and
 * a target column. Labels (words, or whole numbers) become class indices in sorted order, the mapping
 * kept; fractional targets are regression values [N, 1]. A missing or unreadable cell is an error naming
 * the line and column, unless a policy says to drop the row or fill the mean or zero.
 */
public final class CsvReader {
    private CsvReader() {}

    public enum Missing { ERROR, DROP, MEAN, ZERO }

    /** Whether the target holds classes or values; AUTO decides as the checker does (see the class comment). */
    public enum Target { AUTO, CLASSES, VALUES }

    /** @param features columns to use, or null for all but the target; @param shape per-sample shape, or null for [features] */
    public record Options(String target, List<String> features, int[] shape, double scale, boolean normalize, Missing missing,
                          Target targetKind) {
        public static Options of(String target) { return new Options(target, null, null, 1.0, false, Missing.ERROR, Target.AUTO); }
    }

    /**
     * The data set; {@code classes} maps class index to label (null for regression); {@code mean} and
     * {@code std} are the per-feature statistics used when normalizing (null otherwise).
     */
    public record Result(TensorDataset data, List<String> classes, List<String> featureNames, double[] mean, double[] std) {}

    public static Result read(Path file, Options o) {
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true)
                     .setIgnoreEmptyLines(true).get().parse(r)) {
            return parse(file, p, o);
        } catch (NoSuchFileException e) {
            throw new DataException("cannot read data file " + file + ": it does not exist");
        } catch (IOException | UncheckedIOException e) {
            throw new DataException("cannot read data file " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new DataException(file + ": not a valid CSV file: " + e.getMessage(), e);
        }
    }

    private static Result parse(Path file, CSVParser p, Options o) {
        List<String> header = p.getHeaderNames();
        if (header.isEmpty()) throw new DataException(file + ": the file is empty; a header row is needed");
        String target = o.target() != null ? o.target() : header.get(header.size() - 1);
        if (!header.contains(target)) {
            throw new DataException(file + ": no column \"" + target + "\" (columns: " + String.join(", ", header) + ")");
        }
        List<String> features = o.features() != null ? o.features() : header.stream().filter(h -> !h.equals(target)).toList();
        for (String f : features) {
            if (!header.contains(f)) throw new DataException(file + ": no column \"" + f + "\" (columns: " + String.join(", ", header) + ")");
        }
        int nf = features.size();
        List<double[]> rows = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        for (CSVRecord rec : p) {
            long line = rec.getRecordNumber() + 1;
            if (rec.size() != header.size()) {
                throw new DataException(file + ": line " + line + " has " + rec.size() + " cells, but the header has " + header.size());
            }
            double[] row = new double[nf];
            boolean drop = false;
            for (int j = 0; j < nf; j++) {
                String cell = rec.get(features.get(j));
                double v = number(cell);
                if (Double.isNaN(v)) {
                    if (!cell.isEmpty() && !isNaNWord(cell)) {
                        throw new DataException(file + ": line " + line + ", column \"" + features.get(j) + "\": \"" + cell + "\" is not a number");
                    }
                    switch (o.missing()) {
                        case ERROR -> throw new DataException(file + ": line " + line + ", column \"" + features.get(j) + "\" is "
                                + (cell.isEmpty() ? "empty" : cell) + "; choose missing = \"drop\", \"mean\" or \"zero\" to accept missing values");
                        case DROP -> drop = true;
                        default -> { }
                    }
                }
                row[j] = v;
            }
            String t = rec.get(target);
            if (t.isEmpty() || isNaNWord(t)) {
                if (o.missing() == Missing.DROP) continue;
                throw new DataException(file + ": line " + line + ": the target \"" + target + "\" is missing");
            }
            if (drop) continue;
            rows.add(row);
            targets.add(t);
            lines.add(line);
        }
        if (rows.isEmpty()) throw new DataException(file + ": no data rows" + (o.missing() == Missing.DROP ? " left after dropping missing values" : ""));
        fillMissing(rows, nf, o.missing());
        int n = rows.size();
        double[] mean = null, std = null;
        if (o.normalize()) {
            mean = new double[nf];
            std = new double[nf];
            for (double[] r : rows) for (int j = 0; j < nf; j++) mean[j] += r[j] / n;
            for (double[] r : rows) for (int j = 0; j < nf; j++) std[j] += (r[j] - mean[j]) * (r[j] - mean[j]) / n;
            for (int j = 0; j < nf; j++) std[j] = std[j] == 0 ? 1 : Math.sqrt(std[j]);
        }
        float[] x = new float[n * nf];
        for (int i = 0; i < n; i++) {
            double[] r = rows.get(i);
            for (int j = 0; j < nf; j++) {
                double v = o.normalize() ? (r[j] - mean[j]) / std[j] : r[j];
                x[i * nf + j] = (float) (v * o.scale());
            }
        }
        int[] sample = o.shape() != null ? o.shape() : new int[] {nf};
        long count = 1;
        for (int d : sample) count *= d;
        if (count != nf) {
            throw new DataException(file + ": shape " + java.util.Arrays.toString(sample) + " holds " + count + " values, but there are "
                    + nf + " feature columns");
        }
        int[] full = new int[sample.length + 1];
        full[0] = n;
        System.arraycopy(sample, 0, full, 1, sample.length);
        Tensor featureTensor = Tensor.of(x, full);
        boolean classes = switch (o.targetKind()) {
            case CLASSES -> true;
            case VALUES -> false;
            case AUTO -> targets.stream().allMatch(CsvReader::isWhole) || !targets.stream().allMatch(t -> !Double.isNaN(number(t)));
        };
        if (classes) {
            TreeMap<String, Integer> labels = new TreeMap<>(CsvReader::compareLabels);
            for (String t : targets) labels.put(t, 0);
            List<String> names = new ArrayList<>(labels.keySet());
            for (int k = 0; k < names.size(); k++) labels.put(names.get(k), k);
            long[] y = new long[n];
            for (int i = 0; i < n; i++) y[i] = labels.get(targets.get(i));
            return new Result(new TensorDataset(featureTensor, Tensor.of(y, n)), names, List.copyOf(features), mean, std);
        }
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double v = number(targets.get(i));
            if (Double.isNaN(v)) {
                throw new DataException(file + ": line " + lines.get(i) + ": the target \"" + targets.get(i) + "\" is not a number");
            }
            y[i] = (float) v;
        }
        return new Result(new TensorDataset(featureTensor, Tensor.of(y, n, 1)), null, List.copyOf(features), mean, std);
    }

    private static void fillMissing(List<double[]> rows, int nf, Missing policy) {
        if (policy != Missing.MEAN && policy != Missing.ZERO) return;
        for (int j = 0; j < nf; j++) {
            double sum = 0;
            int count = 0;
            for (double[] r : rows) {
                if (!Double.isNaN(r[j])) {
                    sum += r[j];
                    count++;
                }
            }
            double fill = policy == Missing.ZERO || count == 0 ? 0 : sum / count;
            for (double[] r : rows) if (Double.isNaN(r[j])) r[j] = fill;
        }
    }

    /** Numeric labels sort as numbers (2 before 10), others as text. */
    private static int compareLabels(String a, String b) {
        double x = number(a), y = number(b);
        if (!Double.isNaN(x) && !Double.isNaN(y)) return Double.compare(x, y) != 0 ? Double.compare(x, y) : a.compareTo(b);
        return a.compareTo(b);
    }

    private static boolean isNaNWord(String s) { return s.equalsIgnoreCase("nan") || s.equalsIgnoreCase("na"); }

    private static boolean isWhole(String s) {
        double v = number(s);
        return !Double.isNaN(v) && v == Math.rint(v);
    }

    /** The cell's number, or NaN when it is empty or not a finite number. */
    static double number(String s) {
        if (s.isEmpty()) return Double.NaN;
        try {
            double v = Double.parseDouble(s);
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
