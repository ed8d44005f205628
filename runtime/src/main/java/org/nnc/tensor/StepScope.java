package org.nnc.tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One training step whose arrays the next step uses again. Every op makes its result in a new array; a
 * step of W3 made 39 MB of them, and the JVM zeroes each and, while its young generation grows, faults
 * in every fresh page (W4 ran at 8 ms a step instead of 3.5 in those phases). Inside
 * {@code try (var s = steps.begin()) { … }} the arrays of CPU tensors (all but booleans) come from this
 * pool instead, zero-filled as new ones are, and go back to it when the step ends, so a loop whose
 * steps make the same tensors stops allocating them after its first step ({@link #arraysMade()} stays
 * put).
 *
 * <p>A tensor made inside a step is dead after it: using one (its data, or any op on it) throws an
 * {@link IllegalStateException} that says so, rather than reading whatever the next step put there.
 * What must outlive the step is made {@link #outside} it (optimizers make their buffers that way), or
 * read inside it ({@code loss.item()}). So a step must hold everything from {@code zeroGrad} to the
 * optimizer's step: gradients made inside one step are dead in the next.
 *
 * <p>Device memory made in a step ({@link #own}) goes back to its device's allocator when the step ends, the
 * same way: without this it returned only when the collector found its storage unreachable, so a GPU run
 * allocated afresh at every step and collected in bursts.
 *
 * <p>Per thread: a data loader's threads, and tensors made on any other thread, allocate as usual.
 */
public final class StepScope implements AutoCloseable {
    private static final ThreadLocal<StepScope> CURRENT = new ThreadLocal<>();

    /** Arrays back from ended steps, by element type and length. */
    private final Map<DType, Map<Integer, ArrayDeque<Object>>> free = new EnumMap<>(DType.class);
    private final ArrayList<Storage> lent = new ArrayList<>();
    /** The storages of arrays lent bare ({@link Storage#floats}), so a tensor later made on one dies with the step. */
    private final IdentityHashMap<Object, Storage> bare = new IdentityHashMap<>();
    private Thread owner;
    private int suspended;
    private long made;

    /** Starts a step on this thread; close it (try-with-resources) when the step is done. */
    public StepScope begin() {
        if (CURRENT.get() != null) throw new IllegalStateException("a training step is already open on this thread");
        if (owner != null) throw new IllegalStateException("this step's pool is in use by " + owner.getName() + ", whose step is still open");
        owner = Thread.currentThread();
        CURRENT.set(this);
        return this;
    }

    /** Ends the step: its tensors die and their arrays go back to the pool. */
    @Override
    public void close() {
        if (owner != Thread.currentThread() || CURRENT.get() != this) return;
        CURRENT.remove();
        owner = null;
        for (Storage s : lent) {
            s.retire();
            if (s instanceof DeviceStorage d) d.release();
            else if (s.array() != null) free.computeIfAbsent(s.dtype(), k -> new HashMap<>()).computeIfAbsent(s.size(), k -> new ArrayDeque<>()).push(s.array());
        }
        lent.clear();
        bare.clear();
    }

    /** A zero-filled float array, lent bare by the open step if there is one (see {@link Storage#floats}). */
    static float[] floats(int n) {
        Storage s = allocate(DType.FLOAT32, n);
        if (s == null) return new float[n];
        float[] a = ((Storage.F32) s).data;
        CURRENT.get().bare.put(a, s);
        return a;
    }

    /** The open step's storage of an array it lent bare, or null. */
    static Storage storageOf(Object array) {
        StepScope scope = CURRENT.get();
        return scope == null ? null : scope.bare.get(array);
    }

    /** Whether a step is open on this thread. */
    public static boolean isOpen() { return CURRENT.get() != null; }

    /** How many arrays this pool has made so far: constant once a loop's steps repeat. */
    public long arraysMade() { return made; }

    /** Runs {@code body} with ordinary allocation, for what must outlive the step (an optimizer's buffers). */
    public static <T> T outside(Supplier<T> body) {
        StepScope s = CURRENT.get();
        if (s == null) return body.get();
        s.suspended++;
        try {
            return body.get();
        } finally {
            s.suspended--;
        }
    }

    /** As {@link #outside(Supplier)}, for a body with no result. */
    public static void outside(Runnable body) {
        outside(() -> {
            body.run();
            return null;
        });
    }

    /**
     * Device memory made by a backend: owned by the step open on this thread, if any, and released when it
     * ends. Booleans too (a comparison's result, the accuracy's): unlike a host array, a block the step
     * kept would be one more driver allocation every step until the collector ran.
     */
    public static <S extends DeviceStorage> S own(S storage) {
        StepScope s = CURRENT.get();
        if (s != null && s.suspended == 0) s.lent.add(storage);
        return storage;
    }

    /** A zero-filled storage from the open step's pool, or null where no step is open on this thread. */
    static Storage allocate(DType dtype, int n) {
        StepScope s = CURRENT.get();
        if (s == null || s.suspended > 0 || dtype == DType.BOOL) return null;
        Map<Integer, ArrayDeque<Object>> byLength = s.free.get(dtype);
        ArrayDeque<Object> arrays = byLength == null ? null : byLength.get(n);
        Object a = arrays == null ? null : arrays.poll();
        Storage made;
        if (a == null) {
            made = Storage.allocateNew(dtype, n);
            s.made++;
        } else {
            made = switch (dtype) {
                case FLOAT32 -> { float[] f = (float[]) a; Arrays.fill(f, 0f); yield new Storage.F32(f); }
                case FLOAT64 -> { double[] d = (double[]) a; Arrays.fill(d, 0d); yield new Storage.F64(d); }
                case INT32 -> { int[] i = (int[]) a; Arrays.fill(i, 0); yield new Storage.I32(i); }
                case INT64 -> { long[] l = (long[]) a; Arrays.fill(l, 0L); yield new Storage.I64(l); }
                case BOOL -> throw new AssertionError();
            };
        }
        s.lent.add(made);
        return made;
    }
}
