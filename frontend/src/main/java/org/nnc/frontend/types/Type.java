package org.nnc.frontend.types;

import java.util.List;
import java.util.Map;
import org.nnc.frontend.source.Span;

/** The types the checker assigns to expressions. */
public sealed interface Type {
    /** Printed as in source: {@code Int}, {@code Tensor[B, 10]}, {@code Linear(784, 10)}. */
    String show();

    /** An Int, with its value as a dimension when the checker can follow it (a literal, a hyperparameter). */
    record IntT(DimExpr value) implements Type {
        public String show() { return "Int"; }
    }

    record FloatT() implements Type {
        public String show() { return "Float"; }
    }

    record BoolT() implements Type {
        public String show() { return "Bool"; }
    }

    /** A String, with its value when constant (data paths are read at check time). */
    record StrT(String value) implements Type {
        public String show() { return "String"; }
    }

    enum Elem { FLOAT, INT, BOOL }

    record TensorT(Elem elem, Shape shape) implements Type {
        public String show() {
            return switch (elem) {
                case FLOAT -> "Tensor";
                case INT -> "Tensor<Int>";
                case BOOL -> "Tensor<Bool>";
            } + shape;
        }
    }

    /** An instance of a user model, with its hyperparameters bound (to values or to the enclosing model's symbols). */
    record ModelT(String name, Map<String, DimExpr> args) implements Type {
        public String show() { return name; }
    }

    /**
     * A built-in layer instance: its kind ({@code Linear}, {@code Conv2d} …), its arguments as dimensions,
     * its sub-layers (Sequential), and where it was declared, for notes.
     */
    record LayerT(String kind, Map<String, DimExpr> args, List<Type> children, String declText, Span declSpan) implements Type {
        public String show() { return declText == null ? kind : declText; }
    }

    /** A list; {@code length} is known for {@code List(n) { … }} and literals, else null. */
    record ListT(Type elem, DimExpr length) implements Type {
        public String show() { return "List<" + elem.show() + ">"; }
    }

    record TupleT(List<Type> items) implements Type {
        public String show() {
            return "(" + String.join(", ", items.stream().map(Type::show).toList()) + ")";
        }
    }

    /** A built-in function used as a value, as a loss is in a train block. */
    record FnT(String name) implements Type {
        public String show() { return name; }
    }

    /**
     * A data set: per-sample feature shape and target type, and where they were read from (null when the
     * file was not there at check time, in which case the shapes are unknown).
     */
    record DatasetT(Shape sample, Type target, Long classes, String source) implements Type {
        public String show() { return "Dataset"; }
    }

    /** Batches of a data set: x is {@code [B, sample…]}, y the batched target. */
    record LoaderT(DatasetT data) implements Type {
        public String show() { return "DataLoader"; }
    }

    /** Other runtime values: Optimizer, Scheduler, Parameters, Split, Device. */
    record RuntimeT(String name) implements Type {
        public String show() { return name; }
    }

    record UnitT() implements Type {
        public String show() { return "Unit"; }
    }

    /** What the checker could not type after an error: accepted everywhere, so errors do not cascade. */
    record UnknownT() implements Type {
        public String show() { return "?"; }
    }

    Type UNKNOWN = new UnknownT();
    Type UNIT = new UnitT();
    Type FLOAT = new FloatT();
    Type BOOL = new BoolT();
}
