package org.nnc.codegen;

import org.objectweb.asm.Opcodes;

/**
 * The JVM type of a value in generated code: a primitive (Int → long, Float → double, Bool → boolean)
 * or a class. {@code internalName} is null for primitives and void.
 */
record JType(String descriptor, String internalName) {
    static final JType LONG = new JType("J", null);
    static final JType DOUBLE = new JType("D", null);
    static final JType BOOLEAN = new JType("Z", null);
    static final JType VOID = new JType("V", null);
    static final JType INT = new JType("I", null);
    static final JType STRING = obj("java/lang/String");
    static final JType OBJECT = obj("java/lang/Object");
    static final JType TENSOR = obj("org/nnc/tensor/Tensor");
    static final JType MODULE = obj("org/nnc/nn/Module");
    static final JType MODULE_LIST = obj("org/nnc/nn/ModuleList");
    static final JType LIST = obj("java/util/List");
    static final JType DATASET = obj("org/nnc/data/Dataset");
    static final JType LOADER = obj("org/nnc/data/DataLoader");
    static final JType BATCH = obj("org/nnc/data/DataLoader$Batch");
    static final JType OPTIMIZER = obj("org/nnc/optim/Optimizer");
    static final JType OPTIMIZER_SPEC = obj("org/nnc/train/OptimizerSpec");
    static final JType SCHEDULER = obj("org/nnc/optim/Scheduler");
    static final JType SCHEDULER_SPEC = obj("org/nnc/train/SchedulerSpec");

    static JType obj(String internalName) { return new JType("L" + internalName + ";", internalName); }

    boolean isWide() { return this == LONG || this == DOUBLE || descriptor.equals("J") || descriptor.equals("D"); }

    int size() { return descriptor.equals("V") ? 0 : isWide() ? 2 : 1; }

    boolean isPrimitive() { return internalName == null; }

    int load() {
        return switch (descriptor) {
            case "J" -> Opcodes.LLOAD;
            case "D" -> Opcodes.DLOAD;
            case "Z", "I" -> Opcodes.ILOAD;
            default -> Opcodes.ALOAD;
        };
    }

    int store() {
        return switch (descriptor) {
            case "J" -> Opcodes.LSTORE;
            case "D" -> Opcodes.DSTORE;
            case "Z", "I" -> Opcodes.ISTORE;
            default -> Opcodes.ASTORE;
        };
    }

    int ret() {
        return switch (descriptor) {
            case "J" -> Opcodes.LRETURN;
            case "D" -> Opcodes.DRETURN;
            case "Z", "I" -> Opcodes.IRETURN;
            case "V" -> Opcodes.RETURN;
            default -> Opcodes.ARETURN;
        };
    }
}
