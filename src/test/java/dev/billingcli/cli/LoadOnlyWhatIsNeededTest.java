package dev.billingcli.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The light commands load no database, Stripe or logging classes (start-up time): each runs in a JVM
 * of its own with class loading logged, since in this JVM other tests have loaded everything already.
 */
class LoadOnlyWhatIsNeededTest {
    private static final List<String> HEAVY = List.of("org.jdbi.", "org.postgresql.", "com.zaxxer.hikari.", "org.flywaydb.",
            "com.stripe.StripeClient", "com.stripe.net.", "io.zonky.", "ch.qos.logback.", "org.jline.",
            // webhook-serve's /metrics only
            "io.micrometer.", "io.prometheus.", "org.HdrHistogram.",
            // our own: picocli reflects over every command class, so a store/ or stripe/ type in a command's signature loads here
            "dev.billingcli.store.", "dev.billingcli.stripe.");

    @ParameterizedTest
    @ValueSource(strings = {"--version", "--help", "plans list", "plans validate", "completion bash"})
    void lightCommandsLoadNoDatabaseStripeOrShellClasses(String command) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xlog:class+load=info:stdout", "-cp", System.getProperty("java.class.path"), "dev.billingcli.Main",
                "--plans", Path.of("plans.yaml").toAbsolutePath().toString()));
        cmd.addAll(List.of(command.split(" ")));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("dev.billingcli.Main"); // the log is there
        List<String> heavy = out.lines().filter(l -> l.contains("[class,load]"))
                .map(l -> l.replaceAll(".*\\[class,load\\] (\\S+).*", "$1"))
                .filter(c -> HEAVY.stream().anyMatch(c::startsWith)).toList();
        assertThat(heavy).as(command).isEmpty();
    }
}
