package org.nnc.frontend.check;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nnc.frontend.ast.Expr;
import org.nnc.frontend.diag.Diagnostic;
import org.nnc.frontend.source.Span;

/**
 * The parameters of a callable (a built-in or a user function): names in order, which are required, and
 * whether the last one collects the remaining positional arguments. Binding checks count and names and
 * reports in the user's terms ("Linear needs `out`", "Linear has no parameter `bais`; did you mean `bias`?").
 */
record Signature(String name, List<String> params, List<Boolean> required, boolean varargs) {

    /** From a compact spec: {@code "in, out, bias?"} ({@code ?} = optional, {@code ...} = collects the rest). */
    static Signature of(String name, String spec) {
        List<String> names = new ArrayList<>();
        List<Boolean> req = new ArrayList<>();
        boolean varargs = false;
        for (String raw : spec.split(",")) {
            String p = raw.strip();
            if (p.isEmpty()) continue;
            if (p.endsWith("...")) {
                varargs = true;
                p = p.substring(0, p.length() - 3);
                req.add(false);
            } else if (p.endsWith("?")) {
                p = p.substring(0, p.length() - 1);
                req.add(false);
            } else {
                req.add(true);
            }
            names.add(p);
        }
        return new Signature(name, List.copyOf(names), List.copyOf(req), varargs);
    }

    /**
     * From an op table signature such as {@code "(x: Tensor[*S], dim: Int, keep: Bool = false) -> Tensor[..]"}.
     */
    static Signature ofOpTable(String name, String signature) {
        String inside = signature.substring(signature.indexOf('(') + 1, matchingParen(signature));
        StringBuilder spec = new StringBuilder();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : (inside + ",").toCharArray()) {
            if (c == '[' || c == '<' || c == '(') depth++;
            if (c == ']' || c == '>' || c == ')') depth--;
            if (c == ',' && depth == 0) {
                String p = cur.toString().strip();
                if (!p.isEmpty()) {
                    String pname = p.substring(0, p.indexOf(':')).strip();
                    String suffix = p.endsWith("...") ? "..." : p.contains("=") ? "?" : "";
                    spec.append(pname).append(suffix).append(',');
                }
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        return of(name, spec.toString());
    }

    private static int matchingParen(String s) {
        int depth = 0;
        for (int i = s.indexOf('('); i < s.length(); i++) {
            if (s.charAt(i) == '(') depth++;
            if (s.charAt(i) == ')' && --depth == 0) return i;
        }
        return s.length();
    }

    /** A bound call: each parameter's argument (absent when defaulted), and the extra varargs. */
    record Bound(Map<String, Expr.Arg> args, List<Expr.Arg> rest) {
        Expr.Arg get(String p) { return args.get(p); }

        boolean has(String p) { return args.containsKey(p); }
    }

    /** Binds positional then named arguments, or reports why it cannot and returns null. */
    Bound bind(List<Expr.Arg> args, Span callSpan, Checker.Reporter report) {
        Map<String, Expr.Arg> bound = new LinkedHashMap<>();
        List<Expr.Arg> rest = new ArrayList<>();
        int positional = 0;
        boolean ok = true;
        int fixed = varargs ? params.size() - 1 : params.size();
        for (Expr.Arg a : args) {
            if (a.name() == null) {
                if (positional < fixed) {
                    bound.put(params.get(positional++), a);
                } else if (varargs) {
                    rest.add(a);
                } else {
                    report.error(Diagnostic.error("arity", a.span(), name + " takes " + countText(fixed)
                            + ", but " + args.stream().filter(x -> x.name() == null).count() + " were given")
                            .withNote(name + "(" + String.join(", ", params) + ")"));
                    return null;
                }
            } else {
                if (!params.contains(a.name()) || (varargs && a.name().equals(params.get(params.size() - 1)))) {
                    report.error(Diagnostic.error("arity", a.nameSpan(), name + " has no parameter `" + a.name() + "`"
                            + Suggest.hint(a.name(), params)).withNote(name + "(" + String.join(", ", params) + ")"));
                    ok = false;
                } else if (bound.containsKey(a.name())) {
                    report.error(Diagnostic.error("arity", a.nameSpan(), "`" + a.name() + "` is given twice"));
                    ok = false;
                } else {
                    bound.put(a.name(), a);
                }
            }
        }
        for (int i = 0; i < fixed && ok; i++) {
            if (required.get(i) && !bound.containsKey(params.get(i))) {
                report.error(Diagnostic.error("arity", callSpan, name + " needs `" + params.get(i) + "`")
                        .withNote(name + "(" + String.join(", ", params) + ")"));
                ok = false;
            }
        }
        return ok ? new Bound(bound, rest) : null;
    }

    private static String countText(int n) {
        return n == 0 ? "no arguments" : n == 1 ? "1 argument" : n + " arguments";
    }
}
