package dev.billingcli.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.TestPostgres;
import dev.billingcli.store.Database;
import dev.billingcli.store.EventStore;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
            HttpClient http = HttpClient.newHttpClient();
            URI health = URI.create("http://127.0.0.1:" + port + "/healthz");
            for (int i = 0; i < 600; i++) {
                try {
                    if (http.send(HttpRequest.newBuilder(health).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        break;
                    }
                } catch (java.io.IOException notYet) {
                    Thread.sleep(50);
                }
            }
            String body = TestEvents.event("evt_drain", "customer.subscription.created", TestEvents.T0,
                    TestEvents.subscription("sub_drain", "cus_drain", "pro_monthly", "active"));
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            try (Socket s = new Socket("127.0.0.1", port)) {
                OutputStream out = s.getOutputStream();
                out.write(("POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nStripe-Signature: "
                        + WebhookServerTest.sign(body) + "\r\nContent-Length: " + bytes.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(bytes, 0, 100);
                out.flush();
                Thread.sleep(500); // the handler is now reading the body: a request in flight
                server.destroy(); // SIGTERM
                Thread.sleep(500);
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
