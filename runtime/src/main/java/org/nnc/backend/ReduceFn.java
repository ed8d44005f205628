package org.nnc.backend;

/** Reductions along one dimension. ARGMAX and ARGMIN produce int64 indices (the first on ties, as PyTorch). */
public enum ReduceFn { SUM, MAX, MIN, ARGMAX, ARGMIN }
