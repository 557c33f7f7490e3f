package dev.billingcli.config;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * The resolved configuration of one run. Precedence: flag, then the real environment, then a
 * {@code .env} file in the working directory, then the default.
 */
public record Settings(
        Path plansFile,
        String databaseUrl,
        Path dataDir,
        String stripeKey,
        String stripeApiBase,
        OutputFormat output,
        boolean color,
        boolean verbose,
        boolean live,
        Map<String, String> environment) {

    public enum OutputFormat { TABLE, JSON }

    /** Flags as given on the command line; null where absent. */
    public record Flags(
            Path plans,
            String databaseUrl,
            Path dataDir,
            String stripeKey,
            String stripeApiBase,
            OutputFormat output,
            boolean noColor,
            boolean verbose,
            boolean live) {}

    public static Settings resolve(Flags flags, Map<String, String> realEnv, Path workingDir) {
        Map<String, String> env = new HashMap<>(DotEnv.read(workingDir.resolve(".env")));
        env.putAll(realEnv);
        Path plans = flags.plans() != null ? flags.plans()
                : env.containsKey("BILLING_PLANS") ? Path.of(env.get("BILLING_PLANS")) : Path.of("plans.yaml");
        Path dataDir = flags.dataDir() != null ? flags.dataDir()
                : env.containsKey("BILLING_DATA_DIR") ? Path.of(env.get("BILLING_DATA_DIR")) : Path.of(".billing");
        return new Settings(
                workingDir.resolve(plans).normalize(),
                firstNonBlank(flags.databaseUrl(), env.get("DATABASE_URL")),
                workingDir.resolve(dataDir).toAbsolutePath().normalize(),
                firstNonBlank(flags.stripeKey(), env.get("STRIPE_SECRET_KEY")),
                firstNonBlank(flags.stripeApiBase(), env.get("STRIPE_API_BASE")),
                flags.output() != null ? flags.output() : OutputFormat.TABLE,
                !flags.noColor() && !env.containsKey("NO_COLOR"),
                flags.verbose(),
                flags.live(),
                Map.copyOf(env));
    }

    /** A variable from the environment or {@code .env} (real environment wins). */
    public String env(String name) {
        String v = environment.get(name);
        return v == null || v.isBlank() ? null : v;
    }

    public boolean json() {
        return output == OutputFormat.JSON;
    }

    private static String firstNonBlank(String a, String b) {
        if (a != null && !a.isBlank()) {
            return a;
        }
        return b != null && !b.isBlank() ? b : null;
    }
}
