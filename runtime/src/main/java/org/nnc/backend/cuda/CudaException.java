package org.nnc.backend.cuda;

/** A CUDA driver call failed, or the GPU cannot be used; the message says which call and why. */
public class CudaException extends IllegalStateException {
    public CudaException(String message) { super(message); }
}
