package org.nnc.autograd;

import java.util.function.Supplier;

/** Whether operations record a graph on this thread; {@link #noGrad} turns it off for a scope. */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() { return ENABLED.get()[0]; }

    /** A scope with recording off; closing it restores the previous mode. */
    public static Scope disable() { return set(false); }

    public static Scope enable() { return set(true); }

    private static Scope set(boolean on) {
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = on;
        return () -> flag[0] = previous;
    }

    public static void noGrad(Runnable body) {
        try (Scope s = disable()) {
            body.run();
        }
    }

    public static <T> T noGrad(Supplier<T> body) {
        try (Scope s = disable()) {
            return body.get();
        }
    }

    /** An {@link AutoCloseable} that does not throw. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }
}
