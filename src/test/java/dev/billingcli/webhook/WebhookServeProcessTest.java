package dev.billingcli.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.TestPostgres;
import dev.billingcli.store.Database;
import dev.billingcli.store.EventStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** webhook-serve as its own process: SIGTERM lets the request in flight finish before the process ends. */
class WebhookServeProcessTest {
    @TempDir
    Path dir;

    /** Waits until new connections to {@code port} are refused. */
    private static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                Thread.sleep(20); // still accepting; poll again
            } catch (java.io.IOException refused) {
                return;
            }
        }
        throw new AssertionError("port " + port + " still accepts connections 30 s after SIGTERM");
    }

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
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("serve.log").toFile());
        pb.environment().put("STRIPE_WEBHOOK_SECRET", WebhookServerTest.SECRET);
        Process server = pb.start();
        try {
            WebhookServerTest.awaitHealthy(port, java.time.Duration.ofSeconds(60));
            String body = TestEvents.event("evt_drain", "customer.subscription.created", TestEvents.T0,
                    TestEvents.subscription("sub_drain", "cus_drain", "pro_monthly", "active"));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nStripe-Signature: "
                        + WebhookServerTest.sign(body) + "\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes, 0, 100);
                out.flush();
                // a margin for the server to parse the headers and start the handler, which then waits for
                // the body: nothing outside the server shows that moment (too short a margin fails the test,
                // it cannot make it pass wrongly)
                Thread.sleep(500);
                server.destroy(); // SIGTERM
                awaitRefused(port); // stopped accepting: the request in flight is all that is left
                out.write(bytes, 100, bytes.length - 100);
                out.flush();
                InputStream in = s.getInputStream();
                String answer = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
                assertThat(answer).isEqualTo("HTTP/1.1 200");
            }
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("the process ends after draining").isTrue();
        } finally {
            server.destroyForcibly();
        }
        try (Database db = Database.open(url, null, 1, m -> {})) {
            assertThat(db.jdbi().withHandle(h -> EventStore.find(h, "evt_drain")).orElseThrow().outcome()).isEqualTo("applied");
        }
        assertThat(Files.readString(dir.resolve("serve.log"))).contains("webhook-serve stopped");
    }
}
