package dev.billingcli.cli;

import dev.billingcli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

/**
 * Run once by {@code bin/billing} under {@code -XX:DumpLoadedClassList} to train the class-data-sharing
 * archive: it runs the commands that start most often (help, version, plans) and loads, without
 * initialising, the heavier classes database and Stripe commands need. Touches no database or network.
 */
public final class CdsTraining {
    /** Loaded, not initialised, so the archive holds them parsed and verified: see cds-preload.txt. */
    private static final java.util.List<String> PRELOAD = preload();
    private static final String[] PRELOAD_PACKAGES = PRELOAD.stream().filter(l -> l.endsWith("/")).toArray(String[]::new);
    private static final String[] PRELOAD_CLASSES = PRELOAD.stream().filter(l -> !l.endsWith("/")).toArray(String[]::new);

    private static java.util.List<String> preload() {
        try (var in = CdsTraining.class.getResourceAsStream("/dev/billingcli/cds-preload.txt")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).lines()
                    .map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private CdsTraining() {}

    /** @param args {@code light|full} and the plans.yaml to train on */
    public static void main(String[] args) {
        boolean full = args.length > 0 && args[0].equals("full");
        Path plans = Path.of(args.length > 1 ? args[1] : "plans.yaml").toAbsolutePath();
        Path cwd = plans.getParent() == null ? Path.of("").toAbsolutePath() : plans.getParent();
        String[][] runs = {
            {"--help"}, {"--version"}, {"--plans", plans.toString(), "plans", "list"},
            {"--plans", plans.toString(), "-o", "json", "plans", "list"}, {"--plans", plans.toString(), "plans", "validate"},
            {"db", "--help"}, {"--no-such-flag"},
        };
        for (String[] run : runs) {
            PrintWriter sink = new PrintWriter(new StringWriter());
            Main.run(run, Map.of(), cwd, sink, sink);
        }
        if (!full) {
            return;
        }
        ClassLoader loader = CdsTraining.class.getClassLoader();
        java.util.List<String> names = new java.util.ArrayList<>(java.util.List.of(PRELOAD_CLASSES));
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(
                Path.of(CdsTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toFile())) {
            jar.stream().map(java.util.jar.JarEntry::getName)
                    .filter(n -> n.endsWith(".class") && !n.contains("module-info") && !n.startsWith("META-INF/"))
                    .filter(n -> java.util.Arrays.stream(PRELOAD_PACKAGES).anyMatch(n::startsWith))
                    .forEach(n -> names.add(n.substring(0, n.length() - 6).replace('/', '.')));
        } catch (java.io.IOException | java.net.URISyntaxException | RuntimeException e) {
            // not run from the jar: the commands above were the training
        }
        for (String name : names) {
            try {
                Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // an optional dependency we do not ship: an archive with one class fewer is still an archive
            }
        }
    }
}
