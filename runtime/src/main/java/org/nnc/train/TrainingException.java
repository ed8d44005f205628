package org.nnc.train;

/** Training cannot go on (a non-finite loss, say); the message says where and what to try. */
public class TrainingException extends RuntimeException {
    public TrainingException(String message) { super(message); }

    public TrainingException(String message, Throwable cause) { super(message, cause); }
}
