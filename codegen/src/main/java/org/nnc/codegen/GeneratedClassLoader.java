package org.nnc.codegen;

import java.util.Map;

/** Loads a compiled program's classes from memory, as {@code nnc run FILE.nnet} does; the JVM verifies each. */
public final class GeneratedClassLoader extends ClassLoader {
    private final Map<String, byte[]> classes;

    public GeneratedClassLoader(Map<String, byte[]> classes, ClassLoader parent) {
        super(parent);
        this.classes = classes;
    }

    @Override
    protected Class<?> findClass(String name) throws ClassNotFoundException {
        byte[] b = classes.get(name.replace('.', '/'));
        if (b == null) throw new ClassNotFoundException(name);
        return defineClass(name, b, 0, b.length);
    }
}
