package org.nnc.data;

/** A data file or data set that cannot be used; the message names the file and the row, column or byte. */
public class DataException extends RuntimeException {
    public DataException(String message) { super(message); }

    public DataException(String message, Throwable cause) { super(message, cause); }
}
