package org.nnc.frontend.check;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nnc.frontend.ast.Decl;
import org.nnc.frontend.ast.Expr;
import org.nnc.frontend.diag.Diagnostic;
import org.nnc.frontend.types.DimExpr;
import org.nnc.frontend.types.SDim;
import org.nnc.frontend.types.Shape;
import org.nnc.frontend.types.Type;

/**
 * A {@code train} block (LANGUAGE.md §8): its keys and their types, and whether the model fits the data:
 * the batches of {@code data} must fit the model's forward, and its output the loss and the targets.
 */
final class TrainChecker {
    static final List<String> KEYS = List.of("data", "validation", "loss", "optimizer", "scheduler", "epochs", "batchSize",
            "shuffle", "workers", "seed", "init", "save", "device", "log", "checkpoint");
    private static final Set<String> INT_KEYS = Set.of("epochs", "batchSize", "workers", "seed");
    private static final Set<String> STRING_KEYS = Set.of("init", "save", "log", "checkpoint");

    private final Checker c;

    TrainChecker(Checker c) { this.c = c; }

    void check(Decl.Train t) {
        Env env = c.globalEnv(c.direct).child();
        Type model = c.exprs.expr(t.model(), env);
        if (!(model instanceof Type.ModelT) && !(model instanceof Type.UnknownT)) {
            env.report.error(Diagnostic.error("type", t.model().span(), "train(…) takes a model, such as train(MyModel()), found " + model.show()));
        }
        Map<String, Decl.Entry> entries = new HashMap<>();
        Map<String, Type> values = new HashMap<>();
        for (Decl.Entry e : t.entries()) {
            if (!KEYS.contains(e.key())) {
                c.exprs.expr(e.value(), env.withReporter(d -> { }));
                env.report.error(Diagnostic.error("name", e.keySpan(), "a train block has no key `" + e.key() + "`"
                        + Suggest.hint(e.key(), KEYS)).withNote("the keys are " + String.join(", ", KEYS)));
                continue;
            }
            if (entries.containsKey(e.key())) {
                env.report.error(Diagnostic.error("name", e.keySpan(), "`" + e.key() + "` is set twice; first at "
                        + entries.get(e.key()).span().at()));
                continue;
            }
            entries.put(e.key(), e);
            values.put(e.key(), value(e, env));
        }
        for (String required : List.of("data", "loss")) {
            if (!entries.containsKey(required)) {
                env.report.error(Diagnostic.error("name", t.span(), "this train block needs `" + required + " = …`"));
            }
        }
        if (model instanceof Type.ModelT m && values.get("data") instanceof Type.DatasetT d && !d.sample().unknown()) {
            fit(m, d, entries, values, env);
        }
    }

    private Type value(Decl.Entry e, Env env) {
        Expr v = e.value();
        String k = e.key();
        if (k.equals("device") && v instanceof Expr.Name n && List.of("cpu", "cuda", "auto").contains(n.name())) {
            return new Type.StrT(n.name());
        }
        Type t = c.exprs.expr(v, env);
        if (t instanceof Type.UnknownT) return t;
        String want = null;
        switch (k) {
            case "data" -> { if (!(t instanceof Type.DatasetT)) want = "a data set, such as csv(\"file.csv\", target = \"label\")"; }
            case "validation" -> {
                if (!(t instanceof Type.DatasetT) && !(t instanceof Type.RuntimeT r && r.name().equals("Split"))) {
                    want = "a data set or split(fraction)";
                }
                if (v instanceof Expr.Call call && call.args().size() == 1 && call.args().get(0).value() instanceof Expr.FloatLit f
                        && (f.value() <= 0 || f.value() >= 1)) {
                    env.report.error(Diagnostic.error("type", call.args().get(0).value().span(), "split takes a fraction between 0 and 1, found "
                            + f.value()));
                }
            }
            case "loss" -> {
                if (!(t instanceof Type.FnT f) || !Builtins.LOSSES.contains(f.name())) {
                    want = "a loss: " + String.join(", ", new java.util.TreeSet<>(Builtins.LOSSES));
                }
            }
            case "optimizer" -> { if (!(t instanceof Type.RuntimeT r && r.name().equals("Optimizer"))) want = "an optimizer, such as Adam(lr = 1e-3)"; }
            case "scheduler" -> { if (!(t instanceof Type.RuntimeT r && r.name().equals("Scheduler"))) want = "a scheduler, such as StepLR(stepSize = 10)"; }
            case "shuffle" -> { if (!(t instanceof Type.BoolT)) want = "a Bool"; }
            case "device" -> {
                if (!(t instanceof Type.StrT s) || (s.value() != null && !List.of("cpu", "cuda", "auto").contains(s.value()))) {
                    want = "cpu, cuda or auto";
                }
            }
            default -> {
                if (INT_KEYS.contains(k)) {
                    if (!(t instanceof Type.IntT i)) want = "an Int";
                    else if (i.value() != null && i.value().isConstant() && i.value().value() < (k.equals("epochs") || k.equals("batchSize") ? 1 : 0)) {
                        env.report.error(Diagnostic.error("type", v.span(), "`" + k + "` must be " + (k.equals("epochs")
                                || k.equals("batchSize") ? "at least 1" : "0 or more") + ", found " + i.value()));
                    }
                } else if (STRING_KEYS.contains(k) && !(t instanceof Type.StrT)) {
                    want = "a String (a file path)";
                }
            }
        }
        if (want != null) env.report.error(Diagnostic.error("type", v.span(), "`" + k + "` must be " + want + ", found " + t.show()));
        return t;
    }

    /** The model against the data: input batches through forward, then forward's output against the loss. */
    private void fit(Type.ModelT m, Type.DatasetT data, Map<String, Decl.Entry> entries, Map<String, Type> values, Env env) {
        Checker.Instance inst = c.instance(m.name(), m.args(), Set.of());
        if (inst == null || inst.funs().get("forward") == null) return;
        Checker.FunSig fwd = inst.funs().get("forward");
        if (fwd.params().size() != 1) return;
        Decl.Entry dataEntry = entries.get("data");
        Type.TensorT batch = new Type.TensorT(Type.Elem.FLOAT, ExprChecker.batched(data.sample()));
        Map<String, DimExpr> bindings = new HashMap<>();
        Map<String, Shape> spreads = new HashMap<>();
        Problem p = c.exprs.unifyType(fwd.params().get(0), batch, fwd.dimVars(), bindings, spreads, env);
        String modelText = c.src.text(((Expr) dataEntry.value()).span());
        if (p != null) {
            Diagnostic d = c.exprs.diag("data", dataEntry.value().span(), m.name() + " expects input " + fwd.params().get(0).show()
                    + ", but " + modelText + " gives batches of " + batch.show(), p);
            if (data.source() != null) d = d.withNote(data.source());
            d = d.withNote("B = the batch size");
            d = d.withNote(m.name() + ".forward is declared at " + fwd.decl().nameSpan().at());
            if (batch.shape().rank() == 2 && fwd.params().get(0) instanceof Type.TensorT w && !w.shape().unknown() && w.shape().rank() > 2) {
                d = d.withHelp("give the samples the model's shape: csv(…, shape = " + w.shape().withDims(w.shape().dims().subList(1, w.shape().rank())) + ")");
            }
            env.report.error(d);
            return;
        }
        Type out = ExprChecker.substitute(fwd.ret(), bindings, spreads);
        Decl.Entry lossEntry = entries.get("loss");
        if (!(out instanceof Type.TensorT o) || o.shape().unknown() || lossEntry == null || !(values.get("loss") instanceof Type.FnT loss)) return;
        String name = loss.name();
        if (name.equals("crossEntropy") || name.equals("nll")) {
            if (o.shape().rank() != 2) {
                env.report.error(Diagnostic.error("shape", lossEntry.value().span(), name + " needs the model to output [B, classes], but "
                        + m.name() + " outputs " + o.show()));
                return;
            }
            SDim classes = o.shape().dims().get(1);
            if (data.classes() != null && classes.value().isConstant() && classes.value().value() < data.classes()) {
                Diagnostic d = Diagnostic.error("data", dataEntry.value().span(), m.name() + " outputs " + classes.explain()
                        + " classes, but the data has " + data.classes());
                if (data.source() != null) d = d.withNote(data.source());
                env.report.error(d.withHelp("make the model's last layer output " + data.classes() + " values"));
            }
            if (data.target() instanceof Type.TensorT tt && tt.elem() == Type.Elem.FLOAT && data.classes() == null) {
                env.report.error(Diagnostic.error("data", dataEntry.value().span(), name
                        + " needs class labels, but the target column holds fractional numbers; use mse or l1 for regression"));
            }
            return;
        }
        // mse, l1, bce, bceWithLogits: one prediction per target value.
        boolean single = o.shape().rank() == 2 && ShapeRules.isOne(o.shape().dims().get(1))
                || o.shape().rank() == 1;
        if (!single) {
            env.report.error(Diagnostic.error("shape", lossEntry.value().span(), name + " compares the model's output with one target value per sample, but "
                    + m.name() + " outputs " + o.show()).withHelp("make the last layer output one value: Linear(…, 1)"));
            return;
        }
        if ((name.equals("bce") || name.equals("bceWithLogits")) && data.classes() != null && data.classes() > 2) {
            env.report.error(Diagnostic.error("data", dataEntry.value().span(), name + " is for two classes, but the data has "
                    + data.classes() + "; use crossEntropy"));
        }
        List<String> unused = new ArrayList<>();
        unused.add(name);
    }
}
