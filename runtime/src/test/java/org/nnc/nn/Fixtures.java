package org.nnc.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.nnc.io.SafeTensors;
import org.nnc.tensor.Tensor;

/** Reads the PyTorch-made fixture files (tools/make_nn_fixtures.py) and compares tensors with a relative tolerance. */
public final class Fixtures {
    private Fixtures() {}

    public static Map<String, Tensor> load(String name) {
        try {
            var url = Fixtures.class.getResource("/fixtures/nn/" + name + ".safetensors");
            assertNotNull(url, "missing fixture " + name + "; run tools/make_nn_fixtures.py");
            return SafeTensors.read(Path.of(url.toURI())).tensors();
        } catch (IOException | URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** |a − e| ≤ atol + rtol · |e| elementwise, same shape. */
    public static void assertClose(String what, Tensor expected, Tensor actual, double rtol, double atol) {
        assertNotNull(actual, what + " is missing");
        assertArrayEquals(expected.shape(), actual.shape(), what + " shape");
        double[] e = expected.toDoubleArray(), a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            assertTrue(Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]),
                    what + " element " + i + ": PyTorch " + e[i] + ", nnc " + a[i]);
        }
    }
}
