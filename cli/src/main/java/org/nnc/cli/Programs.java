package org.nnc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.nnc.codegen.Compiler;
import org.nnc.codegen.GeneratedClassLoader;

/** Compiled programs on disk (class folders and jars) and in memory, and their entry points. */
final class Programs {
    static final String TRAINS = "Nnc-Train-Classes";
    static final String MAIN = "Nnc-Main-Class";

    private Programs() {}

    /** A loaded program: a class loader and the names of its train classes and main class (null if none). */
    record Loaded(ClassLoader loader, List<String> trains, String main) {}

    static Loaded inMemory(Compiler.Output out) {
        return new Loaded(new GeneratedClassLoader(out.classes(), Programs.class.getClassLoader()), out.trainClasses(), out.mainClass());
    }

    static Loaded fromJar(Path jar) throws IOException {
        try (JarFile f = new JarFile(jar.toFile())) {
            Manifest m = f.getManifest();
            if (m == null || m.getMainAttributes().getValue(TRAINS) == null) {
                throw new IOException(jar + " was not made by nnc compile (its manifest has no " + TRAINS + ")");
            }
            Attributes a = m.getMainAttributes();
            List<String> trains = a.getValue(TRAINS).isBlank() ? List.of() : List.of(a.getValue(TRAINS).split(" "));
            String main = a.getValue(MAIN);
            URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, Programs.class.getClassLoader());
            return new Loaded(loader, trains, main == null || main.isBlank() ? null : main);
        }
    }

    /** Writes the classes under a folder, one file per class in its package folder. */
    static List<Path> writeClasses(Compiler.Output out, Path dir) throws IOException {
        List<Path> written = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : out.classes().entrySet()) {
            Path p = dir.resolve(e.getKey() + ".class");
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
            written.add(p);
        }
        return written;
    }

    /**
     * Writes a jar: the classes, a manifest naming the entry points (Main-Class runs main, or the first train
     * block), and with {@code standalone} the runtime and its libraries too, so {@code java -jar} needs nothing else.
     */
    static void writeJar(Compiler.Output out, Path jar, boolean standalone, List<Path> runtimeJars) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        String entry = out.mainClass() != null ? out.mainClass() : out.trainClasses().isEmpty() ? null : out.trainClasses().get(0);
        if (entry != null) a.put(Attributes.Name.MAIN_CLASS, entry);
        a.putValue(TRAINS, String.join(" ", out.trainClasses()));
        a.putValue(MAIN, out.mainClass() == null ? "" : out.mainClass());
        a.putValue("Enable-Native-Access", "ALL-UNNAMED");
        if (!standalone) {
            List<String> cp = new ArrayList<>();
            for (Path p : runtimeJars) cp.add(p.toAbsolutePath().toUri().toString());
            a.put(Attributes.Name.CLASS_PATH, String.join(" ", cp));
        }
        Path tmp = org.nnc.io.AtomicFiles.temporary(jar);
        try (JarOutputStream j = new JarOutputStream(Files.newOutputStream(tmp), m)) {
            Map<String, Boolean> seen = new LinkedHashMap<>();
            for (Map.Entry<String, byte[]> e : out.classes().entrySet()) {
                j.putNextEntry(new JarEntry(e.getKey() + ".class"));
                j.write(e.getValue());
                j.closeEntry();
                seen.put(e.getKey() + ".class", true);
            }
            if (standalone) {
                for (Path lib : runtimeJars) {
                    if (Files.isDirectory(lib)) {
                        try (var files = Files.walk(lib)) {
                            for (Path p : files.filter(Files::isRegularFile).toList()) {
                                String n = lib.relativize(p).toString().replace(java.io.File.separatorChar, '/');
                                if (n.startsWith("META-INF/") || seen.putIfAbsent(n, true) != null) continue;
                                j.putNextEntry(new JarEntry(n));
                                Files.copy(p, j);
                                j.closeEntry();
                            }
                        }
                        continue;
                    }
                    try (JarFile f = new JarFile(lib.toFile())) {
                        for (JarEntry e : java.util.Collections.list(f.entries())) {
                            String n = e.getName();
                            if (e.isDirectory() || n.startsWith("META-INF/") || seen.putIfAbsent(n, true) != null) continue;
                            j.putNextEntry(new JarEntry(n));
                            try (InputStream in = f.getInputStream(e)) {
                                in.transferTo(j);
                            }
                            j.closeEntry();
                        }
                    }
                }
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        org.nnc.io.AtomicFiles.commit(tmp, jar);
    }

    /**
     * What the runtime needs at run time, from this CLI's class path: the runtime (a jar, or its classes
     * folder in a development build) and the libraries it uses, but not the compiler's.
     */
    static List<Path> runtimeJars() {
        List<Path> out = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            String n = p.getFileName() == null ? "" : p.getFileName().toString();
            boolean runtimeClasses = Files.isDirectory(p) && Files.exists(p.resolve("org/nnc/tensor/Tensor.class"));
            boolean compiler = n.startsWith("nnc-cli") || n.startsWith("nnc-codegen") || n.startsWith("nnc-frontend")
                    || n.startsWith("nnc-grammar") || n.startsWith("antlr4") || n.startsWith("asm") || n.startsWith("picocli")
                    || n.startsWith("junit") || n.startsWith("opentest4j") || n.startsWith("apiguardian");
            if (runtimeClasses || (n.endsWith(".jar") && !compiler)) out.add(p);
        }
        return out;
    }
}
