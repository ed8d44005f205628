package org.nnc.ops;

import java.lang.reflect.Method;

/**
 * One operation as the language sees it: its name in {@code .nnet} source (or its operator), the rule
 * its output shape follows, the signature shown in documentation and diagnostics, and the runtime
 * method that computes it (forward, backward recording, and kernel dispatch all live there).
 */
public record OpDef(String name, String operator, ShapeRule shapeRule, String signature, Method entryPoint,
                    boolean differentiable) {

    /** The JVM method descriptor of the entry point, e.g. {@code (Lorg/nnc/tensor/Tensor;)Lorg/nnc/tensor/Tensor;}. */
    public String descriptor() {
        StringBuilder sb = new StringBuilder("(");
        for (Class<?> p : entryPoint.getParameterTypes()) sb.append(descriptorOf(p));
        return sb.append(')').append(descriptorOf(entryPoint.getReturnType())).toString();
    }

    private static String descriptorOf(Class<?> c) {
        if (c.isArray()) return "[" + descriptorOf(c.getComponentType());
        if (c == int.class) return "I";
        if (c == long.class) return "J";
        if (c == double.class) return "D";
        if (c == float.class) return "F";
        if (c == boolean.class) return "Z";
        if (c == void.class) return "V";
        return "L" + c.getName().replace('.', '/') + ";";
    }
}
