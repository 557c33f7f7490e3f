package dev.billingcli.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.billingcli.TestPostgres;
import dev.billingcli.TextWatch;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * webhook-serve as its own process (the JDK server reads its bounds once per JVM) under clients that
 * connect and stall: 50 stop in the middle of their body, 10 in the middle of their headers. A valid
 * delivery is still answered at once, and the server closes every stalled connection once its request has
 * taken {@code --request-timeout} to arrive, not before. Loopback only; every wait is bounded.
 */
class WebhookServeHostileClientsTest {
    private static final int REQUEST_TIMEOUT_S = 2;
    /** The JDK server looks for connections over their time every 250 ms; the rest is this machine's noise. */
    private static final Duration LATE_AT_MOST = Duration.ofMillis(250 + 1_250);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void stalledClientsAreDroppedWithinTheirBoundWhileAValidDeliveryIsAnsweredAtOnce() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Files.copy(Path.of("plans.yaml"), dir.resolve("plans.yaml"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "dev.billingcli.Main", "--database-url", TestPostgres.newDatabaseUrl(),
                "webhook-serve", "--port", Integer.toString(port), "--request-timeout", Integer.toString(REQUEST_TIMEOUT_S),
                "--max-connections", "100").directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("STRIPE_WEBHOOK_SECRET", WebhookServerTest.SECRET);
        Process process = pb.start();
        TextWatch output = TextWatch.of(process.getInputStream());
        List<Socket> stalled = new ArrayList<>();
        try {
            output.await("webhook-serve listening on", Duration.ofSeconds(60));
            String url = "http://127.0.0.1:" + port + "/webhook";
            // a first delivery, so that the one measured below does not pay the server's first-use class loading
            assertThat(deliver(url, "evt_warm").statusCode()).isEqualTo(200);

            List<Long> sent = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
                String headers = "POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                        + "Stripe-Signature: t=1,v1=00\r\nContent-Length: 1000\r\n\r\n";
                // 50 stop in the middle of their body, 10 in the middle of their headers
                String part = i < 50 ? headers + "{\"id\":\"evt_stalled_" + i + "\"," : headers.substring(0, 50);
                OutputStream out = s.getOutputStream();
                out.write(part.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                stalled.add(s);
                sent.add(System.nanoTime());
            }

            long start = System.nanoTime();
            HttpResponse<String> answer = deliver(url, "evt_while_stalled");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(answer.statusCode()).as(output.toString()).isEqualTo(200);
            assertThat(took).as("a valid delivery while 60 clients stall").isLessThan(Duration.ofSeconds(1));
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/healthz")).timeout(Duration.ofSeconds(1))
                    .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

            Duration bound = Duration.ofSeconds(REQUEST_TIMEOUT_S);
            for (int i = 0; i < stalled.size(); i++) {
                Duration closedAfter = closedByServer(stalled.get(i), sent.get(i), bound.plus(LATE_AT_MOST).plusSeconds(2));
                assertThat(closedAfter).as("stalled connection %d (%s): closed by the server", i, i < 50 ? "body" : "headers")
                        .isNotNull()
                        .isGreaterThanOrEqualTo(bound.minusMillis(500))
                        .isLessThanOrEqualTo(bound.plus(LATE_AT_MOST));
            }
            assertThat(deliver(url, "evt_after").statusCode()).isEqualTo(200);
            assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body())
                    .contains("billing_webhook_events_total{outcome=\"ignored\",type=\"payout.paid\"} 3.0");

            process.toHandle().destroy(); // SIGTERM
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            output.await("webhook-serve stopped", Duration.ofSeconds(10));
            assertThat(process.exitValue()).isZero();
            assertThat(output.toString()).doesNotContain("Exception").doesNotContain("WARN").doesNotContain("evt_stalled");
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
            process.destroyForcibly();
        }
    }

    private HttpResponse<String> deliver(String url, String id) throws IOException, InterruptedException {
        String body = TestEvents.event(id, "payout.paid", TestEvents.T0, TestEvents.JSON.createObjectNode().put("id", "po_" + id));
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
                .header("Stripe-Signature", WebhookServerTest.sign(body))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** How long after {@code sentAt} the server closed the connection (end of stream or reset), or null if it did not by {@code limit}. */
    private static Duration closedByServer(Socket s, long sentAt, Duration limit) throws IOException {
        InputStream in = s.getInputStream();
        long deadline = sentAt + limit.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0;) {
            s.setSoTimeout((int) Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            try {
                if (in.read() < 0) {
                    return Duration.ofNanos(System.nanoTime() - sentAt);
                }
                // the JDK server answers nothing to a request it drops; any byte would be a surprise: keep reading
            } catch (SocketTimeoutException e) {
                return null;
            } catch (IOException reset) {
                return Duration.ofNanos(System.nanoTime() - sentAt);
            }
        }
        return null;
    }
}
