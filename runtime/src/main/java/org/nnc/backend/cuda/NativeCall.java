package org.nnc.backend.cuda;

/**
 * A downcall through a foreign-function method handle that returns its library's status (a CUresult, a
 * cuBLAS status). {@code invokeExact} declares Throwable, so {@link #status} makes the call and turns a call
 * that could not be made at all into a {@link CudaException}; each library checks the status its own way.
 */
@FunctionalInterface
interface NativeCall {
    int invoke() throws Throwable;

    /** Makes {@code call} and returns its status; one that cannot be made is a CudaException naming {@code what}. */
    static int status(String what, NativeCall call) {
        try {
            return call.invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new CudaException(what + " could not be called: " + t);
        }
    }
}
