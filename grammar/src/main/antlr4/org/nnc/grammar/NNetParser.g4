/*
 * The .nnet language (LANGUAGE.md is the contract). Newlines are tokens; the front end's NewlineFilter
 * drops those that do not end a statement (inside ( ) and [ ], after an operator, '=', ',' or '.', and
 * before a line starting with '.', 'else' or a closing bracket), so the rules below see NL only where a
 * statement ends.
 */
parser grammar NNetParser;

options { tokenVocab = NNetLexer; }

// ------------------------------------------------------------------ declarations

file        : semi? (decl (semi decl)*)? semi? EOF ;

decl        : importDecl
            | modelDecl
            | funDecl
            | valDecl
            | trainDecl
            ;

importDecl  : IMPORT string ;

modelDecl   : MODEL name=ident ('(' params? ')')? '{' semi? (member (semi member)*)? semi? '}' ;

member      : valDecl
            | funDecl
            ;

funDecl     : FUN name=ident '(' params? ')' (':' type)? (block | '=' expr) ;

params      : param (',' param)* ','? ;

param       : name=ident ':' type ('=' expr)? ;

valDecl     : (VAL | VAR) name=ident (':' type)? '=' expr ;

trainDecl   : TRAIN '(' expr ')' '{' semi? (trainEntry (semi trainEntry)*)? semi? '}' ;

trainEntry  : key=ident '=' expr ;

// ------------------------------------------------------------------ types and shapes

type        : name=ID ('<' type (',' type)* '>')? ('[' dims? ']')? ;

dims        : dim (',' dim)* ;

dim         : '*' ID                                # spreadDim
            | dimExpr                               # exprDim
            ;

dimExpr     : '(' dimExpr ')'                       # parenDim
            | dimExpr op=('*' | '/') dimExpr        # mulDim
            | dimExpr op=('+' | '-') dimExpr        # addDim
            | INT                                   # intDim
            | ID                                    # nameDim
            ;

// ------------------------------------------------------------------ statements

block       : '{' semi? (statement (semi statement)*)? semi? '}' ;

statement   : valDecl                                                   # valStmt
            | RETURN expr?                                              # returnStmt
            | IF '(' expr ')' body (ELSE body)?                         # ifStmt
            | FOR '(' forTarget IN expr ')' body                        # forStmt
            | WHILE '(' expr ')' body                                   # whileStmt
            | target=expr op=('=' | '+=' | '-=' | '*=' | '/=') expr     # assignStmt
            | expr                                                      # exprStmt
            ;

body        : block
            | statement
            ;

forTarget   : ident                                 # forName
            | '(' ident (',' ident)+ ')'            # forTuple
            ;

// ------------------------------------------------------------------ expressions

expr        : primary                                               # primaryExpr
            | expr '.' name=ident                                      # memberExpr
            | expr '(' args? ')' lambda?                            # callExpr
            | expr lambda                                           # trailingLambdaExpr
            | expr '[' indexItem (',' indexItem)* ']'               # indexExpr
            | op=('-' | '+' | '!') expr                             # unaryExpr
            | expr op=('*' | '/' | '%' | '@') expr                  # binaryExpr
            | expr op=('+' | '-') expr                              # binaryExpr
            | expr op='..' expr                                     # binaryExpr
            | expr op=('<' | '>' | '<=' | '>=') expr                # binaryExpr
            | expr op=('==' | '!=') expr                            # binaryExpr
            | expr op='&&' expr                                     # binaryExpr
            | expr op='||' expr                                     # binaryExpr
            | IF '(' expr ')' expr ELSE expr                        # ifExpr
            ;

primary     : INT                                   # intLit
            | FLOAT                                 # floatLit
            | (TRUE | FALSE)                        # boolLit
            | string                                # stringLit
            | ident                                 # nameRef
            | '(' expr ')'                          # parenExpr
            | '(' expr (',' expr)+ ','? ')'         # tupleLit
            | '[' (expr (',' expr)* ','?)? ']'      # listLit
            ;

lambda      : block ;

args        : arg (',' arg)* ','? ;

arg         : (name=ident '=')? expr ;

indexItem   : start=expr? ':' end=expr? (':' step=expr?)?   # sliceItem
            | expr                                          # atItem
            ;

string      : STR_START stringPart* STR_END ;

stringPart  : STR_TEXT                              # strText
            | STR_ESCAPE                            # strEscape
            | STR_REF                               # strRef
            | STR_EXPR expr '}'                     # strExpr
            ;

semi        : (NL | ';')+ ;

/** A name; `model` and `train` are keywords only where a declaration starts, so they also serve as names. */
ident       : ID | MODEL | TRAIN ;

