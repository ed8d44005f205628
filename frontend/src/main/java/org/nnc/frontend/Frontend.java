package org.nnc.frontend;

import org.nnc.frontend.ast.Program;
import org.nnc.frontend.check.Checker;
import org.nnc.frontend.diag.Diagnostics;
import org.nnc.frontend.parse.Parse;
import org.nnc.frontend.source.SourceFile;

/** The front end as one call: {@code check(parse(source))}, stopping after parsing when that failed. */
public final class Frontend {
    private Frontend() {}

    /** What the front end produced: the AST and checker (null when parsing failed) and every diagnostic. */
    public record Result(Program program, Checker checker, Diagnostics diagnostics) {
        public boolean ok() { return !diagnostics.hasErrors(); }
    }

    public static Result check(SourceFile source) {
        Diagnostics diags = new Diagnostics(source);
        Program program = Parse.file(source, diags);
        Checker checker = program == null ? null : Checker.check(program, source, diags);
        return new Result(program, checker, diags);
    }
}
