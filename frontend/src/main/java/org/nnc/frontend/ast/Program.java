package org.nnc.frontend.ast;

import java.util.List;

/** A parsed file: its declarations in source order. */
public record Program(List<Decl> decls) {}
