package org.nnc.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The thread team: every task runs once, failures reach the caller, nested and concurrent calls finish. */
class ParallelTest {

    @Test
    void everyTaskRunsExactlyOnce() {
        for (int round = 0; round < 200; round++) {
            int count = 1 + round % 37;
            AtomicIntegerArray runs = new AtomicIntegerArray(count);
            Parallel.forTasks(count, runs::incrementAndGet);
            for (int i = 0; i < count; i++) assertEquals(1, runs.get(i), "task " + i + " in round " + round);
        }
    }

    @Test
    void aFailingTaskReachesTheCallerAndTheTeamKeepsWorking() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Parallel.forTasks(8, i -> {
            if (i == 5) throw new IllegalArgumentException("task 5");
        }));
        assertEquals("task 5", e.getMessage());
        AtomicLong sum = new AtomicLong();
        Parallel.forRange(1000, 1L << 30, (from, to) -> {
            for (int i = from; i < to; i++) sum.addAndGet(i);
        });
        assertEquals(999L * 1000 / 2, sum.get());
    }

    @Test
    void nestedCallsRunInTheirCaller() {
        AtomicLong total = new AtomicLong();
        Parallel.forTasks(4, outer -> Parallel.forTasks(4, inner -> total.addAndGet(outer * 10 + inner)));
        assertEquals(4 * (0 + 1 + 2 + 3) + 10 * 4 * (0 + 1 + 2 + 3), total.get());
    }

    @Test
    void concurrentCallersEachGetAllTheirTasksDone() throws InterruptedException {
        Thread[] callers = new Thread[4];
        AtomicLong[] sums = new AtomicLong[callers.length];
        for (int c = 0; c < callers.length; c++) {
            AtomicLong sum = sums[c] = new AtomicLong();
            callers[c] = new Thread(() -> {
                for (int r = 0; r < 300; r++) Parallel.forTasks(16, i -> sum.addAndGet(i));
            });
            callers[c].start();
        }
        for (Thread t : callers) t.join();
        for (AtomicLong s : sums) assertEquals(300L * (15 * 16 / 2), s.get());
    }
}
