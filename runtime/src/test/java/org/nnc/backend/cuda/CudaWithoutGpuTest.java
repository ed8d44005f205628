package org.nnc.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;
import org.nnc.backend.Devices;
import org.nnc.tensor.Device;
import org.nnc.tensor.Tensor;

/** What runs on every machine: the probe's answers without a GPU, and the host-side arithmetic of launches. */
class CudaWithoutGpuTest {

    @Test
    void withoutAGpuAutoFallsBackAndCudaSaysWhy() {
        String why = Cuda.unavailableReason();
        assumeTrue(why != null, "this machine has a GPU");
        assertEquals(why, Cuda.unavailableReason(), "the probe's answer is kept");
        Devices.Choice c = Devices.resolve("auto");
        assertEquals(Device.CPU, c.device());
        assertEquals("device auto: training on the CPU (" + why + ")", c.note());
        CudaException e = assertThrows(CudaException.class, () -> Devices.resolve("cuda"));
        assertEquals("cuda:0 is not available: " + why, e.getMessage());
        e = assertThrows(CudaException.class, () -> Tensor.ones(2).to(Device.cuda(0)));
        assertTrue(e.getMessage().startsWith("cuda:0 is not available"), e.getMessage());
        assertNull(Devices.resolve("cpu").note());
    }

    @Test
    void geomDropsUnitDimensionsAndMergesWhatStepsAsOne() {
        // [2, 1, 3, 4] contiguous and a broadcast operand [1, 1, 3, 4] (stride 0 on dim 0).
        int[] g = CudaBackend.geom(new int[] {2, 1, 3, 4}, new int[][] {{12, 12, 4, 1}, {0, 0, 4, 1}}, new int[] {5, 7});
        assertEquals(2, g[0], "[2] and [3·4] stay apart because of the broadcast");
        assertEquals(24, g[1]);
        assertArrayEquals(new int[] {2, 12}, new int[] {g[2], g[3]});
        assertArrayEquals(new int[] {12, 1}, new int[] {g[10], g[11]});
        assertArrayEquals(new int[] {0, 1}, new int[] {g[18], g[19]});
        assertArrayEquals(new int[] {5, 7}, new int[] {g[42], g[43]});
        int[] t = CudaBackend.geom(new int[] {3, 4}, new int[][] {{4, 1}, {1, 3}}, new int[] {0, 0});
        assertEquals(2, t[0], "a transposed operand keeps both dimensions");
        int[] s = CudaBackend.geom(new int[] {}, new int[][] {{}}, new int[] {3});
        assertEquals(0, s[0]);
        assertEquals(1, s[1], "a scalar is one element");
        int[] big = CudaBackend.geom(new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, new int[][] {{512, 256, 128, 64, 32, 16, 8, 4, 2, 1}}, new int[] {0});
        assertEquals(1, big[0], "a contiguous tensor of rank 10 is one dimension");
    }

    @Test
    void sizeClassesArePowersOfTwoThenWholeTwoMebibytes() {
        assertEquals(256, CudaMemory.sizeClass(1));
        assertEquals(1024, CudaMemory.sizeClass(1000));
        assertEquals(1 << 20, CudaMemory.sizeClass(1 << 20));
        assertEquals(2 << 20, CudaMemory.sizeClass((1 << 20) + 1));
        assertEquals(4 << 20, CudaMemory.sizeClass((2 << 20) + 1));
    }
}
