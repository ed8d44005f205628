package org.nnc.frontend.check;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.nnc.frontend.ast.Expr;
import org.nnc.frontend.diag.Diagnostic;
import org.nnc.frontend.types.DimExpr;
import org.nnc.frontend.types.SDim;
import org.nnc.frontend.types.Shape;
import org.nnc.frontend.types.Type;

/**
 * Types a data source from its file's header at check time (LANGUAGE.md §5 rule 6): a CSV's columns and
 * classes, an IDX or NPY file's dimensions. A file that is not there yet gives unknown shapes, not an
 * error: it may be produced before the run.
 */
final class DataProbe {
    private final Checker c;
    private final Expr.Call call;
    private final Signature.Bound b;
    private final Map<Expr.Arg, Type> types;
    private final Env env;

    DataProbe(Checker c, Expr.Call call, Signature.Bound b, Map<Expr.Arg, Type> types, Env env) {
        this.c = c;
        this.call = call;
        this.b = b;
        this.types = types;
        this.env = env;
    }

    private static final Type.DatasetT UNKNOWN = new Type.DatasetT(Shape.UNKNOWN, Type.UNKNOWN, null, null);

    Type probe(String kind) {
        try {
            return switch (kind) {
                case "csv" -> csv();
                case "idx" -> idx();
                default -> npy();
            };
        } catch (IOException e) {
            error(call.args().get(0), "cannot read the data file: " + e.getMessage());
            return UNKNOWN;
        }
    }

    private void error(Expr.Arg at, String message) {
        env.report.error(Diagnostic.error("data", at == null ? call.span() : at.value().span(), message));
    }

    private String string(String p) {
        Expr.Arg a = b.get(p);
        if (a == null) return null;
        if (types.get(a) instanceof Type.StrT s) return s.value();
        if (!(types.get(a) instanceof Type.UnknownT)) error(a, "`" + p + "` must be a String, found " + types.get(a).show());
        return null;
    }

    private Path file(String p) {
        String s = string(p);
        if (s == null) return null;
        Path path = c.dir.resolve(s);
        return Files.isRegularFile(path) ? path : null;
    }

    /** The `shape = [..]` argument as constant dimensions, or null. */
    private List<Long> shapeArg() {
        Expr.Arg a = b.get("shape");
        if (a == null) return null;
        if (!(a.value() instanceof Expr.ListLit l)) {
            error(a, "`shape` must be a list of Ints, such as [1, 28, 28]");
            return null;
        }
        List<Long> out = new ArrayList<>();
        for (Expr e : l.items()) {
            Type t = c.exprs.expr(e, env.withReporter(d -> { }));
            if (!(t instanceof Type.IntT i) || i.value() == null || !i.value().isConstant() || i.value().value() < 1) {
                env.report.error(Diagnostic.error("data", e.span(), "`shape` takes positive constant Ints"));
                return null;
            }
            out.add(i.value().value());
        }
        return out;
    }

    private Shape sample(List<Long> natural, long features, Expr.Arg shapeArgAt) {
        List<Long> s = shapeArg();
        if (s == null) {
            List<SDim> d = new ArrayList<>();
            for (long n : natural) d.add(SDim.of(n));
            return Shape.of(d);
        }
        long prod = 1;
        for (long v : s) prod *= v;
        if (prod != features) {
            error(shapeArgAt, "`shape` " + s + " holds " + prod + " values, but each sample has " + features);
            return Shape.UNKNOWN;
        }
        List<SDim> d = new ArrayList<>();
        for (long n : s) d.add(SDim.of(n));
        return Shape.of(d);
    }

    private Type csv() throws IOException {
        Path path = file("path");
        if (path == null) return UNKNOWN;
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8);
             CSVParser p = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).get().parse(r)) {
            List<String> header = p.getHeaderNames();
            String target = string("target");
            if (target == null) target = header.get(header.size() - 1);
            if (!header.contains(target)) {
                Expr.Arg at = b.get("target");
                env.report.error(Diagnostic.error("data", at == null ? call.span() : at.value().span(), path.getFileName()
                        + " has no column `" + target + "`" + Suggest.hint(target, header))
                        .withNote("its columns are " + String.join(", ", header)));
                return UNKNOWN;
            }
            List<String> features = new ArrayList<>();
            Expr.Arg fa = b.get("features");
            if (fa != null && fa.value() instanceof Expr.ListLit l) {
                for (Expr e : l.items()) {
                    String f = e instanceof Expr.Str s ? s.constant() : null;
                    if (f == null || !header.contains(f)) {
                        env.report.error(Diagnostic.error("data", e.span(), "no column " + (f == null ? "named by this" : "`" + f + "`")
                                + " in " + path.getFileName() + (f == null ? "" : Suggest.hint(f, header))));
                        return UNKNOWN;
                    }
                    features.add(f);
                }
            } else {
                for (String h : header) if (!h.equals(target)) features.add(h);
            }
            Set<String> labels = new HashSet<>();
            boolean numeric = true, whole = true;
            for (CSVRecord rec : p) {
                if (!rec.isSet(target)) continue;
                String v = rec.get(target);
                if (v.isEmpty()) continue;
                labels.add(v);
                try {
                    double d = Double.parseDouble(v);
                    whole &= d == Math.rint(d);
                } catch (NumberFormatException e) {
                    numeric = false;
                }
            }
            Shape sample = sample(List.of((long) features.size()), features.size(), b.get("shape"));
            // Labels (words or whole numbers) are class indices, one per sample; fractions are regression targets [1].
            boolean classLabels = !numeric || whole;
            Long classes = classLabels ? (long) labels.size() : null;
            Type targetType = classLabels ? new Type.TensorT(Type.Elem.INT, Shape.of()) : new Type.TensorT(Type.Elem.FLOAT, Shape.of(1));
            String source = path.getFileName() + ": " + header.size() + " columns, " + features.size() + " features and the target `"
                    + target + "`" + (classes != null ? " with " + classes + " distinct values" : "");
            return new Type.DatasetT(sample, targetType, classes, source);
        }
    }

    private static InputStream open(Path p) throws IOException {
        InputStream in = Files.newInputStream(p);
        return p.toString().endsWith(".gz") ? new GZIPInputStream(in) : in;
    }

    /** IDX header: magic 0x0000 08 rank, then rank big-endian int32 sizes. */
    private static long[] idxDims(Path p) throws IOException {
        try (DataInputStream in = new DataInputStream(open(p))) {
            int magic = in.readInt();
            int rank = magic & 0xff;
            if ((magic >>> 16) != 0 || rank < 1 || rank > 4) throw new IOException(p.getFileName() + " is not an IDX file");
            long[] dims = new long[rank];
            for (int i = 0; i < rank; i++) dims[i] = in.readInt() & 0xffffffffL;
            return dims;
        }
    }

    private Type idx() throws IOException {
        Path images = file("images"), labels = file("labels");
        if (images == null || labels == null) return UNKNOWN;
        long[] id = idxDims(images), ld = idxDims(labels);
        if (ld.length != 1) {
            error(b.get("labels"), labels.getFileName() + " holds " + ld.length + "-D data; labels are 1-D");
            return UNKNOWN;
        }
        if (id[0] != ld[0]) {
            error(b.get("labels"), images.getFileName() + " has " + id[0] + " samples but " + labels.getFileName() + " has " + ld[0] + " labels");
            return UNKNOWN;
        }
        List<Long> natural = new ArrayList<>();
        long features = 1;
        if (id.length == 3) natural.add(1L);
        for (int i = 1; i < id.length; i++) {
            natural.add(id[i]);
            features *= id[i];
        }
        Set<Integer> classes = new HashSet<>();
        try (DataInputStream in = new DataInputStream(open(labels))) {
            in.skipNBytes(8);
            for (long i = 0; i < ld[0]; i++) classes.add(in.readUnsignedByte());
        }
        Shape sample = sample(natural, features, b.get("shape"));
        return new Type.DatasetT(sample, new Type.TensorT(Type.Elem.INT, Shape.of()), (long) classes.size(),
                images.getFileName() + ": " + id[0] + " images of " + natural);
    }

    /** The shape tuple of a .npy header, and whether it holds integers. */
    private static long[] npyShape(Path p, boolean[] integer) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(p))) {
            byte[] magic = new byte[6];
            in.readFully(magic);
            if (magic[0] != (byte) 0x93 || magic[1] != 'N') throw new IOException(p.getFileName() + " is not a .npy file");
            int major = in.readUnsignedByte();
            in.readUnsignedByte();
            int len = major == 1 ? Short.reverseBytes(in.readShort()) & 0xffff : Integer.reverseBytes(in.readInt());
            byte[] h = new byte[len];
            in.readFully(h);
            String header = new String(h, StandardCharsets.ISO_8859_1);
            int d = header.indexOf("'descr'");
            integer[0] = d >= 0 && header.substring(d).matches("(?s)'descr':\\s*'[<>|=]?[iu].*");
            int s = header.indexOf('(', header.indexOf("'shape'")), e = header.indexOf(')', s);
            List<Long> dims = new ArrayList<>();
            for (String part : header.substring(s + 1, e).split(",")) if (!part.isBlank()) dims.add(Long.parseLong(part.strip()));
            return dims.stream().mapToLong(Long::longValue).toArray();
        }
    }

    private Type npy() throws IOException {
        Path features = file("features"), labels = file("labels");
        if (features == null || labels == null) return UNKNOWN;
        boolean[] fi = new boolean[1], li = new boolean[1];
        long[] fd = npyShape(features, fi), ld = npyShape(labels, li);
        if (fd.length == 0 || ld.length == 0 || fd[0] != ld[0]) {
            error(b.get("labels"), features.getFileName() + " and " + labels.getFileName() + " do not hold the same number of samples");
            return UNKNOWN;
        }
        List<Long> natural = new ArrayList<>();
        long count = 1;
        for (int i = 1; i < fd.length; i++) {
            natural.add(fd[i]);
            count *= fd[i];
        }
        List<SDim> targetDims = new ArrayList<>();
        for (int i = 1; i < ld.length; i++) targetDims.add(SDim.of(DimExpr.of(ld[i])));
        return new Type.DatasetT(sample(natural, count, b.get("shape")),
                new Type.TensorT(li[0] ? Type.Elem.INT : Type.Elem.FLOAT, Shape.of(targetDims)), null,
                features.getFileName() + ": " + fd[0] + " samples of " + natural);
    }
}
