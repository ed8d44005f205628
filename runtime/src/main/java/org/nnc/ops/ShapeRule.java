package org.nnc.ops;

/**
 * How an op's output shape follows from its inputs. The runtime checks shapes concretely inside each op;
 * the front end's checker applies the same rule symbolically, choosing it from the op's table entry.
 */
public enum ShapeRule {
    /** [*S] -> [*S] */
    SAME,
    /** [*A], [*B] -> [broadcast(A, B)] (NumPy rules) */
    BROADCAST,
    /** as BROADCAST, result is a bool mask */
    COMPARE,
    /** cond, a, b -> [broadcast(cond, a, b)] */
    WHERE,
    /** [*S] -> [] */
    REDUCE_ALL,
    /** [.., d, ..], dim, keep -> dim removed (or kept as 1) */
    REDUCE_DIM,
    /** [*S, n, k] @ [*S, k, m] -> [*S, n, m]; 1-D operands as NumPy */
    MATMUL,
    /** same element count; one -1 inferred */
    RESHAPE,
    /** [a, .., b, ..] -> [b, .., a, ..] */
    TRANSPOSE,
    /** dimensions reordered by a permutation */
    PERMUTE,
    /** dims from..to multiplied into one */
    FLATTEN,
    /** size-1 dimension removed / inserted / stretched */
    SQUEEZE, UNSQUEEZE, EXPAND,
    /** Python slicing along one dimension; an integer index removes it */
    SLICE, SELECT,
    /** list of tensors agreeing except along dim -> that dim summed */
    CONCAT,
    /** list of same-shaped tensors -> new dim of the list's length */
    STACK,
    /** output has the index's shape */
    GATHER,
    /** dim replaced by the 1-D index's length */
    INDEX_SELECT
}
