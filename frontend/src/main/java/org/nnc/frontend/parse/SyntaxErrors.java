package org.nnc.frontend.parse;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.antlr.v4.runtime.BaseErrorListener;
import org.antlr.v4.runtime.Parser;
import org.antlr.v4.runtime.RecognitionException;
import org.antlr.v4.runtime.Recognizer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.misc.IntervalSet;
import org.nnc.frontend.diag.Diagnostic;
import org.nnc.frontend.diag.Diagnostics;
import org.nnc.frontend.source.Span;
import org.nnc.grammar.NNetLexer;

/**
 * Turns ANTLR's syntax errors into diagnostics in words a user knows ("expected `)` or `,`, found `=`"),
 * never a token dump. After one error, further errors on the same line are dropped: they are nearly
 * always the parser's recovery stumbling over the rest of that statement.
 */
final class SyntaxErrors extends BaseErrorListener {
    private static final Set<Integer> EXPRESSION_START = Set.of(NNetLexer.ID, NNetLexer.MODEL, NNetLexer.TRAIN, NNetLexer.INT, NNetLexer.FLOAT,
            NNetLexer.STR_START, NNetLexer.LPAREN, NNetLexer.LBRACK, NNetLexer.MINUS, NNetLexer.PLUS, NNetLexer.BANG,
            NNetLexer.TRUE, NNetLexer.FALSE, NNetLexer.IF);
    private static final Set<Integer> DECLARATION_START = Set.of(NNetLexer.MODEL, NNetLexer.FUN, NNetLexer.VAL,
            NNetLexer.VAR, NNetLexer.TRAIN, NNetLexer.IMPORT);
    private static final int MAX_WORDS = 5;

    private final Diagnostics diags;
    private int lastLine = -1;

    SyntaxErrors(Diagnostics diags) { this.diags = diags; }

    @Override
    public void syntaxError(Recognizer<?, ?> recognizer, Object offending, int line, int col, String msg,
                            RecognitionException e) {
        if (line == lastLine) return;
        lastLine = line;
        if (!(recognizer instanceof Parser parser) || !(offending instanceof Token t)) {
            // The lexer only fails inside strings: an escape it does not know.
            diags.report(Diagnostic.error("syntax", new Span(line, col + 1, line, col + 3),
                    "unknown escape in string; write \\n, \\t, \\\", \\\\ or \\$"));
            return;
        }
        IntervalSet expected = parser.getExpectedTokens();
        diags.report(Diagnostic.error("syntax", spanOf(t), message(t, expected)));
    }

    static Span spanOf(Token t) {
        int len = t.getType() == Token.EOF || t.getText() == null ? 1 : Math.max(1, t.getText().length());
        if (t.getType() == NNetLexer.NL || t.getType() == NNetLexer.STR_UNTERMINATED) len = 1;
        return new Span(t.getLine(), t.getCharPositionInLine() + 1, t.getLine(), t.getCharPositionInLine() + 1 + len);
    }

    private static String message(Token t, IntervalSet expected) {
        String found = describe(t);
        if (t.getType() == NNetLexer.UNKNOWN) return "unexpected character `" + t.getText() + "`";
        if (t.getType() == NNetLexer.STR_UNTERMINATED || t.getType() == Token.EOF && expected.contains(NNetLexer.STR_END)) {
            return "unterminated string: it needs a closing `\"` on the same line";
        }
        List<String> words = expectedWords(expected);
        if (words.isEmpty() || words.size() > MAX_WORDS) return "unexpected " + found;
        return "expected " + join(words) + ", found " + found;
    }

    private static List<String> expectedWords(IntervalSet expected) {
        Set<String> words = new LinkedHashSet<>();
        List<Integer> types = expected.toList();
        boolean expr = types.contains(NNetLexer.ID) && types.contains(NNetLexer.INT) && types.contains(NNetLexer.LPAREN);
        boolean decl = types.contains(NNetLexer.MODEL) && types.contains(NNetLexer.FUN);
        if (decl) words.add("a declaration (model, fun, val, train or import)");
        if (expr) words.add("an expression");
        boolean name = types.contains(NNetLexer.ID);
        for (int type : types) {
            if (expr && EXPRESSION_START.contains(type)) continue;
            if (name && (type == NNetLexer.MODEL || type == NNetLexer.TRAIN) && !decl) continue;
            if (decl && DECLARATION_START.contains(type)) continue;
            words.add(word(type));
        }
        return new ArrayList<>(words);
    }

    private static String word(int type) {
        return switch (type) {
            case Token.EOF -> "end of file";
            case NNetLexer.NL, NNetLexer.SEMI -> "end of line";
            case NNetLexer.ID -> "a name";
            case NNetLexer.INT, NNetLexer.FLOAT -> "a number";
            case NNetLexer.STR_START -> "a string";
            case NNetLexer.STR_END -> "`\"`";
            default -> {
                String lit = NNetLexer.VOCABULARY.getLiteralName(type);
                yield lit == null ? NNetLexer.VOCABULARY.getDisplayName(type) : "`" + lit.substring(1, lit.length() - 1) + "`";
            }
        };
    }

    private static String describe(Token t) {
        return switch (t.getType()) {
            case Token.EOF -> "end of file";
            case NNetLexer.NL -> "end of line";
            case NNetLexer.ID -> "`" + t.getText() + "`";
            case NNetLexer.INT, NNetLexer.FLOAT -> "number `" + t.getText() + "`";
            case NNetLexer.STR_START -> "a string";
            default -> (DECLARATION_START.contains(t.getType()) || t.getType() == NNetLexer.RETURN
                    || t.getType() == NNetLexer.IF || t.getType() == NNetLexer.ELSE || t.getType() == NNetLexer.FOR
                    || t.getType() == NNetLexer.WHILE || t.getType() == NNetLexer.IN)
                    ? "keyword `" + t.getText() + "`" : "`" + t.getText() + "`";
        };
    }

    private static String join(List<String> words) {
        if (words.size() == 1) return words.get(0);
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.get(words.size() - 1);
    }
}
