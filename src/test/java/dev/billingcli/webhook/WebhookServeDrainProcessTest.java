package dev.billingcli.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.TestPostgres;
import dev.billingcli.TextWatch;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM with {@code --shutdown-delay}, through the real signal: /readyz turns 503 at once, /healthz and
 * deliveries go on until the delay is over, then the process stops by itself with 0.
 */
class WebhookServeDrainProcessTest {
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private int status(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void afterSigtermReadyzIs503WhileEverythingElseIsServedUntilTheDelayEnds() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.copy(Path.of("plans.yaml"), dir.resolve("plans.yaml"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.billingcli.Main", "--database-url", TestPostgres.newDatabaseUrl(),
                "webhook-serve", "--port", Integer.toString(port), "--shutdown-delay", "3", "--log-format", "json")
                .directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("STRIPE_WEBHOOK_SECRET", WebhookServerTest.SECRET);
        Process process = pb.start();
        TextWatch output = TextWatch.of(process.getInputStream());
        try {
            output.await("webhook-serve listening on", Duration.ofSeconds(60));
            String base = "http://127.0.0.1:" + port;
            assertThat(status(base + "/readyz")).isEqualTo(200);

            long signalled = System.nanoTime();
            process.toHandle().destroy(); // SIGTERM
            output.await("webhook-serve stopping", Duration.ofSeconds(10));
            assertThat(status(base + "/readyz")).as("the load balancer is told first").isEqualTo(503);
            assertThat(status(base + "/healthz")).as("still live").isEqualTo(200);
            String body = TestEvents.event("evt_drain_json", "payout.paid", TestEvents.T0, TestEvents.JSON.createObjectNode().put("id", "po_1"));
            var delivered = http.send(HttpRequest.newBuilder(URI.create(base + "/webhook")).timeout(Duration.ofSeconds(5))
                    .header("Stripe-Signature", WebhookServerTest.sign(body)).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(delivered.statusCode()).as("still serving during the delay").isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).as("checked within the delay").isLessThan(Duration.ofSeconds(3));

            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - signalled)).as("the delay was kept").isGreaterThanOrEqualTo(Duration.ofSeconds(3));
            output.await("webhook-serve stopped", Duration.ofSeconds(10));
            assertThat(process.exitValue()).isZero();
            String json = output.toString().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow();
            assertThat(TestEvents.JSON.readTree(json).get("id").asText()).isEqualTo("evt_drain_json");
            assertThat(output.toString()).doesNotContain("Exception").doesNotContain("WARN");
        } finally {
            process.destroyForcibly();
        }
    }
}
