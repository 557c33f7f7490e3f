package dev.billingcli.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.TestPostgres;
import dev.billingcli.TextWatch;
import dev.billingcli.store.Database;
import dev.billingcli.store.EventStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * webhook-serve as its own process: SIGTERM lets the request in flight finish before the process ends,
 * with a database at a URL and with the embedded one (whose PostgreSQL must outlive the request), and an
 * idle server stops at once.
 */
class WebhookServeProcessTest {
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** A started webhook-serve process, its merged stdout and stderr, and its port. */
    private record Served(Process process, TextWatch output, int port) {}

    private Served serve(String... globalOptions) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.copy(Path.of("plans.yaml"), dir.resolve("plans.yaml"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.billingcli.Main"));
        command.addAll(List.of(globalOptions));
        command.addAll(List.of("webhook-serve", "--port", Integer.toString(port)));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("STRIPE_WEBHOOK_SECRET", WebhookServerTest.SECRET);
        Process process = pb.start();
        TextWatch output = TextWatch.of(process.getInputStream());
        output.await("webhook-serve listening on", WAIT);
        return new Served(process, output, port);
    }

    /** Sends a request's headers, SIGTERMs the server once the request is in flight, then the body; returns the answers. */
    private static String deliverAcrossSigterm(Served served, String eventId) throws Exception {
        String body = TestEvents.event(eventId, "customer.subscription.created", TestEvents.T0,
                TestEvents.subscription("sub_" + eventId, "cus_" + eventId, "pro_monthly", "active"));
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket("127.0.0.1", served.port())) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            // headers only, asking to continue: the server answers 100 once the exchange has started,
            // so the request is in flight from then on, its handler waiting for the body
            out.write(("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                    + "Stripe-Signature: " + WebhookServerTest.sign(body) + "\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 100");
            served.process().toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
            served.output().await("webhook-serve stopping", WAIT);
            out.write(bytes);
            out.flush();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void sigtermDrainsTheRequestInFlight() throws Exception {
        String url = TestPostgres.newDatabaseUrl();
        Served served = serve("--database-url", url);
        try {
            String answers = deliverAcrossSigterm(served, "evt_drain");
            assertThat(answers).as("after the 100, the request's own answer").contains("\r\n\r\nHTTP/1.1 200");
            assertThat(served.process().waitFor(30, TimeUnit.SECONDS)).as("the process ends after draining").isTrue();
        } finally {
            served.process().destroyForcibly();
        }
        try (Database db = Database.open(url, null, 1, m -> {})) {
            assertThat(db.read(tx -> tx.events().find("evt_drain")).orElseThrow().outcome()).isEqualTo("applied");
        }
        served.output().await("webhook-serve stopped", Duration.ofSeconds(10));
    }

    @Test
    void withTheEmbeddedDatabaseTheRequestInFlightIsStoredBeforePostgresStops() throws Exception {
        Served served = serve("--data-dir", dir.resolve("data").toString());
        try {
            String answers = deliverAcrossSigterm(served, "evt_embedded");
            // the embedded server's own shutdown hook used to stop PostgreSQL at the SIGTERM: the request then
            // found its pooled connection dead (Hikari: "Failed to validate connection") and answered 503
            assertThat(answers).as(served.output().toString()).contains("\r\n\r\nHTTP/1.1 200");
            assertThat(served.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            served.process().destroyForcibly();
        }
        served.output().await("webhook-serve stopped", Duration.ofSeconds(10));
        assertThat(served.output().toString()).contains("evt_embedded customer.subscription.created account=- applied")
                .doesNotContain("WARN").doesNotContain("Failed to validate connection");
        assertThat(served.process().exitValue()).isZero();
    }

    @Test
    void anIdleServerStopsWithinTwoSecondsOfSigtermWithoutWarnings() throws Exception {
        // the embedded database, as a developer runs it: its PostgreSQL stops too before the process ends
        Served served = serve("--data-dir", dir.resolve("data").toString());
        long start;
        boolean ended;
        try {
            start = System.nanoTime();
            served.process().toHandle().destroy(); // SIGTERM
            ended = served.process().waitFor(30, TimeUnit.SECONDS);
        } finally {
            served.process().destroyForcibly();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(ended).isTrue();
        // the JDK's HttpServer.stop(10) used to wait its whole delay with nothing in flight: 10 s
        assertThat(took).as("from SIGTERM to the process's end").isLessThan(Duration.ofSeconds(2));
        served.output().await("webhook-serve stopped", Duration.ofSeconds(10));
        assertThat(served.output().toString()).doesNotContain("WARN").doesNotContain("Exception");
        assertThat(served.process().exitValue()).isZero();
        assertThat(dir.resolve("data").resolve("pg").resolve("postmaster.pid")).as("PostgreSQL stopped").doesNotExist();
    }
}
