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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** webhook-serve as its own process: SIGTERM lets the request in flight finish before the process ends. */
class WebhookServeProcessTest {
    @TempDir
    Path dir;

    @Test
    void sigtermDrainsTheRequestInFlight() throws Exception {
        String url = TestPostgres.newDatabaseUrl();
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.copy(Path.of("plans.yaml"), dir.resolve("plans.yaml"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.billingcli.Main",
                "--database-url", url, "webhook-serve", "--port", Integer.toString(port))
                .directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("STRIPE_WEBHOOK_SECRET", WebhookServerTest.SECRET);
        Process server = pb.start();
        TextWatch output = TextWatch.of(server.getInputStream());
        Duration wait = Duration.ofSeconds(60);
        try {
            output.await("webhook-serve listening on", wait);
            String body = TestEvents.event("evt_drain", "customer.subscription.created", TestEvents.T0,
                    TestEvents.subscription("sub_drain", "cus_drain", "pro_monthly", "active"));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream out = s.getOutputStream();
                InputStream in = s.getInputStream();
                // headers only, asking to continue: the server answers 100 once the exchange has started,
                // so the request is in flight from then on, its handler waiting for the body
                out.write(("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nExpect: 100-continue\r\n"
                        + "Stripe-Signature: " + WebhookServerTest.sign(body) + "\r\nContent-Length: " + bytes.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 100");
                server.toHandle().destroy(); // SIGTERM (Process.destroy would also close our end of its output)
                output.await("webhook-serve stopping", wait);
                out.write(bytes);
                out.flush();
                String answers = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                assertThat(answers).as("after the 100, the request's own answer").contains("\r\n\r\nHTTP/1.1 200");
            }
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("the process ends after draining").isTrue();
        } finally {
            server.destroyForcibly();
        }
        try (Database db = Database.open(url, null, 1, m -> {})) {
            assertThat(db.read(tx -> tx.events().find("evt_drain")).orElseThrow().outcome()).isEqualTo("applied");
        }
        output.await("webhook-serve stopped", Duration.ofSeconds(10));
    }
}
