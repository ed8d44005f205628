package org.nnc.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nnc.ops.Ops;
import org.nnc.tensor.DType;
import org.nnc.tensor.Generator;
import org.nnc.tensor.Tensor;

/**
 * A float32 sum over a leading dimension (a bias gradient) adds whole rows, column range by column range:
 * ranges narrower than a vector take a scalar loop, wider ones a vector loop with a scalar tail, and
 * a range may be split between threads. Every column must be the plain sum, rows added in order.
 */
class ColumnSumPathsTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 3, 10, 16, 17, 70, 130, 3000})
    void everyColumnIsTheSumOfItsRows(int columns) {
        int rows = columns >= 3000 ? 40 : 7;   // 3000 columns × 40 rows is enough work for two threads
        Tensor x = Tensor.randn(new Generator(columns), DType.FLOAT32, 2, rows, columns);
        float[] xs = x.toFloatArray(), got = Ops.sum(x, 1, false).toFloatArray();
        for (int b = 0; b < 2; b++) {
            for (int j = 0; j < columns; j++) {
                float want = 0;
                for (int r = 0; r < rows; r++) want += xs[(b * rows + r) * columns + j];
                assertEquals(want, got[b * columns + j], "batch " + b + ", column " + j);
            }
        }
    }
}
