package org.nnc.frontend.diag;

public enum Severity {
    ERROR, WARNING;

    @Override public String toString() { return name().toLowerCase(java.util.Locale.ROOT); }
}
