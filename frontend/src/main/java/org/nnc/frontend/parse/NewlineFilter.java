package org.nnc.frontend.parse;

import java.util.ArrayDeque;
import java.util.Set;
import org.antlr.v4.runtime.CharStream;
import org.antlr.v4.runtime.Lexer;
import org.antlr.v4.runtime.Token;
import org.antlr.v4.runtime.TokenFactory;
import org.antlr.v4.runtime.TokenSource;
import org.nnc.grammar.NNetLexer;

/**
 * Keeps only the newlines that end a statement (LANGUAGE.md §2): a run of newlines becomes one, and it
 * is dropped inside ( ) and [ ], after an operator, '=', ',' or '.', at the start of a block or file, and
 * before a line that starts with '.', 'else' or a closing bracket. This is what lets the grammar treat NL
 * as a plain statement separator.
 */
final class NewlineFilter implements TokenSource {
    private static final Set<Integer> CONTINUES_AFTER = Set.of(
            NNetLexer.PLUS, NNetLexer.MINUS, NNetLexer.STAR, NNetLexer.SLASH, NNetLexer.PERCENT, NNetLexer.AT,
            NNetLexer.RANGE, NNetLexer.LT, NNetLexer.GT, NNetLexer.LE, NNetLexer.GE, NNetLexer.EQEQ, NNetLexer.NEQ,
            NNetLexer.ANDAND, NNetLexer.OROR, NNetLexer.BANG, NNetLexer.ASSIGN, NNetLexer.PLUS_EQ, NNetLexer.MINUS_EQ,
            NNetLexer.STAR_EQ, NNetLexer.SLASH_EQ, NNetLexer.COMMA, NNetLexer.DOT, NNetLexer.COLON,
            NNetLexer.LPAREN, NNetLexer.LBRACK, NNetLexer.LBRACE, NNetLexer.SEMI, NNetLexer.STR_EXPR);
    private static final Set<Integer> CONTINUES_BEFORE = Set.of(
            NNetLexer.DOT, NNetLexer.ELSE, NNetLexer.RPAREN, NNetLexer.RBRACK, NNetLexer.RBRACE);

    private final Lexer lexer;
    private final ArrayDeque<Token> pending = new ArrayDeque<>();
    private final ArrayDeque<Integer> brackets = new ArrayDeque<>();
    private Token previous;

    NewlineFilter(Lexer lexer) { this.lexer = lexer; }

    @Override
    public Token nextToken() {
        Token t = pending.isEmpty() ? lexer.nextToken() : pending.poll();
        if (t.getType() == NNetLexer.NL) {
            Token next;
            ArrayDeque<Token> hidden = new ArrayDeque<>();
            do {
                next = lexer.nextToken();
                if (next.getChannel() != Token.DEFAULT_CHANNEL) hidden.add(next);
            } while (next.getType() == NNetLexer.NL || next.getChannel() != Token.DEFAULT_CHANNEL);
            boolean keep = previous != null
                    && !insideParens()
                    && !CONTINUES_AFTER.contains(previous.getType())
                    && !CONTINUES_BEFORE.contains(next.getType())
                    && next.getType() != Token.EOF;
            pending.addAll(hidden);
            pending.add(next);
            if (!keep) return nextToken();
        }
        if (t.getChannel() == Token.DEFAULT_CHANNEL) track(t);
        return t;
    }

    private boolean insideParens() {
        Integer top = brackets.peek();
        return top != null && (top == NNetLexer.LPAREN || top == NNetLexer.LBRACK);
    }

    private void track(Token t) {
        switch (t.getType()) {
            case NNetLexer.LPAREN, NNetLexer.LBRACK, NNetLexer.LBRACE, NNetLexer.STR_EXPR -> brackets.push(t.getType());
            case NNetLexer.RPAREN, NNetLexer.RBRACK, NNetLexer.RBRACE -> brackets.poll();
            default -> { }
        }
        previous = t;
    }

    @Override public int getLine() { return lexer.getLine(); }
    @Override public int getCharPositionInLine() { return lexer.getCharPositionInLine(); }
    @Override public CharStream getInputStream() { return lexer.getInputStream(); }
    @Override public String getSourceName() { return lexer.getSourceName(); }
    @Override public void setTokenFactory(TokenFactory<?> factory) { lexer.setTokenFactory(factory); }
    @Override public TokenFactory<?> getTokenFactory() { return lexer.getTokenFactory(); }
}
