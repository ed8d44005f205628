package org.nnc.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code nnc describe DATA.csv}: what pandas' describe() shows before training — per column the count,
 * missing cells, mean, standard deviation, minimum, quartiles, maximum and distinct values (for text
 * columns the most frequent value) — and the class balance of the target.
 */
@Command(name = "describe", mixinStandardHelpOptions = true, description = "Summarise a CSV data set, column by column, and its target's classes.")
final class DescribeCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "DATA.csv", description = "a CSV file with a header row")
    Path file;

    @Option(names = "--target", paramLabel = "COLUMN", description = "the target column (default: the last)")
    String target;

    @Override
    public Integer call() {
        List<String> header;
        List<List<String>> columns = new ArrayList<>();
        long rows = 0;
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).setIgnoreEmptyLines(true).get().parse(r)) {
            header = p.getHeaderNames();
            for (int i = 0; i < header.size(); i++) columns.add(new ArrayList<>());
            for (CSVRecord rec : p) {
                rows++;
                if (rec.size() != header.size()) {
                    spec.commandLine().getErr().println("error: " + file + ": line " + (rec.getRecordNumber() + 1) + " has " + rec.size()
                            + " cells, but the header has " + header.size());
                    return 1;
                }
                for (int i = 0; i < header.size(); i++) columns.get(i).add(rec.get(i));
            }
        } catch (NoSuchFileException e) {
            spec.commandLine().getErr().println("error: no such file: " + file);
            return 2;
        } catch (IOException | RuntimeException e) {
            spec.commandLine().getErr().println("error: cannot read " + file + " as CSV: " + e.getMessage());
            return 1;
        }
        if (header.isEmpty()) {
            spec.commandLine().getErr().println("error: " + file + " is empty");
            return 1;
        }
        String t = target != null ? target : header.get(header.size() - 1);
        if (!header.contains(t)) {
            spec.commandLine().getErr().println("error: no column " + t + " (columns: " + String.join(", ", header) + ")");
            return 2;
        }
        var out = spec.commandLine().getOut();
        out.println(file.getFileName() + ": " + rows + " rows, " + header.size() + " columns");
        String fmt = "%-16s %7s %7s %10s %10s %10s %10s %10s %10s %10s %8s%n";
        out.printf(Locale.ROOT, fmt, "column", "count", "missing", "mean", "std", "min", "25%", "50%", "75%", "max", "distinct");
        for (int i = 0; i < header.size(); i++) {
            List<String> col = columns.get(i);
            List<Double> nums = new ArrayList<>();
            Map<String, Integer> freq = new HashMap<>();
            int missing = 0;
            boolean numeric = true;
            for (String v : col) {
                if (v.isEmpty() || v.equalsIgnoreCase("nan") || v.equalsIgnoreCase("na")) {
                    missing++;
                    continue;
                }
                freq.merge(v, 1, Integer::sum);
                try {
                    nums.add(Double.parseDouble(v));
                } catch (NumberFormatException e) {
                    numeric = false;
                }
            }
            String name = header.get(i).length() > 16 ? header.get(i).substring(0, 15) + "…" : header.get(i);
            int count = col.size() - missing;
            if (numeric && !nums.isEmpty()) {
                double[] s = nums.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                double mean = Arrays.stream(s).average().orElse(Double.NaN);
                double var = 0;
                for (double v : s) var += (v - mean) * (v - mean);
                double std = s.length > 1 ? Math.sqrt(var / (s.length - 1)) : Double.NaN;
                out.printf(Locale.ROOT, fmt, name, count, missing, n(mean), n(std), n(s[0]), n(q(s, 0.25)), n(q(s, 0.5)), n(q(s, 0.75)),
                        n(s[s.length - 1]), freq.size());
            } else {
                String top = freq.entrySet().stream().max(Map.Entry.comparingByValue()).map(e -> e.getKey() + " ×" + e.getValue()).orElse("");
                out.printf(Locale.ROOT, "%-16s %7s %7s %-54s %8s%n", name, count, missing, "text; most frequent: " + top, freq.size());
            }
        }
        List<String> tcol = columns.get(header.indexOf(t));
        TreeMap<String, Integer> classes = new TreeMap<>();
        for (String v : tcol) if (!v.isEmpty()) classes.merge(v, 1, Integer::sum);
        if (classes.size() <= 50) {
            out.println();
            out.println("target " + t + ": " + classes.size() + " classes");
            for (Map.Entry<String, Integer> e : classes.entrySet()) {
                out.printf(Locale.ROOT, "  %-20s %7d  %5.1f%%%n", e.getKey(), e.getValue(), 100.0 * e.getValue() / Math.max(1, tcol.size()));
            }
        } else {
            out.println();
            out.println("target " + t + ": " + classes.size() + " distinct values (a regression target, or a column that is not the target)");
        }
        return 0;
    }

    private static String n(double v) {
        if (Double.isNaN(v)) return "-";
        double a = Math.abs(v);
        return a != 0 && (a >= 1e6 || a < 1e-3) ? String.format(Locale.ROOT, "%.3e", v) : String.format(Locale.ROOT, "%.4g", v);
    }

    /** Linear-interpolated quantile, as pandas computes it. */
    private static double q(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos), hi = (int) Math.ceil(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }
}
