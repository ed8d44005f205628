package org.nnc.frontend.ast;

import java.util.List;
import org.nnc.frontend.source.Span;

/**
 * A written type: {@code Int}, {@code List<Linear>}, {@code Tensor[B, 784]}, {@code Tensor<Int>[B]}.
 * {@code dims} is null when no shape was written, and empty for {@code Tensor[]} (a scalar).
 */
public record TypeRef(String name, List<TypeRef> args, List<Dim> dims, Span span) {}
