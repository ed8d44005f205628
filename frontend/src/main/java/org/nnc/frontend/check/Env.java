package org.nnc.frontend.check;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.nnc.frontend.types.Type;

/** What checking one body needs: where to report, names in scope, which symbols may stay undecided. */
final class Env {
    final Checker.Reporter report;
    final Scope scope;
    /** Hyperparameter symbols of a model checked generically: differences in them are decided later. */
    final Set<String> deferrable;
    /** The model instance whose body this is, or null at top level. */
    final Checker.InstanceBuilder instance;
    /** The function being checked, or null outside functions. */
    final FunCtx fun;
    /** Records layer applications for `nnc check --shapes`, or null. */
    final Summary recorder;

    /** Return types seen in a function body, and the declared one to check them against. */
    static final class FunCtx {
        final String name;
        final Type declared;
        final Set<String> dimVars;
        final List<Type> returns = new ArrayList<>();
        /** Names referred to so far, so suggestions can prefer the ones not used yet. */
        final Set<String> used = new HashSet<>();

        FunCtx(String name, Type declared, Set<String> dimVars) {
            this.name = name;
            this.declared = declared;
            this.dimVars = dimVars;
        }
    }

    Env(Checker.Reporter report, Scope scope, Set<String> deferrable, Checker.InstanceBuilder instance, FunCtx fun,
        Summary recorder) {
        this.report = report;
        this.scope = scope;
        this.deferrable = deferrable;
        this.instance = instance;
        this.fun = fun;
        this.recorder = recorder;
    }

    Env child() { return new Env(report, scope.child(), deferrable, instance, fun, recorder); }

    Env withFun(FunCtx f) { return new Env(report, scope.child(), deferrable, instance, f, recorder); }

    Env withReporter(Checker.Reporter r) { return new Env(r, scope, deferrable, instance, fun, recorder); }

    Set<String> deferrableCopy() { return new HashSet<>(deferrable); }
}
