package org.nnc.frontend.check;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.nnc.frontend.ast.Decl;
import org.nnc.frontend.ast.Dim;
import org.nnc.frontend.ast.Program;
import org.nnc.frontend.ast.TypeRef;
import org.nnc.frontend.diag.Diagnostic;
import org.nnc.frontend.diag.Diagnostics;
import org.nnc.frontend.source.SourceFile;
import org.nnc.frontend.source.Span;
import org.nnc.frontend.types.DimExpr;
import org.nnc.frontend.types.SDim;
import org.nnc.frontend.types.Shape;
import org.nnc.frontend.types.Type;

/**
 * The type and shape checker. Every model is checked once generically, its hyperparameters as
 * symbols, which reports whatever is wrong for every value of them; then again at each instantiation
 * (a train block, main, a model used inside another) with the values given there, which reports what is
 * wrong only for those values at the instantiation, with a note pointing at the operation.
 */
public final class Checker {
    /** Where a body's diagnostics go: straight to the file's list, or collected for an instantiation. */
    public interface Reporter {
        void error(Diagnostic d);
    }

    /** A model checked with given hyperparameter values: its members, methods and parameter count. */
    record Instance(String model, Map<String, DimExpr> hyper, Map<String, Type> members, Map<String, Span> memberSpans,
                    Map<String, FunSig> funs, List<Diagnostic> errors, Long params) {}

    /** A function's parameter types (with dimension variables), its return type, and the file declaring it. */
    record FunSig(Decl.Fun decl, List<Type> params, Set<String> dimVars, Type ret, String file) {}

    /** A model instance while its body is being checked; methods are checked on first use. */
    final class InstanceBuilder {
        final Decl.Model decl;
        final Map<String, DimExpr> hyper;
        final Map<String, Type> members = new LinkedHashMap<>();
        final Map<String, Span> memberSpans = new LinkedHashMap<>();
        final Map<String, FunSig> sigs = new LinkedHashMap<>();
        final Set<String> checking = new HashSet<>();
        Env env;

        InstanceBuilder(Decl.Model decl, Map<String, DimExpr> hyper) {
            this.decl = decl;
            this.hyper = hyper;
        }

        Decl.Fun fun(String name) {
            for (Decl d : decl.members()) if (d instanceof Decl.Fun f && f.name().equals(name)) return f;
            return null;
        }

        /** The method's signature, checking its body first when its return type must be inferred. */
        FunSig sig(String name) {
            FunSig s = sigs.get(name);
            if (s != null) return s;
            Decl.Fun f = fun(name);
            if (f == null) return null;
            if (!checking.add(name)) {
                env.report.error(Diagnostic.error("type", f.nameSpan(), "`" + name + "` calls itself; give it a return type"));
                return null;
            }
            s = exprs.checkFun(f, env);
            sigs.put(name, s);
            return s;
        }
    }

    final SourceFile src;
    final Diagnostics diags;
    final Path dir;
    final Map<String, Decl.Model> models = new LinkedHashMap<>();
    final Map<String, Decl.Fun> funs = new LinkedHashMap<>();
    final List<Decl.Train> trains = new ArrayList<>();
    final Scope globals = new Scope(null);
    final ExprChecker exprs = new ExprChecker(this);
    private final Map<String, Instance> memo = new HashMap<>();
    private final Map<String, Set<String>> genericErrors = new HashMap<>();
    private final Set<String> inProgress = new HashSet<>();
    private final Map<String, FunSig> topSigs = new HashMap<>();
    private final Set<String> topChecking = new HashSet<>();
    /** Declarations brought in by `import`, and the checker of the file that declares them. */
    private final Map<String, Checker> owners = new HashMap<>();
    /** Files being imported, outermost first, to report import cycles. */
    private final List<Path> importing;
    final Reporter direct;
    /** The type each expression had when first checked (the generic check, for model bodies): what code generation reads. */
    final Map<org.nnc.frontend.ast.Expr, Type> types = new java.util.IdentityHashMap<>();
    /** Each function's signature as first checked. */
    final Map<Decl.Fun, FunSig> funSigs = new java.util.IdentityHashMap<>();
    private final List<Decl.Val> constantDecls = new ArrayList<>();

    private Checker(SourceFile src, Diagnostics diags, List<Path> importing) {
        this.src = src;
        this.diags = diags;
        this.importing = importing;
        this.dir = src.path() == null ? Path.of(".") : src.path().toAbsolutePath().getParent();
        this.direct = diags::report;
    }

    /** Checks the whole program, reporting into {@code diags}. */
    public static Checker check(Program program, SourceFile src, Diagnostics diags) {
        List<Path> stack = new ArrayList<>();
        if (src.path() != null) stack.add(src.path().toAbsolutePath().normalize());
        Checker c = new Checker(src, diags, stack);
        c.run(program);
        return c;
    }

    private void run(Program program) {
        collect(program);
        for (String name : models.keySet()) if (!owners.containsKey(name)) ensureGeneric(name);
        for (Decl.Fun f : funs.values()) if (!owners.containsKey(f.name())) topSig(f.name());
        for (Decl.Train t : trains) new TrainChecker(this).check(t);
    }

    /** The checker of the file that declares a model or function: this one, or an imported file's. */
    Checker ownerOf(String name) { return owners.getOrDefault(name, this); }

    /**
     * {@code import "other.nnet"}: checks that file on its own and brings its models, functions and
     * constants into scope. Its problems are summarised at the import, since they are in another file.
     */
    private void importFile(Decl.Import i, Map<String, Span> seen) {
        Path path = dir.resolve(i.path()).toAbsolutePath().normalize();
        if (importing.contains(path)) {
            List<String> chain = new ArrayList<>();
            for (Path p : importing.subList(importing.indexOf(path), importing.size())) chain.add(p.getFileName().toString());
            chain.add(path.getFileName().toString());
            diags.report(Diagnostic.error("name", i.span(), "import cycle: " + String.join(" imports ", chain)));
            return;
        }
        SourceFile other;
        try {
            other = SourceFile.read(path);
        } catch (java.io.IOException e) {
            diags.report(Diagnostic.error("name", i.span(), "cannot read imported file " + i.path()
                    + (e instanceof java.nio.file.NoSuchFileException ? ": it does not exist" : ": " + e.getMessage()))
                    .withNote("imports are found relative to the folder of " + src.name()));
            return;
        }
        Diagnostics theirs = new Diagnostics(new SourceFile(i.path(), path, other.text()));
        Program program = org.nnc.frontend.parse.Parse.file(theirs.source(), theirs);
        if (program != null) {
            List<Path> stack = new ArrayList<>(importing);
            stack.add(path);
            Checker c = new Checker(theirs.source(), theirs, stack);
            c.run(program);
            for (Map.Entry<String, Decl.Model> e : c.models.entrySet()) {
                if (declared(e.getKey(), i.span(), seen)) {
                    models.put(e.getKey(), e.getValue());
                    owners.put(e.getKey(), c.ownerOf(e.getKey()));
                }
            }
            for (Map.Entry<String, Decl.Fun> e : c.funs.entrySet()) {
                if (declared(e.getKey(), i.span(), seen)) {
                    funs.put(e.getKey(), e.getValue());
                    owners.put(e.getKey(), c.ownerOf(e.getKey()));
                }
            }
            for (Scope.Local l : c.globals.ownLocals()) if (declared(l.name(), i.span(), seen)) globals.define(l);
            constantDecls.addAll(0, c.constantDecls);
        }
        if (theirs.hasErrors()) {
            Diagnostic d = Diagnostic.error("name", i.span(), "the imported file " + i.path() + " has "
                    + (theirs.errorCount() == 1 ? "an error" : theirs.errorCount() + " errors"));
            for (Diagnostic e : theirs.all().subList(0, Math.min(3, theirs.all().size()))) {
                d = d.withNote(i.path() + ":" + e.span().at() + ": " + e.message());
                // An error that is itself about an import says what is wrong in its first note.
                if (e.message().startsWith("the imported file") && !e.notes().isEmpty()) d = d.withNote(e.notes().get(0));
            }
            diags.report(d.withHelp("run nnc check on " + i.path()));
        }
    }

    // ------------------------------------------------------------------ declarations

    private void collect(Program program) {
        Map<String, Span> seen = new HashMap<>();
        Env env = globalEnv(direct);
        for (Decl d : program.decls()) {
            switch (d) {
                case Decl.Model m -> {
                    if (declared(m.name(), m.nameSpan(), seen)) models.put(m.name(), m);
                }
                case Decl.Fun f -> {
                    if (declared(f.name(), f.nameSpan(), seen)) funs.put(f.name(), f);
                }
                case Decl.Val v -> {
                    if (!declared(v.name(), v.nameSpan(), seen)) continue;
                    Type t = exprs.expr(v.init(), env);
                    if (v.mutable()) {
                        diags.report(Diagnostic.error("type", v.span(), "a top-level `var` is not allowed; top-level values are constants")
                                .withHelp("write `val " + v.name() + " = …`"));
                    }
                    globals.define(new Scope.Local(v.name(), t, v.nameSpan(), "constant", false));
                    constantDecls.add(v);
                }
                case Decl.Train t -> trains.add(t);
                case Decl.Import i -> importFile(i, seen);
            }
        }
    }

    private boolean declared(String name, Span at, Map<String, Span> seen) {
        Span first = seen.putIfAbsent(name, at);
        if (first == null) return true;
        diags.report(Diagnostic.error("name", at, "`" + name + "` is already declared at " + first.at()));
        return false;
    }

    Env globalEnv(Reporter r) { return new Env(r, globals, Set.of(), null, null, null); }

    // ------------------------------------------------------------------ models

    /** Hyperparameter names of a model that hold Ints (they may appear in shapes). */
    List<String> intParams(Decl.Model m) {
        List<String> out = new ArrayList<>();
        for (Decl.Param p : m.params()) if (p.type() != null && p.type().name().equals("Int")) out.add(p.name());
        return out;
    }

    private void ensureGeneric(String name) {
        if (genericErrors.containsKey(name) || inProgress.contains("generic:" + name)) return;
        inProgress.add("generic:" + name);
        Decl.Model m = models.get(name);
        Map<String, DimExpr> hyper = new LinkedHashMap<>();
        for (String p : intParams(m)) hyper.put(p, DimExpr.sym(p));
        Set<String> sites = new HashSet<>();
        genericErrors.put(name, sites);
        Reporter r = d -> {
            sites.add(d.span().at());
            diags.report(d);
        };
        build(m, hyper, new HashSet<>(hyper.keySet()), r, null);
        inProgress.remove("generic:" + name);
        Map<String, DimExpr> defaults = defaultsIfComplete(m);
        if (defaults != null && !defaults.isEmpty()) {
            // Every hyperparameter has a default, so the model is usable as Name(): check that instance
            // too, and report what fails there at the operation itself.
            Instance inst = instance(name, defaults, Set.of());
            if (inst != null) {
                for (Diagnostic d : newProblems(inst)) {
                    sites.add(d.span().at());
                    diags.report(new Diagnostic(d.severity(), d.code(), "with the defaults " + hyperText(m, defaults) + ", "
                            + d.message(), d.span(), d.notes(), d.help()));
                }
            }
        }
    }

    /** The default hyperparameters when every Int hyperparameter has a constant default, else null. */
    Map<String, DimExpr> defaultsIfComplete(Decl.Model m) {
        if (owners.containsKey(m.name())) return owners.get(m.name()).defaultsIfComplete(m);
        Map<String, DimExpr> d = exprs.defaults(m, globalEnv(x -> { }));
        for (String p : intParams(m)) if (!d.containsKey(p) || !d.get(p).isConstant()) return null;
        return d;
    }

    /** The instance of a model for these hyperparameters, whose problems are collected, not reported. */
    Instance instance(String name, Map<String, DimExpr> hyper, Set<String> deferrable) {
        if (owners.containsKey(name)) return owners.get(name).instance(name, hyper, deferrable);
        ensureGeneric(name);
        String key = name + new TreeMap<>(hyper) + new java.util.TreeSet<>(deferrable);
        Instance cached = memo.get(key);
        if (cached != null) return cached;
        if (!inProgress.add(key)) return null;
        List<Diagnostic> errors = new ArrayList<>();
        Instance built = build(models.get(name), hyper, deferrable, errors::add, null);
        Instance inst = new Instance(built.model(), built.hyper(), built.members(), built.memberSpans(), built.funs(),
                List.copyOf(errors), built.params());
        inProgress.remove(key);
        memo.put(key, inst);
        return inst;
    }

    /**
     * Problems of an instance that the generic check did not already report at the same place: those are
     * consequences of an error already shown, not new ones.
     */
    List<Diagnostic> newProblems(Instance inst) {
        if (owners.containsKey(inst.model())) return owners.get(inst.model()).newProblems(inst);
        Set<String> generic = genericErrors.getOrDefault(inst.model(), Set.of());
        List<Diagnostic> out = new ArrayList<>();
        for (Diagnostic d : inst.errors()) if (!generic.contains(d.span().at())) out.add(d);
        return out;
    }

    Instance build(Decl.Model m, Map<String, DimExpr> hyper, Set<String> deferrable, Reporter report, Summary rec) {
        InstanceBuilder b = new InstanceBuilder(m, hyper);
        Scope scope = globals.child();
        Env env = new Env(report, scope, deferrable, b, null, rec);
        b.env = env;
        for (Decl.Param p : m.params()) {
            Type t = p.type() == null ? Type.UNKNOWN : paramType(p.type(), hyper.get(p.name()), env);
            scope.define(new Scope.Local(p.name(), t, p.nameSpan(), "hyperparameter", false));
            if (p.defaultValue() != null) exprs.expr(p.defaultValue(), globalEnv(report));
        }
        for (Decl d : m.members()) {
            if (d instanceof Decl.Val v) {
                if (scope.own(v.name()) != null || b.members.containsKey(v.name())) {
                    report.error(Diagnostic.error("name", v.nameSpan(), "`" + v.name() + "` is already defined in model " + m.name()));
                    continue;
                }
                Type t = exprs.member(v, env);
                if (t instanceof Type.LayerT l) t = new Type.LayerT(l.kind(), l.args(), l.children(), l.declText(), v.nameSpan());
                b.members.put(v.name(), t);
                b.memberSpans.put(v.name(), v.span());
                scope.define(new Scope.Local(v.name(), t, v.span(), src.text(v.init().span()), v.mutable()));
            }
        }
        Set<String> funNames = new HashSet<>();
        for (Decl d : m.members()) {
            if (d instanceof Decl.Fun f) {
                if (!funNames.add(f.name()) || b.members.containsKey(f.name())) {
                    report.error(Diagnostic.error("name", f.nameSpan(), "`" + f.name() + "` is already defined in model " + m.name()));
                    continue;
                }
                b.sig(f.name());
            }
        }
        if (b.fun("forward") == null) {
            report.error(Diagnostic.error("name", m.nameSpan(), "model " + m.name() + " has no `forward` function")
                    .withHelp("add `fun forward(x: Tensor[…]): Tensor[…] { … }`; it is what `" + lowerFirst(m.name()) + "(x)` runs"));
        }
        long params = 0;
        boolean known = true;
        for (Type t : b.members.values()) {
            Long n = paramCount(t);
            if (n == null) known = false;
            else params += n;
        }
        return new Instance(m.name(), hyper, b.members, b.memberSpans, b.sigs, List.of(), known ? params : null);
    }

    private static String lowerFirst(String s) { return Character.toLowerCase(s.charAt(0)) + s.substring(1); }

    /** Parameters held by a member value: layers, sub-models and lists of them. */
    Long paramCount(Type t) {
        return switch (t) {
            case Type.LayerT l -> Layers.paramCount(l);
            case Type.ModelT mt -> {
                Instance i = instance(mt.name(), mt.args(), Set.of());
                yield i == null ? null : i.params();
            }
            case Type.ListT l -> {
                Long each = paramCount(l.elem());
                if (each != null && each == 0) yield 0L;
                yield each == null || l.length() == null || !l.length().isConstant() ? null : Long.valueOf(each * l.length().value());
            }
            default -> 0L;
        };
    }

    // ------------------------------------------------------------------ top-level functions

    FunSig topSig(String name) {
        if (owners.containsKey(name)) return owners.get(name).topSig(name);
        FunSig s = topSigs.get(name);
        if (s != null) return s;
        Decl.Fun f = funs.get(name);
        if (f == null) return null;
        if (!topChecking.add(name)) {
            diags.report(Diagnostic.error("type", f.nameSpan(), "`" + name + "` calls itself; give it a return type"));
            return null;
        }
        s = exprs.checkFun(f, globalEnv(direct));
        topSigs.put(name, s);
        return s;
    }

    // ------------------------------------------------------------------ written types

    private Type paramType(TypeRef t, DimExpr value, Env env) {
        if (t.name().equals("Int")) return new Type.IntT(value);
        return typeOf(t, env, new LinkedHashSet<>());
    }

    /** A written type, its dimension names resolved; names that are not in scope become dimension variables. */
    Type typeOf(TypeRef t, Env env, Set<String> dimVars) {
        switch (t.name()) {
            case "Int": return new Type.IntT(null);
            case "Float": return Type.FLOAT;
            case "Bool": return Type.BOOL;
            case "String": return new Type.StrT(null);
            case "Unit": return Type.UNIT;
            case "Tensor": {
                Type.Elem elem = Type.Elem.FLOAT;
                if (!t.args().isEmpty()) {
                    String a = t.args().get(0).name();
                    elem = switch (a) {
                        case "Int" -> Type.Elem.INT;
                        case "Bool" -> Type.Elem.BOOL;
                        case "Float" -> Type.Elem.FLOAT;
                        default -> {
                            env.report.error(Diagnostic.error("type", t.args().get(0).span(),
                                    "a tensor holds Float, Int or Bool, not " + a));
                            yield Type.Elem.FLOAT;
                        }
                    };
                }
                if (t.dims() == null) return new Type.TensorT(elem, Shape.UNKNOWN);
                String spread = null;
                List<SDim> dims = new ArrayList<>();
                for (int i = 0; i < t.dims().size(); i++) {
                    Dim d = t.dims().get(i);
                    if (d instanceof Dim.Spread s) {
                        if (i != 0) env.report.error(Diagnostic.error("type", d.span(), "`*" + s.name() + "` may only be the first dimension"));
                        spread = s.name();
                        continue;
                    }
                    DimExpr e = dim(d, env, dimVars);
                    dims.add(e == null ? SDim.of(DimExpr.sym("?")) : new SDim(e, d instanceof Dim.Bin ? src.text(d.span()) : null));
                }
                return new Type.TensorT(elem, new Shape(spread, dims, false));
            }
            case "List": {
                Type elem = t.args().isEmpty() ? Type.UNKNOWN : typeOf(t.args().get(0), env, dimVars);
                return new Type.ListT(elem, null);
            }
            case "Dataset", "DataLoader", "Optimizer", "Scheduler":
                return Type.UNKNOWN;
            default:
                if (models.containsKey(t.name())) {
                    Map<String, DimExpr> args = new LinkedHashMap<>();
                    for (String p : intParams(models.get(t.name()))) args.put(p, DimExpr.sym(t.name() + "." + p));
                    return new Type.ModelT(t.name(), args);
                }
                List<String> known = new ArrayList<>(List.of("Int", "Float", "Bool", "String", "Tensor", "List", "Unit"));
                known.addAll(models.keySet());
                env.report.error(Diagnostic.error("name", t.span(), "unknown type `" + t.name() + "`" + Suggest.hint(t.name(), known)));
                return Type.UNKNOWN;
        }
    }

    private DimExpr dim(Dim d, Env env, Set<String> dimVars) {
        return switch (d) {
            case Dim.Num n -> DimExpr.of(n.value());
            case Dim.Name n -> {
                Scope.Local l = env.scope.lookup(n.name());
                if (l != null && l.type() instanceof Type.IntT i) {
                    yield i.value() != null ? i.value() : DimExpr.sym(n.name());
                }
                if (l != null) {
                    env.report.error(Diagnostic.error("type", n.span(), "`" + n.name() + "` is " + l.type().show()
                            + ", not an Int, so it cannot be a dimension"));
                    yield null;
                }
                dimVars.add(n.name());
                yield DimExpr.sym(n.name());
            }
            case Dim.Bin b -> {
                DimExpr l = dim(b.left(), env, dimVars), r = dim(b.right(), env, dimVars);
                if (l == null || r == null) yield null;
                yield switch (b.op()) {
                    case '+' -> l.plus(r);
                    case '-' -> l.minus(r);
                    case '*' -> l.times(r);
                    default -> {
                        DimExpr q = l.floorDiv(r);
                        if (q == null) env.report.error(Diagnostic.error("shape", b.span(), "division by zero in a dimension"));
                        yield q;
                    }
                };
            }
            case Dim.Spread s -> null;
        };
    }

    // ------------------------------------------------------------------ summaries

    /**
     * The layer-by-layer summary of a model's forward pass for an input shape (batch included), with
     * hyperparameters at their defaults. Problems go to {@code diags}.
     */
    public String summary(String modelName, List<Long> input) {
        Decl.Model m = models.get(modelName);
        if (m == null) return null;
        Map<String, DimExpr> hyper = exprs.defaults(m, globalEnv(direct));
        Summary rec = new Summary();
        Instance inst = build(m, hyper, Set.of(), direct, null);
        FunSig fwd = inst.funs().get("forward");
        if (fwd == null || fwd.params().isEmpty()) return null;
        List<SDim> dims = new ArrayList<>();
        for (long d : input) dims.add(SDim.of(d));
        Type x = new Type.TensorT(Type.Elem.FLOAT, Shape.of(dims));
        Type out = exprs.recordForward(m, hyper, List.of(x), rec, m.nameSpan());
        String title = modelName + hyperText(m, hyper) + ": input " + x.show() + " -> output " + (out == null ? "?" : out.show());
        return rec.render(title, inst.params() == null ? 0 : inst.params());
    }

    String hyperText(Decl.Model m, Map<String, DimExpr> hyper) {
        List<String> parts = new ArrayList<>();
        for (Decl.Param p : m.params()) if (hyper.containsKey(p.name())) parts.add(p.name() + " = " + hyper.get(p.name()));
        return "(" + String.join(", ", parts) + ")";
    }

    /**
     * The per-sample input dimensions written in a model's forward (after the batch dimension), when they
     * are all constants with the default hyperparameters; else null.
     */
    public List<Long> declaredInput(String modelName) {
        Decl.Model m = models.get(modelName);
        if (m == null) return null;
        Instance inst = instance(modelName, exprs.defaults(m, globalEnv(d -> { })), Set.of());
        FunSig fwd = inst == null ? null : inst.funs().get("forward");
        if (fwd == null || fwd.params().size() != 1 || !(fwd.params().get(0) instanceof Type.TensorT t) || t.shape().unknown()
                || t.shape().spread() != null || t.shape().rank() < 2) {
            return null;
        }
        List<Long> out = new ArrayList<>();
        for (SDim d : t.shape().dims().subList(1, t.shape().rank())) {
            if (!d.value().isConstant()) return null;
            out.add(d.value().value());
        }
        return out;
    }

    // ------------------------------------------------------------------ what code generation reads

    /** The type an expression was checked to have (null when it was never checked, e.g. after an error). */
    public Type typeOf(org.nnc.frontend.ast.Expr e) {
        Type t = types.get(e);
        if (t != null) return t;
        for (Checker o : new java.util.HashSet<>(owners.values())) {
            t = o.typeOf(e);
            if (t != null) return t;
        }
        return null;
    }

    /** A function's return type as checked (declared, or inferred from its body). */
    public Type returnTypeOf(Decl.Fun f) {
        FunSig s = funSigs.get(f);
        if (s != null) return s.ret();
        for (Checker o : new java.util.HashSet<>(owners.values())) {
            Type t = o.returnTypeOf(f);
            if (t != null) return t;
        }
        return null;
    }

    /** Models in scope (declared here or imported), by name. */
    public Map<String, Decl.Model> models() { return java.util.Collections.unmodifiableMap(models); }

    /** Top-level functions in scope, by name. */
    public Map<String, Decl.Fun> functions() { return java.util.Collections.unmodifiableMap(funs); }

    public List<Decl.Train> trainBlocks() { return List.copyOf(trains); }

    /** Top-level constants declared in this file, in order. */
    public List<Decl.Val> constants() { return List.copyOf(constantDecls); }

    /** The folder of the checked file (where relative data paths start). */
    public Path folder() { return dir; }

    /** The models declared in the file, in order. */
    public List<String> modelNames() { return new ArrayList<>(models.keySet()); }

    /** The model a file trains first, or its first model. */
    public String mainModel() {
        for (Decl.Train t : trains) {
            if (t.model() instanceof org.nnc.frontend.ast.Expr.Call c && c.callee() instanceof org.nnc.frontend.ast.Expr.Name n
                    && models.containsKey(n.name())) {
                return n.name();
            }
        }
        return models.isEmpty() ? null : models.keySet().iterator().next();
    }
}
