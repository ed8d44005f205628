package org.nnc.codegen;

import static org.objectweb.asm.Opcodes.*;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nnc.frontend.ast.Decl;
import org.nnc.frontend.ast.Expr;
import org.nnc.frontend.ast.Stmt;
import org.nnc.frontend.check.Signatures;
import org.nnc.frontend.source.Span;
import org.nnc.frontend.types.Type;
import org.nnc.ops.OpDef;
import org.nnc.ops.OpTable;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;

/**
 * Emits one method body: statements and expressions to bytecode, resolving names as the checker did
 * (locals, then the model's fields, then top-level constants) and calling the runtime's operations
 * directly. Line numbers come from the .nnet spans, so a stack trace points at the source line.
 */
final class MethodGen {
    private static final String T = "org/nnc/tensor/Tensor";
    private static final String TD = "Lorg/nnc/tensor/Tensor;";
    private static final String OPS = "org/nnc/ops/Ops";
    private static final String F = "org/nnc/nn/Functional";
    private static final String MODULE = "org/nnc/nn/Module";

    record Local(int slot, JType type) {}

    final Compiler c;
    final MethodVisitor mv;
    /** The model whose method this is, or null for static code. */
    final Decl.Model model;
    final String owner;
    /** Field types of the model (hyperparameters and members). */
    final Map<String, JType> fields;
    private final ArrayDeque<Map<String, Local>> scopes = new ArrayDeque<>();
    private final ArrayDeque<Integer> noGradScopes = new ArrayDeque<>();
    private int nextSlot;
    private int line = -1;
    /** How data sources read their targets in this body: "auto", or "classes"/"values" in a train block. */
    String dataKind = "auto";
    JType returnType = JType.VOID;

    MethodGen(Compiler c, MethodVisitor mv, Decl.Model model, String owner, Map<String, JType> fields, boolean isStatic) {
        this.c = c;
        this.mv = mv;
        this.model = model;
        this.owner = owner;
        this.fields = fields;
        this.nextSlot = isStatic ? 0 : 1;
        scopes.push(new HashMap<>());
    }

    // ================================================================== locals and lines

    Local declare(String name, JType t) {
        Local l = new Local(nextSlot, t);
        nextSlot += Math.max(1, t.size());
        scopes.peek().put(name, l);
        return l;
    }

    /** A slot for a value the source does not name. */
    int temp(JType t) {
        int s = nextSlot;
        nextSlot += Math.max(1, t.size());
        return s;
    }

    private Local local(String name) {
        for (Map<String, Local> s : scopes) {
            Local l = s.get(name);
            if (l != null) return l;
        }
        return null;
    }

    private void push() { scopes.push(new HashMap<>()); }

    private void pop() { scopes.pop(); }

    void line(Span s) {
        if (s.line() > 0 && s.line() != line) {
            line = s.line();
            Label l = new Label();
            mv.visitLabel(l);
            mv.visitLineNumber(line, l);
        }
    }

    // ================================================================== small emitters

    void lconst(long v) {
        if (v == 0 || v == 1) mv.visitInsn((int) (LCONST_0 + v));
        else mv.visitLdcInsn(v);
    }

    void iconst(int v) {
        if (v >= -1 && v <= 5) mv.visitInsn(ICONST_0 + v);
        else if (v >= Byte.MIN_VALUE && v <= Byte.MAX_VALUE) mv.visitIntInsn(BIPUSH, v);
        else if (v >= Short.MIN_VALUE && v <= Short.MAX_VALUE) mv.visitIntInsn(SIPUSH, v);
        else mv.visitLdcInsn(v);
    }

    void dconst(double v) {
        if (v == 0 && 1 / v > 0) mv.visitInsn(DCONST_0);
        else if (v == 1) mv.visitInsn(DCONST_1);
        else mv.visitLdcInsn(v);
    }

    void invokeStatic(String cls, String name, String desc) { mv.visitMethodInsn(INVOKESTATIC, cls, name, desc, false); }

    void invokeVirtual(String cls, String name, String desc) { mv.visitMethodInsn(INVOKEVIRTUAL, cls, name, desc, false); }

    void invokeInterface(String cls, String name, String desc) { mv.visitMethodInsn(INVOKEINTERFACE, cls, name, desc, true); }

    /** Converts the value on the stack from one JVM type to another (numeric widening, casts, boxing for Objects). */
    void coerce(JType from, JType to) {
        if (from.descriptor().equals(to.descriptor()) || to == JType.VOID) return;
        String f = from.descriptor(), t = to.descriptor();
        if (f.equals("J") && t.equals("D")) mv.visitInsn(L2D);
        else if (f.equals("J") && t.equals("I")) mv.visitInsn(L2I);
        else if (f.equals("I") && t.equals("J")) mv.visitInsn(I2L);
        else if (f.equals("I") && t.equals("D")) mv.visitInsn(I2D);
        else if (f.equals("D") && t.equals("J")) mv.visitInsn(D2L);
        else if (f.equals("D") && t.equals("I")) mv.visitInsn(D2I);
        else if (from.isPrimitive() && !to.isPrimitive()) box(from);
        else if (!from.isPrimitive() && to.isPrimitive()) unbox(to);
        else if (!to.internalName().equals("java/lang/Object")) mv.visitTypeInsn(CHECKCAST, to.internalName());
    }

    private void box(JType t) {
        switch (t.descriptor()) {
            case "J" -> invokeStatic("java/lang/Long", "valueOf", "(J)Ljava/lang/Long;");
            case "D" -> invokeStatic("java/lang/Double", "valueOf", "(D)Ljava/lang/Double;");
            case "Z" -> invokeStatic("java/lang/Boolean", "valueOf", "(Z)Ljava/lang/Boolean;");
            case "I" -> invokeStatic("java/lang/Integer", "valueOf", "(I)Ljava/lang/Integer;");
            default -> { }
        }
    }

    private void unbox(JType t) {
        switch (t.descriptor()) {
            case "J" -> {
                mv.visitTypeInsn(CHECKCAST, "java/lang/Number");
                invokeVirtual("java/lang/Number", "longValue", "()J");
            }
            case "D" -> {
                mv.visitTypeInsn(CHECKCAST, "java/lang/Number");
                invokeVirtual("java/lang/Number", "doubleValue", "()D");
            }
            case "Z" -> {
                mv.visitTypeInsn(CHECKCAST, "java/lang/Boolean");
                invokeVirtual("java/lang/Boolean", "booleanValue", "()Z");
            }
            default -> { }
        }
    }

    void pop(JType t) {
        if (t.size() == 2) mv.visitInsn(POP2);
        else if (t.size() == 1) mv.visitInsn(POP);
    }

    /** The value of e converted to {@code want}. */
    void expr(Expr e, JType want) { coerce(expr(e), want); }

    Type typeOf(Expr e) { return c.checker.typeOf(e); }

    // ================================================================== statements

    void block(Stmt.Block b) {
        push();
        for (Stmt s : b.stmts()) stmt(s);
        pop();
    }

    void stmt(Stmt s) {
        line(s.span());
        switch (s) {
            case Decl.Val v -> {
                JType t = v.type() != null ? c.jtype(c.checker.typeOf(v.init())) : c.jtype(typeOf(v.init()));
                if (t == JType.VOID) t = JType.OBJECT;
                expr(v.init(), t);
                Local l = declare(v.name(), t);
                mv.visitVarInsn(t.store(), l.slot());
            }
            case Stmt.Assign a -> assign(a);
            case Stmt.Return r -> {
                if (r.value() != null) expr(r.value(), returnType);
                for (int slot : noGradScopes) closeScope(slot);
                mv.visitInsn(returnType.ret());
            }
            case Stmt.If i -> {
                Label otherwise = new Label(), end = new Label();
                condition(i.cond(), otherwise);
                stmt(i.then());
                mv.visitJumpInsn(GOTO, end);
                mv.visitLabel(otherwise);
                if (i.otherwise() != null) stmt(i.otherwise());
                mv.visitLabel(end);
            }
            case Stmt.While w -> {
                Label top = new Label(), end = new Label();
                mv.visitLabel(top);
                condition(w.cond(), end);
                stmt(w.body());
                mv.visitJumpInsn(GOTO, top);
                mv.visitLabel(end);
            }
            case Stmt.For f -> forLoop(f);
            case Stmt.Block b -> block(b);
            case Stmt.ExprStmt e -> pop(expr(e.expr()));
        }
    }

    private void assign(Stmt.Assign a) {
        String name = ((Expr.Name) a.target()).name();
        Local l = local(name);
        JType t = l != null ? l.type() : fields.get(name);
        if (!a.op().equals("=")) {
            arithmetic(a.op().substring(0, 1), a.target(), a.value(), t);
        } else {
            expr(a.value(), t);
        }
        if (l != null) {
            mv.visitVarInsn(t.store(), l.slot());
        } else {
            throw new IllegalStateException("internal: assignment to " + name + " which is not a local");
        }
    }

    /** Jumps to {@code otherwise} when the condition is false. */
    void condition(Expr cond, Label otherwise) {
        expr(cond, JType.BOOLEAN);
        mv.visitJumpInsn(IFEQ, otherwise);
    }

    private void forLoop(Stmt.For f) {
        push();
        Type it = typeOf(f.iterable());
        if (f.iterable() instanceof Expr.Binary b && b.op().equals("..")) {
            expr(b.left(), JType.LONG);
            Local i = declare(f.names().get(0), JType.LONG);
            mv.visitVarInsn(LSTORE, i.slot());
            expr(b.right(), JType.LONG);
            int end = temp(JType.LONG);
            mv.visitVarInsn(LSTORE, end);
            Label top = new Label(), done = new Label();
            mv.visitLabel(top);
            mv.visitVarInsn(LLOAD, i.slot());
            mv.visitVarInsn(LLOAD, end);
            mv.visitInsn(LCMP);
            mv.visitJumpInsn(IFGT, done);
            stmt(f.body());
            mv.visitVarInsn(LLOAD, i.slot());
            mv.visitInsn(LCONST_1);
            mv.visitInsn(LADD);
            mv.visitVarInsn(LSTORE, i.slot());
            mv.visitJumpInsn(GOTO, top);
            mv.visitLabel(done);
            pop();
            return;
        }
        JType coll = expr(f.iterable());
        String iface = coll.internalName().equals("java/util/List") ? "java/util/List" : "java/lang/Iterable";
        if (coll == JType.MODULE_LIST || coll == JType.LOADER) iface = null;
        if (iface == null) invokeVirtual(coll.internalName(), "iterator", "()Ljava/util/Iterator;");
        else invokeInterface(iface, "iterator", "()Ljava/util/Iterator;");
        int iter = temp(JType.OBJECT);
        mv.visitVarInsn(ASTORE, iter);
        Label top = new Label(), done = new Label();
        mv.visitLabel(top);
        mv.visitVarInsn(ALOAD, iter);
        invokeInterface("java/util/Iterator", "hasNext", "()Z");
        mv.visitJumpInsn(IFEQ, done);
        mv.visitVarInsn(ALOAD, iter);
        invokeInterface("java/util/Iterator", "next", "()Ljava/lang/Object;");
        if (it instanceof Type.LoaderT) {
            mv.visitTypeInsn(CHECKCAST, JType.BATCH.internalName());
            if (f.names().size() == 2) {
                int batch = temp(JType.BATCH);
                mv.visitVarInsn(ASTORE, batch);
                mv.visitVarInsn(ALOAD, batch);
                invokeVirtual(JType.BATCH.internalName(), "x", "()" + TD);
                mv.visitVarInsn(ASTORE, declare(f.names().get(0), JType.TENSOR).slot());
                mv.visitVarInsn(ALOAD, batch);
                invokeVirtual(JType.BATCH.internalName(), "y", "()" + TD);
                mv.visitVarInsn(ASTORE, declare(f.names().get(1), JType.TENSOR).slot());
            } else {
                mv.visitVarInsn(ASTORE, declare(f.names().get(0), JType.BATCH).slot());
            }
        } else {
            JType elem = it instanceof Type.ListT l ? c.jtype(l.elem()) : JType.OBJECT;
            coerce(JType.OBJECT, elem);
            mv.visitVarInsn(elem.store(), declare(f.names().get(0), elem).slot());
        }
        stmt(f.body());
        mv.visitJumpInsn(GOTO, top);
        mv.visitLabel(done);
        pop();
    }

    // ================================================================== expressions

    /** Emits e and returns the JVM type it left on the stack. */
    JType expr(Expr e) {
        return switch (e) {
            case Expr.IntLit i -> {
                lconst(i.value());
                yield JType.LONG;
            }
            case Expr.FloatLit f -> {
                dconst(f.value());
                yield JType.DOUBLE;
            }
            case Expr.BoolLit b -> {
                mv.visitInsn(b.value() ? ICONST_1 : ICONST_0);
                yield JType.BOOLEAN;
            }
            case Expr.Str s -> string(s);
            case Expr.Name n -> name(n.name());
            case Expr.Unary u -> unary(u);
            case Expr.Binary b -> binary(b);
            case Expr.Call call -> call(call);
            case Expr.Member m -> member(m);
            case Expr.Index i -> index(i);
            case Expr.ListLit l -> list(l.items());
            case Expr.Tuple t -> list(t.items());
            case Expr.Lambda l -> {
                lambdaValue(l.body());
                yield JType.OBJECT;
            }
            case Expr.IfElse i -> {
                JType t = c.jtype(typeOf(i));
                Label otherwise = new Label(), end = new Label();
                condition(i.cond(), otherwise);
                expr(i.then(), t);
                mv.visitJumpInsn(GOTO, end);
                mv.visitLabel(otherwise);
                expr(i.otherwise(), t);
                mv.visitLabel(end);
                yield t;
            }
        };
    }

    private JType string(Expr.Str s) {
        String constant = s.constant();
        if (constant != null) {
            mv.visitLdcInsn(constant);
            return JType.STRING;
        }
        mv.visitTypeInsn(NEW, "java/lang/StringBuilder");
        mv.visitInsn(DUP);
        mv.visitMethodInsn(INVOKESPECIAL, "java/lang/StringBuilder", "<init>", "()V", false);
        for (Object p : s.parts()) {
            if (p instanceof Expr.Str.Text t) {
                mv.visitLdcInsn(t.text());
                append(JType.STRING);
            } else {
                append(expr((Expr) p));
            }
        }
        invokeVirtual("java/lang/StringBuilder", "toString", "()Ljava/lang/String;");
        return JType.STRING;
    }

    private void append(JType t) {
        String d = switch (t.descriptor()) {
            case "J", "D", "Z", "I" -> t.descriptor();
            case "Ljava/lang/String;" -> "Ljava/lang/String;";
            default -> "Ljava/lang/Object;";
        };
        invokeVirtual("java/lang/StringBuilder", "append", "(" + d + ")Ljava/lang/StringBuilder;");
    }

    JType name(String name) {
        Local l = local(name);
        if (l != null) {
            mv.visitVarInsn(l.type().load(), l.slot());
            return l.type();
        }
        JType f = fields.get(name);
        if (f != null) {
            mv.visitVarInsn(ALOAD, 0);
            mv.visitFieldInsn(GETFIELD, owner, name, f.descriptor());
            return f;
        }
        JType g = FunctionsGen.constantType(c, name);
        if (g != null) {
            mv.visitFieldInsn(GETSTATIC, c.functionsClass(), name, g.descriptor());
            return g;
        }
        throw new IllegalStateException("internal: unresolved name " + name);
    }

    private JType unary(Expr.Unary u) {
        if (u.op().equals("!")) {
            expr(u.operand(), JType.BOOLEAN);
            mv.visitInsn(ICONST_1);
            mv.visitInsn(IXOR);
            return JType.BOOLEAN;
        }
        JType t = expr(u.operand());
        if (u.op().equals("+")) return t;
        switch (t.descriptor()) {
            case "J" -> mv.visitInsn(LNEG);
            case "D" -> mv.visitInsn(DNEG);
            default -> invokeStatic(OPS, "neg", "(" + TD + ")" + TD);
        }
        return t;
    }

    private static boolean isTensor(Type t) { return t instanceof Type.TensorT; }

    private static boolean isInt(Type t) { return t instanceof Type.IntT; }

    private JType binary(Expr.Binary b) {
        Type lt = typeOf(b.left()), rt = typeOf(b.right());
        switch (b.op()) {
            case "&&", "||" -> {
                Label shortCut = new Label(), end = new Label();
                expr(b.left(), JType.BOOLEAN);
                mv.visitJumpInsn(b.op().equals("&&") ? IFEQ : IFNE, shortCut);
                expr(b.right(), JType.BOOLEAN);
                mv.visitJumpInsn(GOTO, end);
                mv.visitLabel(shortCut);
                mv.visitInsn(b.op().equals("&&") ? ICONST_0 : ICONST_1);
                mv.visitLabel(end);
                return JType.BOOLEAN;
            }
            case "@" -> {
                expr(b.left(), JType.TENSOR);
                expr(b.right(), JType.TENSOR);
                invokeStatic(OPS, "matmul", "(" + TD + TD + ")" + TD);
                return JType.TENSOR;
            }
            case "==", "!=", "<", ">", "<=", ">=" -> {
                return compare(b, lt, rt);
            }
            default -> {
                return arithmetic(b.op(), b.left(), b.right(), null);
            }
        }
    }

    private static final Map<String, String> COMPARE_OPS = Map.of("==", "eq", "!=", "ne", "<", "lt", ">", "gt", "<=", "le", ">=", "ge");

    private JType compare(Expr.Binary b, Type lt, Type rt) {
        if (isTensor(lt) || isTensor(rt)) {
            tensorOperand(b.left(), lt);
            tensorOperand(b.right(), rt);
            invokeStatic(OPS, COMPARE_OPS.get(b.op()), "(" + TD + TD + ")" + TD);
            return JType.TENSOR;
        }
        Label yes = new Label(), end = new Label();
        if (lt instanceof Type.StrT || lt instanceof Type.BoolT) {
            JType t = c.jtype(lt);
            expr(b.left(), t);
            expr(b.right(), t);
            if (t == JType.BOOLEAN) {
                mv.visitJumpInsn(b.op().equals("==") ? IF_ICMPEQ : IF_ICMPNE, yes);
            } else {
                invokeStatic("java/util/Objects", "equals", "(Ljava/lang/Object;Ljava/lang/Object;)Z");
                mv.visitJumpInsn(b.op().equals("==") ? IFNE : IFEQ, yes);
            }
        } else {
            boolean ints = isInt(lt) && isInt(rt);
            JType t = ints ? JType.LONG : JType.DOUBLE;
            expr(b.left(), t);
            expr(b.right(), t);
            // For doubles, DCMPG makes NaN compare high and DCMPL low, so a comparison with NaN is false.
            boolean greater = b.op().equals(">") || b.op().equals(">=");
            mv.visitInsn(ints ? LCMP : greater ? DCMPL : DCMPG);
            int jump = switch (b.op()) {
                case "==" -> IFEQ;
                case "!=" -> IFNE;
                case "<" -> IFLT;
                case ">" -> IFGT;
                case "<=" -> IFLE;
                default -> IFGE;
            };
            mv.visitJumpInsn(jump, yes);
        }
        mv.visitInsn(ICONST_0);
        mv.visitJumpInsn(GOTO, end);
        mv.visitLabel(yes);
        mv.visitInsn(ICONST_1);
        mv.visitLabel(end);
        return JType.BOOLEAN;
    }

    /** A tensor operand; a number becomes a 0-dimensional float32 tensor. */
    private void tensorOperand(Expr e, Type t) {
        if (isTensor(t) || t instanceof Type.UnknownT) {
            expr(e, JType.TENSOR);
        } else {
            expr(e, JType.DOUBLE);
            invokeStatic(T, "scalar", "(D)" + TD);
        }
    }

    /** + - * / % on numbers and tensors; {@code want} forces the result type for compound assignment. */
    JType arithmetic(String op, Expr le, Expr re, JType want) {
        Type lt = typeOf(le), rt = typeOf(re);
        if (lt instanceof Type.StrT || rt instanceof Type.StrT) {
            mv.visitTypeInsn(NEW, "java/lang/StringBuilder");
            mv.visitInsn(DUP);
            mv.visitMethodInsn(INVOKESPECIAL, "java/lang/StringBuilder", "<init>", "()V", false);
            append(expr(le));
            append(expr(re));
            invokeVirtual("java/lang/StringBuilder", "toString", "()Ljava/lang/String;");
            return JType.STRING;
        }
        if (isTensor(lt) || isTensor(rt)) return tensorArithmetic(op, le, lt, re, rt);
        boolean ints = isInt(lt) && isInt(rt) && (want == null || want == JType.LONG);
        JType t = ints ? JType.LONG : JType.DOUBLE;
        expr(le, t);
        expr(re, t);
        if (ints && op.equals("/")) {
            invokeStatic("java/lang/Math", "floorDiv", "(JJ)J");
        } else if (ints && op.equals("%")) {
            invokeStatic("java/lang/Math", "floorMod", "(JJ)J");
        } else {
            int base = switch (op) {
                case "+" -> LADD;
                case "-" -> LSUB;
                case "*" -> LMUL;
                case "/" -> LDIV;
                default -> LREM;
            };
            mv.visitInsn(ints ? base : base + 2);
        }
        return t;
    }

    private JType tensorArithmetic(String op, Expr le, Type lt, Expr re, Type rt) {
        String desc2 = "(" + TD + TD + ")" + TD, descS = "(" + TD + "D)" + TD;
        if (isTensor(lt) && isTensor(rt)) {
            expr(le, JType.TENSOR);
            expr(re, JType.TENSOR);
            invokeStatic(OPS, switch (op) {
                case "+" -> "add";
                case "-" -> "sub";
                case "*" -> "mul";
                default -> "div";
            }, desc2);
        } else if (isTensor(lt)) {
            expr(le, JType.TENSOR);
            expr(re, JType.DOUBLE);
            switch (op) {
                case "+" -> invokeStatic(OPS, "add", descS);
                case "-" -> {
                    mv.visitInsn(DNEG);
                    invokeStatic(OPS, "add", descS);
                }
                case "*" -> invokeStatic(OPS, "mul", descS);
                default -> {
                    int s = temp(JType.DOUBLE);
                    mv.visitVarInsn(DSTORE, s);
                    dconst(1);
                    mv.visitVarInsn(DLOAD, s);
                    mv.visitInsn(DDIV);
                    invokeStatic(OPS, "mul", descS);
                }
            }
        } else {
            if (op.equals("/")) {
                expr(le, JType.DOUBLE);
                expr(re, JType.TENSOR);
                invokeStatic(OPS, "rdiv", "(D" + TD + ")" + TD);
                return JType.TENSOR;
            }
            expr(re, JType.TENSOR);
            if (op.equals("-")) invokeStatic(OPS, "neg", "(" + TD + ")" + TD);
            expr(le, JType.DOUBLE);
            invokeStatic(OPS, op.equals("*") ? "mul" : "add", descS);
        }
        return JType.TENSOR;
    }

    private JType member(Expr.Member m) {
        Type t = typeOf(m.target());
        JType target = expr(m.target());
        if (m.name().equals("size") && !(t instanceof Type.ModelT)) {
            if (target == JType.MODULE_LIST) invokeVirtual(target.internalName(), "size", "()I");
            else if (target == JType.LIST) invokeInterface("java/util/List", "size", "()I");
            else if (target == JType.LOADER) invokeVirtual(target.internalName(), "size", "()I");
            else invokeInterface(JType.DATASET.internalName(), "size", "()I");
            mv.visitInsn(I2L);
            return JType.LONG;
        }
        JType ft = c.jtype(typeOf(m));
        mv.visitFieldInsn(GETFIELD, target.internalName(), m.name(), ft.descriptor());
        return ft;
    }

    private JType index(Expr.Index ix) {
        Type t = typeOf(ix.target());
        JType target = expr(ix.target());
        if (t instanceof Type.ListT l) {
            expr(((Expr.At) ix.items().get(0)).index(), JType.INT);
            if (target == JType.MODULE_LIST) invokeVirtual(target.internalName(), "get", "(I)L" + MODULE + ";");
            else invokeInterface("java/util/List", "get", "(I)Ljava/lang/Object;");
            JType elem = c.jtype(l.elem());
            coerce(target == JType.MODULE_LIST ? JType.MODULE : JType.OBJECT, elem);
            return elem;
        }
        int dim = 0;
        for (Expr.IndexItem item : ix.items()) {
            if (item instanceof Expr.At at) {
                iconst(dim);
                expr(at.index(), JType.INT);
                invokeStatic(OPS, "select", "(" + TD + "II)" + TD);
            } else {
                Expr.Slice s = (Expr.Slice) item;
                iconst(dim);
                bound(s.start());
                bound(s.end());
                if (s.step() == null) iconst(1);
                else expr(s.step(), JType.INT);
                invokeStatic(OPS, "slice", "(" + TD + "IIII)" + TD);
                dim++;
            }
        }
        return JType.TENSOR;
    }

    private void bound(Expr e) {
        if (e == null) mv.visitFieldInsn(GETSTATIC, OPS, "NONE", "I");
        else expr(e, JType.INT);
    }

    /** A list literal as a java.util.List (numbers boxed). */
    private JType list(List<Expr> items) {
        iconst(items.size());
        mv.visitTypeInsn(ANEWARRAY, "java/lang/Object");
        for (int i = 0; i < items.size(); i++) {
            mv.visitInsn(DUP);
            iconst(i);
            expr(items.get(i), JType.OBJECT);
            mv.visitInsn(AASTORE);
        }
        invokeStatic("java/util/List", "of", "([Ljava/lang/Object;)Ljava/util/List;");
        return JType.LIST;
    }

    /** An int[] of the given Int expressions (dimensions). */
    void intArray(List<Expr> items) {
        iconst(items.size());
        mv.visitIntInsn(NEWARRAY, T_INT);
        for (int i = 0; i < items.size(); i++) {
            mv.visitInsn(DUP);
            iconst(i);
            expr(items.get(i), JType.INT);
            mv.visitInsn(IASTORE);
        }
    }

    /** The statements of a block-lambda, leaving the last expression's value (or nothing) on the stack. */
    JType lambdaValue(Stmt.Block body) {
        push();
        JType last = JType.VOID;
        List<Stmt> stmts = body.stmts();
        for (int i = 0; i < stmts.size(); i++) {
            Stmt s = stmts.get(i);
            if (i == stmts.size() - 1 && s instanceof Stmt.ExprStmt e) {
                line(s.span());
                last = expr(e.expr());
            } else {
                stmt(s);
            }
        }
        pop();
        return last;
    }

    /** {@code noGrad { … }}: the block with recording off, restored however the block ends. */
    JType noGrad(Stmt.Block body) {
        invokeStatic("org/nnc/autograd/GradMode", "disable", "()Lorg/nnc/autograd/GradMode$Scope;");
        int scope = temp(JType.OBJECT);
        mv.visitVarInsn(ASTORE, scope);
        Label start = new Label(), end = new Label(), handler = new Label(), after = new Label();
        mv.visitTryCatchBlock(start, end, handler, null);
        mv.visitLabel(start);
        noGradScopes.push(scope);
        JType v = lambdaValue(body);
        noGradScopes.pop();
        if (v != JType.VOID) {
            int keep = temp(v);
            mv.visitVarInsn(v.store(), keep);
            mv.visitLabel(end);
            closeScope(scope);
            mv.visitVarInsn(v.load(), keep);
        } else {
            mv.visitLabel(end);
            closeScope(scope);
        }
        mv.visitJumpInsn(GOTO, after);
        mv.visitLabel(handler);
        int thrown = temp(JType.OBJECT);
        mv.visitVarInsn(ASTORE, thrown);
        closeScope(scope);
        mv.visitVarInsn(ALOAD, thrown);
        mv.visitInsn(ATHROW);
        mv.visitLabel(after);
        return v;
    }

    private void closeScope(int slot) {
        mv.visitVarInsn(ALOAD, slot);
        invokeInterface("org/nnc/autograd/GradMode$Scope", "close", "()V");
    }

    // ================================================================== calls

    private JType call(Expr.Call call) {
        if (call.callee() instanceof Expr.Name n) {
            String name = n.name();
            if (local(name) != null || fields.containsKey(name) || FunctionsGen.constantType(c, name) != null) {
                JType f = name(name);
                return apply(f, typeOf(call.callee()), call);
            }
            if (model != null && ModelGen.fun(model, name) != null) return callMethod(owner, ModelGen.fun(model, name), call, true);
            if (c.checker.models().containsKey(name)) return construct(name, call);
            if (c.checker.functions().containsKey(name)) return callFunction(c.checker.functions().get(name), call);
            if (Signatures.isLayer(name)) return Builtins.layer(this, name, call);
            if (name.equals("relu") && reluOfLayer(call)) return JType.TENSOR;
            return Builtins.call(this, name, call, null);
        }
        if (call.callee() instanceof Expr.Member m) return method(m, call);
        JType f = expr(call.callee());
        return apply(f, typeOf(call.callee()), call);
    }

    /**
     * {@code relu(layer(x))} for a layer held in a val: emits {@code layer.forwardRelu(x)}, which Linear and
     * Conv2d run with the bias and ReLU in their GEMM's epilogue (other layers apply relu after forward).
     * Returns false, emitting nothing, for any other shape of call.
     */
    private boolean reluOfLayer(Expr.Call call) {
        if (call.args().size() != 1 || !(call.args().get(0).value() instanceof Expr.Call inner)) return false;
        if (!(inner.callee() instanceof Expr.Name layer) || inner.args().size() != 1 || !isLayerVal(layer.name())) return false;
        coerce(name(layer.name()), JType.MODULE);
        expr(inner.args().get(0).value(), JType.TENSOR);
        invokeVirtual(MODULE, "forwardRelu", "(" + TD + ")" + TD);
        return true;
    }

    /** Whether name is one of this model's vals holding a built-in layer (not shadowed by a local). */
    private boolean isLayerVal(String name) {
        if (model == null || local(name) != null) return false;
        for (Decl d : model.members()) {
            if (d instanceof Decl.Val v && v.name().equals(name)) return typeOf(v.init()) instanceof Type.LayerT;
        }
        return false;
    }

    /** Calls a value: a layer or model (its forward), or a function value. */
    private JType apply(JType f, Type t, Expr.Call call) {
        if (t instanceof Type.ModelT mt) {
            Decl.Fun fwd = ModelGen.fun(c.checker.models().get(mt.name()), "forward");
            if (!ModelGen.isStandardForward(c, fwd)) {
                return callOn(f.internalName(), fwd, call);
            }
        }
        if (t instanceof Type.FnT fn) {
            pop(f);
            return Builtins.call(this, fn.name(), call, null);
        }
        coerce(f, JType.MODULE);
        expr(call.args().get(0).value(), JType.TENSOR);
        invokeVirtual(MODULE, "forward", "(" + TD + ")" + TD);
        return JType.TENSOR;
    }

    /** The parameter JVM types and return type of a user function. */
    String descriptor(Decl.Fun f) {
        StringBuilder sb = new StringBuilder("(");
        for (Decl.Param p : f.params()) sb.append(ModelGen.paramType(c, p).descriptor());
        return sb.append(')').append(ModelGen.returnType(c, f).descriptor()).toString();
    }

    private void args(Decl.Fun f, Expr.Call call) {
        List<String> names = new ArrayList<>();
        List<Boolean> optional = new ArrayList<>();
        for (Decl.Param p : f.params()) {
            names.add(p.name());
            optional.add(p.defaultValue() != null);
        }
        Signatures.Bound b = Signatures.bind(names, optional, call.args());
        for (Decl.Param p : f.params()) {
            Expr a = b.args().get(p.name());
            expr(a != null ? a : p.defaultValue(), ModelGen.paramType(c, p));
        }
    }

    private JType callMethod(String cls, Decl.Fun f, Expr.Call call, boolean onThis) {
        if (onThis) mv.visitVarInsn(ALOAD, 0);
        args(f, call);
        invokeVirtual(cls, f.name(), descriptor(f));
        return ModelGen.returnType(c, f);
    }

    /** A method of a model instance already on the stack. */
    private JType callOn(String cls, Decl.Fun f, Expr.Call call) {
        args(f, call);
        invokeVirtual(cls, f.name(), descriptor(f));
        return ModelGen.returnType(c, f);
    }

    private JType callFunction(Decl.Fun f, Expr.Call call) {
        args(f, call);
        invokeStatic(c.functionsClass(), f.name(), descriptor(f));
        return ModelGen.returnType(c, f);
    }

    /** {@code Model(args)}: a new instance of the generated class, defaults filled in. */
    JType construct(String name, Expr.Call call) {
        Decl.Model m = c.checker.models().get(name);
        String cls = c.className(name);
        mv.visitTypeInsn(NEW, cls);
        mv.visitInsn(DUP);
        List<String> names = new ArrayList<>();
        List<Boolean> optional = new ArrayList<>();
        for (Decl.Param p : m.params()) {
            names.add(p.name());
            optional.add(p.defaultValue() != null);
        }
        Signatures.Bound b = Signatures.bind(names, optional, call.args());
        StringBuilder desc = new StringBuilder("(");
        for (Decl.Param p : m.params()) {
            JType t = ModelGen.paramType(c, p);
            Expr a = b.args().get(p.name());
            expr(a != null ? a : p.defaultValue(), t);
            desc.append(t.descriptor());
        }
        mv.visitMethodInsn(INVOKESPECIAL, cls, "<init>", desc.append(")V").toString(), false);
        return JType.obj(cls);
    }

    private JType method(Expr.Member m, Expr.Call call) {
        Type t = typeOf(m.target());
        String name = m.name();
        switch (t) {
            case Type.TensorT x -> {
                return Builtins.call(this, name, call, new Expr.Arg(null, null, m.target(), m.target().span()));
            }
            case Type.ModelT mt -> {
                Decl.Model md = c.checker.models().get(mt.name());
                Decl.Fun f = ModelGen.fun(md, name);
                JType target = expr(m.target());
                if (f != null) return callOn(target.internalName(), f, call);
                return moduleMethod(name, call, target, md);
            }
            case Type.LayerT l -> {
                JType target = expr(m.target());
                if (name.equals("last")) {
                    mv.visitTypeInsn(CHECKCAST, "org/nnc/nn/Recurrent");
                    expr(call.args().get(0).value(), JType.TENSOR);
                    invokeVirtual("org/nnc/nn/Recurrent", "last", "(" + TD + ")" + TD);
                    return JType.TENSOR;
                }
                if (name.equals("forward")) {
                    coerce(target, JType.MODULE);
                    expr(call.args().get(0).value(), JType.TENSOR);
                    invokeVirtual(MODULE, "forward", "(" + TD + ")" + TD);
                    return JType.TENSOR;
                }
                return moduleMethod(name, call, target, null);
            }
            case Type.RuntimeT r -> {
                JType target = expr(m.target());
                coerce(target, r.name().equals("Optimizer") ? JType.OPTIMIZER : JType.SCHEDULER);
                String cls = r.name().equals("Optimizer") ? JType.OPTIMIZER.internalName() : JType.SCHEDULER.internalName();
                invokeVirtual(cls, name, "()V");
                return JType.VOID;
            }
            default -> throw new IllegalStateException("internal: method " + name + " on " + t);
        }
    }

    /** parameters(), train(), eval(), zeroGrad() of any module. */
    private JType moduleMethod(String name, Expr.Call call, JType target, Decl.Model md) {
        coerce(target, JType.MODULE);
        switch (name) {
            case "parameters" -> {
                invokeVirtual(MODULE, "parameters", "()Ljava/util/List;");
                return JType.LIST;
            }
            case "train", "eval" -> {
                invokeVirtual(MODULE, name, "()L" + MODULE + ";");
                mv.visitInsn(POP);
                return JType.VOID;
            }
            case "zeroGrad" -> {
                invokeVirtual(MODULE, name, "()V");
                return JType.VOID;
            }
            default -> {
                // A member layer called as a method: model.fc(x).
                Type mt = md == null ? null : typeOf(call.callee());
                throw new IllegalStateException("internal: unsupported method " + name + " " + mt);
            }
        }
    }

    /** Emits an op table operation's entry point with its arguments bound by name and defaults filled. */
    JType op(String name, List<Expr.Arg> args, Map<Expr, Type> unused) {
        Signatures.Bound b = Signatures.bind(name, args);
        OpDef def = overload(name, b);
        Class<?>[] ps = def.entryPoint().getParameterTypes();
        List<String> pnames = paramNames(def.signature());
        Map<String, String> defaults = defaults(def.signature());
        for (int i = 0; i < ps.length; i++) {
            String pn = i < pnames.size() ? pnames.get(i) : "";
            Expr a = b.args().get(pn);
            Class<?> p = ps[i];
            if (p == int[].class) {
                List<Expr> dims = b.rest();
                if (dims.size() == 1 && dims.get(0) instanceof Expr.ListLit l) dims = l.items();
                intArray(dims);
            } else if (p == List.class) {
                Expr list = a;
                if (list instanceof Expr.Call lc && lc.callee() instanceof Expr.Name ln && ln.name().equals("listOf")) {
                    list(lc.args().stream().map(Expr.Arg::value).toList());
                } else {
                    expr(list, JType.LIST);
                }
            } else {
                JType want = p == org.nnc.tensor.Tensor.class ? JType.TENSOR : p == int.class ? JType.INT : p == double.class ? JType.DOUBLE
                        : p == boolean.class ? JType.BOOLEAN : JType.OBJECT;
                if (a != null) {
                    if (want == JType.TENSOR) tensorOperand(a, typeOf(a));
                    else expr(a, want);
                } else {
                    String d = defaults.get(pn);
                    if (d == null) throw new IllegalStateException("internal: no value for " + name + "." + pn);
                    switch (d) {
                        case "true" -> mv.visitInsn(ICONST_1);
                        case "false" -> mv.visitInsn(ICONST_0);
                        default -> iconst(Integer.parseInt(d));
                    }
                }
            }
        }
        OpCalls.emit(mv, def);
        Class<?> r = def.entryPoint().getReturnType();
        return r == org.nnc.tensor.Tensor.class ? JType.TENSOR : JType.OBJECT;
    }

    private OpDef overload(String name, Signatures.Bound b) {
        List<OpDef> defs = OpTable.lookup(name);
        for (OpDef d : defs) {
            var rule = d.shapeRule();
            boolean hasDim = b.args().containsKey("dim");
            if (rule == org.nnc.ops.ShapeRule.REDUCE_DIM && hasDim) return d;
            if (rule == org.nnc.ops.ShapeRule.REDUCE_ALL && !hasDim) return d;
            if (name.equals("pow")) {
                boolean tensorExp = typeOf(b.args().get("p")) instanceof Type.TensorT;
                if (tensorExp == (rule == org.nnc.ops.ShapeRule.BROADCAST)) return d;
            }
        }
        return defs.get(0);
    }

    private static List<String> paramNames(String signature) {
        List<String> out = new ArrayList<>();
        for (String p : split(signature)) out.add(p.substring(0, p.indexOf(':')).strip());
        return out;
    }

    private static Map<String, String> defaults(String signature) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String p : split(signature)) {
            int eq = p.indexOf('=');
            if (eq > 0) out.put(p.substring(0, p.indexOf(':')).strip(), p.substring(eq + 1).strip());
        }
        return out;
    }

    private static List<String> split(String signature) {
        String inside = signature.substring(signature.indexOf('(') + 1, signature.indexOf(") ->"));
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char ch : (inside + ",").toCharArray()) {
            if (ch == '[' || ch == '<' || ch == '(') depth++;
            if (ch == ']' || ch == '>' || ch == ')') depth--;
            if (ch == ',' && depth == 0) {
                if (!cur.toString().isBlank()) out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        return out;
    }
}
