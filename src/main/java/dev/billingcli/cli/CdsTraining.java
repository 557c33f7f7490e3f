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
    private static final String[] PRELOAD = {
        "org.jdbi.v3.core.Jdbi", "org.jdbi.v3.postgres.PostgresPlugin", "org.postgresql.Driver",
        "com.zaxxer.hikari.HikariDataSource", "org.flywaydb.core.Flyway", "com.stripe.StripeClient",
        "com.stripe.net.RequestOptions", "com.google.gson.Gson", "com.fasterxml.jackson.databind.ObjectMapper",
        "io.zonky.test.db.postgres.embedded.EmbeddedPostgres", "ch.qos.logback.classic.LoggerContext",
    };

    private CdsTraining() {}

    public static void main(String[] args) {
        Path plans = Path.of(args.length > 0 ? args[0] : "plans.yaml").toAbsolutePath();
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
        ClassLoader loader = CdsTraining.class.getClassLoader();
        for (String name : PRELOAD) {
            try {
                Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                // an archive with one class fewer is still an archive
            }
        }
    }
}
