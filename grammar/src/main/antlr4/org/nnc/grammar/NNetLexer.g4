/*
 * The tokens of the .nnet language (LANGUAGE.md is the contract). Newlines are tokens; the front end's NewlineFilter
 * drops those that do not end a statement (inside ( ) and [ ], after an operator, '=', ',' or '.', and
 * before a line starting with '.', 'else' or a closing bracket), so the rules below see NL only where a
 * statement ends.
 */
lexer grammar NNetLexer;

@members {
    /** A stray '}' must not empty the mode stack; the parser reports it instead. */
    @Override
    public int popMode() {
        return _modeStack.isEmpty() ? DEFAULT_MODE : super.popMode();
    }
}

// ------------------------------------------------------------------ lexer

MODEL   : 'model' ;
FUN     : 'fun' ;
VAL     : 'val' ;
VAR     : 'var' ;
RETURN  : 'return' ;
IF      : 'if' ;
ELSE    : 'else' ;
FOR     : 'for' ;
IN      : 'in' ;
WHILE   : 'while' ;
TRAIN   : 'train' ;
IMPORT  : 'import' ;
TRUE    : 'true' ;
FALSE   : 'false' ;

LBRACE  : '{' -> pushMode(DEFAULT_MODE) ;
RBRACE  : '}' -> popMode ;
LPAREN  : '(' ;
RPAREN  : ')' ;
LBRACK  : '[' ;
RBRACK  : ']' ;
RANGE   : '..' ;
DOT     : '.' ;
COMMA   : ',' ;
COLON   : ':' ;
SEMI    : ';' ;
PLUS_EQ : '+=' ;
MINUS_EQ: '-=' ;
STAR_EQ : '*=' ;
SLASH_EQ: '/=' ;
EQEQ    : '==' ;
NEQ     : '!=' ;
LE      : '<=' ;
GE      : '>=' ;
ANDAND  : '&&' ;
OROR    : '||' ;
ASSIGN  : '=' ;
LT      : '<' ;
GT      : '>' ;
PLUS    : '+' ;
MINUS   : '-' ;
STAR    : '*' ;
SLASH   : '/' ;
PERCENT : '%' ;
AT      : '@' ;
BANG    : '!' ;

FLOAT   : DIGITS '.' DIGITS EXPONENT?
        | DIGITS EXPONENT
        ;
INT     : DIGITS ;
ID      : [a-zA-Z_] [a-zA-Z_0-9]* ;

STR_START : '"' -> pushMode(STRING) ;

NL          : '\r'? '\n' ;
DOC_COMMENT : '/**' ~'/' .*? '*/' -> channel(2) ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
WS      : [ \t\f]+ -> skip ;
/** Anything else; the parser reports it as an unexpected character. */
UNKNOWN : . ;

fragment DIGITS   : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;

mode STRING;
STR_END    : '"' -> popMode ;
STR_REF    : '$' [a-zA-Z_] [a-zA-Z_0-9]* ;
STR_EXPR   : '${' -> pushMode(DEFAULT_MODE) ;
STR_ESCAPE : '\\' [nrt"\\$] ;
STR_TEXT   : ( ~[\\"$\r\n] | '$' )+? ;
/** A line break inside a string: the string was not closed. */
STR_UNTERMINATED : '\r'? '\n' -> popMode ;
