package org.nnc.frontend.parse;

import org.antlr.v4.runtime.CharStreams;
import org.antlr.v4.runtime.CommonTokenStream;
import org.antlr.v4.runtime.atn.PredictionMode;
import org.nnc.frontend.ast.Program;
import org.nnc.frontend.diag.Diagnostics;
import org.nnc.frontend.source.SourceFile;
import org.nnc.grammar.NNetLexer;
import org.nnc.grammar.NNetParser;

/** The first phase: source text to AST, reporting syntax errors. */
public final class Parse {
    private Parse() {}

    /** The file's AST, or null when it has syntax errors (they are in {@code diags}). */
    public static Program file(SourceFile source, Diagnostics diags) {
        NNetLexer lexer = new NNetLexer(CharStreams.fromString(source.text(), source.name()));
        SyntaxErrors listener = new SyntaxErrors(diags);
        lexer.removeErrorListeners();
        lexer.addErrorListener(listener);
        CommonTokenStream tokens = new CommonTokenStream(new NewlineFilter(lexer));
        NNetParser parser = new NNetParser(tokens);
        parser.removeErrorListeners();
        parser.addErrorListener(listener);
        parser.getInterpreter().setPredictionMode(PredictionMode.SLL);
        NNetParser.FileContext tree;
        int before = diags.errorCount();
        try {
            parser.setErrorHandler(new org.antlr.v4.runtime.BailErrorStrategy());
            tree = parser.file();
        } catch (org.antlr.v4.runtime.misc.ParseCancellationException e) {
            // SLL failed: reparse with full LL and the recovering strategy, which reports every error.
            tokens.seek(0);
            parser.reset();
            parser.setErrorHandler(new org.antlr.v4.runtime.DefaultErrorStrategy());
            parser.getInterpreter().setPredictionMode(PredictionMode.LL);
            tree = parser.file();
        }
        if (diags.errorCount() > before) return null;
        int beforeBuild = diags.errorCount();
        Program p = new AstBuilder(tokens, diags).program(tree);
        return diags.errorCount() > beforeBuild ? null : p;
    }
}
